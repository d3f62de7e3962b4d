"""The key-task list finds things: search, state, responsible unit, overdue, sorting and
pages, all parsed by one FilterSet; a bad parameter is a 400 in Chinese naming the field."""

import re
from datetime import date, timedelta

import pytest

from tasks_registry.models import Branch
from tests.tasks_registry.supervision_helpers import dispatch

pytestmark = pytest.mark.django_db


def _numbers(body):
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', body)]


@pytest.fixture
def sups(world):
    late = dispatch(world, 15, start=date.today() - timedelta(days=40), days=30)
    on_time = dispatch(world, 2)
    return late, on_time


def test_the_whole_list_is_in_annex_order_under_its_measures(world, sups, login):
    body = login(world.school_handler).get("/tasks/").content.decode()
    assert _numbers(body) == list(range(1, 18))
    assert "<h2>1. " in body


def test_search_state_unit_and_overdue(world, sups, login):
    client = login(world.edu_handler)
    assert _numbers(client.get("/tasks/?q=双挂牌").content.decode()) == [2]
    assert _numbers(client.get("/tasks/?state=branches").content.decode()) == [2, 15]
    undispatched = _numbers(client.get("/tasks/?state=undispatched").content.decode())
    assert 2 not in undispatched and 15 not in undispatched and len(undispatched) == 15
    assert Branch.objects.filter(supervision=sups[0], due__lt=date.today()).exists()
    assert _numbers(client.get("/tasks/?overdue=on").content.decode()) == [15]
    # a school answers for the tasks of its group and those it was given a branch of
    school = client.get(f"/tasks/?unit={world.school.public_id}").content.decode()
    assert 15 in _numbers(school) and 2 in _numbers(school)
    hrss = _numbers(client.get(f"/tasks/?unit={world.hrss.public_id}").content.decode())
    assert 15 in hrss and all(n in hrss for n in hrss)
    assert "符合条件" in client.get("/tasks/?q=双挂牌").content.decode()


def test_sorted_by_deadline(world, sups, login):
    body = login(world.leader).get("/tasks/?state=branches&sort=due").content.decode()
    assert _numbers(body) == [15, 2]  # task 15 is due first
    body = login(world.leader).get("/tasks/?state=branches&sort=-due").content.decode()
    assert _numbers(body) == [2, 15]


@pytest.mark.parametrize(
    "query, message",
    [
        ("state=lost", "「状态」请从列表中选择。"),
        ("unit=00000000-0000-0000-0000-000000000000", "「责任单位」请从列表中选择。"),
        ("sort=secret", "「排序」请从列表中选择。"),
        ("q=" + "长" * 101, "「搜索」最多 100 个字"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_the_field(world, login, query, message):
    response = login(world.school_handler).get(f"/tasks/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
