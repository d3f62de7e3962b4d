"""A school handler submits a progress report in the browser; the office sees the light change."""

from datetime import timedelta

import pytest

from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def _light(page, number: int) -> str:
    return page.locator(f'tr[data-task="{number}"]').get_attribute("data-light")


def test_a_school_report_turns_the_offices_amber_light_green(
    world_tx, live_server, browser, page, sign_in
):
    from tasks_registry.models import KeyTask
    from tasks_registry.services import (
        branch_acknowledge,
        progress_report_submit,
        supervision_dispatch,
    )
    from tasks_registry.status import local_today
    from tests.factories import member

    today = local_today()
    sup = supervision_dispatch(
        task=KeyTask.objects.get(number=15),  # 市人力社保局，职业院校 (s01..s05)
        actor=world_tx.office_handler,
        start_date=today - timedelta(days=100),
        deadline=today + timedelta(days=100),
    )
    s01 = None
    for branch in sup.branches.select_related("unit"):
        user = world_tx.school_handler if branch.unit == world_tx.school else member(branch.unit)
        branch = branch_acknowledge(branch=branch, actor=user)
        if branch.unit == world_tx.school:
            s01 = branch  # acknowledged, nothing reported at half time: lagging
            continue
        progress_report_submit(branch=branch, actor=user, text="按计划推进", percent=60)

    office = sign_in(world_tx.office_handler, world_tx.password)
    office.goto(f"{live_server.url}/dashboard/")
    assert _light(office, 15) == "amber"

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    school = context.new_page()
    school.goto(f"{live_server.url}/accounts/login/")
    school.fill("#id_username", world_tx.school_handler.username)
    school.fill("#id_password", world_tx.password)
    follow(school, "button[type=submit]")
    school.goto(f"{live_server.url}/workbench/inbox/")
    school.click("text=报送进度/申报完成：重点任务15")
    school.wait_for_url(f"**/tasks/branches/{s01.public_id}/")
    school.fill("#id_text", "已完成专业设置调研，形成实施方案。")
    school.fill("#id_percent", "55")
    follow(school, "#report button[type=submit]")
    assert school.locator(".zj-msg", has_text="进度已报送（55%）").count() == 1
    screenshot(school, "supervision-branch-after-report")
    context.close()

    office.reload()
    assert _light(office, 15) == "green"
    screenshot(office, "supervision-dashboard")
    office.goto(f"{live_server.url}/tasks/15/")
    assert office.locator("text=已完成专业设置调研").count() == 1
    screenshot(office, "supervision-task-15")
