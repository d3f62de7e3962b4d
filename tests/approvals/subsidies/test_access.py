"""Every URL with an application, line, import or certificate id, tried as another school:
404. ID numbers in full only for the HR and finance bureaus."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from approvals.subsidies import awards
from approvals.subsidies.models import Certificate, Purpose

from .conftest import act, hosting_data, id_number, make_line, sheet, submit
from .test_awards import _v, funded

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, django_capture_on_commit_callbacks):
    imp = funded(world)
    awards.award_pay(
        award_import=imp,
        actor=world.finance_handler,
        paid_on=datetime.date.today(),
        voucher="记-1",
        version=_v(imp),
    )
    with django_capture_on_commit_callbacks(execute=True):
        awards.award_issue(award_import=imp, actor=world.hrss_leader, version=_v(imp))
    imp.refresh_from_db()
    return imp


def test_every_budget_award_and_certificate_url_is_404_for_a_school(world, login, issued):
    line = make_line(world, Purpose.HOSTING, "100000")
    cert = Certificate.objects.filter(awardee__award_import=issued).first()
    gets = [
        reverse("subsidies:lines"),
        reverse("subsidies:line", args=[line.public_id]),
        reverse("subsidies:awards"),
        reverse("subsidies:award", args=[issued.public_id]),
        reverse("subsidies:award_progress", args=[issued.public_id]),
        reverse("subsidies:payment_list", args=[issued.public_id]),
        reverse("subsidies:certificate", args=[cert.public_id]),
    ]
    posts = [
        reverse("subsidies:lines"),
        reverse("subsidies:line", args=[line.public_id]),
        reverse("subsidies:rate_save"),
        reverse("subsidies:award_preview"),
        reverse("subsidies:award_confirm"),
        *[
            reverse(f"subsidies:{name}", args=[issued.public_id])
            for name in (
                "award_decide",
                "award_pay",
                "award_issue",
                "certificates_issue",
                "certificates_retry",
            )
        ],
    ]
    client = login(world.other_school_head)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"version": "0"}).status_code == 404, url
    hr = login(world.hrss_handler)
    for url in gets:
        assert hr.get(url).status_code == 200, url


def test_every_subsidy_application_url_is_404_for_another_school(world, login):
    make_line(world, Purpose.HOSTING, "100000")
    app = submit("hosting", world.school, world.school_handler, world.school_head, hosting_data())
    act(app, world.hrss_handler, decision="approve", opinion="", amount=Decimal("30000"))
    client = login(world.other_school_head)
    for name in ("detail", "edit", "preview"):
        assert client.get(reverse(f"applications:{name}", args=[app.public_id])).status_code == 404
    for name in ("act", "submit", "withdraw", "autosave"):
        response = client.post(
            reverse(f"applications:{name}", args=[app.public_id]),
            {"version": app.version, "decision": "approve"},
        )
        assert response.status_code == 404, name
    assert (
        login(world.school_head)
        .get(reverse("applications:detail", args=[app.public_id]))
        .status_code
        == 200
    )


def test_ids_are_masked_on_the_pages_and_in_full_only_for_hr_and_finance(world, login, issued):
    url = reverse("subsidies:award", args=[issued.public_id])
    full = id_number(1)
    masked = full[:6] + "********" + full[-4:]
    for user in (world.hrss_handler, world.finance_handler):
        page = login(user).get(url).content.decode()
        assert masked in page and full not in page
        assert full in login(user).get(url + "?full=on").content.decode()
    # the preview page and the decision mask it too
    preview = login(world.hrss_handler).post(
        reverse("subsidies:award_preview"),
        {
            "sheet": __import__(
                "django.core.files.uploadedfile", fromlist=["x"]
            ).SimpleUploadedFile("r.xlsx", sheet([(1, "张三", full, "甲", "赛", "一类", 1)]))
        },
    )
    visible = preview.content.decode().split('name="token"')[0]
    assert masked in visible and full not in visible
    assert full not in str(issued.document.body)


def test_the_certificate_pdf_opens_for_the_hr_bureau(world, login, issued):
    cert = Certificate.objects.filter(awardee__award_import=issued).first()
    response = login(world.hrss_handler).get(
        reverse("subsidies:certificate", args=[cert.public_id])
    )
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"


def test_the_award_and_budget_pages_are_english_after_switching(world, login, issued):
    client = login(world.hrss_handler)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("subsidies:award", args=[issued.public_id])).content.decode()
    assert "Awardees" in page and "Certificate of honour" in page and "获奖人员" not in page
    page = client.get(reverse("subsidies:lines")).content.decode()
    assert "Budget lines" in page and "Remaining" in page
