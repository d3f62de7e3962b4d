"""On PostgreSQL with real threads: the two bureaus' checks finishing in either order or at
the same instant join exactly once; members voting at the same instant tally exactly once."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.common.models import SignOffStatus
from approvals.promotion.flows import PromotionFlow
from approvals.promotion.models import Ballot, Panel
from tests.approvals.conftest import decide
from workflows.models import AuditEntry

from .conftest import applied, form_panel, open_session, person, to_checks

pytestmark = [pytest.mark.services]


def _at_once(posts):
    """Each (user, url, data) posted from its own thread, released together."""
    barrier = threading.Barrier(len(posts))
    statuses, lock = [], threading.Lock()

    def run(user, url, data):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(url, data)
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=p) for p in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(statuses)


def _joined_once(app):
    assert (
        Task.objects.filter(
            process=app.process, flow_task=PromotionFlow.panel_vote, status=STATUS.NEW
        ).count()
        == 1
    )
    assert Task.objects.filter(process=app.process, status=STATUS.NEW).count() == 1
    assert AuditEntry.objects.for_object(app).filter(action="cosign_approve").count() == 2


@pytest.mark.parametrize("first", ["hrss", "edu"])
def test_the_checks_join_once_in_either_order(world_tx, people, first):
    world = world_tx
    app = to_checks(world, applied(people["technician"]), world.technical_head)
    order = [world.hrss_handler, world.edu_handler]
    if first == "edu":
        order.reverse()
    decide(app, order[0])
    assert app.current_step == "bureau_checks"
    decide(app, order[1])
    assert app.current_step == "panel_vote"
    _joined_once(app)


def test_the_checks_at_the_same_instant_join_exactly_once(world_tx):
    world = world_tx
    tech = person(world.technical_school, "s06-tech-tx", holds=("senior_technician",))
    app = to_checks(world, applied(tech), world.technical_head)
    url = reverse("applications:decide", args=[app.public_id])
    data = {"decision": "approve", "opinion": "同意", "version": app.version}
    statuses = _at_once([(world.hrss_handler, url, data), (world.edu_handler, url, data)])
    assert statuses == [302, 302]  # both sign: neither is a stale second actor
    app.refresh_from_db()
    assert app.current_step == "panel_vote"
    assert set(app.signoffs.values_list("status", flat=True)) == {SignOffStatus.APPROVED}
    _joined_once(app)


def test_six_members_voting_at_the_same_instant_tally_once(world_tx, experts):
    world = world_tx
    tech = person(world.technical_school, "s06-tech-vote", holds=("senior_technician",))
    app = to_checks(world, applied(tech), world.technical_head)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler)
    pool = experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])
    url = reverse("applications:act", args=[app.public_id])
    data = {"action": "vote", "choice": "yes", "version": app.version}
    statuses = _at_once([(u, url, data) for u in pool[:6]])
    assert statuses == [302] * 6
    app.refresh_from_db()
    assert app.current_step == "city_notice"
    panel = Panel.objects.get(application=app)
    assert (panel.attending, panel.yes, panel.passed) == (6, 6, True)
    assert Ballot.objects.filter(panel=panel).count() == 6
    assert AuditEntry.objects.for_object(app).filter(action="panel_passed").count() == 1


def test_one_member_posting_twice_at_the_same_instant_casts_one_ballot(world_tx, experts):
    world = world_tx
    tech = person(world.technical_school, "s06-tech-twice", holds=("senior_technician",))
    app = to_checks(world, applied(tech), world.technical_head)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler)
    pool = experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])
    url = reverse("applications:act", args=[app.public_id])
    data = {"action": "vote", "choice": "no", "version": app.version}
    statuses = _at_once([(pool[0], url, data), (pool[0], url, data)])
    assert statuses == [302, 409]
    panel = Panel.objects.get(application=app)
    assert Ballot.objects.filter(panel=panel).count() == 1
    assert panel.yes is None  # five attending members still to vote
