"""Row 8's hosting subsidy end to end: a hosting unit applies, the HR bureau sets the amount
within 30,000–60,000, the finance bureau checks it against the line, the payment is recorded
and a 通知 is issued."""

import datetime
from decimal import Decimal

import pytest

from approvals.common.models import ApplicationStatus
from approvals.subsidies import budget
from approvals.subsidies.models import BudgetLine, HostingDetail, Purpose, Reservation
from workflows.exceptions import Conflict, RuleViolation

from .conftest import act, hosting_data, make_line, submit

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def hosted(world, hosts, **over):
    return submit(
        "hosting", hosts["enterprise"], hosts["handler"], hosts["head"], hosting_data(**over)
    )


def test_an_enterprise_hosts_gets_its_subsidy_paid_and_a_notice(world, hosts):
    line = make_line(world, Purpose.HOSTING, "100000")
    app = hosted(world, hosts)
    assert app.current_step == "hr_review"
    act(app, world.hrss_handler, decision="approve", opinion="材料齐全", amount=Decimal("45000.00"))
    assert HostingDetail.objects.get(application=app).granted_amount == Decimal("45000.00")
    assert app.current_step == "budget_check"
    act(app, world.finance_handler, decision="approve", opinion="")
    line.refresh_from_db()
    assert (line.allocated, line.paid, line.remaining) == (
        Decimal("45000.00"),
        Decimal("0.00"),
        Decimal("55000.00"),
    )
    assert app.current_step == "payment"
    act(app, world.finance_handler, paid_on=TODAY, voucher="记-2026-0815")
    line.refresh_from_db()
    assert line.paid == Decimal("45000.00")
    assert app.current_step == "issue_notice"
    act(app, world.hrss_leader)
    assert app.status == ApplicationStatus.APPROVED
    assert app.document.kind == "notice"
    assert "承办工作经费补助的通知" in app.document.title
    text = str(app.document.body)
    assert "45,000.00" in text and "第8项" in text


@pytest.mark.parametrize("amount", ["29999.99", "60000.01"])
def test_an_amount_outside_30000_to_60000_is_refused_citing_row_8(world, hosts, amount):
    make_line(world, Purpose.HOSTING, "100000")
    app = hosted(world, hosts)
    with pytest.raises(RuleViolation) as refused:
        act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal(amount))
    assert "第8项" in refused.value.message and refused.value.field == "amount"
    app.refresh_from_db()
    assert app.current_step == "hr_review"
    assert HostingDetail.objects.get(application=app).granted_amount is None


@pytest.mark.parametrize("amount", ["30000.00", "60000.00"])
def test_the_range_ends_are_allowed(world, hosts, amount):
    app = hosted(world, hosts)
    act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal(amount))
    assert app.current_step == "budget_check"


def test_an_approval_that_does_not_fit_names_the_line_and_what_remains(world, hosts):
    line = make_line(world, Purpose.HOSTING, "50000")
    first = hosted(world, hosts)
    second = submit(
        "hosting",
        hosts["association"],
        hosts["assoc_handler"],
        hosts["assoc_head"],
        hosting_data(competition="2026年台州市职业技能大赛焊工项目"),
    )
    for app in (first, second):
        act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("30000"))
    act(first, world.finance_handler, decision="approve", opinion="")
    with pytest.raises(RuleViolation) as refused:
        act(second, world.finance_handler, decision="approve", opinion="")
    message = refused.value.message
    assert "2026年度竞赛承办补助" in message and "¥20,000.00" in message and "¥30,000.00" in message
    line.refresh_from_db()
    assert line.allocated == Decimal("30000.00")
    second.refresh_from_db()
    assert second.current_step == "budget_check"
    assert not Reservation.objects.filter(application=second).exists()


def test_without_a_line_the_approval_is_refused(world, hosts):
    app = hosted(world, hosts)
    act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("30000"))
    with pytest.raises(RuleViolation) as refused:
        act(app, world.finance_handler, decision="approve", opinion="")
    assert "没有「2026年度竞赛承办补助」预算指标" in refused.value.message


def test_recording_a_payment_twice_changes_nothing(world, hosts):
    line = make_line(world, Purpose.HOSTING, "100000")
    app = hosted(world, hosts)
    act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("30000"))
    act(app, world.finance_handler, decision="approve", opinion="")
    stale_version = app.version
    act(app, world.finance_handler, paid_on=TODAY, voucher="记-0001")
    from approvals.common import services

    with pytest.raises(Conflict):  # the page shown before: 409, nothing done
        services.step_act(
            application=app,
            actor=world.finance_handler,
            cleaned={"paid_on": TODAY, "voucher": "记-0002"},
            version=stale_version,
        )
    reservation = Reservation.objects.get(application=app)
    assert (
        budget.record_payment(
            reservation=reservation, actor=world.finance_handler, paid_on=TODAY, voucher="记-0003"
        )
        is False
    )
    reservation.refresh_from_db()
    line.refresh_from_db()
    assert (reservation.voucher, line.paid) == ("记-0001", Decimal("30000.00"))


def test_the_hosting_unit_may_be_a_school_or_an_association(world, hosts):
    from approvals.common.registry import procedure_for

    applicant = procedure_for("hosting").applicant
    assert applicant.units_for(hosts["assoc_handler"]) == [hosts["association"]]
    assert applicant.units_for(world.school_handler) == [world.school]
    assert applicant.units_for(world.hrss_handler) == []


def test_a_line_is_never_set_below_what_is_allocated(world, hosts):
    line = make_line(world, Purpose.HOSTING, "100000")
    app = hosted(world, hosts)
    act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("40000"))
    act(app, world.finance_handler, decision="approve", opinion="")
    line = BudgetLine.objects.get(pk=line.pk)
    with pytest.raises(RuleViolation) as refused:
        budget.line_save(
            actor=world.finance_handler,
            year=2026,
            purpose="hosting",
            amount=Decimal("39999.99"),
            line=line,
            version=line.version,
        )
    assert "¥40,000.00" in refused.value.message


def test_the_hr_page_answers_an_amount_outside_the_range_with_400_and_the_rule(world, hosts, login):
    from django.urls import reverse

    app = hosted(world, hosts)
    client = login(world.hrss_handler)
    page = client.get(reverse("applications:detail", args=[app.public_id])).content.decode()
    assert 'name="amount"' in page
    url = reverse("applications:act", args=[app.public_id])
    response = client.post(
        url, {"decision": "approve", "amount": "60000.01", "version": app.version}
    )
    assert response.status_code == 400
    assert "第8项" in response.content.decode() and "¥60,000.01" in response.content.decode()
    response = client.post(url, {"decision": "approve", "amount": "三万", "version": app.version})
    assert response.status_code == 400 and "「核定补助金额」" in response.content.decode()
    response = client.post(
        url, {"decision": "approve", "amount": "60000.00", "version": app.version}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.current_step == "budget_check"
    finance_page = (
        login(world.finance_handler)
        .get(reverse("applications:detail", args=[app.public_id]))
        .content.decode()
    )
    assert "¥60,000.00" in finance_page and "尚未下达本年度该用途的预算指标" in finance_page
