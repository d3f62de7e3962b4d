"""Nobody sees another unit's data: it answers 404, never its content."""

from workflows.access import get_visible_or_404, grant_view, visible
from workflows.models import Unit


def test_a_school_sees_its_own_unit_page(world, login):
    response = login(world.school_handler).get(f"/workbench/units/{world.school.public_id}/")
    assert response.status_code == 200
    assert world.school.name in response.content.decode()


def test_another_school_gets_404_for_a_unit_page(world, login):
    response = login(world.other_school_handler).get(f"/workbench/units/{world.school.public_id}/")
    assert response.status_code == 404
    assert world.school.name not in response.content.decode()


def test_the_office_and_the_leading_group_see_every_unit(world, login):
    for user in (world.office_handler, world.leader):
        assert login(user).get(f"/workbench/units/{world.school.public_id}/").status_code == 200


def test_a_guardian_grant_lets_a_bureau_see_one_object(world):
    assert not visible(world.edu_handler, Unit.objects.filter(pk=world.school.pk)).exists()
    grant_view(world.school, [world.edu])
    assert visible(world.edu_handler, Unit.objects.filter(pk=world.school.pk)).exists()
    assert not visible(world.hrss_handler, Unit.objects.filter(pk=world.school.pk)).exists()


def test_the_helper_answers_404_for_malformed_ids(world):
    import pytest
    from django.http import Http404

    with pytest.raises(Http404):
        get_visible_or_404(world.school_handler, Unit, public_id="not-a-uuid")


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get("/tasks/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_elses_notification_is_404(world, login):
    from workflows.services import notify

    [note] = notify(recipients=[world.school_handler], title="测试")
    assert (
        login(world.other_school_handler)
        .post(f"/workbench/notifications/{note.pk}/read/")
        .status_code
        == 404
    )
