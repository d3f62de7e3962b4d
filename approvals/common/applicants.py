"""Who applies: a school, a unit of another kind, or a person working at a unit.

A procedure names one policy. The policy answers, in one place, who may start,
edit, hand to the head and submit an application, whom the kernel tells about its
outcome, and how the applicant is named. Visibility follows from the same facts
(``Application.unit_scope`` / ``user_scope``): an applicant sees its own
applications; everyone else gets 404 unless the application was routed to them.
"""

from django.utils.translation import gettext_lazy as _

from workflows.access import affiliations_of, is_member, units_of
from workflows.models import Role, Unit, UnitKind
from workflows.services import notify, notify_units

EDITORS = (Role.HANDLER, Role.HEAD, Role.LEADER)
SUBMITTERS = (Role.HEAD, Role.LEADER)


class Applicant:
    label = _("申请单位")
    # a unit's handler drafts, its head submits; a person submits alone
    has_head_step = True

    def units_for(self, user) -> list[Unit]:
        """The units in whose name ``user`` may start an application."""
        raise NotImplementedError

    def person_for(self, user):
        return None

    def may_edit(self, user, application) -> bool:
        raise NotImplementedError

    def may_submit(self, user, application) -> bool:
        raise NotImplementedError

    def is_applicant(self, user, application) -> bool:
        """The applicant's side: sees the applicant's view of the page (no objector names)."""
        return self.may_edit(user, application)

    def name_of(self, application) -> str:
        return application.applicant_unit.name

    def tell(self, application, *, title: str, body: str = "", url: str = "") -> None:
        """Notify the applicant of an outcome."""
        notify_units([application.applicant_unit], title=title, body=body, url=url)

    def tell_submitters(self, application, *, title: str, url: str) -> None:
        notify_units([application.applicant_unit], title=title, url=url, roles=SUBMITTERS)

    def refusal(self) -> str:
        return str(_("只有申请单位的经办人或负责人可以办理。"))


class UnitApplicant(Applicant):
    """A unit of one of ``kinds`` applies: its handler drafts, its head or leader submits."""

    def __init__(self, *kinds: str, label=None):
        self.kinds = kinds
        self.label = label or _("申请单位")

    def units_for(self, user) -> list[Unit]:
        return [u for u in units_of(user) if u.kind in self.kinds]

    def may_edit(self, user, application) -> bool:
        return is_member(user, application.applicant_unit, EDITORS)

    def may_submit(self, user, application) -> bool:
        return is_member(user, application.applicant_unit, SUBMITTERS)


class PersonApplicant(Applicant):
    """A person applies in their own name, tied to the unit they work at (``affiliation``)."""

    label = _("申请人")
    has_head_step = False

    def __init__(self, *unit_kinds: str):
        self.unit_kinds = unit_kinds

    def units_for(self, user) -> list[Unit]:
        return [u for u in affiliations_of(user) if u.kind in self.unit_kinds]

    def person_for(self, user):
        return user

    def may_edit(self, user, application) -> bool:
        return application.applicant_person_id == user.pk

    may_submit = may_edit

    def name_of(self, application) -> str:
        from workflows.people import display_name

        return display_name(application.applicant_person)

    def tell(self, application, *, title: str, body: str = "", url: str = "") -> None:
        notify(recipients=[application.applicant_person], title=title, body=body, url=url)

    def tell_submitters(self, application, *, title: str, url: str) -> None:
        self.tell(application, title=title, url=url)

    def refusal(self) -> str:
        return str(_("只有申请人本人可以办理。"))


SCHOOL = UnitApplicant(UnitKind.SCHOOL, label=_("申请学校"))
PERSON_AT_SCHOOL = PersonApplicant(UnitKind.SCHOOL)
