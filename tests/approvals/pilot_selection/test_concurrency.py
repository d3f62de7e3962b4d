"""On PostgreSQL, at the same instant: two experts submitting, one expert submitting from two
pages, two officers of one bureau deciding eligibility, two leading-group members deciding
the round. Where two act on the same thing one wins and the other gets 409."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from approvals.pilot_selection.models import AssignmentStatus, PanelAssignment
from tests.factories import member
from workflows.models import AuditEntry, Role

pytestmark = [pytest.mark.services]


def _race(posts):
    """Run (user, url, data) posts at once; their status codes in order."""
    barrier = threading.Barrier(len(posts))
    statuses = [None] * len(posts)

    def run(index, user, url, data):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            statuses[index] = client.post(url, data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *post)) for i, post in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


MARKS = {f"score_{i}": v for i, v in enumerate(["16", "15", "14", "8", "25"], start=1)}


def _scoring(world, pilot):
    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.school)
    pilot.pass_eligibility(world, app)
    experts = pilot.panel(3)
    pilot.assign(world, round_, experts)
    return round_, app, experts


def test_the_last_two_experts_submit_at_once(world_tx, pilot):
    world = world_tx
    round_, app, experts = _scoring(world, pilot)
    pilot.score(PanelAssignment.objects.get(application=app, expert=experts[0]), [1, 1, 1, 1, 1])
    last = [PanelAssignment.objects.get(application=app, expert=e) for e in experts[1:]]
    statuses = _race(
        [
            (
                a.expert.user,
                reverse("pilot_selection:score", args=[a.public_id]),
                {**MARKS, "action": "submit", "version": a.version},
            )
            for a in last
        ]
    )
    assert statuses == [302, 302]
    app.refresh_from_db()
    assert app.current_step == "decision"
    closed = AuditEntry.objects.for_object(app).filter(action="scoring_closed")
    assert closed.count() == 1


def test_one_expert_submitting_from_two_pages_at_once(world_tx, pilot):
    world = world_tx
    round_, app, experts = _scoring(world, pilot)
    a = PanelAssignment.objects.get(application=app, expert=experts[0])
    url = reverse("pilot_selection:score", args=[a.public_id])
    statuses = _race(
        [
            (a.expert.user, url, {**MARKS, "action": "submit", "version": a.version}),
            (
                a.expert.user,
                url,
                {**MARKS, "score_1": "3", "action": "submit", "version": a.version},
            ),
        ]
    )
    assert sorted(statuses) == [302, 409]
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED
    assert a.scores.count() == 5


def test_two_officers_of_one_bureau_decide_eligibility_at_once(world_tx, pilot):
    world = world_tx
    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.school)
    url = reverse("applications:decide", args=[app.public_id])
    data = {"decision": "approve", "opinion": "符合条件", "version": app.version}
    statuses = _race([(world.edu_handler, url, data), (world.edu_head, url, data)])
    assert sorted(statuses) == [302, 409]
    assert app.signoffs.filter(unit=world.edu, status="approved").count() == 1


def test_two_leading_group_members_decide_the_round_at_once(world_tx, pilot):
    world = world_tx
    round_ = pilot.open_round(world, quota=1)
    apps = [pilot.submitted(round_, s) for s in (world.school, world.other_school)]
    for a in apps:
        pilot.pass_eligibility(world, a)
    pilot.assign(world, round_, pilot.panel(3))
    for a in PanelAssignment.objects.filter(application__round=round_):
        pilot.score(a, [18, 18, 18, 9, 27] if a.application_id == apps[0].pk else [1] * 5)
    pilot.close_window(round_)
    round_.refresh_from_db()
    second = member(world.leading_group, Role.HEAD, username="lg-head-2")
    url = reverse("pilot_selection:round_decide", args=[round_.public_id])
    statuses = _race(
        [
            (world.leader, url, {"selected": [str(apps[0].public_id)], "version": round_.version}),
            (second, url, {"selected": [str(apps[0].public_id)], "version": round_.version}),
        ]
    )
    assert sorted(statuses) == [302, 409]
    for a in apps:
        a.refresh_from_db()
    assert apps[0].current_step == "publicity"
    assert round_.notices.count() == 1
