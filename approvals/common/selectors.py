"""Reads of the approvals kernel: lists, timeline, what changed, pending work."""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.access import is_member, units_of, visible
from workflows.inbox import InboxRow
from workflows.models import AuditEntry

from .applicants import SUBMITTERS
from .models import CLOSED_STATUSES, STATUS_GROUPS, Application, ApplicationStatus, ReviewDecision
from .registry import procedure_for, procedures
from .services import current_step

# the applicant's and the kernel's own actions; each step kind adds its own (steps.py)
ACTION_LABELS = {
    "application_created": gettext_lazy("创建申请"),
    "attachment_uploaded": gettext_lazy("上传附件"),
    "attachment_removed": gettext_lazy("删除附件"),
    "sent_to_head": gettext_lazy("提交本单位负责人"),
    "submitted": gettext_lazy("报送申请"),
    "resubmitted": gettext_lazy("修改后重新报送"),
    "withdrawn": gettext_lazy("撤回申请"),
    "step_reminder": gettext_lazy("到期提醒"),
    "step_escalation": gettext_lazy("超时报办公室"),
}


def _labels(procedure) -> tuple[dict, set]:
    labels, negative = dict(ACTION_LABELS), set()
    for step in procedure.steps:
        labels.update(step.action_labels)
        negative.update(getattr(step, "negative_actions", ()))
    labels.update(procedure.action_labels)
    return labels, negative


def application_url(application) -> str:
    return reverse("applications:detail", args=[application.public_id])


def applications_for(user, *, status_group: str | None = None) -> QuerySet:
    qs = visible(user, Application.objects.all()).select_related("applicant_unit", "acting_unit")
    if status_group in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[status_group])
    # nobody sees another applicant's drafts: a unit's drafts stay with the unit, a person's
    # with the person
    own = [u.pk for u in units_of(user)]
    return qs.filter(
        Q(applicant_person__isnull=True, applicant_unit_id__in=own)
        | Q(applicant_person=user)
        | Q(submitted_at__isnull=False)
    )


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
    labels, negative = _labels(procedure_for(application))
    return [
        TimelineEntry(
            at=e.created_at,
            actor=e.actor_name if e.actor_id else _("系统"),
            unit=e.unit.name if e.unit else "",
            action=str(labels.get(e.action, e.action)),
            step=_(step) if (step := (e.after or {}).get("step", "")) else "",
            note=e.note,
            negative=e.action in negative,
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
        _readable(label, before.get(label, ""), now.get(label, ""))
        for label in dict.fromkeys([*before, *now])
        if before.get(label, "") != now.get(label, "")
    ]
    return last_return, changes


_FILE_DIGEST = re.compile(r"（[0-9a-f]{8}）$")


def _readable(label: str, before: str, after: str) -> Change:
    """A change as a clerk reads it: attachments by name, not by the digest the snapshot
    keeps to tell a replaced file from the same one."""
    if label != ATTACHMENTS_KEY:
        return Change(_(label), before, after)
    old = {_FILE_DIGEST.sub("", line): line for line in before.splitlines()}
    new = {_FILE_DIGEST.sub("", line): line for line in after.splitlines()}
    shown = [
        f"{name}{_('（已更换）')}" if name in old and old[name] != line else name
        for name, line in new.items()
    ]
    return Change(_(label), "\n".join(old), "\n".join(shown))


def step_light(application: Application, today=None) -> tuple[object, str]:
    """(due as the end of its last working day, green / amber / red) of the current step."""
    from datetime import datetime, time

    from django.utils import timezone

    from workflows.workdays import working_days_between

    if application.step_due is None:
        return None, ""
    today = today or timezone.localdate()
    due = timezone.make_aware(datetime.combine(application.step_due, time(23, 59)))
    if today > application.step_due:
        return due, "red"
    return due, "amber" if working_days_between(today, application.step_due) <= 1 else "green"


def may_act_on_step(application: Application, user) -> bool:
    """True when the current step waits on ``user`` (its handler's one predicate)."""
    step = current_step(application)
    return step is not None and step.waits_on(application, user)


def inbox_for(user) -> list[InboxRow]:
    """Pending work for the workbench inbox: each step's own, and the applicant's."""
    units = units_of(user)
    rows: list[InboxRow] = []
    unit_ids = [u.pk for u in units]
    names = {u.pk: u.name for u in units}
    # steps that wait on one unit: mirrored on the application (one query)
    acting = Application.objects.filter(acting_unit_id__in=unit_ids).exclude(
        status__in=CLOSED_STATUSES
    )
    for app in acting.select_related("applicant_unit", "acting_unit"):
        step = current_step(app)
        if step is None or step.own_inbox_rows or not step.waits_on(app, user):
            continue
        due, light = step_light(app)
        rows.append(
            InboxRow(
                title=_(app.current_step_label),
                subject=app.title,
                url=application_url(app),
                unit=names.get(app.acting_unit_id, ""),
                since=app.step_since,
                due=due,
                light=light,
                status=app.get_status_display(),
            )
        )
    # work of several units at once (sign-offs, objections …), from each kind of step; a
    # procedure's subclass of a kind (its own review rule) inherits the same rows: asked once
    listers = {type(s).extra_inbox_rows.__func__: type(s) for p in procedures() for s in p.steps}
    for kind in listers.values():
        rows.extend(kind.extra_inbox_rows(user, units))
    # the applicant's side: a person's returned application, a head's drafts to submit
    for app in Application.objects.filter(applicant_person=user, status=ApplicationStatus.RETURNED):
        rows.append(
            InboxRow(
                title=_(app.current_step_label),
                subject=app.title,
                url=application_url(app),
                since=app.step_since,
                status=app.get_status_display(),
            )
        )
    heads = [u.pk for u in units if is_member(user, u, SUBMITTERS)]
    for app in Application.objects.filter(
        applicant_unit_id__in=heads,
        applicant_person__isnull=True,
        status=ApplicationStatus.PENDING_HEAD,
    ):
        rows.append(
            InboxRow(
                title=_("审核并报送"),
                subject=app.title,
                url=application_url(app),
                unit=names.get(app.applicant_unit_id, ""),
                since=app.updated_at,
                status=app.get_status_display(),
            )
        )
    return rows


def progress(application: Application) -> list[tuple[str, str]]:
    """The procedure's main steps with a state each: done / now / stop / (todo)."""
    procedure = procedure_for(application)
    order = [("submit", str(_("报送申请")))] + [
        (step.name, str(step.label)) for step in procedure.main_steps()
    ]
    names = [name for name, _label in order]
    status = application.status
    if status in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.PENDING_HEAD,
        ApplicationStatus.RETURNED,
    ):
        current, state = "submit", "now"
    elif status == ApplicationStatus.APPROVED:
        return [(label, "done") for _name, label in order]
    elif application.is_closed:  # rejected or withdrawn: stop where it closed
        current, state = application.closed_at_step or procedure.first_step, "stop"
        if current not in names:  # closed at an amendment: the step that returned it
            current = application.returned_from or procedure.first_step
    else:
        current, state = application.current_step, "now"
    index = names.index(current) if current in names else 0
    return [
        (label, "done" if i < index else state if i == index else "")
        for i, (_name, label) in enumerate(order)
    ]


def approval_sheet(application: Application, procedure) -> tuple:
    """(title, subtitle, sections, footer) of the application's 审批表 (docs_gen.sheets), in
    Chinese as printed forms are."""
    from django.utils import timezone, translation

    from docs_gen.sheets import Section

    def when(moment) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    with translation.override("zh-hans"):
        applicant = procedure.applicant
        head = [
            (str(applicant.label), applicant.name_of(application)),
            ("事项", str(procedure.title)),
            ("报送时间", when(application.submitted_at)),
            ("当前状态", application.get_status_display()),
        ]
        detail = [
            (
                label,
                "\n".join(_FILE_DIGEST.sub("", line) for line in value.splitlines())
                if label == ATTACHMENTS_KEY
                else value,
            )
            for label, value in procedure.snapshot(application).items()
        ]
        opinions = [
            (
                r.step_label,
                r.unit.name,
                r.get_decision_display(),
                r.opinion,
                r.who,
                when(r.created_at),
            )
            for r in application.reviews.select_related("unit", "actor")
        ]
        sections = [
            Section("申请信息", rows=tuple(head)),
            Section("申请内容", rows=tuple(detail)),
            Section(
                "办理意见",
                header=("环节", "单位", "结论", "意见", "办理人", "时间"),
                table=tuple(opinions) or (("—",) * 6,),
            ),
        ]
        notices = [
            (
                n.get_level_display(),
                f"{n.starts_on} 至 {n.ends_on}",
                n.get_status_display(),
                str(n.objections.count()),
            )
            for n in application.notices.order_by("id")
        ]
        if notices:
            sections.append(
                Section(
                    "公示", header=("范围", "公示期", "结果", "异议（件）"), table=tuple(notices)
                )
            )
        if application.document_id and application.document.is_issued:
            sections.append(
                Section(
                    "结果文件", rows=((application.document.number, application.document.title),)
                )
            )
        footer = f"打印时间 {when(timezone.now())} · 台州市职技融通改革工作平台"
        return f"{procedure.title}审批表", application.title, sections, footer
