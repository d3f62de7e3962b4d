"""Two members of a unit complete the same step at the same instant (real threads,
PostgreSQL row locks): exactly one succeeds, the other gets a 409 with a clear message."""

import threading

import pytest
from django.db import connection
from django.test import Client

from tasks_registry.models import Branch, EventKind, SupervisionEvent
from tasks_registry.services import branch_acknowledge, progress_report_submit
from tests.tasks_registry.supervision_helpers import branch_of, dispatch

pytestmark = pytest.mark.services


def _race(requests):
    """Fire the requests from separate threads released by one barrier."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, client, url, data):
        try:
            barrier.wait()
            results[i] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("attempt", range(5))
def test_two_members_declaring_the_same_branch_done_at_once(world_tx, attempt):
    world = world_tx
    sup = dispatch(world, 15)
    branch = branch_acknowledge(branch=branch_of(sup, world.school), actor=world.school_handler)
    progress_report_submit(branch=branch, actor=world.school_handler, text="x", percent=90)
    url = f"/tasks/branches/{branch.public_id}/done/"
    results = _race(
        [
            (_client(world.school_handler), url, {"summary": "经办人申报"}),
            (_client(world.school_head), url, {"summary": "负责人申报"}),
        ]
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [302, 409], codes
    loser = next(r for r in results if r.status_code == 409)
    assert "申报完成，本次操作未生效" in loser.content.decode()
    branch.refresh_from_db()
    assert branch.state == "done"
    assert SupervisionEvent.objects.filter(branch=branch, kind=EventKind.DONE).count() == 1


def test_two_members_acknowledging_at_once(world_tx):
    world = world_tx
    sup = dispatch(world, 15)
    branch = branch_of(sup, world.school)
    url = f"/tasks/branches/{branch.public_id}/acknowledge/"
    results = _race(
        [(_client(world.school_handler), url, {}), (_client(world.school_head), url, {})]
    )
    assert sorted(r.status_code for r in results) == [302, 409]
    assert SupervisionEvent.objects.filter(branch=branch, kind=EventKind.ACKNOWLEDGE).count() == 1


def test_the_last_two_units_finishing_at_once_move_the_flow_on_exactly_once(world_tx):
    """Different units, same process: the join (last branch fires the Handle) is serialised."""
    world = world_tx
    sup = dispatch(world, 8)  # 市人力社保局、市财政局
    hrss = branch_acknowledge(branch=branch_of(sup, world.hrss), actor=world.hrss_handler)
    fin = branch_acknowledge(branch=branch_of(sup, world.finance), actor=world.finance_handler)
    results = _race(
        [
            (
                _client(world.hrss_handler),
                f"/tasks/branches/{hrss.public_id}/done/",
                {"summary": "a"},
            ),
            (
                _client(world.finance_handler),
                f"/tasks/branches/{fin.public_id}/done/",
                {"summary": "b"},
            ),
        ]
    )
    assert [r.status_code for r in results] == [302, 302]
    sup.refresh_from_db()
    assert sup.state == "consolidating"
    from viewflow.workflow.models import Task

    from tasks_registry.flows import SupervisionFlow

    assert (
        Task.objects.filter(
            process_id=sup.process_id, flow_task=SupervisionFlow.consolidate
        ).count()
        == 1
    )
    assert Branch.objects.filter(supervision=sup, state="done").count() == 2
