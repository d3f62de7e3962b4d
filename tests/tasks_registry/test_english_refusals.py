"""The supervision services' refusals reach an English reader in English.

They are raised inside the services (RuleViolation → the form's 400 page, Conflict → the
409 page), so they are translated in the language of the request that triggered them;
the Chinese default still reads the Chinese text.
"""

import re

import pytest
from django.test import Client

from tasks_registry.services import branch_acknowledge
from tests.pages import in_english, text_of
from tests.tasks_registry.supervision_helpers import branch_of, dispatch, finish

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _url(branch, action):
    return f"/tasks/branches/{branch.public_id}/{action}/"


DISPATCH_TOO_EARLY = {
    "start_date": "2026-03-01",
    "deadline": "2026-02-01",
    "cycle_months": 1,
    "requirements": "按月报送",
}


def test_a_deadline_before_the_dispatch_date_is_refused_in_english(world, login):
    client = in_english(login(world.office_handler))
    response = client.post("/tasks/2/dispatch/", DISPATCH_TOO_EARLY)
    body = text_of(response)
    assert response.status_code == 400
    assert "Deadline: must be later than the dispatch date." in body
    assert "完成时限须晚于下达日期" not in body


def test_the_same_refusal_is_chinese_by_default(world, login):
    response = login(world.office_handler).post("/tasks/2/dispatch/", DISPATCH_TOO_EARLY)
    body = text_of(response)
    assert response.status_code == 400
    assert "完成时限须晚于下达日期" in body
    assert "Deadline: must be later than the dispatch date." not in body


def test_dispatching_a_dispatched_task_again_is_a_409_in_english(world, login):
    dispatch(world, 2)
    client = in_english(login(world.office_handler))
    response = client.post(
        "/tasks/2/dispatch/",
        {"start_date": "2026-03-01", "deadline": "2026-12-31", "cycle_months": 1},
    )
    body = text_of(response)
    assert response.status_code == 409
    assert (
        "Key task 2 has already been dispatched and cannot be dispatched again. "
        "Please refresh the page." in body
    )
    assert "已经下达" not in body


def test_a_second_acknowledgement_names_the_state_and_the_step_in_english(world, login):
    sup = dispatch(world, 15)
    branch = branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)
    client = in_english(login(world.school_head))
    response = client.post(_url(branch, "acknowledge"))
    body = text_of(response)
    assert response.status_code == 409
    # the unit's name is data and stays Chinese; the state and the step are translated
    sentence = re.search(
        r"This item of .*? please refresh the page to see the current status\.", body
    )
    assert sentence is not None
    assert f"This item of {world.school.name} is now" in sentence.group(0)
    assert '"Acknowledge receipt" is not possible' in sentence.group(0)
    assert CJK.findall(sentence.group(0).replace(world.school.name, "")) == []
    assert "不能签收" not in body

    chinese = login(world.school_head, Client()).post(_url(branch, "acknowledge"))
    assert chinese.status_code == 409
    assert f"{world.school.name}的该事项当前为“办理中”，不能签收。" in text_of(chinese)


def test_reporting_before_acknowledging_is_refused_in_english(world, login):
    sup = dispatch(world, 15)
    branch = branch_of(sup, world.school)
    client = in_english(login(world.school_handler))
    response = client.post(_url(branch, "report"), {"text": "Survey done", "percent": "35"})
    body = text_of(response)
    assert response.status_code == 400
    assert "Acknowledge receipt of this task before reporting progress." in body
    assert "请先签收该任务" not in body

    chinese = login(world.school_handler, Client()).post(
        _url(branch, "report"), {"text": "完成调研", "percent": "35"}
    )
    assert chinese.status_code == 400
    assert "请先签收该任务，再报送进度" in text_of(chinese)


def test_urging_a_unit_that_has_finished_is_refused_in_english(world, login):
    sup = dispatch(world, 15)
    finish(branch_of(sup, world.school), world.school_handler)
    branch = branch_of(sup, world.school)
    client = in_english(login(world.office_handler))
    response = client.post(_url(branch, "urge"), {"message": "Please hurry"})
    body = text_of(response)
    assert response.status_code == 400
    assert f"{world.school.name} has already reported completion; no reminder is needed." in body
    assert "无需催办" not in body

    chinese = login(world.office_handler, Client()).post(
        _url(branch, "urge"), {"message": "请抓紧"}
    )
    assert chinese.status_code == 400
    assert f"{world.school.name}已申报完成，无需催办" in text_of(chinese)


def test_what_an_english_office_dispatches_is_recorded_and_notified_in_chinese(world, login):
    from tasks_registry.models import SupervisionEvent
    from workflows.models import Notification

    client = in_english(login(world.office_handler))
    response = client.post(
        "/tasks/2/dispatch/",
        {"start_date": "2026-03-01", "deadline": "2026-12-31", "cycle_months": 2},
    )
    assert response.status_code == 302
    note = SupervisionEvent.objects.get(supervision__task__number=2, kind="dispatch").note
    assert note.startswith("完成时限 2026-12-31；每2个月报送进度。")
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {"督办任务下达：重点任务2"}


def test_a_review_posted_from_an_out_of_date_page_still_shows_its_refusal(world, login):
    """The task is back with the units (the review form is not on the page any more): the
    refusal is shown as a message, in the reader's language."""
    dispatch(world, 15)
    client = in_english(login(world.office_handler))
    response = client.post("/tasks/15/review/", {"decision": "return", "opinion": ""})
    body = text_of(response)
    assert response.status_code == 400
    assert "Review opinion: required when returning the task." in body
    assert "退回时须写明退回意见" not in body
