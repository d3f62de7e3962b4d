"""Working days by China's official calendar: the package, the office's entry for a year the
package lacks, and the bare weekday rule, which says that it is one."""

import datetime

import pytest
from django.urls import reverse

from workflows.models import CalendarYear
from workflows.services import calendar_year_enter
from workflows.workdays import (
    add_working_days,
    calendar_source,
    is_working_day,
    working_days_between,
    working_period,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_national_day_holiday_and_its_make_up_day_follow_the_published_arrangement():
    assert not is_working_day(D(2026, 10, 1))  # 国庆节
    assert not is_working_day(D(2026, 10, 7))
    # five working days from the last day before the holiday run past it
    first, last = working_period(D(2026, 9, 30), 5)
    assert first == D(2026, 9, 30)
    assert last > D(2026, 10, 8)
    assert all(not is_working_day(D(2026, 10, d)) for d in range(1, 8))
    assert "国务院办公厅" in calendar_source(2026)


def test_a_make_up_saturday_counts_as_a_working_day():
    # 2026-01-04 (a Sunday) is worked in lieu of the 元旦 holiday, per the 2026 arrangement
    saturday_or_sunday = [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    worked = [day for day in saturday_or_sunday if is_working_day(day)]
    assert worked, "the 2026 arrangement has make-up weekend days"
    assert all(day.weekday() >= 5 for day in worked)


def test_a_year_the_package_lacks_falls_back_to_weekdays_and_says_so():
    assert "暂按周一至周五计算" in calendar_source(2027)
    assert is_working_day(D(2027, 1, 1))  # a Friday; no arrangement known yet
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)


def test_the_office_enters_next_years_holidays_and_every_period_uses_them(world):
    days = {
        D(2027, 1, 1): (False, "元旦"),
        D(2027, 2, 6): (True, "春节调休"),  # a Saturday worked
    }
    calendar_year_enter(
        year=2027, basis="国办发明电〔2026〕×号", days=days, actor=world.office_handler
    )
    assert "办公室录入" in calendar_source(2027)
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2027, 2, 6))
    assert working_period(D(2027, 1, 1), 1) == (D(2027, 1, 4), D(2027, 1, 4))
    assert working_days_between(D(2027, 2, 5), D(2027, 2, 8)) == 2  # Sat worked + Mon


def test_a_december_period_uses_next_years_office_entry_and_sees_one_entered_meanwhile(world):
    from workflows.workdays import calendar_cached

    with calendar_cached():  # one service call: 2027 not entered yet, weekdays
        assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    calendar_year_enter(
        year=2027,
        basis="国办发明电〔2026〕×号",
        days={D(2027, 1, 1): (False, "元旦")},
        actor=world.office_handler,
    )
    with calendar_cached():  # the next call sees the office's entry, across the year end
        assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert working_period(D(2026, 12, 31), 2) == (D(2026, 12, 31), D(2027, 1, 4))


def test_only_the_office_enters_a_year_and_bad_lines_are_named(world, login):
    page = reverse("workbench:calendar")
    bureau = login(world.edu_handler)
    assert "录入一年的节假日和调休" not in bureau.get(page).content.decode()
    assert (
        bureau.post(page, {"year": "2027", "basis": "x", "days": "2027-01-01 休"}).status_code
        == 403
    )
    office = login(world.office_handler)
    answer = office.post(
        page,
        {
            "year": "2027",
            "basis": "国办发明电〔2026〕×号",
            "days": "2027-01-01 休 元旦\n2027-02-30 休 春节\n2027-01-04 班 x\n2026-12-31 休",
        },
    )
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "第2行：2027-02-30 不是有效日期" in body
    assert "第3行：2027-01-04 是工作日，无需标注“班”" in body
    assert "第4行：2026-12-31 不在2027年" in body
    assert "2027-01-01 休 元旦" in body  # what was typed is kept
    assert not CalendarYear.objects.exists()
    done = office.post(
        page, {"year": "2027", "basis": "国办发明电〔2026〕×号", "days": "2027-01-01 休 元旦"}
    )
    assert done.status_code == 302
    assert "2027年：领导小组办公室录入" in office.get(page).content.decode()
