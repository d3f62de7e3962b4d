"""The left menu offers each person what they can use; access itself is checked by the views."""


def _menu(client):
    html = client.get("/tasks/").content.decode()
    return html[html.index("vf-page__menu") : html.index("vf-page__body")]


def test_a_school_clerk_is_not_offered_the_dashboard_or_the_draft_form(world, login):
    menu = _menu(login(world.school_handler))
    assert "我的申请" in menu and "公文列表" in menu
    assert "督办总览" not in menu
    assert "起草公文" not in menu


def test_the_office_is_offered_the_dashboard(world, login):
    menu = _menu(login(world.office_handler))
    assert "督办总览" in menu


def test_the_dashboard_refuses_a_school_even_when_typed_in(world, login):
    assert login(world.school_handler).get("/dashboard/").status_code == 403
