"""The dashboard's summary tables, kept by the database in the writing transaction.

The leading group's dashboard shows, for every task, its branches counted by light, and
the bureaus' and the ten lowest schools' on-time reporting rates. Grouping the branches
on every view reads every branch (13 632 at 800 schools); these two tables hold the
groups instead, so the dashboard reads a few hundred rows whatever the number of schools:

* ``BranchTally`` — branches counted by (supervision, state, due date, percent). A
  branch's light is a function of exactly these (and of the supervision's start date and
  today, applied when the dashboard reads: ``status.branch_light``), so the counts give
  the same lights as the branches themselves on every day. Kept by row triggers on
  ``Branch``: −1 on the old group, +1 on the new one.
* ``UnitTally`` — per unit, the reporting cycles due and reported on time over all its
  branches, as ``selectors.branch_statuses`` counts them, for the month in ``month``
  (a branch's figures depend on today only through the calendar month: cycles are
  calendar months from the dispatch month). A trigger marks a unit's row stale
  (``month`` NULL, ``version`` + 1) when one of its branches changes in what the figures
  read (state, done time, cycles reported, last cycle, unit, supervision) or when a
  supervision's start date or cycle length changes; the dashboard recomputes the stale
  rows — one unit's ≤ 17 branches after a report, every unit on the first view of a
  month — and writes them back only if ``version`` has not moved since it read them
  (``selectors.refresh_unit_tallies``), so a write committed meanwhile is never hidden.

Triggers: on PostgreSQL django-pgtrigger's (``branch_triggers``, ``supervision_triggers``
in the models' ``Meta.triggers``, installed by the migrations); on SQLite the same rules
as plain triggers (``install_sqlite_triggers``), created by the migration and again after
every ``migrate`` if SQLite dropped them with a table rebuild — then the tables are built
again from the branches (``rebuild``). Writes of one supervision's branches already
queue on its process lock, so the counter rows they share add no waiting of their own.
"""

# ruff: noqa: S608 -- the SQL here is built from this module's table and column names only

from __future__ import annotations

import pgtrigger
from django.db import connections

BRANCH = "tasks_registry_branch"
SUPERVISION = "tasks_registry_supervision"
LIGHTS = "tasks_registry_branchtally"
UNITS = "tasks_registry_unittally"

LIGHT_COLUMNS = ("supervision_id", "state", "due", "percent")
RATE_COLUMNS = (
    "unit_id",
    "supervision_id",
    "state",
    "done_at",
    "cycles_reported",
    "last_report_cycle",
)
SUPERVISION_COLUMNS = ("start_date", "cycle_months")


def _changed(columns, distinct="IS DISTINCT FROM") -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _count(row: str, delta: int) -> str:
    """The statement adding ``delta`` to the light group of ``row`` (NEW or OLD)."""
    if delta < 0:
        where = " AND ".join(f"{c} = {row}.{c}" for c in LIGHT_COLUMNS)
        return f"UPDATE {LIGHTS} SET n = n - 1 WHERE {where};"
    cols = ", ".join(LIGHT_COLUMNS)
    values = ", ".join(f"{row}.{c}" for c in LIGHT_COLUMNS)
    return (
        f"INSERT INTO {LIGHTS} ({cols}, n) VALUES ({values}, 1) "
        f"ON CONFLICT ({cols}) DO UPDATE SET n = {LIGHTS}.n + 1;"
    )


def _stale(row: str, *, insert: bool) -> str:
    """The statement marking the unit of ``row`` stale (creating its row when ``insert``)."""
    if insert:
        return (
            f"INSERT INTO {UNITS} (unit_id, month, version, cycles_due, cycles_on_time) "
            f"VALUES ({row}.unit_id, NULL, 1, 0, 0) "
            f"ON CONFLICT (unit_id) DO UPDATE SET month = NULL, version = {UNITS}.version + 1;"
        )
    return f"UPDATE {UNITS} SET month = NULL, version = version + 1 WHERE unit_id = {row}.unit_id;"


def _forget_if_none(row: str) -> str:
    """A unit left without branches has no rates: its row goes."""
    return (
        f"DELETE FROM {UNITS} WHERE unit_id = {row}.unit_id AND NOT EXISTS "
        f"(SELECT 1 FROM {BRANCH} WHERE unit_id = {row}.unit_id);"
    )


# --- PostgreSQL -----------------------------------------------------------------------


def branch_triggers() -> list[pgtrigger.Trigger]:
    return [
        pgtrigger.Trigger(
            name="tally_branch_insert",
            when=pgtrigger.After,
            operation=pgtrigger.Insert,
            func=f"{_count('NEW', 1)} {_stale('NEW', insert=True)} RETURN NULL;",
        ),
        pgtrigger.Trigger(
            name="tally_branch_update",
            when=pgtrigger.After,
            operation=pgtrigger.Update,
            condition=pgtrigger.Condition(_changed(sorted({*LIGHT_COLUMNS, *RATE_COLUMNS}))),
            func=(
                f"IF {_changed(LIGHT_COLUMNS)} THEN {_count('OLD', -1)} {_count('NEW', 1)} END IF; "
                f"IF {_changed(RATE_COLUMNS)} THEN {_stale('NEW', insert=True)} "
                f"IF OLD.unit_id <> NEW.unit_id THEN {_stale('OLD', insert=False)} "
                f"{_forget_if_none('OLD')} END IF; END IF; RETURN NULL;"
            ),
        ),
        pgtrigger.Trigger(
            name="tally_branch_delete",
            when=pgtrigger.After,
            operation=pgtrigger.Delete,
            func=(
                f"{_count('OLD', -1)} {_stale('OLD', insert=False)} {_forget_if_none('OLD')} "
                "RETURN NULL;"
            ),
        ),
    ]


def _supervision_stale() -> str:
    return (
        f"UPDATE {UNITS} SET month = NULL, version = version + 1 WHERE unit_id IN "
        f"(SELECT unit_id FROM {BRANCH} WHERE supervision_id = NEW.id);"
    )


def supervision_triggers() -> list[pgtrigger.Trigger]:
    return [
        pgtrigger.Trigger(
            name="tally_supervision_update",
            when=pgtrigger.After,
            operation=pgtrigger.Update,
            condition=pgtrigger.Condition(_changed(SUPERVISION_COLUMNS)),
            func=f"{_supervision_stale()} RETURN NULL;",
        )
    ]


# --- SQLite ---------------------------------------------------------------------------

SQLITE_TRIGGERS = {
    # name: (event, WHEN condition or "", body)
    "zhiji_tally_branch_insert": (
        f"AFTER INSERT ON {BRANCH}",
        "",
        f"{_count('NEW', 1)} {_stale('NEW', insert=True)}",
    ),
    "zhiji_tally_branch_lights": (
        f"AFTER UPDATE ON {BRANCH}",
        _changed(LIGHT_COLUMNS, "IS NOT"),
        f"{_count('OLD', -1)} {_count('NEW', 1)}",
    ),
    "zhiji_tally_branch_rates": (
        f"AFTER UPDATE ON {BRANCH}",
        _changed(RATE_COLUMNS, "IS NOT"),
        f"{_stale('NEW', insert=True)} {_stale('OLD', insert=False)} {_forget_if_none('OLD')}",
    ),
    "zhiji_tally_branch_delete": (
        f"AFTER DELETE ON {BRANCH}",
        "",
        f"{_count('OLD', -1)} {_stale('OLD', insert=False)} {_forget_if_none('OLD')}",
    ),
    "zhiji_tally_supervision": (
        f"AFTER UPDATE ON {SUPERVISION}",
        _changed(SUPERVISION_COLUMNS, "IS NOT"),
        _supervision_stale(),
    ),
}


def _connection(schema_editor_or_connection):
    if hasattr(schema_editor_or_connection, "vendor"):
        return schema_editor_or_connection
    return schema_editor_or_connection.connection


def install_sqlite_triggers(schema_editor_or_connection) -> bool:
    """Create the SQLite triggers that are missing; True if any was (the tables are then
    built again from the branches, which may have changed while it was missing)."""
    connection = _connection(schema_editor_or_connection)
    if connection.vendor != "sqlite":
        return False
    tables = set(connection.introspection.table_names())
    if not {BRANCH, SUPERVISION, LIGHTS, UNITS} <= tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        existing = {row[0] for row in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in existing]
        for name in missing:
            event, condition, body = SQLITE_TRIGGERS[name]
            when = f"WHEN {condition} " if condition else ""
            cursor.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW {when}BEGIN {body} END")
    if missing:
        rebuild(connection)
    return bool(missing)


def drop_sqlite_triggers(schema_editor_or_connection) -> None:
    connection = _connection(schema_editor_or_connection)
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def reinstall_after_migrate(sender, using="default", **kwargs):
    install_sqlite_triggers(connections[using])


def rebuild(schema_editor_or_connection=None) -> None:
    """Both tables built again from the branches (the migration; SQLite after its triggers
    were dropped). The unit rows start stale: the dashboard computes them."""
    connection = _connection(schema_editor_or_connection or connections["default"])
    cols = ", ".join(LIGHT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LIGHTS}")
        cursor.execute(
            f"INSERT INTO {LIGHTS} ({cols}, n) SELECT {cols}, COUNT(*) FROM {BRANCH} "
            f"GROUP BY {cols}"
        )
        cursor.execute(f"DELETE FROM {UNITS}")
        cursor.execute(
            f"INSERT INTO {UNITS} (unit_id, version, cycles_due, cycles_on_time) "
            f"SELECT DISTINCT unit_id, 1, 0, 0 FROM {BRANCH}"
        )


def migration_operations():
    """The SQLite triggers and the first fill of the tables (PostgreSQL's triggers come
    from pgtrigger's own AddTrigger operations)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if not install_sqlite_triggers(schema_editor):
            rebuild(schema_editor)

    def backwards(apps, schema_editor):
        drop_sqlite_triggers(schema_editor)

    return [migrations.RunPython(forwards, backwards)]
