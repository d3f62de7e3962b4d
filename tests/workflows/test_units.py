import pytest
from django.db import IntegrityError

from workflows.models import SchoolCategory, Unit, UnitKind


def test_school_category_is_derived_from_its_type(world):
    assert world.school.category == SchoolCategory.VOCATIONAL
    assert Unit.objects.get(code="s04").category == SchoolCategory.VOCATIONAL  # 高职院校
    for code in ("s06", "s09", "s11"):  # 技工学校, 高级技工学校, 技师学院
        assert Unit.objects.get(code=code).category == SchoolCategory.TECHNICAL
    assert world.edu.category is None


def test_a_school_must_have_a_type_and_a_bureau_must_not(db):
    with pytest.raises(IntegrityError):
        Unit.objects.create(code="x", name="无类型学校", kind=UnitKind.SCHOOL)


def test_a_person_may_belong_to_several_units(world):
    from workflows.access import units_of
    from workflows.models import Membership, Role

    Membership.objects.create(user=world.edu_head, unit=world.office, role=Role.HANDLER)
    world.edu_head.refresh_from_db()
    assert {u.code for u in units_of(world.edu_head)} == {"edu", "office"}


def test_members_join_their_units_permission_group(world):
    assert world.school.group in world.school_handler.groups.all()
    assert world.school.group not in world.other_school_handler.groups.all()
