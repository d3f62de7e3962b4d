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


def test_two_award_lists_racing_for_the_awards_line_fund_one(world_tx):
    from django.utils import timezone

    from approvals.subsidies import awards
    from approvals.subsidies.models import AwardImport, AwardStatus

    from .conftest import id_number, sheet

    world = world_tx
    year = timezone.localdate().year
    line = make_line(world, Purpose.AWARDS, "15000", year=year)  # one list of 10,000 fits
    imports = []
    for k in range(2):
        rows = awards.sheet_preview(sheet([(1, "张三", id_number(k), "甲", f"赛{k}", "一类", 1)]))
        imp = awards.import_confirm(
            actor=world.hrss_handler, token=awards.preview_token(rows, title="", source="r.xlsx")
        )
        awards.award_review(
            award_import=imp,
            actor=world.hrss_head,
            decision="approve",
            opinion="",
            version=imp.version,
        )
        imports.append(AwardImport.objects.get(pk=imp.pk))
    users = [member(world.finance, Role.HANDLER, username=f"fin-a{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    statuses, lock = [], threading.Lock()

    def fund(imp, user):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(
                reverse("subsidies:award_decide", args=[imp.public_id]),
                {"decision": "approve", "opinion": "", "version": imp.version},
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=fund, args=p) for p in zip(imports, users, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [302, 400]
    line = BudgetLine.objects.get(pk=line.pk)
    assert line.allocated == Decimal("10000.00")
    assert AwardImport.objects.filter(status=AwardStatus.FUNDED).count() == 1
