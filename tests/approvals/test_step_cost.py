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


def test_a_detail_read_as_json_comes_back_as_the_database_gives_it():
    """The lock statement brings the procedure's detail as JSON (PostgreSQL): its money,
    dates and numbers come back as read by the ORM, a decimal to its places (12.5 → 12.50)."""
    from datetime import date
    from decimal import Decimal

    from approvals.common.services import _from_json
    from approvals.subsidies.models import HostingDetail

    detail = _from_json(
        HostingDetail,
        {
            "id": 7,
            "application_id": 3,
            "competition": "台州市数控车工技能竞赛",
            "competition_class": "2",
            "starts_on": "2026-05-20",
            "ends_on": "2026-05-22",
            "events": 3,
            "participants": 120,
            "budget_cost": 80000.5,
            "actual_cost": 79999,
            "contact_name": "王晓明",
            "contact_phone": "0576-88881234",
            "granted_amount": None,
        },
    )
    assert detail.pk == 7 and not detail._state.adding
    assert detail.starts_on == date(2026, 5, 20)
    assert detail.budget_cost == Decimal("80000.50") and str(detail.budget_cost) == "80000.50"
    assert str(detail.actual_cost) == "79999.00"
    assert detail.granted_amount is None


@pytest.mark.services
def test_the_decision_page_reads_the_detail_with_the_lock(world_tx):
    """The detail the step snapshots is the one in the database, read in the lock statement."""
    from approvals.common import selectors, services
    from approvals.dual_plaque.models import DualPlaqueDetail

    world = world_tx
    app = submitted(world)
    user = world.hrss_handler
    from django.db import transaction

    with transaction.atomic():
        locked = services.lock_visible(
            user, selectors.visible_application_qs(user), public_id=app.public_id
        )
        counter = _Counter()
        with connection.execute_wrapper(counter):
            detail = locked.dual_plaque
        assert counter.sql == []
    fresh = DualPlaqueDetail.objects.get(application=app)
    for field in DualPlaqueDetail._meta.concrete_fields:
        assert getattr(detail, field.attname) == getattr(fresh, field.attname), field.name
    assert detail.application is locked
