import pytest

from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def test_an_office_clerk_logs_in_and_opens_the_task_list(world_tx, live_server, sign_in):
    page = sign_in(world_tx.office_handler, world_tx.password)
    assert page.url.endswith("/dashboard/")
    follow(page, "text=重点任务清单")  # a Turbo visit: rendered, not only the URL changed
    page.wait_for_url("**/tasks/")
    rows = page.locator("table.zj-table tbody tr")
    assert rows.count() == 17
    assert page.locator("h2", has_text="保障措施").count() == 1
    screenshot(page, "task-list")
    follow(page, "text=支持技师学院与本地高职院校开展长学制办学试点")
    page.wait_for_url("**/tasks/9/")
    assert page.locator("text=台州市第一技师学院").count() == 1


def test_a_refused_page_says_why_on_a_phone_and_a_desk(world_tx, live_server, sign_in):
    page = sign_in(world_tx.school_head, world_tx.password)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        response = page.goto(f"{live_server.url}/pilot_selection/rounds/new/")
        assert response.status == 403
        reason = page.locator(".zj-refusal")
        assert reason.inner_text() == "试点院校遴选批次由市教育局、市人力社保局组织。"
        assert reason.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"refused-{width}")
