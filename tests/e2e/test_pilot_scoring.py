"""An expert signs in, finds the application assigned to them, scores it and submits;
the score is locked. Screenshots at 1280 and 390 px (var/screenshots/, or $SCREENSHOT_DIR)."""

import pytest

from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def test_an_expert_scores_an_application_in_the_browser(transactional_db, live_server, sign_in):
    from approvals.pilot_selection.models import AssignmentStatus, PanelAssignment
    from tests.approvals.pilot_selection import conftest as pilot
    from tests.conftest import build_world

    world = build_world()
    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.school)
    pilot.pass_eligibility(world, app)
    experts = pilot.panel(3)
    pilot.assign(world, round_, experts)
    mine = PanelAssignment.objects.get(application=app, expert=experts[0])

    page = sign_in(experts[0].user, world.password)
    page.goto(f"{live_server.url}/pilot_selection/expert/")
    page.click(f"text={app.title}")
    page.wait_for_url(f"**/expert/{mine.public_id}/")
    assert page.locator("text=本校在“办学基础”方面基础扎实").count() == 1
    page.fill("#id_score_1", "21")  # over the maximum of 20: refused, what was typed kept
    for field, value in (("#id_score_2", "17.5"), ("#id_score_3", "16"), ("#id_score_4", "8.5")):
        page.fill(field, value)
    page.fill("#id_score_5", "26")
    page.fill("#id_comment", "专业设置与区域产业对接紧密，师资结构合理。")
    follow(page, "#pl-submit")
    assert page.locator("text=「办学基础」不能大于 20").count() >= 1
    assert page.input_value("#id_score_2") == "17.5"
    screenshot(page, "pilot-score-error")
    page.fill("#id_score_1", "18.5")
    page.click("#pl-submit")
    page.wait_for_url(f"**/expert/{mine.public_id}/")
    assert page.locator("#pl-status").inner_text() == "已提交"
    assert page.locator("#pl-score").count() == 0  # locked: no form any more
    screenshot(page, "pilot-score-submitted")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "pilot-score-submitted-phone")
    mine.refresh_from_db()
    assert mine.status == AssignmentStatus.SUBMITTED
    assert {s.criterion: str(s.score) for s in mine.scores.all()}["办学基础"] == "18.5"


def test_the_leading_group_decides_on_the_round_page(transactional_db, live_server, sign_in):
    from approvals.pilot_selection.models import PanelAssignment
    from tests.approvals.pilot_selection import conftest as pilot
    from tests.conftest import build_world

    world = build_world()
    round_ = pilot.open_round(world, quota=1)
    apps = [pilot.submitted(round_, s) for s in (world.school, world.other_school)]
    for a in apps:
        pilot.pass_eligibility(world, a)
    pilot.assign(world, round_, pilot.panel(5))
    for i, a in enumerate(PanelAssignment.objects.filter(application__round=round_)):
        base = 18 if a.application_id == apps[0].pk else 12
        pilot.score(a, [base - i % 3, base, base, base / 2, base * 1.5])
    pilot.close_window(round_)
    page = sign_in(world.leader, world.password)
    page.goto(f"{live_server.url}/pilot_selection/rounds/{round_.public_id}/?experts=1")
    assert page.locator("#pl-ranking").count() == 1
    screenshot(page, "pilot-round-ranking")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # the wide ranking table scrolls inside its frame; the page itself stays 390 px wide
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "pilot-round-ranking-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    follow(page, "#pl-decide button")
    assert page.locator("text=决定已作出").count() >= 1
    apps[0].refresh_from_db()
    assert apps[0].current_step == "publicity"


def test_pilot_pages_fit_a_phone_and_a_desk(transactional_db, live_server, browser):
    from tests.approvals.pilot_selection import conftest as pilot
    from tests.conftest import build_world

    world = build_world()
    round_ = pilot.open_round(world)
    app = pilot.draft(round_, world.school)
    pages = {
        world.school_handler: ["/pilot_selection/", f"/applications/{app.public_id}/edit/"],
        world.edu_handler: [
            "/pilot_selection/",
            "/pilot_selection/rounds/new/",
            f"/pilot_selection/rounds/{round_.public_id}/",
        ],
    }
    too_wide = []
    for user, paths in pages.items():
        for width in (390, 1280):
            context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", world.password)
            follow(page, "button[type=submit]")
            for index, path in enumerate(paths):
                page.goto(live_server.url + path)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append((user.username, width, path, scroll))
                screenshot(page, f"pilot-{user.username}-{index}-{width}")
            context.close()
    assert too_wide == []
