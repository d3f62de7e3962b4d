"""Shared fixtures: the plan's units, demo schools, the 17 key tasks, and personas.

``world`` builds the same units as the demo (the plan's bureaus and 12
fictional schools of all five types) and one person per role that tests need,
including an outsider: a handler of another school.
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import translation

from tests.factories import PASSWORD, expert, member
from workflows.demo import DEMO_SCHOOLS
from workflows.models import Role, Unit, UnitKind
from workflows.units import ensure_plan_units


def pytest_collection_modifyitems(config, items):
    """`services` tests need PostgreSQL + Redis; elsewhere they are skipped with the reason."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL + Redis (./test.sh runs them when 127.0.0.1:5432 and :6379 answer)"
    )
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_database_guards():
    """Transactional tests end with ``flush``, which empties every table (TRUNCATE on
    PostgreSQL, DELETE on SQLite): the database guards (workflows/dbguard.py) refuse
    that for the audit trail, issued documents and number counters. Only this flush,
    in the tests, runs with the guards lifted; ``manage.py flush`` stays refused."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from workflows import dbguard

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with dbguard.lifted():
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Counts in the shared cache (rate limits) start at zero in every test, also where the
    cache outlives the test's transaction (Redis, transactional tests)."""
    import uuid

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
    }


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in English activates English in the test thread (LocaleMiddleware does
    not deactivate it): start and end every test in the default language, Chinese."""
    translation.deactivate()
    yield
    translation.deactivate()


@dataclass
class World:
    leading_group: Unit
    office: Unit
    edu: Unit
    hrss: Unit
    finance: Unit
    ndrc: Unit
    school: Unit  # s01, 中职学校 (职业院校)
    other_school: Unit  # s02, 中职学校
    technical_school: Unit  # s06, 技工学校 (技工院校)
    # personas
    leader: object  # leading-group member
    office_handler: object
    office_head: object
    edu_handler: object
    edu_head: object
    edu_leader: object
    hrss_handler: object
    hrss_head: object
    hrss_leader: object
    finance_handler: object
    finance_head: object
    ndrc_handler: object
    school_handler: object
    school_head: object
    other_school_handler: object
    other_school_head: object
    technical_handler: object
    technical_head: object
    expert: object
    password: str = PASSWORD

    def unit(self, code: str) -> Unit:
        return Unit.objects.get(code=code)


def build_world() -> World:
    units = {u.code: u for u in ensure_plan_units()}
    for order, (code, name, school_type) in enumerate(DEMO_SCHOOLS, start=100):
        units[code], _ = Unit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "full_name": name,
                "kind": UnitKind.SCHOOL,
                "school_type": school_type,
                "sort_order": order,
            },
        )
    from docs_gen.demo import ensure_issuers
    from tasks_registry.services import registry_load

    registry_load()
    ensure_issuers()
    return World(
        leading_group=units["leading-group"],
        office=units["office"],
        edu=units["edu"],
        hrss=units["hrss"],
        finance=units["finance"],
        ndrc=units["ndrc"],
        school=units["s01"],
        other_school=units["s02"],
        technical_school=units["s06"],
        leader=member(units["leading-group"], Role.LEADER),
        office_handler=member(units["office"], Role.HANDLER),
        office_head=member(units["office"], Role.HEAD),
        edu_handler=member(units["edu"], Role.HANDLER),
        edu_head=member(units["edu"], Role.HEAD),
        edu_leader=member(units["edu"], Role.LEADER),
        hrss_handler=member(units["hrss"], Role.HANDLER),
        hrss_head=member(units["hrss"], Role.HEAD),
        hrss_leader=member(units["hrss"], Role.LEADER),
        finance_handler=member(units["finance"], Role.HANDLER),
        finance_head=member(units["finance"], Role.HEAD),
        ndrc_handler=member(units["ndrc"], Role.HANDLER),
        school_handler=member(units["s01"], Role.HANDLER),
        school_head=member(units["s01"], Role.HEAD),
        other_school_handler=member(units["s02"], Role.HANDLER),
        other_school_head=member(units["s02"], Role.HEAD),
        technical_handler=member(units["s06"], Role.HANDLER),
        technical_head=member(units["s06"], Role.HEAD),
        expert=expert("expert-a"),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def world_tx(transactional_db) -> World:
    """The same world for tests whose threads need committed data (PostgreSQL concurrency)."""
    return build_world()


@pytest.fixture
def login(client):
    """login(user) -> a test client signed in as ``user``."""

    def _login(user, c=None):
        c = c or client
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def on_postgresql():
    return connection.vendor == "postgresql"
