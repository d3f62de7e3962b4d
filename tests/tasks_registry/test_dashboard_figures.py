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


# --- the summary tables the dashboard reads (tasks_registry/tallies.py) ---------------


def _agree(today=None):
    """The counters and the units' on-time figures the dashboard reads agree with the
    branch-by-branch computation on ``today``; returns the unit rows recomputed."""
    from django.db.models import Count

    from tasks_registry.models import BranchTally
    from tasks_registry.selectors import refresh_unit_tallies

    today = today or timezone.localdate()
    grouped = {
        (s, st, d, p): n
        for s, st, d, p, n in Branch.objects.order_by()
        .values_list("supervision_id", "state", "due", "percent")
        .annotate(n=Count("pk"))
    }
    kept = {
        (t.supervision_id, t.state, t.due, t.percent): t.n
        for t in BranchTally.objects.filter(n__gt=0)
    }
    assert kept == grouped
    assert not BranchTally.objects.filter(n__lt=0).exists()

    slow = supervision_overview(today=today)
    fast = dashboard_figures(today=today)
    for a, b in zip(fast.overview, slow, strict=True):
        assert (a.light, a.progress, a.branch_count, a.done_count, a.overdue_count) == (
            b.light,
            b.progress,
            b.branch_count,
            b.done_count,
            b.overdue_count,
        ), a.task.number
        assert a.light_counts == b.light_counts, a.task.number

    recomputed = refresh_unit_tallies(today)
    scores = {s.unit.pk: s for s in unit_scores(today=today)}
    for kind in (UnitKind.BUREAU, UnitKind.SCHOOL):
        rates = on_time_rates(kind=kind, today=today, refresh=False)
        expected = [s for s in scores.values() if s.unit.kind == kind]
        assert {r.unit_id for r in rates} == {s.unit.pk for s in expected}
        for rate in rates:
            score = scores[rate.unit_id]
            assert (rate.cycles_due, rate.cycles_on_time) == (
                score.cycles_due,
                score.cycles_on_time,
            ), score.unit.name
        lowest = on_time_rates(kind=kind, today=today, lowest=3, refresh=False)
        ranked = sorted(
            (s for s in expected if s.on_time_rate is not None),
            key=lambda s: (s.on_time_rate, s.unit.sort_order, s.unit.pk),
        )[:3]
        assert [r.unit_id for r in lowest] == [s.unit.pk for s in ranked]
    return recomputed


def test_the_tallies_follow_reports_urging_completion_consolidation_and_return(world):
    from tasks_registry.selectors import refresh_unit_tallies
    from tasks_registry.services import (
        branch_acknowledge,
        branch_urge,
        progress_report_submit,
        supervision_consolidate,
        supervision_review,
    )
    from tests.tasks_registry.supervision_helpers import branch_of, finish

    today = timezone.localdate()
    _varied(world)
    refresh_unit_tallies()
    sup = dispatch(world, 3, start=today - timedelta(days=65), days=120)
    _agree()

    school = branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)
    assert _agree() == 1  # only the school's row is recomputed, from its own branches
    progress_report_submit(branch=school, actor=world.school_handler, text="本月进展", percent=35)
    assert _agree() == 1
    assert _agree() == 0  # nothing changed: nothing recomputed

    branch_urge(
        branch=branch_of(sup, world.other_school), actor=world.office_handler, message="请报送"
    )
    assert _agree() == 0  # urging records an event, the figures stay

    people = {
        world.edu.pk: world.edu_handler,
        world.hrss.pk: world.hrss_handler,
        world.school.pk: world.school_handler,
        world.other_school.pk: world.other_school_handler,
        world.technical_school.pk: world.technical_handler,
    }
    from tests.factories import member

    for branch in sup.branches.select_related("unit"):
        if branch.unit_id not in people:
            people[branch.unit_id] = member(branch.unit)
        finish(branch, people[branch.unit_id])
    _agree()
    sup.refresh_from_db()
    supervision_consolidate(supervision=sup, actor=world.edu_handler, text="汇总")
    _agree()
    supervision_review(
        supervision=sup,
        actor=world.office_head,
        close=False,
        opinion="请补充佐证材料",
        units=[world.school],
        new_due=today + timedelta(days=3),
    )
    assert branch_of(sup, world.school).state == "active"
    _agree()


def test_the_tallies_give_the_figures_of_each_day_and_month(world):
    import time_machine

    from tasks_registry.models import UnitTally

    _varied(world)
    today = timezone.localdate()
    _agree()
    units = UnitTally.objects.count()
    for days in (1, 6, 25, 40, 95):
        day = today + timedelta(days=days)
        with time_machine.travel(
            timezone.make_aware(
                timezone.datetime.combine(day, timezone.datetime.min.time()).replace(hour=9)
            ),
            tick=False,
        ):
            recomputed = _agree()
        # within the month the rows stay; a new month recomputes every unit once
        assert recomputed == (units if day.replace(day=1) != today.replace(day=1) else 0)
        today = day


def test_the_tallies_follow_writes_that_bypass_the_services(world):
    """The triggers keep the tables whatever the route: a queryset update, a delete, a
    supervision's start moved."""
    from tasks_registry.models import Supervision

    _varied(world)
    _agree()
    Branch.objects.filter(percent__lt=50).update(percent=55)
    Branch.objects.filter(state=BranchState.NEW).update(
        state=BranchState.ACTIVE, cycles_reported=1, last_report_cycle=1
    )
    _agree()
    victim = Branch.objects.filter(unit__kind=UnitKind.SCHOOL).order_by("pk").first()
    victim.delete()
    _agree()
    sup = Supervision.objects.order_by("pk").first()
    Supervision.objects.filter(pk=sup.pk).update(
        start_date=sup.start_date - timedelta(days=62), cycle_months=2
    )
    assert _agree() > 0


def test_sqlite_tally_triggers_come_back_after_migrate_with_the_tables_rebuilt(world):
    """SQLite drops a table's triggers when a migration rebuilds the table: the next
    ``migrate`` creates them again and rebuilds the tables from the branches, which may
    have changed meanwhile."""
    import pytest
    from django.db import connection

    from tasks_registry import tallies

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps triggers across ALTER TABLE")
    _varied(world)
    _agree()
    tallies.drop_sqlite_triggers(connection)
    Branch.objects.filter(percent__lt=60).update(percent=60, cycles_reported=0)
    tallies.reinstall_after_migrate(sender=None, using="default")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert set(tallies.SQLITE_TRIGGERS) <= names
    _agree()
