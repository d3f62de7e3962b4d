"""Reminders 7, 3 and 1 working days before due (China's official calendar) and
escalation when overdue fire from beat, once each, with the clock frozen (time-machine)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from tasks_registry.models import EventKind, SupervisionEvent
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.models import Notification

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)


def _beat_scan():
    """Run what beat runs: the task named in CELERY_BEAT_SCHEDULE (eager in tests)."""
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    entry = settings.CELERY_BEAT_SCHEDULE["supervision-deadline-scan"]
    return app.tasks[entry["task"]].apply().get()


def _at(day):
    return time_machine.travel(datetime.combine(day, time(8, 5), tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def supervision(world):
    with _at(START):
        return dispatch(world, 16, days=30, start=START)  # 市人力社保局 only


def _events(sup, kind):
    return list(
        SupervisionEvent.objects.filter(supervision=sup, kind=kind).values_list("key", flat=True)
    )


def test_the_scan_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["supervision-deadline-scan"]
    assert entry["task"] == "tasks_registry.tasks.scan_deadlines"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_reminders_fire_at_7_3_and_1_working_days_before_due_once_each(world, supervision):
    due = supervision.deadline
    assert due == date(2026, 4, 1)  # a Wednesday; no holiday in the fortnight before it
    expected = {
        date(2026, 3, 20): 0,  # Friday: 8 working days left
        date(2026, 3, 21): 0,  # Saturday: 7 working days left, but nothing goes out at weekends
        date(2026, 3, 23): 1,  # Monday: 7 working days left (24–27, 30, 31 March, 1 April)
        date(2026, 3, 24): 0,
        date(2026, 3, 27): 1,  # Friday: 3 working days left (30, 31 March, 1 April)
        date(2026, 3, 30): 0,
        date(2026, 3, 31): 1,  # 1 working day left
        due: 0,
    }
    for day, new in expected.items():
        with _at(day):
            assert _beat_scan()["reminders"] == new, day
            assert _beat_scan()["reminders"] == 0  # a second run the same day sends nothing
    assert sorted(_events(supervision, EventKind.REMINDER)) == [
        f"remind{t}@{due:%Y%m%d}" for t in (1, 3, 7)
    ]
    notes = Notification.objects.filter(recipient=world.hrss_handler, title__contains="到期提醒")
    assert notes.count() == 3
    assert "还有3个工作日" in SupervisionEvent.objects.get(key=f"remind3@{due:%Y%m%d}").note


def test_a_missed_day_sends_only_the_nearest_reminder(world, supervision):
    with _at(date(2026, 3, 30)):  # 2 working days left: remind7 and remind3 were missed
        assert _beat_scan()["reminders"] == 1
    assert _events(supervision, EventKind.REMINDER) == [f"remind3@{supervision.deadline:%Y%m%d}"]


def test_the_national_day_holiday_is_not_counted(world):
    """Due Friday 9 October 2026: 1–7 October are holidays, so 3 working days before it
    is Tuesday 29 September (left: 30 September, 8 and 9 October), not 6 October."""
    start = date(2026, 9, 1)
    with _at(start):
        sup = dispatch(world, 16, days=38, start=start)
    assert sup.deadline == date(2026, 10, 9)
    with _at(date(2026, 9, 28)):
        _beat_scan()
    with _at(date(2026, 9, 29)):
        assert _beat_scan()["reminders"] == 1
    assert f"remind3@{sup.deadline:%Y%m%d}" in _events(sup, EventKind.REMINDER)
    for holiday in (date(2026, 10, 2), date(2026, 10, 6)):
        with _at(holiday):
            assert _beat_scan()["reminders"] == 0  # nothing goes out on a public holiday
    with _at(date(2026, 10, 8)):
        assert _beat_scan()["reminders"] == 1  # 1 working day left
    assert sorted(_events(sup, EventKind.REMINDER)) == [
        f"remind{t}@{sup.deadline:%Y%m%d}" for t in (1, 3, 7)
    ]


def test_an_overdue_branch_is_escalated_to_the_office_once(world, supervision):
    with _at(supervision.deadline + timedelta(days=1)):
        assert _beat_scan()["escalations"] == 1
        assert _beat_scan()["escalations"] == 0
    with _at(supervision.deadline + timedelta(days=5)):
        assert _beat_scan()["escalations"] == 0
    assert (
        Notification.objects.filter(
            recipient=world.office_handler, title__startswith="逾期"
        ).count()
        == 1
    )
    assert (
        Notification.objects.filter(recipient=world.hrss_head, title__startswith="逾期").count()
        == 1
    )
    event = SupervisionEvent.objects.get(kind=EventKind.ESCALATION)
    assert event.actor is None and "已逾期1天" in event.note


def test_reminders_and_escalations_are_on_the_task_timeline(world, supervision, login):
    with _at(date(2026, 3, 23)):  # 7 working days before the due date
        _beat_scan()
    with _at(supervision.deadline + timedelta(days=1)):
        _beat_scan()
        page = login(world.office_handler).get("/tasks/16/")
    body = page.content.decode()
    assert "到期提醒" in body and "逾期督办" in body


def test_a_done_branch_gets_no_reminder(world, supervision):
    from tasks_registry.services import branch_acknowledge, branch_complete

    branch = branch_of(supervision, world.hrss)
    with _at(START + timedelta(days=1)):
        branch_acknowledge(branch=branch, actor=world.hrss_handler)
        branch_complete(branch=branch, actor=world.hrss_handler, summary="完成")
    with _at(supervision.deadline - timedelta(days=1)):
        assert _beat_scan() == {"reminders": 0, "escalations": 0}
