"""Reads of the approvals kernel: lists, timeline, what changed, pending work."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.access import is_member, units_of, visible
from workflows.inbox import InboxRow
from workflows.models import AuditEntry, UnitKind

from .models import (
    Application,
    ApplicationStatus,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    ReviewDecision,
    SignOff,
    SignOffStatus,
)
from .registry import StepKind, procedure_for

ACTION_LABELS = {
    "application_created": gettext_lazy("创建申请"),
    "attachment_uploaded": gettext_lazy("上传附件"),
    "attachment_removed": gettext_lazy("删除附件"),
    "sent_to_head": gettext_lazy("提交本校负责人"),
    "submitted": gettext_lazy("报送申请"),
    "resubmitted": gettext_lazy("修改后重新报送"),
    "withdrawn": gettext_lazy("撤回申请"),
    "review_approve": gettext_lazy("审核同意"),
    "review_return": gettext_lazy("退回修改"),
    "review_reject": gettext_lazy("不予通过"),
    "cosign_approve": gettext_lazy("会签同意"),
    "cosign_return": gettext_lazy("会签退回修改"),
    "cosign_reject": gettext_lazy("会签不予通过"),
    "notice_opened": gettext_lazy("开始公示"),
    "objection_lodged": gettext_lazy("收到异议"),
    "objection_upheld": gettext_lazy("异议成立"),
    "objection_dismissed": gettext_lazy("异议不成立"),
    "notice_passed": gettext_lazy("公示期满"),
    "issued": gettext_lazy("印发批复"),
}
NEGATIVE = {"review_return", "review_reject", "cosign_return", "cosign_reject", "objection_upheld"}


def applications_for(user, *, status_group: str | None = None) -> QuerySet:
    qs = visible(user, Application.objects.all()).select_related("applicant_unit", "acting_unit")
    groups = {
        "draft": (ApplicationStatus.DRAFT, ApplicationStatus.PENDING_HEAD),
        "open": (
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.RETURNED,
            ApplicationStatus.PUBLICITY,
        ),
        "closed": (
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        ),
    }
    if status_group in groups:
        qs = qs.filter(status__in=groups[status_group])
    # bureaus and supervisors never see another school's drafts
    own = [u.pk for u in units_of(user) if u.kind == UnitKind.SCHOOL]
    return qs.filter(Q(applicant_unit_id__in=own) | Q(submitted_at__isnull=False))


def visible_application_qs(user) -> QuerySet:
    """What ``get_visible_or_404`` looks in: visible, and drafts only to their own school."""
    return applications_for(user)


@dataclass
class TimelineEntry:
    at: object
    actor: str
    unit: str
    action: str
    step: str
    note: str
    negative: bool


def timeline(application: Application) -> list[TimelineEntry]:
    entries = AuditEntry.objects.for_object(application).select_related("unit")
    return [
        TimelineEntry(
            at=e.created_at,
            actor=e.actor_name if e.actor_id else _("系统"),
            unit=e.unit.name if e.unit else "",
            action=str(ACTION_LABELS.get(e.action, e.action)),
            step=_(step) if (step := (e.after or {}).get("step", "")) else "",
            note=e.note,
            negative=e.action in NEGATIVE,
        )
        for e in entries
    ]


@dataclass
class Change:
    label: str
    before: str
    after: str


ATTACHMENTS_KEY = "附件"  # the snapshot's attachment row (snapshots are Chinese)


def detail_rows(snapshot: dict[str, str]) -> list[tuple[str, str]]:
    """A snapshot as (label, value) rows in the UI language, attachments left out.

    Labels are the fields' verbose names and choice values their labels, i.e. msgids
    of the catalogue; free text has no entry and comes back as typed.
    """
    return [
        (_(label), _(value) if value else value)
        for label, value in snapshot.items()
        if label != ATTACHMENTS_KEY
    ]


def changes_since_return(application: Application) -> tuple[object | None, list[Change]]:
    """After a resubmission: the last return on the current step and what changed since."""
    last_return = (
        application.reviews.filter(step=application.current_step, decision=ReviewDecision.RETURN)
        .select_related("actor", "unit")
        .order_by("-created_at", "-id")
        .first()
    )
    if last_return is None:
        return None, []
    now = procedure_for(application).snapshot(application)
    before = last_return.snapshot
    changes = [
        Change(_(label), before.get(label, ""), now.get(label, ""))
        for label in dict.fromkeys([*before, *now])
        if before.get(label, "") != now.get(label, "")
    ]
    return last_return, changes


def pending_signoff(application: Application, user) -> SignOff | None:
    for signoff in application.signoffs.filter(
        step=application.current_step, status=SignOffStatus.PENDING
    ).select_related("unit"):
        if is_member(user, signoff.unit):
            return signoff
    return None


def may_act_on_step(application: Application, user) -> bool:
    """True when ``user`` acts for a unit the current step waits on."""
    if not application.current_step or application.is_closed:
        return False
    procedure = procedure_for(application)
    step = procedure.steps.get(application.current_step)
    if step is None:
        return False
    if step.kind == StepKind.COSIGN:
        return pending_signoff(application, user) is not None
    return any(is_member(user, unit, step.roles) for unit in step.units(application))


def inbox_for(user) -> list[InboxRow]:
    """Pending work for the workbench inbox: reviews, sign-offs, objections, returns."""
    units = units_of(user)
    if not units:
        return []
    unit_ids = [u.pk for u in units]
    names = {u.pk: u.name for u in units}
    rows: list[InboxRow] = []

    def url(app):
        return reverse("applications:detail", args=[app.public_id])

    acting = Application.objects.filter(acting_unit_id__in=unit_ids).exclude(
        status__in=(ApplicationStatus.PUBLICITY,)
    )
    for app in acting.select_related("applicant_unit", "acting_unit"):
        step = procedure_for(app).steps.get(app.current_step)
        if app.is_closed or step is None or step.kind == StepKind.COSIGN:
            continue  # joint sign-off rows come from the SignOff table below, one per unit
        if step.roles and not is_member(user, app.acting_unit, step.roles):
            continue  # e.g. the reply is signed by the bureau's head, not its handler
        rows.append(
            InboxRow(
                title=_(app.current_step_label),
                subject=app.title,
                url=url(app),
                unit=names.get(app.acting_unit_id, ""),
                since=app.step_since,
                status=app.get_status_display(),
            )
        )
    for signoff in SignOff.objects.filter(
        unit_id__in=unit_ids, status=SignOffStatus.PENDING
    ).select_related("application"):
        app = signoff.application
        rows.append(
            InboxRow(
                title=_("会签"),
                subject=app.title,
                url=url(app),
                unit=names.get(signoff.unit_id, ""),
                since=signoff.created_at,
                status=_("待会签"),
            )
        )
    for objection in Objection.objects.filter(
        status=ObjectionStatus.PENDING,
        notice__status=NoticeStatus.OPEN,
        notice__handling_unit_id__in=unit_ids,
    ).select_related("notice__application"):
        app = objection.notice.application
        rows.append(
            InboxRow(
                title=_("处理公示异议"),
                subject=app.title,
                url=url(app),
                unit=names.get(objection.notice.handling_unit_id, ""),
                since=objection.created_at,
                status=_("异议待处理"),
                light="amber",
            )
        )
    heads = [
        u.pk for u in units if u.kind == UnitKind.SCHOOL and is_member(user, u, ("head", "leader"))
    ]
    for app in Application.objects.filter(
        applicant_unit_id__in=heads, status=ApplicationStatus.PENDING_HEAD
    ):
        rows.append(
            InboxRow(
                title=_("审核并报送"),
                subject=app.title,
                url=url(app),
                unit=names.get(app.applicant_unit_id, ""),
                since=app.updated_at,
                status=app.get_status_display(),
            )
        )
    return rows


def progress(application: Application) -> list[tuple[str, str]]:
    """The procedure's main steps with a state each: done / now / stop / (todo)."""
    procedure = procedure_for(application)
    order = [("submit", str(_("学校报送")))] + [
        (name, str(step.label))
        for name, step in procedure.steps.items()
        if step.kind != StepKind.AMEND
    ]
    status = application.status
    if (
        status in (ApplicationStatus.DRAFT, ApplicationStatus.PENDING_HEAD)
        or status == ApplicationStatus.RETURNED
    ):
        current = "submit"
    elif status == ApplicationStatus.APPROVED:
        return [(label, "done") for _name, label in order]
    else:
        current = application.current_step
    names = [name for name, _label in order]
    if application.is_closed:  # rejected or withdrawn: stop at the last step reached
        last = application.reviews.order_by("-created_at", "-id").values_list("step", flat=True)
        reached = last.first() or procedure.first_step
        if status == ApplicationStatus.REJECTED and hasattr(application, "public_notice"):
            reached = "publicity"
        current = reached if reached in names else procedure.first_step
        index = names.index(current)
        return [
            (label, "done" if i < index else "stop" if i == index else "")
            for i, (_name, label) in enumerate(order)
        ]
    index = names.index(current) if current in names else 0
    return [
        (label, "done" if i < index else "now" if i == index else "")
        for i, (_name, label) in enumerate(order)
    ]
