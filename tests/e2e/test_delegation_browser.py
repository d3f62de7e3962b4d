"""A delegation used end to end in the browser: the leader names the head on 我的委托, the head
finds the leader's to-do marked 代, approves it, and the timeline names both; the pages fit
390 px and 1280 px (screenshots under var/screenshots/, or $SCREENSHOT_DIR)."""

import datetime

import pytest
from django.utils import timezone

from tests.approvals.conftest import submitted
from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def _named(user, last, first):
    user.last_name, user.first_name = last, first
    user.save(update_fields=["last_name", "first_name"])
    return user


def _signed_in(browser, live_server, user, password, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    follow(page, "button[type=submit]")
    return context, page


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_delegation_used_end_to_end_in_the_browser(world_tx, live_server, browser):
    zhang = _named(world_tx.hrss_leader, "张", "三")
    li = _named(world_tx.hrss_head, "李", "四")
    app = submitted(world_tx)
    today = timezone.localdate()
    too_wide = []

    context, page = _signed_in(browser, live_server, zhang, world_tx.password, 390)
    page.goto(f"{live_server.url}/workbench/delegations/")
    page.select_option("#id_substitute", str(li.pk))
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + datetime.timedelta(days=10)).isoformat())
    page.fill("#id_reason", "外出学习")
    follow(page, "#delegation-form button")
    assert "已委托 李四" in page.content() and "生效中" in page.content()
    if _width(page) > 390:
        too_wide.append(("principal", page.url, _width(page)))
    screenshot(page, "delegation-principal-390")
    context.close()

    for width in (390, 1280):
        context, page = _signed_in(browser, live_server, li, world_tx.password, width)
        page.goto(f"{live_server.url}/workbench/inbox/")
        assert "代 张三" in page.content()
        if _width(page) > width:
            too_wide.append(("inbox", width, _width(page)))
        screenshot(page, f"delegation-inbox-{width}")
        page.goto(f"{live_server.url}/workbench/delegations/")
        assert "张三 委托我" in page.content()
        if _width(page) > width:
            too_wide.append(("received", width, _width(page)))
        screenshot(page, f"delegation-received-{width}")
        context.close()

    context, page = _signed_in(browser, live_server, li, world_tx.password, 390)
    page.goto(f"{live_server.url}/workbench/inbox/")
    follow(page, "a[href*='on_behalf=']")
    assert "您正代 张三 办理" in page.content()
    if _width(page) > 390:
        too_wide.append(("detail", 390, _width(page)))
    page.check("input[name=decision][value=approve]")
    page.fill("#id_opinion", "材料齐全，同意。")
    follow(page, "#ap-review button")
    assert "李四（代 张三）" in page.content()
    screenshot(page, "delegation-acted-390")
    context.close()
    app.refresh_from_db()
    assert app.current_step == "cosign"
    assert too_wide == []
