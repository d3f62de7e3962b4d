"""Status lights at their boundaries: computed from the data, never stored."""

from datetime import date, timedelta

import pytest

from tasks_registry.status import (
    AMBER,
    GREEN,
    RED,
    branch_light,
    cycle_of,
    elapsed_share,
    task_light,
)

START = date(2026, 1, 1)
DUE = date(2026, 12, 31)  # 364 days


def light(today, percent=100, done=False, due=DUE):
    return branch_light(done=done, start=START, due=due, percent=percent, today=today)


def test_the_due_date_itself_is_amber_and_the_day_after_is_red():
    assert light(DUE) == AMBER
    assert light(DUE + timedelta(days=1)) == RED


def test_seven_days_before_due_is_amber_and_eight_is_green():
    assert light(DUE - timedelta(days=7)) == AMBER
    assert light(DUE - timedelta(days=8)) == GREEN


def test_a_done_branch_is_green_even_after_its_due_date():
    assert light(DUE + timedelta(days=30), percent=40, done=True) == GREEN


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(40, GREEN), (39, AMBER), (0, AMBER)],
)
def test_progress_may_lag_the_elapsed_share_by_ten_points_before_it_turns_amber(percent, expected):
    half = START + timedelta(days=182)  # exactly half of the time
    assert elapsed_share(START, DUE, half) == 0.5
    assert light(half, percent=percent) == expected


def test_nothing_is_expected_on_the_first_day():
    assert light(START, percent=0) == GREEN


def test_a_task_is_as_bad_as_its_worst_open_branch():
    assert (
        task_light(
            branch_lights=[GREEN, AMBER], closed=False, all_done=False, deadline=DUE, today=START
        )
        == AMBER
    )
    assert (
        task_light(
            branch_lights=[GREEN, RED, AMBER],
            closed=False,
            all_done=False,
            deadline=DUE,
            today=START,
        )
        == RED
    )
    assert (
        task_light(
            branch_lights=[],
            closed=True,
            all_done=True,
            deadline=DUE,
            today=DUE + timedelta(days=9),
        )
        == GREEN
    )


def test_a_task_waiting_for_consolidation_turns_red_after_its_deadline():
    assert (
        task_light(branch_lights=[], closed=False, all_done=True, deadline=DUE, today=DUE) == AMBER
    )
    assert (
        task_light(
            branch_lights=[],
            closed=False,
            all_done=True,
            deadline=DUE,
            today=DUE + timedelta(days=1),
        )
        == RED
    )


def test_reporting_cycles_are_calendar_months_from_the_dispatch_month():
    assert cycle_of(date(2026, 1, 20), date(2026, 1, 31)) == 1
    assert cycle_of(date(2026, 1, 20), date(2026, 2, 1)) == 2
    assert cycle_of(date(2026, 1, 20), date(2027, 1, 1)) == 13
    assert cycle_of(date(2026, 1, 20), date(2026, 4, 1), cycle_months=3) == 2
