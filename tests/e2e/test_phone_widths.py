"""Every role's main pages fit a phone (390 px) and a desk (1280 px) without horizontal
scrolling, and no script on them fails; with SCREENSHOTS=1 (or SCREENSHOT_DIR) a full-page
screenshot of each is saved under var/screenshots/ (or $SCREENSHOT_DIR) as
``<role>-<page>-<width>.png``, to be looked at."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docs_gen import services as docs
from docs_gen.demo import ensure_issuers
from tests.approvals.conftest import decide, pdf, submitted
from tests.attachment_samples import good_png
from tests.e2e.conftest import follow, screenshot
from tests.tasks_registry.supervision_helpers import dispatch
from workflows.models import Notification

pytestmark = pytest.mark.browser

# (name of the screenshot, path); {app} an application waiting on the role, {doc} a draft
PAGES = {
    "school_handler": [
        ("applications", "/applications/"),
        ("inbox", "/workbench/inbox/"),
        ("tasks", "/tasks/"),
        ("application", "{app}"),
        ("notifications", "/workbench/notifications/"),
    ],
    "school_head": [
        ("inbox", "/workbench/inbox/"),
        ("application", "{app}"),
        ("delegations", "/workbench/delegations/"),
    ],
    "hrss_handler": [
        ("inbox", "/workbench/inbox/"),
        ("applications", "/applications/"),
        ("application", "{app}"),
        ("documents", "/docs/"),
        ("task", "/tasks/15/"),
    ],
    "edu_handler": [
        ("inbox", "/workbench/inbox/"),
        ("application-approve", "{app}"),  # the step waits on 市教育局: the approve form
    ],
    "hrss_leader": [
        ("inbox", "/workbench/inbox/"),
        ("documents", "/docs/"),
        ("delegations", "/workbench/delegations/"),
    ],
    "office_handler": [
        ("dashboard", "/dashboard/"),
        ("bulletin", "/dashboard/bulletin/"),
        ("scoring", "/dashboard/scoring/"),
        ("tasks", "/tasks/"),
        ("calendar", "/workbench/calendar/"),
        ("documents", "/docs/"),
        ("document", "{doc}"),
        ("notifications", "/workbench/notifications/"),
    ],
    "leader": [
        ("dashboard", "/dashboard/"),
        ("inbox", "/workbench/inbox/"),
        ("application", "{app}"),
        ("bulletin", "/dashboard/bulletin/"),
    ],
}


def test_every_roles_pages_fit_a_phone_and_a_desk(world_tx, live_server, browser):
    ensure_issuers()
    dispatch(world_tx, 15)  # the dashboard, bulletin and scoring have a dispatched task
    photo = SimpleUploadedFile("现场照片.png", good_png((640, 360)))
    app = submitted(world_tx, uploads=[pdf(), photo])
    decide(app, world_tx.hrss_handler)  # now waiting on 市教育局
    document = docs.document_create(
        issuer=world_tx.office,
        kind="bulletin",
        title="关于职技融通改革重点任务推进情况的通报",
        addressees=["领导小组各成员单位"],
        body=[{"type": "paragraph", "text": "现将重点任务推进情况通报如下。" * 8}],
        actor=world_tx.office_handler,
    )
    assert Notification.objects.exists()  # the notifications pages have rows
    urls = {"app": f"/applications/{app.public_id}/", "doc": f"/docs/{document.public_id}/"}
    too_wide, script_errors = [], []
    for persona, pages in PAGES.items():
        user = getattr(world_tx, persona)
        # one sign-in per role; the desk width is the same session's window widened (each
        # page is loaded again at that width, its media queries and layout anew)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        # an uncaught error in any page's scripts (viewflow's components, ours)
        page.on("pageerror", lambda error, who=persona: script_errors.append((who, str(error))))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", world_tx.password)
        follow(page, "button[type=submit]")  # the page after signing in, shown
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844})
            for name, path in pages:
                # goto returns once the page has loaded (its style sheets, fonts and
                # images): the widths are final; no 500 ms wait for an idle network
                response = page.goto(live_server.url + path.format(**urls))
                assert response.status == 200, (persona, path, response.status)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append((persona, width, path, scroll))
                if name == "document":
                    _assert_the_preview_is_whole(page)
                screenshot(page, f"{persona}-{name}-{width}")
                if persona == "school_handler" and name == "application":
                    # the 预览 toggles open: the photo shown in the page, within its width
                    for summary in page.locator("details.zj-file__preview summary").all():
                        summary.click()
                    image = page.locator("details.zj-file__preview img")
                    image.wait_for()
                    page.wait_for_function(
                        "document.querySelector('details.zj-file__preview img').complete"
                    )
                    assert image.evaluate("i => i.naturalWidth") == 640
                    assert page.evaluate("document.documentElement.scrollWidth") <= width
                    screenshot(page, f"{persona}-application-preview-{width}")
        context.close()
    assert too_wide == []
    assert script_errors == []


def _assert_the_preview_is_whole(page):
    """The document's web preview: the red mark whole inside the frame, the frame as tall
    as the sheet (nothing cut at the right or the bottom)."""
    page.wait_for_function(
        "document.querySelector('iframe.zj-doc-frame').contentDocument?.readyState === 'complete'"
    )
    frame = page.frame_locator("iframe.zj-doc-frame")
    box = page.locator("iframe.zj-doc-frame").bounding_box()
    mark = frame.locator(".mark")
    assert mark.inner_text().endswith("文件")
    inner = page.frames[1].evaluate(
        """() => { const m = document.querySelector('.mark');
        const r = m.getBoundingClientRect(); const range = document.createRange();
        range.selectNodeContents(m); const t = range.getBoundingClientRect();
        return {left: t.left, right: t.right, centre: (t.left + t.right) / 2,
                width: document.documentElement.clientWidth,
                sheet: document.body.getBoundingClientRect().bottom,
                scroll: document.documentElement.scrollHeight, view: innerHeight}; }"""
    )
    assert inner["left"] >= 0 and inner["right"] <= inner["width"], inner
    assert abs(inner["centre"] - inner["width"] / 2) < 0.05 * inner["width"], inner
    assert inner["sheet"] <= box["height"], (inner, box)  # the whole sheet is in the frame
