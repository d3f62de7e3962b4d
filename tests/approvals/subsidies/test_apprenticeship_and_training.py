"""Row 10: one rate per year and programme kind for both school categories; row 13: the
35 % cap and the surplus, enforced on submission, then the HR and finance bureaus approve."""

import ast
import inspect
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals.common import services
from approvals.common.models import ApplicationStatus
from approvals.subsidies import procedure as procedure_module
from approvals.subsidies import rates, rules
from approvals.subsidies.models import Purpose, Reservation
from tests.approvals.conftest import pdf
from workflows.exceptions import RuleViolation

from .conftest import act, make_line, submit

pytestmark = pytest.mark.django_db
YEAR = 2026
TODAY = timezone.localdate()


def apprenticeship_data(**over):
    data = {
        "year": str(YEAR),
        "programme_kind": "modern",
        "cohort": "2026级数控技术学徒班",
        "apprentices": "40",
        "partner": "台州市精工机械有限公司",
        "contact_name": "王晓明",
        "contact_phone": "0576-88661234",
    }
    data.update(over)
    return data


def test_two_schools_of_different_categories_get_the_same_amount(world):
    assert world.school.category == "vocational" and world.technical_school.category == "technical"
    rates.rate_save(
        actor=world.finance_handler, year=YEAR, programme_kind="modern", rate=Decimal("1500.00")
    )
    make_line(world, Purpose.APPRENTICESHIP, "200000")
    amounts = []
    for school, handler, head in (
        (world.school, world.school_handler, world.school_head),
        (world.technical_school, world.technical_handler, world.technical_head),
    ):
        app = submit("apprenticeship", school, handler, head, apprenticeship_data())
        act(app, world.hrss_handler, decision="approve", opinion="")
        act(app, world.finance_handler, decision="approve", opinion="")
        act(app, world.finance_handler, paid_on=TODAY, voucher=f"记-{school.code}")
        assert app.status == ApplicationStatus.APPROVED
        amounts.append(Reservation.objects.get(application=app).amount)
    assert amounts == [Decimal("60000.00"), Decimal("60000.00")]


def test_no_code_path_of_the_apprenticeship_amount_reads_the_school_category():
    for source in (
        inspect.getsource(rules.apprenticeship_amount),
        inspect.getsource(procedure_module.ApprenticeshipProcedure),
    ):
        names = {
            n.attr
            for n in ast.walk(
                ast.parse(source.strip() if source[0] != " " else "class X:\n" + source)
            )
            if isinstance(n, ast.Attribute)
        }
        assert not names & {"category", "school_type", "get_category_display"}


def test_without_a_rate_for_the_year_the_submission_is_refused_citing_row_10(world):
    app = services.application_create(
        procedure_code="apprenticeship", unit=world.school, actor=world.school_handler
    )
    services.application_save(
        application=app, actor=world.school_handler, data=apprenticeship_data(), uploads=[pdf()]
    )
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=world.school_head)
    assert "第10项" in refused.value.message and "现代学徒制" in refused.value.message


def training_data(**over):
    data = {
        "project": "数控车工（四级）社会化培训",
        "recognition": "台人社培〔2026〕12号",
        "starts_on": "2026-07-01",
        "ends_on": "2026-07-30",
        "income": "100000.00",
        "costs": "50000.00",
        "remuneration": "35000.00",
        "staff": "王晓明 教师 40课时\n李建国 管理人员 20课时",
        "hours": "60",
    }
    data.update(over)
    return data


def _training_draft(world, **over):
    app = services.application_create(
        procedure_code="social_training", unit=world.school, actor=world.school_handler
    )
    form = services.application_save(
        application=app, actor=world.school_handler, data=training_data(**over), uploads=[pdf()]
    )
    assert form.is_valid(), form.errors
    return app


@pytest.mark.parametrize(
    ("remuneration", "ok"), [("34990.00", True), ("35000.00", True), ("35010.00", False)]
)
def test_remuneration_at_34_99_35_00_and_35_01_percent_of_income(world, remuneration, ok):
    app = _training_draft(world, remuneration=remuneration, costs="10000.00")
    if ok:
        services.application_submit(application=app, actor=world.school_head)
        return
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=world.school_head)
    assert "第13项" in refused.value.message and refused.value.field == "remuneration"


@pytest.mark.parametrize(("costs", "ok"), [("64999.99", True), ("65000.00", False)])
def test_the_training_must_leave_a_surplus_of_at_least_one_fen(world, costs, ok):
    app = _training_draft(world, costs=costs)
    if ok:
        services.application_submit(application=app, actor=world.school_head)
        return
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=world.school_head)
    assert "第13项" in refused.value.message and "结余" in refused.value.message


def test_the_hr_and_finance_bureaus_both_approve_the_remuneration(world):
    app = _training_draft(world)
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    act(app, world.hrss_handler, decision="approve", opinion="")
    assert app.status != ApplicationStatus.APPROVED
    act(app, world.finance_handler, decision="approve", opinion="")
    assert app.status == ApplicationStatus.APPROVED


def test_the_task_pages_show_granted_and_paid_this_year(world, login):
    rates.rate_save(
        actor=world.finance_handler,
        year=TODAY.year,
        programme_kind="enterprise",
        rate=Decimal("2000.00"),
    )
    make_line(world, Purpose.APPRENTICESHIP, "200000", year=TODAY.year)
    app = submit(
        "apprenticeship",
        world.school,
        world.school_handler,
        world.school_head,
        apprenticeship_data(year=str(TODAY.year), programme_kind="enterprise", apprentices="10"),
    )
    act(app, world.hrss_handler, decision="approve", opinion="")
    act(app, world.finance_handler, decision="approve", opinion="")
    from django.urls import reverse

    url = reverse("tasks:detail", args=[10])
    page = login(world.leader).get(url).content.decode()
    assert "学徒制补贴" in page and "¥20,000.00" in page
    act(app, world.finance_handler, paid_on=TODAY, voucher="记-9")
    page = login(world.leader).get(url).content.decode()
    assert page.count("¥20,000.00") >= 2


def test_task_pages_8_and_13_carry_their_panels(world, login):
    from django.urls import reverse

    app = _training_draft(world)
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    act(app, world.hrss_handler, decision="approve", opinion="")
    act(app, world.finance_handler, decision="approve", opinion="")
    client = login(world.leader)
    page8 = client.get(reverse("tasks:detail", args=[8])).content.decode()
    assert "竞赛承办补助" in page8 and "竞赛获奖奖励" in page8
    page13 = client.get(reverse("tasks:detail", args=[13])).content.decode()
    assert "社会培训劳务报酬" in page13 and "¥35,000.00" in page13
