"""Competition awards: the results sheet's preview (pages and ``manage.py awards_preview``),
confirmation, review, funding against the awards line, payment, the 决定 and certificates."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from approvals.subsidies import awards
from approvals.subsidies.models import (
    Awardee,
    AwardImport,
    AwardStatus,
    BudgetLine,
    Certificate,
    CertificateStatus,
    Purpose,
)
from workflows.exceptions import Conflict, RuleViolation

from .conftest import id_number, make_line, sheet

pytestmark = pytest.mark.django_db

C1 = "2026年台州市职业技能大赛数控车工项目"
C2 = "2026年台州市职业技能大赛电工项目"
YEAR = timezone.localdate().year


def good_rows():
    return [
        (1, "张三", id_number(1), "台州市精工机械有限公司", C1, "一类", 1),
        (2, "李四", id_number(2), "台州市第一技工学校", C1, "一类", 2),
        (3, "王五", id_number(3), "台州市第一中等职业学校", C1, "一类", 6),
        (4, "赵六", id_number(4), "台州市第二技工学校", C2, "二类", 3),
        (5, "钱七", id_number(5), "台州市第二技工学校", C2, "二类", 4),
    ]


def bad_rows():
    return [
        (1, "", id_number(11), "甲单位", C1, "一类", 1),  # no name
        (
            2,
            "孙八",
            id_number(12)[:-1] + ("0" if id_number(12)[-1] != "0" else "1"),
            "乙单位",
            C1,
            "一类",
            2,
        ),  # wrong check digit
        (3, "周九", id_number(13), "丙单位", C1, "一类", 2.5),  # not whole
        (4, "吴十", id_number(14), "丁单位", C1, "四类", 1),  # unknown class
        (5, "郑一", id_number(15), "戊单位", C1, "一类", 3),
        (6, "郑一", id_number(15), "戊单位", C1, "一类", 4),  # the same person twice
        (7, "冯二", id_number(16), "己单位", C1, "一类", "第一"),
        (8, "陈三", id_number(17), "庚单位", C1, "一类", 0),
    ]


def test_the_preview_gives_every_row_its_title_and_amount():
    rows = awards.sheet_preview(sheet(good_rows()))
    got = [(r.row, r.title, r.amount, r.error) for r in rows]
    assert got == [
        (2, "台州技能大师", Decimal("10000.00"), None),
        (3, "台州市技术能手", Decimal("5000.00"), None),
        (4, None, Decimal("0.00"), None),
        (5, "台州市技术能手", Decimal("5000.00"), None),
        (6, None, Decimal("0.00"), None),
    ]


def test_the_preview_says_why_each_invalid_row_is_invalid():
    rows = {r.row: r.error for r in awards.sheet_preview(sheet(bad_rows()))}
    assert "「姓名」为空" in rows[2]
    assert "「证件号码」" in rows[3] and "校验位" in rows[3]
    assert "「名次」2.5 不是整数" in rows[4]
    assert "「竞赛类别」“四类”不是一类、二类或三类" in rows[5]
    assert rows[6] is None
    assert "同一人在同一竞赛中重复出现（与第 6 行" in rows[7]
    assert "「名次」第一 不是整数" in rows[8]
    assert "「名次」0 无效" in rows[9]


def test_the_same_person_in_two_competitions_is_fine():
    rows = awards.sheet_preview(
        sheet(
            [
                (1, "张三", id_number(1), "甲", C1, "一类", 1),
                (2, "张三", id_number(1), "甲", C2, "二类", 1),
            ]
        )
    )
    assert [r.error for r in rows] == [None, None]


def test_a_sheet_without_the_columns_is_refused_naming_them():
    with pytest.raises(RuleViolation) as refused:
        awards.sheet_preview(sheet([(1, "张三")], header=("序号", "姓名")))
    assert "证件号码" in refused.value.message and "名次" in refused.value.message


def test_a_file_that_is_not_xlsx_is_refused():
    with pytest.raises(RuleViolation) as refused:
        awards.sheet_preview(b"%PDF-1.7 not a sheet")
    assert ".xlsx" in refused.value.message


def test_awards_preview_prints_the_issues_json(tmp_path):
    path = tmp_path / "results.xlsx"
    path.write_bytes(sheet(good_rows()[:1] + bad_rows()[2:3]))
    out = io.StringIO()
    call_command("awards_preview", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data[0] == {
        "row": 2,
        "name": "张三",
        "id_number_masked": id_number(1)[:6] + "********" + id_number(1)[-4:],
        "unit": "台州市精工机械有限公司",
        "competition": C1,
        "class": "一类",
        "place": 1,
        "title": "台州技能大师",
        "amount": "10000.00",
        "error": None,
    }
    assert data[1]["title"] is None and data[1]["amount"] == "0.00"
    assert "不是整数" in data[1]["error"]
    assert set(data[1]) == set(data[0])


def _preview_page(client, content, name="results.xlsx"):
    return client.post(
        reverse("subsidies:award_preview"),
        {"sheet": SimpleUploadedFile(name, content), "title": ""},
    )


def test_an_import_with_invalid_rows_saves_nothing(world, login):
    client = login(world.hrss_handler)
    response = _preview_page(client, sheet(good_rows() + bad_rows()))
    assert response.status_code == 200
    page = response.content.decode()
    assert "第 7 行：「姓名」为空" in page and "本次未保存任何数据" in page
    assert "确认导入" not in page
    token = awards.preview_token(
        awards.sheet_preview(sheet(good_rows() + bad_rows())), title="", source="x.xlsx"
    )
    response = client.post(reverse("subsidies:award_confirm"), {"token": token})
    assert response.status_code == 400
    assert AwardImport.objects.count() == 0 and Awardee.objects.count() == 0


def test_nothing_is_saved_until_the_preview_is_confirmed(world, login):
    client = login(world.hrss_handler)
    response = _preview_page(client, sheet(good_rows()))
    page = response.content.decode()
    assert "确认导入" in page and id_number(1) not in page.split('name="token"')[0]
    assert AwardImport.objects.count() == 0
    token = response.context["confirm"].initial["token"]
    response = client.post(reverse("subsidies:award_confirm"), {"token": token})
    assert response.status_code == 302
    imp = AwardImport.objects.get()
    assert imp.total == Decimal("20000.00")
    assert [a.name for a in imp.awardees.all()] == ["张三", "李四", "赵六"]
    again = client.post(reverse("subsidies:award_confirm"), {"token": token})
    assert again.status_code == 409
    assert AwardImport.objects.count() == 1


def test_a_forged_preview_is_refused(world, login):
    client = login(world.hrss_handler)
    response = client.post(reverse("subsidies:award_confirm"), {"token": "forged:abc"})
    assert response.status_code == 400
    assert AwardImport.objects.count() == 0


def confirmed(world, rows=None):
    rows = awards.sheet_preview(sheet(rows or good_rows()))
    return awards.import_confirm(
        actor=world.hrss_handler, token=awards.preview_token(rows, title="", source="r.xlsx")
    )


def _v(imp):
    imp.refresh_from_db()
    return imp.version


def funded(world, amount="100000"):
    make_line(world, Purpose.AWARDS, amount, year=YEAR)
    imp = confirmed(world)
    awards.award_review(
        award_import=imp, actor=world.hrss_head, decision="approve", opinion="", version=_v(imp)
    )
    awards.award_fund(
        award_import=imp,
        actor=world.finance_handler,
        decision="approve",
        opinion="",
        version=_v(imp),
    )
    imp.refresh_from_db()
    return imp


def test_the_awards_run_end_to_end(world, django_capture_on_commit_callbacks):
    imp = funded(world)
    assert imp.status == AwardStatus.FUNDED
    line = BudgetLine.objects.get(year=YEAR, purpose="awards")
    assert line.allocated == Decimal("20000.00")
    today = timezone.localdate()
    assert (
        awards.award_pay(
            award_import=imp,
            actor=world.finance_handler,
            paid_on=today,
            voucher="记-0101",
            version=_v(imp),
        )
        is True
    )
    # recording twice changes nothing
    assert (
        awards.award_pay(
            award_import=imp,
            actor=world.finance_handler,
            paid_on=today,
            voucher="记-0102",
            version=_v(imp),
        )
        is False
    )
    imp.refresh_from_db()
    line.refresh_from_db()
    assert (imp.voucher, line.paid) == ("记-0101", Decimal("20000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        awards.award_issue(award_import=imp, actor=world.hrss_leader, version=_v(imp))
    imp.refresh_from_db()
    assert imp.status == AwardStatus.ISSUED
    assert imp.document.kind == "decision"
    assert "“台州技能大师”“台州市技术能手”称号的决定" in imp.document.title
    body = json.dumps(imp.document.body, ensure_ascii=False)
    for a in imp.awardees.all():  # every awardee, by competition; no ID number at all
        assert a.name in body and a.unit_name in body and a.id_number not in body
    assert C1 in body and C2 in body
    certs = Certificate.objects.filter(awardee__award_import=imp)
    assert certs.count() == 3
    assert set(certs.values_list("status", flat=True)) == {CertificateStatus.DONE}
    first = certs.first()
    assert first.pdf.open("rb").read(5) == b"%PDF-"
    # issuing again issues nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert awards.certificates_issue(award_import=imp) == 0
    assert Certificate.objects.filter(awardee__award_import=imp).count() == 3
    with pytest.raises(Conflict):
        awards.award_issue(award_import=imp, actor=world.hrss_leader, version=_v(imp))


def test_the_awards_total_must_fit_the_awards_line(world):
    make_line(world, Purpose.AWARDS, "19999.99", year=YEAR)
    imp = confirmed(world)
    awards.award_review(
        award_import=imp, actor=world.hrss_head, decision="approve", opinion="", version=_v(imp)
    )
    with pytest.raises(RuleViolation) as refused:
        awards.award_fund(
            award_import=imp,
            actor=world.finance_handler,
            decision="approve",
            opinion="",
            version=_v(imp),
        )
    assert "竞赛获奖奖励" in refused.value.message and "¥19,999.99" in refused.value.message
    imp.refresh_from_db()
    assert imp.status == AwardStatus.REVIEWED


def test_the_handler_imports_and_a_head_reviews(world):
    from django.core.exceptions import PermissionDenied

    imp = confirmed(world)
    with pytest.raises(PermissionDenied):
        awards.award_review(
            award_import=imp,
            actor=world.hrss_handler,
            decision="approve",
            opinion="",
            version=_v(imp),
        )
    with pytest.raises(PermissionDenied):
        awards.award_review(
            award_import=imp,
            actor=world.finance_handler,
            decision="approve",
            opinion="",
            version=_v(imp),
        )


def test_the_payment_list_has_masked_ids_and_blank_account_fields(world, login):
    from openpyxl import load_workbook

    imp = funded(world)
    response = login(world.finance_handler).get(
        reverse("subsidies:payment_list", args=[imp.public_id])
    )
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:8] == (
        "序号",
        "姓名",
        "证件号码",
        "工作单位",
        "称号",
        "金额（元）",
        "开户银行",
        "银行账号",
    )
    first = rows[2]
    assert first[1] == "张三" and first[2] == id_number(1)[:6] + "********" + id_number(1)[-4:]
    assert first[6] is None and first[7] is None
    assert Decimal(str(first[5])) == Decimal("10000")


def test_a_failed_certificate_is_shown_and_retried(
    world, django_capture_on_commit_callbacks, monkeypatch, login
):
    imp = funded(world)
    awards.award_pay(
        award_import=imp,
        actor=world.finance_handler,
        paid_on=datetime.date.today(),
        voucher="记-1",
        version=_v(imp),
    )
    import approvals.subsidies.certificates as certificates

    real = certificates.render_certificate
    monkeypatch.setattr(
        certificates, "render_certificate", lambda cert: (_ for _ in ()).throw(OSError("disk full"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        awards.award_issue(award_import=imp, actor=world.hrss_leader, version=_v(imp))
    progress = awards.progress(imp)
    assert (progress["done"], len(progress["failed"])) == (0, 3)
    page = login(world.hrss_handler).get(reverse("subsidies:award", args=[imp.public_id]))
    assert "disk full" in page.content.decode() and "重新生成失败的证书" in page.content.decode()
    monkeypatch.setattr(certificates, "render_certificate", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert awards.certificates_retry_failed(award_import=imp, actor=world.hrss_handler) == 3
    progress = awards.progress(imp)
    assert (progress["done"], progress["failed"]) == (3, [])


def test_the_imported_list_waits_in_the_hr_heads_inbox_then_in_finances(world):
    from workflows.inbox import inbox_rows

    imp = confirmed(world)
    assert any(r.subject == imp.title for r in inbox_rows(world.hrss_head))
    assert not any(r.subject == imp.title for r in inbox_rows(world.finance_handler))
    awards.award_review(
        award_import=imp, actor=world.hrss_head, decision="approve", opinion="", version=_v(imp)
    )
    assert any(r.subject == imp.title for r in inbox_rows(world.finance_handler))
    assert not any(r.subject == imp.title for r in inbox_rows(world.hrss_head))


def test_only_the_finance_bureau_gets_the_payment_list_with_full_ids(world, login):
    from openpyxl import load_workbook

    imp = funded(world)
    url = reverse("subsidies:payment_list", args=[imp.public_id]) + "?full=on"

    def second_column(user):
        ws = load_workbook(io.BytesIO(login(user).get(url).content)).active
        return [r[2] for r in ws.iter_rows(min_row=3, max_row=3, values_only=True)][0]

    assert second_column(world.finance_handler) == id_number(1)
    assert second_column(world.hrss_handler) != id_number(1)


def test_an_id_typed_as_a_number_is_refused_saying_excel_lost_its_last_digits():
    rows = awards.sheet_preview(sheet([(1, "王五", 440524188001010014, "乙", C1, "一类", 1)]))
    assert "数字格式" in rows[0].error and "文本" in rows[0].error


def test_columns_in_any_order_with_spaces_and_blank_rows_are_read():
    rows = awards.sheet_preview(
        sheet(
            [
                (C1, "张三", "一类", " 1 ", id_number(1).lower(), "甲", 1),
                (None,) * 7,
                (C1, "李四", "二类", 2.0, id_number(2), "乙", 2),
            ],
            header=("竞赛名称", "姓名", "竞赛类别", "名次", "证件号码", "工作单位", " 序号 "),
        )
    )
    assert [(r.row, r.name, r.place, r.title, r.error) for r in rows] == [
        (2, "张三", 1, "台州技能大师", None),
        (4, "李四", 2, "台州市技术能手", None),
    ]
