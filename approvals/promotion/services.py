"""Writes of dual-track promotion outside the flow: people and their records.

A teacher or technician is tied to the school they work at by a ``staff`` membership
(they act for no unit, apply in their own name). The school keeps their record: the
technician qualifications and teacher titles they hold.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from workflows.access import is_member
from workflows.exceptions import RuleViolation
from workflows.models import Membership, Role, Unit, UnitKind
from workflows.services import audit_record

from .models import Credential, PersonRecord
from .personal import validate_id_number


@transaction.atomic
def person_enrol(
    *, user, school: Unit, post: str = "", id_number: str = "", actor=None
) -> PersonRecord:
    """Tie ``user`` to ``school`` as staff and open their record. Idempotent."""
    if school.kind != UnitKind.SCHOOL:
        raise RuleViolation(_("「所在学校」须为学校。"), field="school")
    id_number = id_number.strip().upper()
    try:
        validate_id_number(id_number)
    except ValidationError as exc:
        raise RuleViolation(exc.messages[0], field="id_number") from None
    Membership.objects.get_or_create(user=user, unit=school, defaults={"role": Role.STAFF})
    record, created = PersonRecord.objects.get_or_create(
        user=user, defaults={"school": school, "post": post, "id_number": id_number}
    )
    if created:
        audit_record(actor=actor, action="promotion_record_opened", obj=record, unit=school)
    return record


@transaction.atomic
def credential_add(*, record: PersonRecord, actor, **fields) -> Credential:
    """The school records a qualification or title the person already holds."""
    record = PersonRecord.objects.select_for_update().get(pk=record.pk)
    if not is_member(actor, record.school):
        raise PermissionDenied(_("人员档案由所在学校登记。"))
    try:
        with transaction.atomic():
            credential = Credential.objects.create(record=record, **fields)
    except IntegrityError:
        raise RuleViolation(
            _("「资格/职称」本人档案中已有该项记录，不能重复登记。"), field="grade"
        ) from None
    audit_record(
        actor=actor,
        action="promotion_credential_added",
        obj=record,
        unit=record.school,
        after={"grade": credential.get_grade_display(), "awarded_on": str(credential.awarded_on)},
    )
    return credential
