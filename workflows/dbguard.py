"""Database-level guards: what the ORM and the admin refuse, the database refuses too.

The audit trail is append-only, an issued or revoked official document is kept, and a
number counter is never deleted or lowered. The models refuse this in Python; the
triggers below refuse it in the database, whatever the route: ``_base_manager``, a
``save()`` after resetting ``_state.adding``, raw SQL, the admin, a stray script.

* PostgreSQL: django-pgtrigger triggers, declared in each model's ``Meta.triggers``
  (:class:`Refuse`) and installed by the migrations. Each raises SQLSTATE 23001
  (``restrict_violation``), which Django reports as ``IntegrityError``.
* SQLite: the same rules as plain triggers (``BEFORE UPDATE/DELETE … RAISE(ABORT, …)``),
  created by a migration (:func:`install_sqlite_triggers`) and again after every
  ``migrate`` (SQLite rebuilds a table on most ``ALTER TABLE``, which drops its
  triggers). SQLite has no TRUNCATE.

On PostgreSQL the row guards (UPDATE, DELETE) have no escape hatch: only the table's
owner can disable or drop them, and the application role owns nothing (README, "An
application role without DDL rights"). The TRUNCATE guards are plain pgtrigger
triggers: ``pgtrigger.ignore`` — a session variable any session may set — lifts them,
which the test suite's flush uses; what stops a hostile session there is that the
application role has no TRUNCATE privilege.

On SQLite (the embedded single-user mode) the escape hatch is :func:`lifted`, which
makes the SQL function ``zhiji_guard_lifted()`` that the triggers call answer 1 in
this thread; it cannot be set from SQL. Only the test suite's flush uses it.
"""

from __future__ import annotations

import contextlib
import threading

import pgtrigger
from django.db import connections
from django.db.backends.signals import connection_created
from pgtrigger import compiler

RESTRICT_VIOLATION = "23001"
SQLITE_LIFTED_FUNCTION = "zhiji_guard_lifted"

_state = threading.local()


class GuardTriggerSql(compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without its ``pgtrigger.ignore`` check.

    pgtrigger's own template starts every trigger function with "return at once if the
    session variable ``pgtrigger.ignore`` names this trigger", and any session may set
    that variable. A row guard must not have such a door: only the table's owner can
    switch it off (``ALTER TABLE … DISABLE TRIGGER``). Migrations refer to this class:
    like pgtrigger's template, never edit it in place; add a new class if it must change.
    """

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


class Refuse(pgtrigger.Trigger):
    """A BEFORE trigger that refuses the operation with ``message`` (PostgreSQL).

    A row-level one (UPDATE/DELETE) refuses when ``condition`` holds (always, without
    one) and honours no session variable (:class:`GuardTriggerSql`). A statement-level
    one refuses TRUNCATE and is a plain pgtrigger trigger, so ``pgtrigger.ignore`` can
    lift it for the test flush; against a hostile session the missing TRUNCATE
    privilege is the guard (README).
    """

    when = pgtrigger.Before

    def __init__(self, *, message: str, **kwargs):
        if "'" in message or "%" in message:
            raise ValueError("the message is put into SQL as it is: no quote, no %")
        self.message = message
        super().__init__(**kwargs)

    def get_func(self, model):
        return (
            f"RAISE EXCEPTION 'zhiji: {self.message} (% on %)', TG_OP, TG_TABLE_NAME "
            f"USING ERRCODE = '{RESTRICT_VIOLATION}';"
        )

    def compile(self, model):
        if self.level == pgtrigger.Statement:
            return super().compile(model)
        return compiler.Trigger(
            name=self.name,
            sql=GuardTriggerSql(
                pgid=self.get_pgid(model),
                declare=self.render_declare(model),
                func=self.render_func(model),
                table=model._meta.db_table,
                when=self.when,
                operation=self.operation,
                level=self.level,
                condition=self.render_condition(model),
                execute=self.render_execute(model),
            ),
        )


# --- the rules ------------------------------------------------------------------------

AUDIT_APPEND_ONLY = "the audit trail is append-only"
DOCUMENT_KEPT = "an issued or revoked official document is kept"
DOCUMENT_FROZEN = "an issued or revoked official document keeps its number and status"
COUNTER_KEPT = "a document number counter is never deleted"
COUNTER_NEVER_LOWERED = "a document number counter is never lowered or moved"

ISSUED_STATES = ("issued", "revoked")  # docs_gen.models.DocumentStatus.ISSUED / REVOKED


def audit_triggers() -> list[pgtrigger.Trigger]:
    return [
        Refuse(
            name="audit_append_only",
            operation=pgtrigger.Update | pgtrigger.Delete,
            message=AUDIT_APPEND_ONLY,
        ),
        Refuse(
            name="audit_no_truncate",
            level=pgtrigger.Statement,
            operation=pgtrigger.Truncate,
            message=AUDIT_APPEND_ONLY,
        ),
    ]


def document_triggers() -> list[pgtrigger.Trigger]:
    issued = pgtrigger.Q(old__status__in=ISSUED_STATES)
    moved = (
        ~pgtrigger.Q(new__status__in=ISSUED_STATES)
        | pgtrigger.Q(old__status="revoked", new__status="issued")
        | pgtrigger.Q(old__issuer_id__df=pgtrigger.F("new__issuer_id"))
        | pgtrigger.Q(old__series__df=pgtrigger.F("new__series"))
        | pgtrigger.Q(old__year__df=pgtrigger.F("new__year"))
        | pgtrigger.Q(old__serial__df=pgtrigger.F("new__serial"))
        | pgtrigger.Q(old__number__df=pgtrigger.F("new__number"))
        | pgtrigger.Q(old__verification_code__df=pgtrigger.F("new__verification_code"))
    )
    return [
        Refuse(
            name="document_issued_kept",
            operation=pgtrigger.Delete,
            condition=issued,
            message=DOCUMENT_KEPT,
        ),
        Refuse(
            name="document_issued_frozen",
            operation=pgtrigger.Update,
            condition=issued & moved,
            message=DOCUMENT_FROZEN,
        ),
        Refuse(
            name="document_no_truncate",
            level=pgtrigger.Statement,
            operation=pgtrigger.Truncate,
            message=DOCUMENT_KEPT,
        ),
    ]


def counter_triggers() -> list[pgtrigger.Trigger]:
    return [
        Refuse(name="counter_kept", operation=pgtrigger.Delete, message=COUNTER_KEPT),
        Refuse(
            name="counter_never_lowered",
            operation=pgtrigger.Update,
            condition=(
                pgtrigger.Q(new__last__lt=pgtrigger.F("old__last"))
                | pgtrigger.Q(old__issuer_id__df=pgtrigger.F("new__issuer_id"))
                | pgtrigger.Q(old__series__df=pgtrigger.F("new__series"))
                | pgtrigger.Q(old__year__df=pgtrigger.F("new__year"))
            ),
            message=COUNTER_NEVER_LOWERED,
        ),
        Refuse(
            name="counter_no_truncate",
            level=pgtrigger.Statement,
            operation=pgtrigger.Truncate,
            message=COUNTER_KEPT,
        ),
    ]


# the TRUNCATE guards, the only ones pgtrigger.ignore can lift
TRUNCATE_GUARDS = (
    "workflows.AuditEntry:audit_no_truncate",
    "docs_gen.OfficialDocument:document_no_truncate",
    "docs_gen.NumberCounter:counter_no_truncate",
)


# --- SQLite ---------------------------------------------------------------------------

_ISSUED_SQL = "OLD.status IN ('issued', 'revoked')"
_NOT_LIFTED = f"NOT {SQLITE_LIFTED_FUNCTION}()"


def _moved(columns) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


SQLITE_TRIGGERS = {
    # name: (timing and event on table, WHEN condition, message)
    "zhiji_audit_no_update": (
        "BEFORE UPDATE ON workflows_auditentry",
        _NOT_LIFTED,
        AUDIT_APPEND_ONLY,
    ),
    "zhiji_audit_no_delete": (
        "BEFORE DELETE ON workflows_auditentry",
        _NOT_LIFTED,
        AUDIT_APPEND_ONLY,
    ),
    "zhiji_document_issued_kept": (
        "BEFORE DELETE ON docs_gen_officialdocument",
        f"{_ISSUED_SQL} AND {_NOT_LIFTED}",
        DOCUMENT_KEPT,
    ),
    "zhiji_document_issued_frozen": (
        "BEFORE UPDATE ON docs_gen_officialdocument",
        f"{_ISSUED_SQL} AND (NEW.status NOT IN ('issued', 'revoked')"
        " OR (OLD.status = 'revoked' AND NEW.status = 'issued') OR "
        + _moved(["issuer_id", "series", "year", "serial", "number", "verification_code"])
        + f") AND {_NOT_LIFTED}",
        DOCUMENT_FROZEN,
    ),
    "zhiji_counter_kept": (
        "BEFORE DELETE ON docs_gen_numbercounter",
        _NOT_LIFTED,
        COUNTER_KEPT,
    ),
    "zhiji_counter_never_lowered": (
        "BEFORE UPDATE ON docs_gen_numbercounter",
        "(NEW.last < OLD.last OR "
        + _moved(["issuer_id", "series", "year"])
        + f") AND {_NOT_LIFTED}",
        COUNTER_NEVER_LOWERED,
    ),
}


def _sqlite_lifted() -> int:
    return 1 if getattr(_state, "lifted", 0) else 0


def register_sqlite_function(sender=None, connection=None, **kwargs):
    """Every SQLite connection gets ``zhiji_guard_lifted()`` (0 unless :func:`lifted`).

    A connection without it (the ``sqlite3`` shell) fails the guarded statements with
    "no such function": the guard stays closed.
    """
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LIFTED_FUNCTION, 0, _sqlite_lifted)


def connect_signals():
    connection_created.connect(register_sqlite_function, dispatch_uid="zhiji-dbguard-sqlite")
    # connections opened before the app registry was ready
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "sqlite" and conn.connection is not None:
            register_sqlite_function(connection=conn)


def _wrapper(schema_editor_or_connection):
    """Django's connection, from a schema editor or the connection itself."""
    if hasattr(schema_editor_or_connection, "vendor"):
        return schema_editor_or_connection
    return schema_editor_or_connection.connection


def _sqlite_triggers(tables):
    for name, (event, condition, message) in SQLITE_TRIGGERS.items():
        table = event.rsplit(" ", 1)[-1]
        if tables is None or table in tables:
            yield name, table, event, condition, message


def install_sqlite_triggers(schema_editor_or_connection, tables=None) -> None:
    """Create the SQLite triggers that are missing (idempotent), on ``tables`` or all."""
    connection = _wrapper(schema_editor_or_connection)
    if connection.vendor != "sqlite":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for name, table, event, condition, message in _sqlite_triggers(tables):
            if table in existing:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} {event} FOR EACH ROW "
                    f"WHEN {condition} BEGIN SELECT RAISE(ABORT, 'zhiji: {message}'); END"
                )


def drop_sqlite_triggers(schema_editor_or_connection, tables=None) -> None:
    connection = _wrapper(schema_editor_or_connection)
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name, *_ in _sqlite_triggers(tables):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def reinstall_after_migrate(sender, using="default", **kwargs):
    install_sqlite_triggers(connections[using])


# --- the escape hatch -----------------------------------------------------------------


@contextlib.contextmanager
def lifted():
    """Lift the guards in this thread, for emptying the whole database (``flush``):
    on PostgreSQL the TRUNCATE guards (flush truncates; the row guards cannot be
    lifted), on SQLite the DELETE/UPDATE guards (flush deletes).

    Not for application code: nothing in the project calls it outside the test
    configuration. See the module docstring for what it does and does not protect.
    """
    previous = getattr(_state, "lifted", 0)
    _state.lifted = previous + 1
    try:
        with pgtrigger.ignore(*TRUNCATE_GUARDS):
            yield
    finally:
        _state.lifted = previous


def sqlite_triggers_operation(tables):
    """The migration operation that gives SQLite the same rules as the pgtrigger triggers
    (PostgreSQL gets those from pgtrigger's own AddTrigger operations)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            install_sqlite_triggers(schema_editor, tables)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            drop_sqlite_triggers(schema_editor, tables)

    return migrations.RunPython(forwards, backwards)
