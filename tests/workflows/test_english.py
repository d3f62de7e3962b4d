"""English UI: locale/en translates the project's Chinese msgids (see locale/README.md).

After switching to English, the page chrome (titles, menus, headers, buttons, statuses) is
English; what stays Chinese is data: unit and people's names, the plan's task texts,
typed opinions and the official documents.
"""

import gettext as gettext_module
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tests.approvals.conftest import decide, form_data, submitted
from tests.pages import in_english
from tests.tasks_registry.supervision_helpers import dispatch

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_english(html, english, chinese):
    missing = [label for label in english if label not in html]
    assert missing == []
    left = [label for label in chinese if label in html]
    assert left == []


def test_the_login_page_is_english_after_switching(client):
    in_english(client)
    html = page(client, "/accounts/login/")
    assert_english(
        html,
        ["Taizhou Vocational–Technical Integration Reform Platform", "User name", "Password"],
        ["台州市职技融通改革工作平台", "用户名", "密码", "登录"],
    )


def test_a_wrong_password_is_refused_in_english(client, db):
    in_english(client)
    html = client.post("/accounts/login/", {"username": "nobody", "password": "x"}).content
    assert "Incorrect user name or password" in html.decode()


def test_the_key_task_list_is_english(world, login):
    client = in_english(login(world.office_handler))
    html = page(client, "/tasks/")
    assert_english(
        html,
        ["Key tasks of the Vocational–Technical Integration Reform Implementation Plan", "Light"],
        ["重点任务清单", "主要内容", "责任单位", "我的待办", "督办总览", "我的申请", "退出登录"],
    )
    assert "Key task list" in html and "My inbox" in html and "Log out" in html
    # the plan's category words are translated, the plan's task texts are data
    assert "Vocational school" in html


def test_the_dashboard_is_english_for_the_office(world, login):
    dispatch(world, 2)
    client = in_english(login(world.office_handler))
    html = page(client, "/dashboard/")
    assert_english(
        html,
        [
            "Key task supervision overview",
            "Task traffic lights",
            "On-time reporting rate",
            "Export ledger (Excel)",
            "Units at work",
            "Not dispatched",
        ],
        [
            "督办总览",
            "任务红黄绿灯",
            "按期报送率",
            "导出台账",
            "各单位办理中",
            "未下达",
            "正常推进",
        ],
    )


def test_a_task_page_is_english(world, login):
    dispatch(world, 2)
    client = in_english(login(world.office_handler))
    html = page(client, "/tasks/2/")
    assert_english(
        html,
        ["Lead unit", "Supervision status", "Progress by responsible unit", "Activity log"],
        ["牵头单位", "督办状态", "责任单位办理情况", "办理记录", "（", "："],
    )


def test_the_inbox_is_english(world, login):
    dispatch(world, 2)
    client = in_english(login(world.school_handler))
    html = page(client, "/workbench/inbox/")
    assert_english(
        html,
        ["My inbox", "Acknowledge supervision task: key task 2", "Awaiting acknowledgement"],
        ["我的待办", "签收督办任务", "待签收", "重点任务"],
    )


def test_the_applicant_portal_is_english_for_a_school_handler(world, login):
    submitted(world)
    client = in_english(login(world.school_handler))
    html = page(client, "/applications/")
    assert_english(
        html,
        ["My applications", "New: Dual plaque application", "Under review", "Current step"],
        ["我的申请", "双挂牌申请", "审核中", "当前环节", "主管部门审核", "草稿（"],
    )
    # the step label is stored in Chinese and shown in the reader's language
    assert "Review by competent department" in html


def test_an_application_page_is_english_and_its_stored_texts_stay_chinese(world, login):
    app = submitted(world)
    decide(app, world.hrss_handler, "return", "请补充实训设备清单。")
    client = in_english(login(world.school_handler))
    html = page(client, f"/applications/{app.public_id}/")
    assert_english(
        html,
        ["Application details", "Additional plaque type", "Technician college", "History"],
        ["申请内容", "加挂牌子类别", "办理过程", "退回修改"],
    )
    assert "请补充实训设备清单。" in html  # the reviewer's words are data
    app.refresh_from_db()
    assert app.current_step_label == "退回学校修改"
    assert "Return to school for amendment" in html


def test_what_an_english_reader_saves_is_stored_in_chinese(world, login):
    """Titles and step labels are records: the same whichever language the actor reads."""
    from approvals.common.models import Application

    client = in_english(login(world.school_handler))
    client.post("/applications/new/dual_plaque/", {**form_data(), "action": "save"})
    app = Application.objects.get(applicant_unit=world.school)
    assert app.title == f"{world.school.name}申请加挂“{form_data()['plaque_name']}”牌子"
    assert app.current_step_label == "草稿"


def test_every_project_msgid_is_translated():
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    with open(CATALOGUE / "django.mo", "rb") as fh:
        catalog = gettext_module.GNUTranslations(fh)._catalog
    chinese = {k: v for k, v in catalog.items() if CJK.search(k[0] if isinstance(k, tuple) else k)}
    assert len(chinese) > 450
    assert [
        k for k, v in chinese.items() if not v or v == (k[0] if isinstance(k, tuple) else k)
    ] == []


def test_placeholders_survive_translation():
    with translation.override("en"):
        assert gettext("重点任务%(n)s已下达。") % {"n": 2} == "Key task 2 dispatched."
        assert gettext("我的待办") == "My inbox"
    with translation.override("zh-hans"):
        assert gettext("我的待办") == "我的待办"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) not installed")
def test_the_committed_english_mo_is_compiled_from_the_committed_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE / "django.po")],
        check=True,
        capture_output=True,
    )
    with open(fresh, "rb") as a, open(CATALOGUE / "django.mo", "rb") as b:
        fresh_catalog = gettext_module.GNUTranslations(a)._catalog
        assert fresh_catalog == gettext_module.GNUTranslations(b)._catalog


def _issued_document(world):
    """An issued notice of the Education Bureau (rendering is queued on commit: not run)."""
    from docs_gen import services
    from docs_gen.demo import ensure_issuers
    from tests.docs_gen.conftest import BODY

    ensure_issuers()
    return services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )


def test_the_document_list_is_english(world, login):
    _issued_document(world)
    client = in_english(login(world.edu_handler))
    html = page(client, "/docs/")
    assert_english(
        html,
        ["Official documents", "Draft official document", "Document number", "Date of issue"],
        ["公文", "起草公文", "发文字号", "发文机关", "全部文种", "成文日期", "已印发", "年"],
    )
    assert ">Notice<" in html and ">Issued<" in html


def test_a_document_page_is_english_and_the_document_stays_chinese(world, login):
    document = _issued_document(world)
    client = in_english(login(world.edu_handler))
    html = page(client, f"/docs/{document.public_id}/")
    assert_english(
        html,
        ["Document number", "Issuing authority", "Date of issue", "Verification code"],
        ["发文字号", "发文机关", "文种", "成文日期", "验证码", "办理记录", "预览", "（", "："],
    )
    assert "Signed off" in html and "Numbered and issued" in html  # the history
    assert document.number in html and "台州市教育局关于试点工作的通知" in html
    preview = page(client, f"/docs/{document.public_id}/preview/")
    assert "台州市教育局文件" in preview and "各校" in preview


def test_the_public_verification_page_is_english(world, client):
    document = _issued_document(world)
    in_english(client)
    html = page(client, f"/verify/{document.verification_code}/")
    assert_english(
        html,
        ["Verify an official document", "Valid", "Document number", "Issuing authority"],
        ["公文核验", "有效", "发文字号", "发文机关", "成文日期", "上传", "年"],
    )
    assert '<html lang="en">' in html
