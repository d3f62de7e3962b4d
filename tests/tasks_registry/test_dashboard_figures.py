"""The dashboard's figures are grouped in the database and agree with the branch-by-branch
computation (lights, counts, progress, on-time rates); its page does not grow with the
number of schools."""

from datetime import timedelta

from django.utils import timezone

from tasks_registry.models import Branch, BranchState, KeyTask
from tasks_registry.selectors import (
    dashboard_figures,
    on_time_rates,
    supervision_overview,
    unit_scores,
)
from tasks_registry.status import AMBER, GREEN, RED
from tests.tasks_registry.supervision_helpers import dispatch
from workflows.models import SchoolType, Unit, UnitKind


def _varied(world):
    """Tasks 15 and 2 dispatched months ago; branches in every light and state."""
    today = timezone.localdate()
    dispatch(world, 15, start=today - timedelta(days=100), days=130)
    dispatch(world, 2, start=today - timedelta(days=70), days=75)
    dispatch(world, 9, start=today - timedelta(days=40), days=20)  # overdue by now
    for i, branch in enumerate(Branch.objects.order_by("pk")):
        kind = i % 5
        branch.percent = (i * 17) % 101
        branch.cycles_reported = i % 4
        branch.last_report_cycle = i % 4
        branch.return_count = i % 2
        if kind == 0:
            branch.state = BranchState.DONE
            branch.done_at = timezone.now() - timedelta(days=i % 50)
            branch.percent = 100
        elif kind == 1:
            branch.state = BranchState.DONE  # done without a recorded moment
            branch.done_at = None
        elif kind == 2:
            branch.state = BranchState.ACTIVE
        branch.save()


def test_the_grouped_figures_match_the_branch_by_branch_ones(world):
    _varied(world)
    slow = supervision_overview()
    fast = dashboard_figures()
    assert [s.task.number for s in fast.overview] == [s.task.number for s in slow]
    lights_seen = set()
    for a, b in zip(fast.overview, slow, strict=True):
        assert (a.light, a.progress, a.branch_count, a.done_count, a.overdue_count) == (
            b.light,
            b.progress,
            b.branch_count,
            b.done_count,
            b.overdue_count,
        ), a.task.number
        assert a.light_counts == b.light_counts
        lights_seen.add(a.light)
    rows = [r for s in slow for r in s.rows]
    assert fast.branches == len(rows)
    assert fast.done == sum(r.state == BranchState.DONE for r in rows)
    for light in (GREEN, AMBER, RED):
        assert fast.branch_counts[light] == sum(
            r.light == light and r.state != BranchState.DONE for r in rows
        )
    assert len(lights_seen) > 1  # the data really is varied


def test_the_on_time_rates_summed_in_the_database_match_the_scoring_page(world):
    _varied(world)
    scores = {s.unit.pk: s for s in unit_scores()}
    bureaus = on_time_rates(kind=UnitKind.BUREAU)
    assert bureaus
    for rate in bureaus:
        assert (rate.cycles_due, rate.cycles_on_time) == (
            scores[rate.unit_id].cycles_due,
            scores[rate.unit_id].cycles_on_time,
        )
        assert rate.on_time_rate == scores[rate.unit_id].on_time_rate
    lowest = on_time_rates(kind=UnitKind.SCHOOL, lowest=3)
    expected = sorted(
        (
            s
            for s in scores.values()
            if s.unit.kind == UnitKind.SCHOOL and s.on_time_rate is not None
        ),
        key=lambda s: (s.on_time_rate, s.unit.sort_order, s.unit.pk),
    )[:3]
    assert [r.unit_id for r in lowest] == [s.unit.pk for s in expected]
    assert [r.on_time_rate for r in lowest] == [s.on_time_rate for s in expected]


def test_the_dashboard_page_does_not_grow_with_the_number_of_schools(world, login):
    client = login(world.office_handler)
    dispatch(world, 15)
    few = client.get("/dashboard/").content.decode()
    for i in range(60):
        Unit.objects.create(
            code=f"x{i:03d}",
            name=f"台州市测试第{i}职业学校",
            kind=UnitKind.SCHOOL,
            school_type=SchoolType.SECONDARY_VOCATIONAL,
            sort_order=500 + i,
        )
    other = next(
        t.number
        for t in KeyTask.objects.order_by("number")
        if t.number != 15 and SchoolType.SECONDARY_VOCATIONAL in t.implementing_school_types()
    )
    dispatch(world, other)  # reaches the 60 new schools as well
    assert Branch.objects.filter(supervision__task__number=other).count() > 60
    many = client.get("/dashboard/").content.decode()
    assert "台州市测试第7职业学校" not in many  # schools are typed into the filter, not listed
    assert abs(len(many) - len(few)) < 1500  # the second task's row and two more digits

    body = client.get("/dashboard/", {"school": "台州市测试第7职业学校"}).content.decode()
    assert f'data-task="{other}"' in body and 'data-task="15"' not in body
    body = client.get("/dashboard/", {"school": "没有这所学校"}).content.decode()
    assert "未找到名称或代码为“没有这所学校”的学校" in body
