"""Demo supervision: all 17 tasks dispatched, with realistic progress. Idempotent.

Each task gets a scenario so that the dashboard tells a story: some on track,
some near their deadline or lagging, some overdue, one waiting for the lead
bureau's consolidation, one under review, one returned and one closed. Reports
are back-dated month by month through the same services the pages use.
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from workflows.models import Membership, Role, UnitKind

from . import services
from .models import Branch, EventKind, KeyTask, Supervision, SupervisionEvent
from .status import local_today

# number: (start days ago, deadline in days, pace, scenario)
SCENARIOS = {
    1: (150, 200, 1.15, "open"),
    2: (120, 5, 0.9, "open"),
    3: (200, -10, 0.8, "overdue"),
    4: (100, 120, 0.45, "open"),
    5: (90, 270, 1.1, "open"),
    6: (150, 30, 1.3, "consolidating"),
    7: (60, 300, 1.0, "open"),
    8: (180, 20, 1.3, "reviewing"),
    9: (120, -3, 0.85, "overdue"),
    10: (90, 200, 1.3, "returned"),
    11: (200, -30, 1.3, "closed"),
    12: (130, 60, 0.55, "open"),
    13: (160, 90, 1.1, "open"),
    14: (110, 3, 0.9, "open"),
    15: (140, -20, 0.75, "overdue"),
    # left for the office to dispatch from the task's page, with its own dates and cycle
    16: (0, 0, 0.0, "undispatched"),
    17: (20, 330, 0.0, "new"),
}

PHRASES = (
    "已召开专题部署会，明确责任分工和时间节点。",
    "完成前期调研，形成工作方案初稿并征求意见。",
    "工作方案已印发，按计划推进各项工作。",
    "与合作院校签订协议，试点工作有序开展。",
    "完成阶段性目标，正在总结经验做法。",
    "开展中期检查，对发现的问题逐项整改。",
)


def _handler(unit):
    m = (
        Membership.objects.filter(unit=unit, role=Role.HANDLER).select_related("user").first()
        or Membership.objects.filter(unit=unit).select_related("user").first()
    )
    return m.user if m else None


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _report_days(start, today, rng):
    """One report per calendar month from the dispatch month on, around the 20th."""
    days = []
    year, month = start.year, start.month
    while True:
        day = start.replace(year=year, month=month, day=min(15 + rng.randint(0, 12), 28))
        if day > today:
            break
        if day > start:
            days.append(day)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return days


def _run_branch(branch: Branch, *, start, due, today, pace, finish: bool, rng) -> None:
    user = _handler(branch.unit)
    if user is None:
        return
    branch = services.branch_acknowledge(branch=branch, actor=user)
    ack_day = min(start + timedelta(days=rng.randint(1, 4)), today)
    Branch.objects.filter(pk=branch.pk).update(acknowledged_at=_at(ack_day, 9))
    SupervisionEvent.objects.filter(branch=branch, kind=EventKind.ACKNOWLEDGE).update(
        created_at=_at(ack_day, 9)
    )
    total = max((due - start).days, 1)
    jitter = rng.uniform(0.8, 1.15)
    days = _report_days(start, today, rng)
    if finish:  # a finished unit finished before its due date
        days = [d for d in days if d <= due - timedelta(days=3)] or days[:1]
    if not finish and days and rng.random() < 0.25:
        days = days[:-1]  # a unit that skipped its latest report
    percent = 0
    for i, day in enumerate(days):
        share = (day - start).days / total
        target = 100 if finish and i == len(days) - 1 else round(share * 100 * pace * jitter)
        percent = max(percent, min(target, 100 if finish else 95))
        services.progress_report_submit(
            branch=branch,
            actor=user,
            text=PHRASES[min(i, len(PHRASES) - 1)],
            percent=percent,
            at=_at(day, 15),
        )
    if finish:
        services.branch_complete(
            branch=branch, actor=user, summary="本单位承担的各项工作已按要求完成。"
        )


@transaction.atomic
def load_demo_supervision() -> None:
    """Dispatch every key task that is not dispatched yet and play its scenario."""
    from workflows.models import Unit

    office = Unit.objects.filter(kind=UnitKind.OFFICE).first()
    office_user = _handler(office) if office else None
    if office_user is None:
        return
    today = local_today()
    for task in KeyTask.objects.order_by("number"):
        if Supervision.objects.filter(task=task).exists():
            continue
        ago, left, pace, scenario = SCENARIOS.get(task.number, (60, 120, 1.0, "open"))
        if scenario == "undispatched":
            continue
        start = today - timedelta(days=ago)
        due = today + timedelta(days=left)
        rng = random.Random(task.number)  # noqa: S311 - demo data, reproducible
        sup = services.supervision_dispatch(
            task=task,
            actor=office_user,
            start_date=start,
            deadline=due,
            milestones="按月报送工作进展；时限前完成并申报。",
            requirements="请各责任单位于每月20日前报送工作进展。",
            at=_at(start, 9),
        )
        if scenario == "new":
            continue
        all_done = scenario in ("consolidating", "reviewing", "closed", "returned")
        for branch in sup.branches.select_related("unit").order_by("position"):
            if scenario == "overdue":
                finish = branch.position % 3 != 2  # a third of the units are late
            elif all_done:
                finish = True
            else:
                finish = rng.random() < max(0.0, (pace - 1.0))
            _run_branch(
                branch, start=start, due=due, today=today, pace=pace, finish=finish, rng=rng
            )
        sup.refresh_from_db()
        if sup.state != "consolidating":  # a unit without people could not finish
            continue
        if scenario in ("reviewing", "closed", "returned"):
            lead_user = _handler(task.lead_unit)
            services.supervision_consolidate(
                supervision=sup,
                actor=lead_user,
                text="经汇总，各责任单位均已完成本任务承担的工作，具体情况如下：……",
            )
        if scenario == "closed":
            services.supervision_review(
                supervision=sup, actor=office_user, close=True, opinion="同意办结。"
            )
        if scenario == "returned":
            school = sup.branches.filter(unit__kind=UnitKind.SCHOOL).order_by("position").first()
            units = [school.unit] if school else None
            services.supervision_review(
                supervision=sup,
                actor=office_user,
                close=False,
                opinion="佐证材料不完整，请补充试点成效数据后重新申报。",
                units=units,
            )
        if scenario == "closed":
            _backdate_review(sup, due)
    services.deadlines_scan(today=today)


def _backdate_review(sup: Supervision, due) -> None:
    """The closed demo task was consolidated and closed before its deadline."""
    consolidated, closed = _at(due - timedelta(days=6), 11), _at(due - timedelta(days=2), 16)
    Supervision.objects.filter(pk=sup.pk).update(consolidated_at=consolidated, closed_at=closed)
    sup.events.filter(kind=EventKind.CONSOLIDATE).update(created_at=consolidated)
    sup.events.filter(kind=EventKind.CLOSE).update(created_at=closed)
