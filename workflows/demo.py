"""Demo units and people. The bureaus are the plan's own; the schools are plainly fictional."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import ACTING_ROLES, Expert, Membership, Role, SchoolType, Unit, UnitKind
from .units import ensure_plan_units

User = get_user_model()

DEMO_PASSWORD = "Zhiji@2022"  # noqa: S105 - printed to the person who starts the demo

DEMO_SCHOOLS = (
    ("s01", "台州市第一中等职业学校", SchoolType.SECONDARY_VOCATIONAL),
    ("s02", "台州市第二中等职业学校", SchoolType.SECONDARY_VOCATIONAL),
    ("s03", "台州市第三中等职业学校", SchoolType.SECONDARY_VOCATIONAL),
    ("s04", "台州市第一职业技术学院", SchoolType.HIGHER_VOCATIONAL),
    ("s05", "台州市第二职业技术学院", SchoolType.HIGHER_VOCATIONAL),
    ("s06", "台州市第一技工学校", SchoolType.TECHNICAL),
    ("s07", "台州市第二技工学校", SchoolType.TECHNICAL),
    ("s08", "台州市第三技工学校", SchoolType.TECHNICAL),
    ("s09", "台州市第一高级技工学校", SchoolType.SENIOR_TECHNICAL),
    ("s10", "台州市第二高级技工学校", SchoolType.SENIOR_TECHNICAL),
    ("s11", "台州市第一技师学院", SchoolType.TECHNICIAN_COLLEGE),
    ("s12", "台州市第二技师学院", SchoolType.TECHNICIAN_COLLEGE),
)

# Fictional people: one surname per unit, one given name per role.
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
_GIVEN = {Role.HANDLER: "晓明", Role.HEAD: "建国", Role.LEADER: "志强"}

DEMO_EXPERTS = (
    ("expert1", "陈", "立新", "机械制造与自动化", "正高级讲师", None),
    ("expert2", "林", "海燕", "汽车维修", "高级技师", "s06"),
    ("expert3", "周", "文博", "职业教育管理", "教授", "s04"),
    ("expert4", "吴", "嘉怡", "模具设计与制造", "高级讲师", None),
)


def _demo_user(username: str, last: str, first: str, email_domain: str = "zhiji.local"):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"last_name": last, "first_name": first, "email": f"{username}@{email_domain}"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo_units_and_people() -> None:
    """Idempotent: units, a user for each role in each unit, experts, an admin."""
    ensure_plan_units()
    for order, (code, name, school_type) in enumerate(DEMO_SCHOOLS, start=100):
        Unit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "full_name": name,
                "kind": UnitKind.SCHOOL,
                "school_type": school_type,
                "sort_order": order,
            },
        )
    for index, unit in enumerate(Unit.objects.order_by("sort_order", "id")):
        surname = _SURNAMES[index % len(_SURNAMES)]
        for role in ACTING_ROLES:
            user = _demo_user(f"{unit.code}-{role.value}", surname, _GIVEN[role])
            Membership.objects.get_or_create(user=user, unit=unit, defaults={"role": role})
    for username, last, first, field, title, school in DEMO_EXPERTS:
        user = _demo_user(username, last, first)
        Expert.objects.update_or_create(
            user=user,
            defaults={
                "field": field,
                "title": title,
                "affiliation": Unit.objects.get(code=school) if school else None,
            },
        )
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "last_name": "系统管理员"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])


def demo_accounts() -> list[dict]:
    rows = []
    for m in Membership.objects.select_related("user", "unit").order_by(
        "unit__sort_order", "unit_id", "role"
    ):
        rows.append(
            {
                "username": m.user.username,
                "password": DEMO_PASSWORD,
                "unit": m.unit.name,
                "role": m.role,
            }
        )
    for expert in Expert.objects.select_related("user", "affiliation").order_by("user__username"):
        rows.append(
            {
                "username": expert.user.username,
                "password": DEMO_PASSWORD,
                "unit": "专家库",
                "role": "expert",
            }
        )
    rows.append({"username": "admin", "password": DEMO_PASSWORD, "unit": "", "role": "admin"})
    return rows


def load_demo_delegation() -> None:
    """One delegation to try: the HR bureau's leader away for two weeks from the day the demo
    is loaded, the bureau's head standing in (idempotent: once per demo database)."""
    from datetime import timedelta

    from django.utils import timezone

    from .delegation import delegation_create
    from .models import Delegation

    unit = Unit.objects.filter(code="hrss").first()
    if unit is None:
        return
    people = {m.role: m.user for m in Membership.objects.filter(unit=unit).select_related("user")}
    leader, head = people.get(Role.LEADER), people.get(Role.HEAD)
    if leader is None or head is None or Delegation.objects.filter(principal=leader).exists():
        return
    today = timezone.localdate()
    delegation_create(
        principal=leader,
        substitute_id=head.pk,
        unit_id=unit.pk,
        starts_on=today,
        ends_on=today + timedelta(days=13),
        reason="外出学习（演示）",
    )
