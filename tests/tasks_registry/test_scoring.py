"""Unit scoring (考核): reports on time vs missed, overdue steps, returns from review."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tasks_registry.selectors import unit_scores
from tasks_registry.services import (
    branch_acknowledge,
    branch_complete,
    progress_report_submit,
    supervision_consolidate,
    supervision_review,
)
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.inbox import inbox_rows

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _at(day):
    return datetime.combine(day, time(10), tzinfo=SH)


def test_missed_months_overdue_steps_and_returns_lower_a_units_score(world):
    start = date(2026, 1, 5)
    with time_machine.travel(_at(start), tick=False):
        sup = dispatch(world, 8, days=200, start=start)  # 市人力社保局、市财政局
        hrss = branch_acknowledge(branch=branch_of(sup, world.hrss), actor=world.hrss_handler)
        fin = branch_acknowledge(branch=branch_of(sup, world.finance), actor=world.finance_handler)
    # HR reports every month Jan..Apr; finance only in January and March
    for month in (1, 2, 3, 4):
        day = date(2026, month, 20)
        progress_report_submit(
            branch=hrss, actor=world.hrss_handler, text="m", percent=month * 10, at=_at(day)
        )
        if month in (1, 3):
            progress_report_submit(
                branch=fin, actor=world.finance_handler, text="m", percent=month * 10, at=_at(day)
            )
    scores = {s.unit.code: s for s in unit_scores(today=date(2026, 5, 10))}
    # May is the current cycle and not yet due: Jan..Apr are
    assert (scores["hrss"].cycles_due, scores["hrss"].cycles_on_time) == (4, 4)
    assert (scores["finance"].cycles_due, scores["finance"].cycles_on_time) == (4, 2)
    assert scores["finance"].missed == 2 and scores["finance"].on_time_rate == 50
    assert scores["hrss"].score == 100 and scores["finance"].score == 96
    overdue = {s.unit.code: s for s in unit_scores(today=sup.deadline + timedelta(days=1))}
    assert overdue["hrss"].overdue == 1

    with time_machine.travel(_at(date(2026, 5, 12)), tick=False):
        branch_complete(branch=hrss, actor=world.hrss_handler, summary="完成")
        branch_complete(branch=fin, actor=world.finance_handler, summary="完成")
        assert [r.status for r in inbox_rows(world.hrss_handler)] == ["待汇总"]
        supervision_consolidate(supervision=sup, actor=world.hrss_head, text="汇总")
        assert [r.status for r in inbox_rows(world.office_handler)] == ["待审核"]
        supervision_review(
            supervision=sup,
            actor=world.office_head,
            close=False,
            opinion="补充",
            units=[world.finance],
        )
    ranked = unit_scores(today=date(2026, 5, 12))
    fin_score = next(s for s in ranked if s.unit.code == "finance")
    assert fin_score.returns == 1 and fin_score.score == 100 - 5 - 2 * 2
    assert ranked[0].unit.code == "hrss"
