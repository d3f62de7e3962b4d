"""Shared fixtures: the plan's units, demo schools, the 17 key tasks, and personas.

``world`` holds the same units as the demo (the plan's bureaus and 12
fictional schools of all five types) and one person per role that tests need,
including an outsider: a handler of another school.

The world is built once per test database (per xdist worker), committed right after
the database is created (``django_db_setup``): each ``db`` test's transaction rolls
back to it. A transactional test ends with a flush that empties every table; the
next test that asks for the world finds it built again (committed, before its
transaction begins). ``world`` and ``world_tx`` hand each test fresh model instances,
fetched by primary key: tests change instances, and ``workflows.access`` caches
memberships on the user object.
"""

from dataclasses import dataclass, fields

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation

from tests.factories import PASSWORD, expert, member
from workflows.demo import DEMO_SCHOOLS
from workflows.models import Role, Unit, UnitKind
from workflows.units import ensure_plan_units

# Tests that run once, in the SQLite pass (marked `once`; test.sh's PostgreSQL pass runs
# `-m "not once"`). A test runs once when what it asserts does not depend on the database
# engine: a test that asks for no database at all (pure functions, PDF layout, settings,
# static files, catalogues, setup.sh, embedded-mode subprocesses that pick their own
# database), and the modules below, which use the database only to set up the pages whose
# text or pixels they check. Everything else runs in both passes: whatever goes through
# the ORM, locks, triggers, migrations or raw SQL, the fuzz (NUL bytes and 2**70 ids are
# refused differently by the two engines), and every `services` test runs on PostgreSQL.
ONCE_MODULES = {
    # browser: widths, pixels and clicks through the pages; the requests they make are
    # tested on both engines through the test client (tests/approvals, tests/tasks_registry)
    "tests/e2e/",
    # the English and Chinese catalogues: page text, not queries
    "tests/workflows/test_english.py",
    "tests/workflows/test_translation.py",
    # the demo loaders: what they assert is the demo's content (every state, idempotent);
    # on PostgreSQL the whole demo is loaded by the production smoke test
    # (tests/services/test_production_smoke.py) and its pages served
    "tests/workflows/test_demo.py",
    "tests/approvals/test_demo.py",
    "tests/approvals/pilot_selection/test_demo.py",
    "tests/approvals/promotion/test_demo.py",
    "tests/approvals/subsidies/test_demo.py",
    "tests/tasks_registry/test_supervision_demo.py",
}
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "_django_db_helper",
}


def runs_once(item) -> bool:
    """Whether ``item`` runs only in the SQLite pass (see ONCE_MODULES)."""
    if item.get_closest_marker("services"):
        return False
    path = item.nodeid.split("::", 1)[0]
    if path.startswith(tuple(ONCE_MODULES)):
        return True
    uses_database = item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )
    return not uses_database


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    """`once` on the tests that run in the SQLite pass only (ONCE_MODULES); `services`
    tests need PostgreSQL + Redis: elsewhere they are skipped with the reason."""
    from django.conf import settings

    once = pytest.mark.once
    for item in items:
        if runs_once(item):
            item.add_marker(once)
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL + Redis (./test.sh runs them when 127.0.0.1:5432 and :6379 answer)"
    )
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


# The tests that take longest (seconds of wall time measured in ./test.sh's passes, 2
# workers on 2 cores): they start processes (gunicorn, Celery workers, the embedded mode),
# a browser, or sweep every URL. xdist's worksteal hands each worker a contiguous share of
# the collection and lets a worker that runs dry steal from the end of another's; with a
# long test late in a share, the other worker idles while it runs (13 s of the PostgreSQL
# pass's 170 s). So each share begins with its part of these, spread longest first to the
# least loaded share, and the short tests follow: whatever is stolen at the end is short.
# A test missing here is only scheduled less well; the figures need not be exact.
LONG_TESTS = {
    "tests/services/test_production_smoke.py": 40,
    "tests/e2e/test_phone_widths.py": 28,
    "tests/docs_gen/test_worker.py::test_a_worker_killed": 12,
    "tests/docs_gen/test_worker.py": 10,
    "tests/test_fuzz.py::test_every_url_pattern": 15,
    "tests/test_fuzz.py": 5,
    "tests/services/test_two_machines.py": 14,
    "tests/workflows/test_shared_cache.py::test_the_count_survives": 14,
    "tests/docs_gen/test_concurrency.py": 14,
    "tests/services/test_rate_limits_across_processes.py": 10,
    "tests/e2e/test_promotion_panel.py": 12,
    "tests/e2e/": 8,
    "tests/services/test_backup_restore.py::test_a_backup_restores": 9,
    "tests/approvals/pilot_selection/test_demo.py": 10,
    "tests/tasks_registry/test_supervision_demo.py": 5,
}


def _expected_seconds(item) -> float:
    """The longest-matching LONG_TESTS entry's figure for ``item``, 0 for a short test."""
    matches = [prefix for prefix in LONG_TESTS if item.nodeid.startswith(prefix)]
    return LONG_TESTS[max(matches, key=len)] if matches else 0


class _LongTestsFirst:
    """Orders the collection, after ``-m`` and ``-k`` have deselected, for xdist's
    worksteal (see LONG_TESTS). Every worker collects and orders alike: the order depends
    on nothing but the items and the number of workers."""

    @pytest.hookimpl(wrapper=True)
    def pytest_collection_modifyitems(self, config, items):
        result = yield
        import os

        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        if workers < 2 or len(items) < 2 * workers:
            return result
        seconds = {id(item): _expected_seconds(item) for item in items}
        long = sorted((i for i in items if seconds[id(i)]), key=lambda i: seconds[id(i)])
        short = [i for i in items if not seconds[id(i)]]
        # the shares worksteal sends: len(pending) // nodes_remaining, share by share
        sizes, left = [], len(items)
        for remaining in range(workers, 0, -1):
            sizes.append(left // remaining)
            left -= sizes[-1]
        heads: list[list] = [[] for _ in range(workers)]
        loads = [0.0] * workers
        for item in reversed(long):  # longest first, to the least loaded share with room
            room = [w for w in range(workers) if len(heads[w]) < sizes[w]]
            w = min(room, key=lambda w: loads[w])
            heads[w].append(item)
            loads[w] += seconds[id(item)]
        position = {id(item): n for n, item in enumerate(items)}
        ordered = []
        for w in range(workers):
            # in collection order within a share: a module's tests stay together (its
            # module-scoped fixtures, a browser, are set up once per share)
            heads[w].sort(key=lambda item: position[id(item)])
            take = sizes[w] - len(heads[w])
            ordered += heads[w] + short[:take]
            short = short[take:]
        items[:] = ordered
        return result


def pytest_configure(config):
    config.pluginmanager.register(_LongTestsFirst(), "zhiji-long-tests-first")


# database name -> {guarded table: it and the tables referring to it, transitively}
_TRUNCATED: dict[str, dict[str, frozenset[str]]] = {}


def _cheap_postgresql_flush(connection, sql_list: list[str]) -> list[str]:
    """Django's flush on PostgreSQL as ``TRUNCATE`` of the few tables that need it and
    ``DELETE`` of the rest, in the same transaction: the same empty tables in a fraction
    of the time (a TRUNCATE gives each table and index a new file: 0.36 s for all 77
    tables, after every transactional test, ~45 per pass). TRUNCATE stays for a guarded
    table that holds rows (its row guards refuse DELETE, workflows/dbguard.py; its
    TRUNCATE guard is lifted for this flush), with every table that refers to it by a
    foreign key (TRUNCATE refuses to leave such a reference behind): the audit trail and
    the number counters alone, the issued documents with the 32 tables that refer to
    them, only where the test issued one. Django's foreign keys are deferred, so the
    DELETEs need no order. Any other statement list is left as Django wrote it."""
    import re

    from workflows.dbguard import TRUNCATE_GUARDS

    if len(sql_list) != 1 or not (match := re.fullmatch(r"TRUNCATE (.+);", sql_list[0])):
        return sql_list
    tables = re.findall(r'"([^"]+)"', match.group(1))
    key = connection.settings_dict["NAME"]
    quote = connection.ops.quote_name
    if key not in _TRUNCATED:
        from django.apps import apps

        guarded = {apps.get_model(spec.split(":", 1)[0])._meta.db_table for spec in TRUNCATE_GUARDS}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text "
                "FROM pg_constraint c WHERE c.contype = 'f'"
            )
            references = [(a.strip('"'), b.strip('"')) for a, b in cursor.fetchall()]
        _TRUNCATED[key] = {}
        for table in sorted(guarded):
            closure, grew = {table}, True
            while grew:
                more = {a for a, b in references if b in closure} - closure
                closure |= more
                grew = bool(more)
            _TRUNCATED[key][table] = frozenset(closure)
    guarded = [t for t in _TRUNCATED[key] if t in tables]
    holding = []
    if guarded:
        with connection.cursor() as cursor:
            held = ", ".join(f"EXISTS (SELECT 1 FROM {quote(t)})" for t in guarded)  # noqa: S608
            cursor.execute(f"SELECT {held}")
            holding = [t for t, rows in zip(guarded, cursor.fetchone(), strict=True) if rows]
    must = set().union(*(_TRUNCATED[key][t] for t in holding))
    truncate = [t for t in tables if t in must]
    statements = [f"TRUNCATE {', '.join(quote(t) for t in truncate)};"] if truncate else []
    # table names from Django's own statement, quoted
    deletes = [f"DELETE FROM {quote(t)};" for t in tables if t not in must]  # noqa: S608
    return statements + deletes


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_database_guards():
    """Transactional tests end with ``flush``, which empties every table (DELETE on
    SQLite; on PostgreSQL mostly DELETE too, see ``_cheap_postgresql_flush``): the
    database guards (workflows/dbguard.py) refuse that for the audit trail, issued
    documents and number counters. Only this flush,
    in the tests, runs with the guards lifted; ``manage.py flush`` stays refused."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from workflows import dbguard

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        _WORLD.maybe_gone = True  # every table is emptied, the world with them
        if self.connection.vendor == "postgresql":
            sql_list = _cheap_postgresql_flush(self.connection, sql_list)
        with dbguard.lifted():
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
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


class _WorldState:
    """Where this process's world is: the primary keys of its units and personas."""

    def __init__(self):
        self.blocker = None  # pytest-django's database blocker, once the test DB exists
        self.units: dict[str, tuple[int, str]] = {}  # World field -> (pk, code)
        self.users: dict[str, tuple[int, str]] = {}  # World field -> (pk, username)
        self.maybe_gone = False  # set by a flush: look before handing the world out
        self.builds = 0
        self.restores = 0
        self.snapshot: list[tuple[str, object]] = []  # (table, its copy): take_snapshot
        self.sequence_resets: list[str] = []  # the snapshot's tables' sequences past its keys

    def build(self) -> None:
        """Build the world (idempotent) in one transaction and note its keys."""
        # the hasher the tests use (_fast_and_isolated): a login must check these passwords
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
            world = build_world()
        self.builds += 1
        self.units, self.users = {}, {}
        for field in fields(World):
            value = getattr(world, field.name)
            if isinstance(value, Unit):
                self.units[field.name] = (value.pk, value.code)
            elif field.name != "password":
                self.users[field.name] = (value.pk, value.username)
        self.maybe_gone = False

    def fetch(self) -> World | None:
        """Fresh instances of the world's units and personas (two queries), or None when
        the database no longer holds them."""
        from django.contrib.auth import get_user_model

        if not self.units:
            return None
        units = Unit.objects.in_bulk([pk for pk, _ in self.units.values()])
        users = get_user_model().objects.in_bulk([pk for pk, _ in self.users.values()])
        values = {}
        for name, (pk, code) in self.units.items():
            if pk not in units or units[pk].code != code:
                return None
            values[name] = units[pk]
        for name, (pk, username) in self.users.items():
            if pk not in users or users[pk].username != username:
                return None
            values[name] = users[pk]
        return World(**values)

    def get(self) -> World:
        """The world for the running test: fetched, or built again where a flush emptied
        it. Inside a ``db`` test's transaction a rebuild is rolled back with the test (the
        next test builds it again); pytest_runtest_setup rebuilds it committed first."""
        world = self.fetch()
        if world is None:
            self.restore_or_build()
            # built inside the test's transaction: it goes with the rollback
            self.maybe_gone = connection.in_atomic_block
            world = self.fetch()
        return world

    def ensure_committed(self) -> None:
        """Before a test that uses the world begins its transaction: build the world
        again, committed, if a flush emptied the database."""
        if not self.maybe_gone or self.blocker is None:
            return
        with self.blocker.unblock():
            if self.fetch() is None:
                self.restore_or_build()
            self.maybe_gone = False

    def take_snapshot(self) -> None:
        """Every row of the freshly built database (what migrate and its signals wrote,
        and the world), table by table: on PostgreSQL as ``COPY`` data, on SQLite in a
        TEMP table. Taken once, committed, right after the first build."""
        from django.core.management.color import no_style

        quote = connection.ops.quote_name
        tables = connection.introspection.django_table_names(include_views=False)
        self.snapshot = []
        with connection.cursor() as cursor:
            for table in sorted(tables):
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                        data = b"".join(bytes(chunk) for chunk in copy)
                    if data:
                        self.snapshot.append((table, data))
                    continue
                # a TEMP table of this connection: the rows exactly as stored, out of the
                # flush's reach (gone with the connection: then the world is built)
                copy_name = quote(f"world_{table}")
                cursor.execute(f"DROP TABLE IF EXISTS temp.{copy_name}")
                cursor.execute(f"CREATE TEMP TABLE {copy_name} AS SELECT * FROM {quote(table)}")  # noqa: S608
                cursor.execute(f"SELECT count(*) FROM temp.{copy_name}")  # noqa: S608
                if cursor.fetchone()[0]:
                    self.snapshot.append((table, copy_name))
        models = connection.introspection.installed_models([t for t, _ in self.snapshot])
        self.sequence_resets = connection.ops.sequence_reset_sql(no_style(), models)

    def restore_or_build(self) -> None:
        """The world back after a flush: the snapshot's rows written again, with their
        primary keys (0.003 s instead of a build's 0.13 s on SQLite, 0.03–0.06 s instead
        of 0.26–0.6 s on PostgreSQL, ~45 times a pass). The flush's own signals have written content
        types and permissions again, under new keys: those tables are emptied first.
        Where that cannot be done (a guarded table not empty), the world is built."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import DatabaseError

        from workflows import dbguard

        if not self.snapshot:
            self.build()
            return
        quote = connection.ops.quote_name
        try:
            with transaction.atomic(), dbguard.lifted(), connection.cursor() as cursor:
                for table, data in self.snapshot:
                    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 (Django's tables)
                    if connection.vendor == "postgresql":
                        with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                            copy.write(data)
                        continue
                    cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM temp.{data}")  # noqa: S608
                for statement in self.sequence_resets:
                    cursor.execute(statement)
        except DatabaseError:
            self.build()
            return
        finally:
            ContentType.objects.clear_cache()  # its keys are the snapshot's again
        self.restores += 1
        self.maybe_gone = False


_WORLD = _WorldState()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the world built in it once, committed."""
    with django_db_blocker.unblock():
        _WORLD.build()
        _WORLD.take_snapshot()
    _WORLD.blocker = django_db_blocker


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Runs before the test's fixtures: a ``db`` test's transaction has not begun yet, so
    a world emptied by the previous transactional test is built again committed, once."""
    if {"world", "world_tx"} & set(getattr(item, "fixturenames", ())):
        _WORLD.ensure_committed()


@pytest.fixture
def world(db) -> World:
    return _WORLD.get()


@pytest.fixture
def world_tx(transactional_db) -> World:
    """The same world for tests whose threads need committed data (PostgreSQL concurrency)."""
    return _WORLD.get()


@pytest.fixture
def no_world(db):
    """An empty database, for tests of what a loader creates from nothing: the world is
    deleted inside the test's transaction and comes back with its rollback."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from docs_gen.models import Issuer
    from tasks_registry.models import KeyTask

    KeyTask.objects.all().delete()
    Issuer.objects.all().delete()
    get_user_model().objects.all().delete()
    Unit.objects.all().delete()
    Group.objects.all().delete()


@pytest.fixture
def tasks_to_the_broker(settings, monkeypatch):
    """Celery sends this test's tasks to the broker instead of running them eagerly, and is
    eager again afterwards. Celery's ``app.conf`` falls back to the Django setting, so it is
    patched first: patched after ``settings.CELERY_TASK_ALWAYS_EAGER = False``, the undo
    would record and restore that False, and every later test in the process would queue
    its PDFs to a broker no worker reads."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return app


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
