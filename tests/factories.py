"""Test data. Personas are people acting for one unit with one role."""

import factory
from django.contrib.auth import get_user_model

from workflows.models import Expert, Membership, Role, SchoolType, Unit, UnitKind

User = get_user_model()
PASSWORD = "pass-Zhiji-2022"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.local")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    full_name = factory.LazyAttribute(lambda u: u.name)
    kind = UnitKind.BUREAU


class SchoolFactory(UnitFactory):
    code = factory.Sequence(lambda n: f"school{n}")
    name = factory.Sequence(lambda n: f"台州市测试第{n}学校")
    kind = UnitKind.SCHOOL
    school_type = SchoolType.SECONDARY_VOCATIONAL


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.HANDLER


def member(unit: Unit, role: str = Role.HANDLER, username: str | None = None):
    """A user who acts for ``unit`` with ``role``."""
    user = UserFactory(username=username or f"{unit.code}-{role}")
    Membership.objects.get_or_create(user=user, unit=unit, defaults={"role": role})
    return user


def expert(username: str, affiliation: Unit | None = None, field: str = "机械制造"):
    user = UserFactory(username=username)
    Expert.objects.get_or_create(user=user, defaults={"field": field, "affiliation": affiliation})
    return user


def named(user, last: str, first: str):
    """``user`` with a Chinese name, as pages show it (张三)."""
    user.last_name, user.first_name = last, first
    user.save(update_fields=["last_name", "first_name"])
    return user


def delegate(principal, substitute, unit: Unit, first: int = 0, last: int = 10):
    """A delegation from ``principal`` to ``substitute`` in ``unit``, from ``first`` to
    ``last`` days after today, made through the service (its rules apply)."""
    import datetime

    from django.utils import timezone

    from workflows.delegation import delegation_create

    today = timezone.localdate()
    return delegation_create(
        principal=principal,
        substitute_id=substitute.pk,
        unit_id=unit.pk,
        starts_on=today + datetime.timedelta(days=first),
        ends_on=today + datetime.timedelta(days=last),
        reason="外出学习",
    )
