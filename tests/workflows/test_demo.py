import json
from io import StringIO

from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from workflows.models import Expert, Membership, SchoolType, Unit, UnitKind


def test_load_demo_is_idempotent_and_covers_every_role_and_school_type(no_world, settings):
    settings.DEMO_LOADERS = ["tasks_registry.services.registry_load"]
    call_command("load_demo", stdout=StringIO())
    counts = (Unit.objects.count(), Membership.objects.count(), get_user_model().objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (
        Unit.objects.count(),
        Membership.objects.count(),
        get_user_model().objects.count(),
    ) == counts

    assert set(Unit.objects.bureaus().values_list("name", flat=True)) == {
        "市教育局",
        "市人力社保局",
        "市财政局",
        "市发展改革委",
    }
    assert Unit.objects.filter(kind=UnitKind.LEADING_GROUP).count() == 1
    assert Unit.objects.filter(kind=UnitKind.OFFICE).count() == 1
    assert Unit.objects.schools().count() >= 12
    assert set(Unit.objects.schools().values_list("school_type", flat=True)) == set(
        SchoolType.values
    )
    assert Expert.objects.count() >= 3
    for unit in Unit.objects.all():
        assert set(unit.memberships.values_list("role", flat=True)) == {"handler", "head", "leader"}


def test_demo_accounts_json_lists_logins_that_work(no_world, settings, rf):
    settings.DEMO_LOADERS = []
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_accounts", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"username", "password", "unit", "role"} <= set(rows[0])
    assert len(rows) >= 18 * 3
    for row in rows:
        request = rf.post("/accounts/login/")
        assert authenticate(request, username=row["username"], password=row["password"]) is not None
