"""What one decision costs and leaves behind: the flow's history as viewflow rows (one task
per step passed, each linked to the next, no gateway rows), and on PostgreSQL an approve
POST within 19 statements counted at the connection, savepoints and SET included."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.common.models import Review
from tests.approvals.conftest import decide, submitted
from workflows.models import AuditEntry, Notification


def test_each_step_passed_is_one_done_task_linked_to_the_next(world):
    app = submitted(world)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler)
    decide(app, world.leader)
    tasks = list(Task.objects.filter(process=app.process).order_by("pk"))
    assert [(t.flow_task.name, t.status) for t in tasks] == [
        ("start", STATUS.DONE),
        ("competent_review", STATUS.DONE),
        ("cosign", STATUS.DONE),
        ("leading_approval", STATUS.DONE),
        ("publicity", STATUS.NEW),
    ]
    for before, after in zip(tasks, tasks[1:], strict=False):
        assert list(after.previous.all()) == [before]
        assert before.finished is not None
    assert app.current_step == "publicity"


def test_a_return_goes_to_the_amendment_and_back_to_the_same_step(world, helpers):
    from approvals.common import services

    app = submitted(world)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler, "return", "请补充实训设备清单。")
    assert app.current_step == "amend"
    services.application_submit(application=app, actor=world.school_head, version=app.version)
    app.refresh_from_db()
    assert app.current_step == "cosign"
    names = list(
        Task.objects.filter(process=app.process).order_by("pk").values_list("flow_task", flat=True)
    )
    assert [n.name for n in names] == [
        "start",
        "competent_review",
        "cosign",
        "amend",
        "cosign",
    ]


class _Counter:
    def __init__(self):
        self.sql = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.services
def test_an_approve_post_is_at_most_19_statements_without_savepoints(world_tx):
    world = world_tx
    app = submitted(world)
    client = Client()
    client.force_login(world.hrss_handler)
    url = reverse("applications:decide", args=[app.public_id])
    counter = _Counter()
    with connection.execute_wrapper(counter):
        response = client.post(
            url, {"decision": "approve", "opinion": "同意", "version": app.version}
        )
    assert response.status_code == 302
    assert len(counter.sql) <= 19, "\n".join(counter.sql)
    assert not [s for s in counter.sql if "SAVEPOINT" in s.upper()]
    app.refresh_from_db()
    assert app.current_step == "cosign"
    # what the step guarantees is all there
    assert Review.objects.filter(application=app, step="competent_review").count() == 1
    assert AuditEntry.objects.filter(object_id=str(app.pk), action="review_approve").count() == 1
    assert Notification.objects.filter(unit=world.edu, title__contains=app.title).exists()
