"""Helpers for the subsidy and award tests: hosting units, budget lines, results sheets."""

import io
from decimal import Decimal

import pytest

from approvals.common import services
from approvals.subsidies import budget
from approvals.subsidies.idnumbers import check_digit
from tests.approvals.conftest import pdf
from tests.factories import member
from workflows.models import Role, Unit, UnitKind

COLUMNS = ("序号", "姓名", "证件号码", "工作单位", "竞赛名称", "竞赛类别", "名次")


def id_number(serial: int, birth: str = "19900101", region: str = "331002") -> str:
    first = f"{region}{birth}{serial % 1000:03d}"
    return first + check_digit(first)


def sheet(rows, header=COLUMNS) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def hosts(world):
    enterprise, _ = Unit.objects.update_or_create(
        code="e01", defaults={"name": "台州市精工机械有限公司", "kind": UnitKind.ENTERPRISE}
    )
    association, _ = Unit.objects.update_or_create(
        code="a01", defaults={"name": "台州市机械行业协会", "kind": UnitKind.ASSOCIATION}
    )
    return {
        "enterprise": enterprise,
        "association": association,
        "handler": member(enterprise, Role.HANDLER, "e01-handler"),
        "head": member(enterprise, Role.HEAD, "e01-head"),
        "assoc_handler": member(association, Role.HANDLER, "a01-handler"),
        "assoc_head": member(association, Role.HEAD, "a01-head"),
    }


def make_line(world, purpose, amount, year=2026):
    return budget.line_save(
        actor=world.finance_handler, year=year, purpose=purpose, amount=Decimal(amount)
    )


def hosting_data(**over):
    data = {
        "competition": "2026年台州市职业技能大赛数控车工项目",
        "competition_class": "一类",
        "starts_on": "2026-05-20",
        "ends_on": "2026-05-22",
        "events": "3",
        "participants": "120",
        "budget_cost": "80000.00",
        "actual_cost": "76500.50",
        "contact_name": "李晓明",
        "contact_phone": "0576-88123456",
    }
    data.update(over)
    return data


def submit(procedure, unit, handler, head, data):
    app = services.application_create(procedure_code=procedure, unit=unit, actor=handler)
    form = services.application_save(application=app, actor=handler, data=data, uploads=[pdf()])
    assert form.is_valid(), form.errors
    services.application_submit(application=app, actor=head)
    app.refresh_from_db()
    return app


def act(app, actor, **cleaned):
    app.refresh_from_db()
    services.step_act(application=app, actor=actor, cleaned=cleaned, version=app.version)
    app.refresh_from_db()
    return app
