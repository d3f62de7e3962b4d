"""The shared world (tests/conftest.py) is built once per test database and every test
finds it as built: what a test changes, in the database or on the instances it was
handed, is gone for the next one, also after a transactional test's flush.

pytest-django runs the ``db`` tests first, then the transactional ones, each group in
file order; in one process (-n 0, or one xdist worker) each test below checks the world
the previous one of its group left."""

import pytest
from django.contrib.auth import get_user_model

from tasks_registry.models import KeyTask
from tests.conftest import _WORLD
from workflows.access import memberships_of
from workflows.models import Membership, Unit


def assert_as_built(world):
    assert world.edu.name == "市教育局"
    assert world.school.code == "s01"
    assert world.school_handler.first_name != "改"
    assert not hasattr(world.school_handler, "_zhiji_memberships")
    assert [m.unit.code for m in memberships_of(world.school_handler)] == ["s01"]
    assert Unit.objects.get(code="edu").name == "市教育局"
    assert KeyTask.objects.count() == 17
    assert get_user_model().objects.filter(username="expert-a").exists()


def change(world):
    """Changes in the database and on the handed-out instances."""
    world.edu.name = "改名的教育局"
    world.edu.save()
    world.school_handler.first_name = "改"
    world.school_handler.save()
    memberships_of(world.school_handler)  # cached on the user object
    Membership.objects.create(user=world.school_handler, unit=world.other_school, role="handler")
    KeyTask.objects.filter(number=17).delete()


def test_a_test_changes_the_world(world):
    assert_as_built(world)
    change(world)


def test_the_next_test_finds_it_as_built(world):
    assert_as_built(world)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_changes_it_committed(world_tx):
    assert_as_built(world_tx)
    change(world_tx)
    # the flush after this test empties every table


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_finds_it_built_again(world_tx):
    assert_as_built(world_tx)
    # written back from the snapshot taken after the one build, with the same keys
    assert _WORLD.builds == 1 and _WORLD.restores >= 1


@pytest.mark.django_db(transaction=True)
def test_what_the_world_refers_to_is_back_with_its_keys(world_tx):
    """Content types are written again by the flush's signals under new keys; the
    snapshot's come back with the permissions and grants that refer to them."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    unit_type = ContentType.objects.get_for_model(Unit)
    assert ContentType.objects.get(pk=unit_type.pk).model == "unit"
    assert Permission.objects.filter(content_type=unit_type, codename="view_unit").exists()
    Unit.objects.create(code="zz-new", name="新单位", full_name="新单位")  # keys still free


def test_no_world_is_an_empty_database(no_world):
    assert not Unit.objects.exists()
    assert not get_user_model().objects.exists()
    assert not KeyTask.objects.exists()


def test_the_world_is_back_after_it(world):
    assert_as_built(world)
