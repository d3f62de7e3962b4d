"""Eight reviewers approve the same step at the same instant: one transition, seven 409s."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.common.models import Review
from approvals.dual_plaque.flows import DualPlaqueFlow
from tests.approvals.conftest import submitted
from tests.factories import member
from workflows.models import Role

pytestmark = [pytest.mark.services]


def test_eight_concurrent_approvals_of_one_step_make_exactly_one_transition(world_tx):
    world = world_tx
    app = submitted(world)
    reviewers = [member(world.hrss, Role.HANDLER, username=f"hrss-r{i}") for i in range(8)]
    url = reverse("applications:decide", args=[app.public_id])
    data = {"decision": "approve", "opinion": "同意", "version": app.version}
    barrier = threading.Barrier(len(reviewers))
    statuses: list[int] = []
    bodies: list[str] = []
    lock = threading.Lock()

    def approve(user):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(url, data)
            with lock:
                statuses.append(response.status_code)
                bodies.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(statuses) == [302] + [409] * 7
    assert sum("已被他人办理" in body for body in bodies) == 7
    app.refresh_from_db()
    assert app.current_step == "cosign"
    assert Review.objects.filter(application=app).count() == 1
    assert app.signoffs.count() == 1
    reviewed = Task.objects.filter(
        process=app.process, flow_task=DualPlaqueFlow.competent_review, status=STATUS.DONE
    )
    assert reviewed.count() == 1
    assert Task.objects.filter(process=app.process, status=STATUS.NEW).count() == 1
