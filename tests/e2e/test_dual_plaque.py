"""A school handler applies for a second plaque in the browser and follows it through review."""

import pytest

from tests.approvals.conftest import PDF, decide
from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def test_a_school_handler_applies_uploads_submits_and_sees_the_bureau_approve(
    world_tx, live_server, sign_in, tmp_path
):
    from approvals.common import services
    from approvals.common.models import Application

    report = tmp_path / "关于申请加挂技师学院牌子的请示.pdf"
    report.write_bytes(PDF)

    page = sign_in(world_tx.school_handler, world_tx.password)
    # menu links are Turbo visits: follow() returns once the new page is rendered (the
    # URL changes when the visit starts, before the page it leads to is shown)
    follow(page, "text=我的申请")
    page.wait_for_url("**/applications/")
    follow(page, "text=新建双挂牌申请")
    page.wait_for_url("**/applications/new/dual_plaque/")
    page.select_option("#id_plaque_kind", "technician_college")
    page.fill("#id_plaque_name", "台州市第一技师学院")
    page.fill("#id_reason", "太短")  # a bad input first: nothing typed is lost
    page.fill(
        "#id_conditions",
        "校园占地 200 亩，实训工位 1500 个，双师型教师占比 65%，具备预备技师培养条件。",
    )
    page.fill("#id_students", "3200")
    page.fill("#id_teachers", "210")
    page.fill("#id_contact_name", "王晓明")
    page.fill("#id_contact_phone", "0576-88881234")
    page.set_input_files("#id_files", str(report))
    follow(page, "button[value=send_to_head]")
    assert page.locator("text=「申请理由」至少 20 个字").count() >= 1
    assert page.input_value("#id_conditions").startswith("校园占地 200 亩")
    assert page.locator("text=关于申请加挂技师学院牌子的请示.pdf").count() >= 1
    screenshot(page, "dual-plaque-form-error")

    page.fill(
        "#id_reason",
        "学校现有数控、汽修、电气三个骨干专业，技能人才培养基础扎实，申请加挂技师学院牌子。",
    )
    page.click("button[value=send_to_head]")
    page.wait_for_url("**/applications/*/")
    assert page.locator("#ap-status").inner_text() == "待本校负责人报送"

    app = Application.objects.get()
    assert app.attachments.count() == 1
    services.application_submit(application=app, actor=world_tx.school_head)
    page.reload()
    assert page.locator("#ap-status").inner_text() == "审核中"
    assert "主管部门审核" in page.locator("#ap-step").inner_text()
    screenshot(page, "dual-plaque-submitted")

    decide(app, world_tx.hrss_handler, opinion="材料齐全，同意。")
    page.reload()
    assert page.locator("#ap-step").inner_text() == "会签"
    assert page.locator("text=材料齐全，同意。").count() == 1
    screenshot(page, "dual-plaque-after-bureau-approval")


def test_what_was_typed_survives_an_expired_session(world_tx, live_server, sign_in):
    from tests.approvals.conftest import draft

    app = draft(world_tx)
    page = sign_in(world_tx.school_handler, world_tx.password)
    page.goto(f"{live_server.url}/applications/{app.public_id}/edit/")
    typed = "学校新增智能制造实训中心，工位 300 个，可满足预备技师培养需要。"
    page.fill("#id_conditions", typed)
    # the session ends while the clerk is typing (the CSRF cookie lives on)
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    page.click("button[value=save]")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", world_tx.school_handler.username)
    page.fill("#id_password", world_tx.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/applications/{app.public_id}/edit/")
    assert page.input_value("#id_conditions") == typed
    assert "已恢复本机暂存" in page.locator("#ap-autosave").inner_text()
    follow(page, "button[value=save]")
    app.refresh_from_db()
    assert app.draft_data["conditions"] == typed
