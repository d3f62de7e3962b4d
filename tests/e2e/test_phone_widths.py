"""Every role's main pages fit a phone (390 px) and a desk (1280 px) without horizontal
scrolling; the screenshots are kept under test-artifacts/ to be looked at."""

import pytest

from tests.approvals.conftest import decide, submitted
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = {
    "school_handler": ["/applications/", "/workbench/inbox/", "/tasks/", "{app}"],
    "hrss_handler": ["/workbench/inbox/", "/applications/", "{app}", "/docs/", "/tasks/2/"],
    "office_handler": ["/dashboard/", "/tasks/", "/workbench/calendar/", "/docs/"],
    "leader": ["/dashboard/", "/workbench/inbox/", "{app}"],
}


def test_every_roles_pages_fit_a_phone_and_a_desk(world_tx, live_server, browser):
    app = submitted(world_tx)
    decide(app, world_tx.hrss_handler)
    detail = f"/applications/{app.public_id}/"
    ARTIFACTS.mkdir(exist_ok=True)
    too_wide = []
    for persona, paths in PAGES.items():
        user = getattr(world_tx, persona)
        for width in (390, 1280):
            context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", world_tx.password)
            with page.expect_navigation():  # the page after signing in, loaded
                page.click("button[type=submit]")
            for index, path in enumerate(paths):
                # goto returns once the page has loaded (its style sheets, fonts and
                # images): the widths are final; no 500 ms wait for an idle network
                page.goto(live_server.url + path.format(app=detail))
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append((persona, width, path, scroll))
                page.screenshot(path=str(ARTIFACTS / f"width-{persona}-{index}-{width}.png"))
            context.close()
    assert too_wide == []
