"""Browser tests: Playwright driving Debian's chromium (installed by scripts/setup.sh)."""

import os
import shutil
from pathlib import Path

import pytest

# Screenshots, to be looked at, are taken when asked for: SCREENSHOTS=1 (saved under the
# project's var/screenshots/; not APP_VAR_DIR, which the tests make temporary) or
# SCREENSHOT_DIR=<folder>. A full-page PNG costs a page load's time again (~0.1–0.2 s each,
# ~100 of them): the suite's own run measures and clicks without them.
ARTIFACTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
SCREENSHOTS = bool(os.environ.get("SCREENSHOT_DIR")) or os.environ.get("SCREENSHOTS") == "1"
# Debian's chromium in its headless build (package chromium-headless-shell, the same
# release from the same source as the package chromium; Playwright's own default for
# headless runs): the same Blink layout, without the full browser's compositor and UI
# process. Measured on tests/e2e in one process: 46 s of CPU against 75 s with the full
# chromium, 71 s against 95 s wall. E2E_CHROMIUM=/usr/bin/chromium runs them on the full
# browser (setup.sh installs both).
CHROMIUM = (
    os.environ.get("E2E_CHROMIUM")
    or shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def follow(page, selector: str) -> None:
    """Click what leads to another page and return once that page is shown: a full
    navigation (forms with ``data-turbo="false"``) has loaded, and a Turbo visit (links,
    other forms: the page is fetched and swapped in, ``aria-busy`` on <html> meanwhile)
    has rendered. No fixed wait for an idle network."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_function("!document.documentElement.hasAttribute('aria-busy')")


@pytest.fixture(scope="module")
def browser():
    """One chromium per browser module, closed when the module's tests are done: Playwright's
    sync API keeps an asyncio loop running in the thread while it is open, and a test that
    runs after it in the same process (tests/docs_gen/test_signing.py: pyHanko's
    ``asyncio.run``) would find that loop running. Per module, no other test sees it."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/setup.sh")
    # Playwright's sync API runs an event loop; Django's async-unsafe guard must allow ORM use
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(user, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        follow(page, "button[type=submit]")
        return page

    return _sign_in


def screenshot(page, name: str) -> Path | None:
    """A full-page PNG of what ``page`` shows, as ``<name>.png``, when screenshots are asked
    for (SCREENSHOTS=1 or SCREENSHOT_DIR); otherwise nothing, and None."""
    if not SCREENSHOTS:
        return None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1_000, path  # a page, not an empty picture
    return path
