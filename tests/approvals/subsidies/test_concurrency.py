"""Racing approvals against one budget line on PostgreSQL: each fits alone, not all together;
the line's row lock serves them one after another and the line is never overspent."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from approvals.subsidies.models import BudgetLine, Purpose, Reservation
from tests.factories import member
from workflows.models import Role, Unit, UnitKind

from .conftest import act, hosting_data, make_line, submit

pytestmark = [pytest.mark.services]


def test_four_racing_approvals_on_one_line_never_overspend_it(world_tx):
    world = world_tx
    line = make_line(world, Purpose.HOSTING, "100000")  # room for two of 40,000, not three
    apps = []
    for i in range(4):
        unit = Unit.objects.create(
            code=f"race{i}", name=f"竞赛承办企业{i}", kind=UnitKind.ENTERPRISE
        )
        app = submit(
            "hosting",
            unit,
            member(unit, Role.HANDLER),
            member(unit, Role.HEAD),
            hosting_data(competition=f"2026年台州市职业技能大赛项目{i}"),
        )
        act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("40000"))
        apps.append(app)
    checkers = [member(world.finance, Role.HANDLER, username=f"fin-r{i}") for i in range(4)]
    barrier = threading.Barrier(len(apps))
    statuses, bodies, lock = [], [], threading.Lock()

    def approve(app, user):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(
                reverse("applications:act", args=[app.public_id]),
                {"decision": "approve", "opinion": "", "version": app.version},
            )
            with lock:
                statuses.append(response.status_code)
                bodies.append(response.content.decode())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(apps, checkers, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(statuses) == [302, 302, 400, 400]
    assert sum("余额不足" in b and "¥20,000.00" in b for b in bodies) == 2
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.allocated == Decimal("80000.00") <= line.amount
    assert Reservation.objects.filter(line=line).count() == 2
    moved = [a for a in apps if (a.refresh_from_db() or a.current_step == "payment")]
    assert len(moved) == 2


def test_the_database_itself_refuses_an_overspent_line(world_tx):
    from django.db import IntegrityError
    from django.db.models import F

    line = make_line(world_tx, Purpose.AWARDS, "100")
    with pytest.raises(IntegrityError):
        BudgetLine.objects.filter(pk=line.pk).update(allocated=F("amount") + Decimal("0.01"))
