"""Writes of the key-task registry and of its supervision (督查督办)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workflows.access import is_member, is_supervisor, role_in, units_of_kind
from workflows.attachments import AttachmentArea, check_upload
from workflows.cas import compare_and_set
from workflows.delegation import (
    check_delegated_step,
    not_their_todo,
    on_behalf_of,
    standing_in,
)
from workflows.exceptions import Conflict, RuleViolation
from workflows.i18n import stored as _stored
from workflows.models import Membership, Role, Unit, UnitKind
from workflows.people import acting_name, display_name
from workflows.services import audit_record, notify, notify_units
from workflows.units import plan_bureau_by_name
from workflows.workdays import WorkingDays

from .annex import AnnexRow, load_plan_annex
from .models import (
    Branch,
    BranchRole,
    BranchState,
    EventKind,
    KeyTask,
    KeyTaskUnit,
    ProgressReport,
    ReportAttachment,
    Supervision,
    SupervisionEvent,
    SupervisionState,
    UnitRole,
)
from .status import cycle_of, local_today


@transaction.atomic
def registry_load(*, rows: list[AnnexRow] | None = None) -> list[KeyTask]:
    """Load the annex rows into the registry. Idempotent: running it again changes nothing."""
    rows = rows if rows is not None else load_plan_annex()
    measures: list[str] = []
    tasks = []
    for row in rows:
        if row.measure not in measures:
            measures.append(row.measure)
        task, _created = KeyTask.objects.update_or_create(
            number=row.number,
            defaults={
                "measure_number": measures.index(row.measure) + 1,
                "measure": row.measure,
                "content": row.content,
                "responsible_text": row.responsible,
                "implementing_groups": row.school_groups,
            },
        )
        wanted = []
        for position, name in enumerate(row.bureaus):
            unit = plan_bureau_by_name(name)
            role = UnitRole.LEAD if position == 0 else UnitRole.CO
            KeyTaskUnit.objects.update_or_create(
                task=task, unit=unit, defaults={"role": role, "position": position}
            )
            wanted.append(unit.pk)
        task.unit_links.exclude(unit_id__in=wanted).delete()
        tasks.append(task)
    return tasks


# --- supervision (督查督办) -----------------------------------------------------------
#
# Every state change below: checks who acts, takes the process row lock
# (SupervisionFlow.lock, waiting, bounded), changes state by compare-and-set,
# records a timeline event and an audit row in the same transaction, and queues
# notifications (e-mail on commit).

REMINDER_THRESHOLDS = (7, 3, 1)  # working days before due (DESIGN.md §4.1.5)
# progress-report files: the shared attachment service (type by content, generated names)
REPORT_FILES = AttachmentArea("supervision")


def _name(user) -> str:
    """李四, or 李四（代 张三） while acting through a delegation (workflows.delegation)."""
    return acting_name(user, on_behalf_of(user), nobody="系统")


def _assignee_for(actor):
    """Who a branch taken up by ``actor`` is assigned to: the principal they stand in for."""
    return on_behalf_of(actor) or actor


def _event(
    *,
    supervision: Supervision,
    kind: str,
    actor=None,
    branch: Branch | None = None,
    unit: Unit | None = None,
    note: str = "",
    key: str = "",
    at=None,
) -> SupervisionEvent:
    unit = unit or (branch.unit if branch is not None else None)
    event = SupervisionEvent.objects.create(
        supervision=supervision,
        branch=branch,
        kind=kind,
        actor=actor,
        actor_name=_name(actor),
        unit_name=unit.name if unit else "",
        created_at=at or timezone.now(),
        note=note,
        key=key,
    )
    audit_record(
        actor=actor,
        action=f"supervision.{kind}",
        obj=branch or supervision,
        unit=unit,
        note=note,
    )
    return event


def _require_office(actor) -> None:
    if not (actor.is_superuser or units_of_kind(actor, UnitKind.OFFICE)):
        raise PermissionDenied(_("只有领导小组办公室可以办理此事项"))


def _require_supervisor(actor) -> None:
    if not is_supervisor(actor):
        raise PermissionDenied(_("只有领导小组及其办公室可以办理此事项"))


def _office_unit() -> Unit | None:
    return Unit.objects.filter(kind=UnitKind.OFFICE).first()


def _branch_url(branch: Branch) -> str:
    return reverse("tasks:branch", args=[branch.public_id])


def _task_url(supervision: Supervision) -> str:
    return reverse("tasks:detail", args=[supervision.task.number])


@transaction.atomic
def supervision_dispatch(
    *,
    task: KeyTask,
    actor,
    deadline: date,
    start_date: date | None = None,
    milestones: str = "",
    requirements: str = "",
    cycle_months: int = 1,
    at=None,
) -> Supervision:
    """The office dispatches a key task (下达): the flow starts and fans out to every unit."""
    from .flows import SupervisionFlow

    _require_office(actor)
    start_date = start_date or local_today()
    if isinstance(deadline, datetime) or isinstance(start_date, datetime):
        raise RuleViolation(_("时限须为日期"), field="deadline")
    if deadline <= start_date:
        raise RuleViolation(_("完成时限须晚于下达日期"), field="deadline")
    if not 1 <= cycle_months <= 12:
        raise RuleViolation(_("报送周期须为1至12个月"), field="cycle_months")
    if Supervision.objects.filter(task=task).exists():
        raise Conflict(_already_dispatched(task))
    try:
        with transaction.atomic():
            supervision = Supervision.objects.create(
                task=task,
                start_date=start_date,
                deadline=deadline,
                milestones=milestones,
                requirements=requirements,
                cycle_months=cycle_months,
                dispatched_by=actor,
            )
    except IntegrityError:
        raise Conflict(_already_dispatched(task)) from None
    process = SupervisionFlow.start.run(supervision=supervision)
    supervision.process = process
    supervision.save(update_fields=["process"])
    _event(
        supervision=supervision,
        kind=EventKind.DISPATCH,
        actor=actor,
        unit=_office_unit(),
        note=_stored(
            "完成时限 %(deadline)s；每%(months)s个月报送进度。%(requirements)s",
            deadline=f"{deadline:%Y-%m-%d}",
            months=cycle_months,
            requirements=requirements,
        ).strip(),
        at=at,
    )
    if at is not None:
        Supervision.objects.filter(pk=supervision.pk).update(dispatched_at=at)
    notify_units(
        units=[b.unit for b in supervision.branches.select_related("unit")],
        title=_stored("督办任务下达：重点任务%(number)s", number=task.number),
        body=_stored(
            "%(content)s\n完成时限：%(deadline)s。请及时签收并按期报送进度。",
            content=task.content,
            deadline=f"{deadline:%Y-%m-%d}",
        ),
        url=_task_url(supervision),
    )
    return supervision


def branches_open(*, supervision: Supervision) -> list[Branch]:
    """Fan out (called by the flow's Function node): one branch per assigned unit."""
    task = supervision.task
    roles = {link.unit_id: link.role for link in task.unit_links.all()}
    rows = []
    for position, unit in enumerate(task.assigned_units()):
        role = roles.get(unit.pk, BranchRole.SCHOOL)
        rows.append(
            Branch(
                supervision=supervision,
                unit=unit,
                role=role,
                position=position,
                due=supervision.deadline,
            )
        )
    return Branch.objects.bulk_create(rows)


def _lock(supervision: Supervision):
    from .flows import SupervisionFlow

    return SupervisionFlow.lock(supervision.process_id)


def _acting_branch(branch: Branch, actor) -> Branch:
    """Re-read the branch under the lock; the actor must be a member of its unit."""
    if not is_member(actor, branch.unit):
        raise PermissionDenied(_("只有本单位人员可以办理本单位的督办事项"))
    fresh = Branch.objects.select_related("supervision__task", "unit", "assignee").get(pk=branch.pk)
    delegation = standing_in(actor)
    if delegation is not None and (
        delegation.unit_id != fresh.unit_id
        or fresh.assignee_id not in (None, delegation.principal_id)
    ):
        raise RuleViolation(
            _("该事项不是 %(who)s 在%(unit)s的待办，不能代为办理。")
            % {"who": display_name(delegation.principal), "unit": delegation.unit.name}
        )
    return fresh


def _check_assignee(fresh: Branch, actor) -> None:
    """Checked after the state (a lost race is a 409, not this): a branch claimed by one
    handler is closed to the other handlers; the unit's head and leader may always act."""
    assigned_elsewhere = fresh.assignee_id and fresh.assignee_id != _assignee_for(actor).pk
    if assigned_elsewhere and role_in(actor, fresh.unit) not in (Role.HEAD, Role.LEADER):
        raise RuleViolation(
            _("该事项已由%(who)s认领办理，请联系本单位负责人改派") % {"who": _name(fresh.assignee)}
        )


def _cas(branch: Branch, *, expect_state: str, **changes) -> None:
    """Compare-and-set on (state, version): the loser of a race gets a clear 409."""
    compare_and_set(
        Branch.objects.filter(pk=branch.pk, state=expect_state, version=branch.version),
        message=_("该步骤已被本单位其他人员办理，本次操作未生效。请刷新页面查看最新状态。"),
        **changes,
    )


def _state_conflict(branch: Branch, doing: str) -> Conflict:
    """``doing`` is a msgid (marked with gettext_noop at the call), translated here."""
    return Conflict(
        _(
            "%(unit)s的该事项当前为“%(state)s”，不能%(doing)s。"
            "可能已被本单位其他人员办理，请刷新页面查看最新状态。"
        )
        % {"unit": branch.unit.name, "state": branch.get_state_display(), "doing": _(doing)}
    )


def _already_dispatched(task) -> str:
    return _("重点任务%(number)s已经下达，不能重复下达。请刷新页面查看。") % {"number": task.number}


@transaction.atomic
def branch_acknowledge(*, branch: Branch, actor) -> Branch:
    """签收: the unit confirms receipt; the person who signs becomes its handler if none."""
    with _lock(branch.supervision):
        fresh = _acting_branch(branch, actor)
        if fresh.state != BranchState.NEW:
            raise _state_conflict(fresh, gettext_noop("签收"))
        _check_assignee(fresh, actor)
        _cas(
            fresh,
            expect_state=BranchState.NEW,
            state=BranchState.ACTIVE,
            acknowledged_at=timezone.now(),
            assignee=fresh.assignee or _assignee_for(actor),
        )
        _event(supervision=fresh.supervision, kind=EventKind.ACKNOWLEDGE, actor=actor, branch=fresh)
    fresh.refresh_from_db()
    return fresh


@transaction.atomic
def branch_claim(*, branch: Branch, actor) -> Branch:
    """A handler claims an unassigned branch (认领)."""
    with _lock(branch.supervision):
        fresh = _acting_branch(branch, actor)
        if fresh.assignee_id == actor.pk:
            return fresh
        if fresh.assignee_id:
            raise Conflict(
                _("该事项已由%(who)s认领。请刷新页面查看。") % {"who": _name(fresh.assignee)}
            )
        updated = Branch.objects.filter(pk=fresh.pk, assignee__isnull=True).update(
            assignee=actor, version=F("version") + 1
        )
        if updated != 1:
            raise Conflict(_("该事项已被本单位其他人员认领。请刷新页面查看。"))
        _event(supervision=fresh.supervision, kind=EventKind.CLAIM, actor=actor, branch=fresh)
    fresh.refresh_from_db()
    return fresh


@transaction.atomic
def branch_assign(*, branch: Branch, actor, assignee) -> Branch:
    """The unit's head (or leader) assigns the branch to a member (指派)."""
    if role_in(actor, branch.unit) not in (Role.HEAD, Role.LEADER):
        raise PermissionDenied(_("只有本单位负责人可以指派经办人"))
    delegation = standing_in(actor)
    # on the principal's behalf: their unit, and a to-do of theirs (a head's or leader's)
    if delegation is not None and (
        delegation.unit_id != branch.unit_id
        or role_in(delegation.principal, branch.unit) not in (Role.HEAD, Role.LEADER)
    ):
        raise RuleViolation(not_their_todo(gettext_noop("指派经办人"), delegation))
    if not Membership.objects.filter(user=assignee, unit=branch.unit).exists():
        raise RuleViolation(_("经办人须为本单位人员"), field="assignee")
    with _lock(branch.supervision):
        fresh = Branch.objects.select_related("supervision__task", "unit").get(pk=branch.pk)
        Branch.objects.filter(pk=fresh.pk).update(assignee=assignee, version=F("version") + 1)
        _event(
            supervision=fresh.supervision,
            kind=EventKind.ASSIGN,
            actor=actor,
            branch=fresh,
            note=_stored("指派%(who)s办理", who=_name(assignee)),
        )
    notify(
        recipients=[assignee],
        title=_stored("请办理：重点任务%(number)s", number=fresh.supervision.task.number),
        body=_stored(
            "%(who)s指派您办理%(unit)s的督办任务。", who=_name(actor), unit=fresh.unit.name
        ),
        url=_branch_url(fresh),
        unit=fresh.unit,
    )
    fresh.refresh_from_db()
    return fresh


def _validate_report(text: str, percent) -> int:
    if not (text or "").strip():
        raise RuleViolation(_("进展情况：请填写本期工作进展"), field="text")
    try:
        value = int(percent)
    except (TypeError, ValueError):
        raise RuleViolation(_("完成进度：须为0至100之间的整数"), field="percent") from None
    if not 0 <= value <= 100:
        raise RuleViolation(_("完成进度：须为0至100之间的整数"), field="percent")
    return value


@transaction.atomic
def progress_report_submit(
    *, branch: Branch, actor, text: str, percent, files=(), at=None
) -> ProgressReport:
    """进度报送: as many reports as it takes; each counts for the cycle it falls in."""
    value = _validate_report(text, percent)
    checked = [check_upload(f, field="files") for f in files]  # all before anything is stored
    at = at or timezone.now()
    with _lock(branch.supervision):
        fresh = _acting_branch(branch, actor)
        if fresh.state == BranchState.NEW:
            raise RuleViolation(_("请先签收该任务，再报送进度"), field="text")
        if fresh.state != BranchState.ACTIVE:
            raise _state_conflict(fresh, gettext_noop("报送进度"))
        _check_assignee(fresh, actor)
        sup = fresh.supervision
        cycle = cycle_of(sup.start_date, timezone.localdate(at), sup.cycle_months)
        report = ProgressReport.objects.create(
            branch=fresh,
            author=actor,
            on_behalf_of=on_behalf_of(actor),
            submitted_at=at,
            cycle=cycle,
            text=text.strip(),
            percent=value,
        )
        with REPORT_FILES.saving() as saved:
            for upload in checked:
                saved.append(REPORT_FILES.save(upload))
                ReportAttachment.objects.create(
                    report=report,
                    file=REPORT_FILES.media_name(saved[-1]),
                    name=upload.label,
                    size=upload.size,
                    content_type=upload.content_type,
                    sha256=upload.sha256,
                )
            new_cycle = cycle != fresh.last_report_cycle
            _cas(
                fresh,
                expect_state=BranchState.ACTIVE,
                percent=value,
                last_report_at=at,
                report_count=F("report_count") + 1,
                cycles_reported=F("cycles_reported") + (1 if new_cycle else 0),
                last_report_cycle=cycle,
                assignee=fresh.assignee or _assignee_for(actor),
            )
            _event(
                supervision=sup,
                kind=EventKind.REPORT,
                actor=actor,
                branch=fresh,
                note=_stored("进度%(value)s%%：%(report)s", value=value, report=text.strip()),
                at=at,
            )
    return report


@transaction.atomic
def branch_complete(*, branch: Branch, actor, summary: str) -> Branch:
    """申报完成. The last branch to complete moves the flow on to consolidation."""
    from .flows import SupervisionFlow

    if not (summary or "").strip():
        raise RuleViolation(_("完成情况：请填写本单位完成情况"), field="summary")
    with _lock(branch.supervision):
        fresh = _acting_branch(branch, actor)
        if fresh.state == BranchState.DONE:
            who = fresh.events.filter(kind=EventKind.DONE).order_by("-created_at").first()
            if who:
                raise Conflict(
                    _("%(unit)s的该事项已由%(who)s于%(when)s申报完成，本次操作未生效。")
                    % {
                        "unit": fresh.unit.name,
                        "who": who.actor_name,
                        "when": f"{timezone.localtime(who.created_at):%m-%d %H:%M}",
                    }
                )
            raise Conflict(
                _("%(unit)s的该事项已申报完成，本次操作未生效。") % {"unit": fresh.unit.name}
            )
        if fresh.state != BranchState.ACTIVE:
            raise _state_conflict(fresh, gettext_noop("申报完成"))
        _check_assignee(fresh, actor)
        now = timezone.now()
        _cas(
            fresh,
            expect_state=BranchState.ACTIVE,
            state=BranchState.DONE,
            done_at=now,
            done_summary=summary.strip(),
            percent=100,
            assignee=fresh.assignee or _assignee_for(actor),
        )
        sup = fresh.supervision
        _event(
            supervision=sup, kind=EventKind.DONE, actor=actor, branch=fresh, note=summary.strip()
        )
        if not sup.branches.exclude(state=BranchState.DONE).exists():
            task = _pending_task(sup, SupervisionFlow.branches)
            Supervision.objects.filter(pk=sup.pk).update(state=SupervisionState.CONSOLIDATING)
            SupervisionFlow.branches.run(task)
            lead = sup.task.lead_unit
            notify_units(
                units=[lead],
                title=_stored("请汇总：重点任务%(number)s", number=sup.task.number),
                body=_stored("各责任单位均已申报完成，请牵头单位汇总形成完成情况报告。"),
                url=_task_url(sup),
            )
    fresh.refresh_from_db()
    return fresh


def _pending_task(supervision: Supervision, node):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    task = Task.objects.filter(
        process_id=supervision.process_id, flow_task=node, status=STATUS.NEW
    ).first()
    if task is None:
        raise Conflict(_("流程已进入下一环节，本次操作未生效。请刷新页面查看最新状态。"))
    return task


TASK_STEP_LABELS = {"consolidate": gettext_noop("汇总完成情况"), "review": gettext_noop("办结审核")}


def task_step_unit(supervision: Supervision, step: str) -> Unit | None:
    """The unit whose to-do the task's ``step`` is while it waits on it (the lead bureau's
    汇总, the office's 办结审核), else None."""
    if step == "consolidate" and supervision.state == SupervisionState.CONSOLIDATING:
        return supervision.task.lead_unit
    if step == "review" and supervision.state == SupervisionState.REVIEWING:
        return _office_unit()
    return None


def check_delegated_task_step(supervision: Supervision, step: str, actor, delegation) -> None:
    """Acting on a task's ``step`` on ``delegation.principal``'s behalf, as the review steps
    of the applications do: the step waits on the delegation's unit, the principal's to-do
    there, and the actor holds an acting role there themselves (no role is passed on)."""
    unit = task_step_unit(supervision, step)
    check_delegated_step(
        delegation,
        actor,
        unit=unit,
        principal_waits=unit is not None and is_member(delegation.principal, unit),
        roles=None,
        step_label=TASK_STEP_LABELS[step],
    )


def _check_task_delegation(supervision: Supervision, step: str, actor) -> None:
    delegation = standing_in(actor)
    if delegation is not None:
        check_delegated_task_step(supervision, step, actor, delegation)


@transaction.atomic
def supervision_consolidate(*, supervision: Supervision, actor, text: str) -> Supervision:
    """汇总: the lead bureau writes one completion report from the branches (inside
    ``acting_for(delegation)``: on the principal's behalf, checked here)."""
    from .flows import SupervisionFlow

    lead = supervision.task.lead_unit
    if not is_member(actor, lead):
        raise PermissionDenied(_("只有牵头单位可以汇总"))
    _check_task_delegation(supervision, "consolidate", actor)
    if not (text or "").strip():
        raise RuleViolation(_("汇总报告：请填写完成情况汇总"), field="text")
    with _lock(supervision):
        updated = Supervision.objects.filter(
            pk=supervision.pk, state=SupervisionState.CONSOLIDATING
        ).update(
            state=SupervisionState.REVIEWING,
            consolidation=text.strip(),
            consolidated_at=timezone.now(),
            consolidated_by=actor,
            consolidated_on_behalf_of=on_behalf_of(actor),
        )
        if updated != 1:
            raise Conflict(
                _("该任务当前不在汇总环节（可能已由他人汇总上报），本次操作未生效。请刷新页面。")
            )
        SupervisionFlow.consolidate.run(_pending_task(supervision, SupervisionFlow.consolidate))
        _event(
            supervision=supervision,
            kind=EventKind.CONSOLIDATE,
            actor=actor,
            unit=lead,
            note=text.strip(),
        )
        office = _office_unit()
        if office:
            notify_units(
                units=[office],
                title=_stored("请审核：重点任务%(number)s完成情况", number=supervision.task.number),
                body=_stored("%(unit)s已汇总上报，请办结审核。", unit=lead.name),
                url=_task_url(supervision),
            )
    supervision.refresh_from_db()
    return supervision


@transaction.atomic
def supervision_review(
    *,
    supervision: Supervision,
    actor,
    close: bool,
    opinion: str = "",
    units=None,
    new_due: date | None = None,
) -> Supervision:
    """办结审核: close the task, or return it to all or chosen units with an opinion.

    A return reopens the chosen branches (done → active) and the flow goes back to
    waiting for every branch; ``new_due`` optionally moves their due date.
    """
    from .flows import SupervisionFlow

    _require_office(actor)
    _check_task_delegation(supervision, "review", actor)
    opinion = (opinion or "").strip()
    if not close and not opinion:
        raise RuleViolation(_("审核意见：退回时须写明退回意见"), field="opinion")
    if new_due is not None and new_due < local_today():
        raise RuleViolation(_("新的办理时限不能早于今天"), field="new_due")
    with _lock(supervision):
        fresh = Supervision.objects.select_related("task").get(pk=supervision.pk)
        if fresh.state != SupervisionState.REVIEWING:
            raise Conflict(
                _("该任务当前不在办结审核环节（可能已由他人审核），本次操作未生效。请刷新页面。")
            )
        task = _pending_task(fresh, SupervisionFlow.review)
        office = _office_unit()
        if close:
            Supervision.objects.filter(pk=fresh.pk).update(
                state=SupervisionState.CLOSED,
                closed_at=timezone.now(),
                review_round=F("review_round") + 1,
            )
            _event(supervision=fresh, kind=EventKind.CLOSE, actor=actor, unit=office, note=opinion)
            SupervisionFlow.review.run(task)
            notify_units(
                units=[fresh.task.lead_unit],
                title=_stored("重点任务%(number)s已审核办结", number=fresh.task.number),
                body=opinion,
                url=_task_url(fresh),
            )
        else:
            branches = fresh.branches.select_related("unit")
            if units:
                branches = branches.filter(unit__in=list(units))
            branches = list(branches)
            if not branches:
                raise RuleViolation(_("退回单位：请至少选择一个责任单位"), field="units")
            changes = {
                "state": BranchState.ACTIVE,
                "done_at": None,
                "return_count": F("return_count") + 1,
                "return_opinion": opinion,
                "version": F("version") + 1,
            }
            if new_due is not None:
                changes["due"] = new_due
            Branch.objects.filter(pk__in=[b.pk for b in branches]).update(**changes)
            Supervision.objects.filter(pk=fresh.pk).update(
                state=SupervisionState.BRANCHES, review_round=F("review_round") + 1
            )
            names = "、".join(b.unit.name for b in branches[:10]) + (
                _stored("等%(n)s个单位", n=len(branches)) if len(branches) > 10 else ""
            )
            _event(
                supervision=fresh,
                kind=EventKind.RETURN,
                actor=actor,
                unit=office,
                note=_stored("退回%(units)s：%(opinion)s", units=names, opinion=opinion),
            )
            SupervisionFlow.review.run(task)
            notify_units(
                units=[b.unit for b in branches],
                title=_stored("重点任务%(number)s被退回", number=fresh.task.number),
                body=_stored("办结审核意见：%(opinion)s", opinion=opinion),
                url=_task_url(fresh),
            )
    fresh.refresh_from_db()
    return fresh


@transaction.atomic
def branch_urge(*, branch: Branch, actor, message: str) -> SupervisionEvent:
    """催办: the office urges a unit with a message; recorded and notified."""
    _require_supervisor(actor)
    message = (message or "").strip()
    if not message:
        raise RuleViolation(_("催办内容：请填写催办事项"), field="message")
    if branch.state == BranchState.DONE:
        raise RuleViolation(
            _("%(unit)s已申报完成，无需催办") % {"unit": branch.unit.name}, field="message"
        )
    event = _event(
        supervision=branch.supervision,
        kind=EventKind.URGE,
        actor=actor,
        branch=branch,
        note=message,
    )
    notify_units(
        units=[branch.unit],
        title=_stored("催办：重点任务%(number)s", number=branch.supervision.task.number),
        body=message,
        url=_branch_url(branch),
    )
    return event


def _record_once(*, branch: Branch, kind: str, key: str, note: str) -> bool:
    """Record a system event once per (branch, key); False when it was already there."""
    if SupervisionEvent.objects.filter(branch=branch, key=key).exists():
        return False
    try:
        with transaction.atomic():
            _event(supervision=branch.supervision, kind=kind, branch=branch, note=note, key=key)
    except IntegrityError:  # a concurrent scan recorded it first
        return False
    return True


def deadlines_scan(*, today: date | None = None) -> dict[str, int]:
    """The daily scan: reminders 7, 3 and 1 working days before due; escalation when overdue.

    Working days follow China's official calendar (``workflows.workdays``: holidays and
    make-up working days), as every period in the system does; reminders go out on working
    days only, so a threshold reached over a holiday is sent on the working day before it.
    Idempotent: each (branch, threshold, due date) reminder and each (branch, due date)
    escalation is recorded once, so running the scan twice sends nothing new. When a
    day was missed, only the nearest threshold fires (no burst of stale reminders).
    """
    today = today or local_today()
    calendar = WorkingDays()
    working_today = calendar.is_working_day(today)
    horizon = calendar.add(today, max(REMINDER_THRESHOLDS))
    counts = {"reminders": 0, "escalations": 0}
    open_branches = (
        Branch.objects.exclude(state=BranchState.DONE)
        .filter(due__lte=horizon, supervision__state=SupervisionState.BRANCHES)
        .select_related("supervision__task", "unit")
    )
    office = _office_unit()
    for branch in open_branches:
        task = branch.supervision.task
        if branch.due < today:
            late = (today - branch.due).days
            key = f"overdue@{branch.due:%Y%m%d}"
            note = _stored(
                "已逾期%(late)s天（时限%(due)s），已报送进度%(percent)s%%。",
                late=late,
                due=f"{branch.due:%Y-%m-%d}",
                percent=branch.percent,
            )
            with transaction.atomic():
                if _record_once(branch=branch, kind=EventKind.ESCALATION, key=key, note=note):
                    counts["escalations"] += 1
                    units = [branch.unit] + ([office] if office else [])
                    notify_units(
                        units=units,
                        title=_stored(
                            "逾期：重点任务%(number)s·%(unit)s",
                            number=task.number,
                            unit=branch.unit.name,
                        ),
                        body=note,
                        url=_branch_url(branch),
                    )
            continue
        if not working_today:
            continue
        # working days after today up to the due date: 0 on the due date itself
        left = calendar.between(today, branch.due)
        due_thresholds = [t for t in REMINDER_THRESHOLDS if t >= left]
        if not due_thresholds:
            continue
        threshold = min(due_thresholds)
        key = f"remind{threshold}@{branch.due:%Y%m%d}"
        if left:
            note = _stored(
                "距办理时限（%(due)s）还有%(left)s个工作日，请按时完成并报送进度。",
                due=f"{branch.due:%Y-%m-%d}",
                left=left,
            )
        else:
            note = _stored(
                "今天（%(due)s）是办理时限，请按时完成并报送进度。", due=f"{branch.due:%Y-%m-%d}"
            )
        with transaction.atomic():
            if _record_once(branch=branch, kind=EventKind.REMINDER, key=key, note=note):
                counts["reminders"] += 1
                notify_units(
                    units=[branch.unit],
                    title=_stored(
                        "到期提醒：重点任务%(number)s（%(left)s个工作日）",
                        number=task.number,
                        left=left,
                    )
                    if left
                    else _stored("到期提醒：重点任务%(number)s（今天到期）", number=task.number),
                    body=note,
                    url=_branch_url(branch),
                )
    return counts


@transaction.atomic
def bulletin_draft(*, actor, today: date | None = None):
    """The progress bulletin (通报) as an official-document draft of the leading-group office.

    The office then sends it for sign-off and issues it through docs_gen like any document
    (number at issue, seal, verification code).
    """
    from docs_gen.services import document_create
    from workflows.i18n import in_chinese

    from .exports import bulletin_blocks

    office = Unit.objects.get(kind=UnitKind.OFFICE)
    if not (actor.is_superuser or is_member(actor, office)):
        raise PermissionDenied
    data = in_chinese(bulletin_blocks)(today=today)  # an official document: Chinese
    return document_create(
        issuer=office,
        kind="bulletin",
        title=data["title"],
        addressees=["领导小组各成员单位", "各职业院校、技工院校"],
        body=data["blocks"],
        cc=["台州市人民政府办公室"],
        actor=actor,
    )
