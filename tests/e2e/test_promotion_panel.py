"""A committee session in the browser: the HR bureau forms the panel (the applicant's
school's expert offered disabled), a session of 5 of 9 is refused, 6 of 9 opens; members
vote in their own browsers, see no count until the last one has voted; then the tally."""

import pytest

from tests.e2e.conftest import follow, screenshot

pytestmark = pytest.mark.browser


def _as(browser, live_server, user, password, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    follow(page, "button[type=submit]")
    return context, page


def test_a_panel_session_votes_in_secret_and_shows_the_tally_at_the_end(
    transactional_db, live_server, browser
):
    from tests.approvals.promotion.conftest import applied, person, to_panel
    from tests.conftest import build_world
    from tests.factories import expert
    from workflows.models import Expert

    world = build_world()
    tech = person(
        world.technical_school, "s06-tech", holds=("senior_technician",), last="林", first="师傅"
    )
    app = to_panel(world, applied(tech), world.technical_head)
    pool = [expert(f"pool-{i}") for i in range(1, 10)]
    expert("same-school", affiliation=world.technical_school)
    Expert.objects.filter(user=world.expert).update(active=False)  # the pool is these nine
    url = f"{live_server.url}/applications/{app.public_id}/"

    hr_context, hr = _as(browser, live_server, world.hrss_handler, world.password)
    hr.goto(url)
    assert hr.locator("#pr-panel-action").count() == 1
    assert hr.locator("text=同校回避").count() == 1
    for box in hr.locator("input[name=members]").all():
        box.check()
    screenshot(hr, "promotion-panel-form")
    follow(hr, "#pr-form-panel")
    assert hr.locator("#pr-open-session").count() == 1
    # 5 of 9 is not a session
    boxes = hr.locator("input[name=attending]").all()
    assert len(boxes) == 9
    for box in boxes[5:]:
        box.uncheck()
    follow(hr, "#pr-open-session")
    assert hr.locator("text=不足全体 9 名委员的三分之二").count() >= 1
    # the six who attend are the pool's first six, whatever order the page lists them in
    six = {str(Expert.objects.get(user=member).pk) for member in pool[:6]}
    for box in hr.locator("input[name=attending]").all():
        if box.get_attribute("value") not in six:
            box.uncheck()
    follow(hr, "#pr-open-session")
    assert "出席 6 人，已投票 0 人" in hr.locator("#pr-panel").inner_text()

    choices = ["yes", "yes", "no", "yes", "abstain", "yes"]
    for index, (member, choice) in enumerate(zip(pool[:6], choices, strict=True)):
        width = 390 if index == 0 else 1280
        context, page = _as(browser, live_server, member, world.password, width)
        page.goto(url)
        page.check(f"input[name=choice][value={choice}]")
        if index == 0:
            screenshot(page, "promotion-vote-phone")
        follow(page, "#pr-vote")
        if index < 5:
            panel = page.locator("#pr-panel").inner_text()
            assert f"已投票 {index + 1} 人" in panel
            assert page.locator("#pr-tally").count() == 0
            assert page.locator("#pr-vote").count() == 0  # one vote each
        context.close()

    hr.reload()
    tally = hr.locator("#pr-tally").inner_text()
    assert "同意\t4" in tally or "同意 4" in tally.replace("\t", " ")
    assert "通过" in tally
    assert "市级公示" in hr.locator("#ap-step").inner_text()
    screenshot(hr, "promotion-tally")
    hr.set_viewport_size({"width": 390, "height": 900})
    screenshot(hr, "promotion-tally-phone")
    hr_context.close()


def test_the_record_and_task_17_pages_at_phone_and_desk_widths(
    transactional_db, live_server, browser
):
    from approvals.promotion.demo import load_demo_promotion
    from tests.conftest import build_world
    from workflows.demo import DEMO_PASSWORD, load_demo_units_and_people

    world = build_world()
    load_demo_units_and_people()
    load_demo_promotion()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for width in (390, 1280):
        context, page = _as(
            browser, live_server, users.get(username="s04-teacher"), DEMO_PASSWORD, width
        )
        page.goto(f"{live_server.url}/promotion/record/")
        assert page.locator("#pr-credentials tbody tr").count() == 2  # 讲师 held, 技师 granted
        assert page.locator("#pr-routes").count() == 1
        screenshot(page, f"promotion-record-{width}")
        context.close()
        context, page = _as(browser, live_server, world.office_handler, world.password, width)
        page.goto(f"{live_server.url}/tasks/17/")
        assert "陈雅琴" in page.locator("#pr-task-panel").inner_text()
        screenshot(page, f"promotion-task17-{width}")
        context.close()
