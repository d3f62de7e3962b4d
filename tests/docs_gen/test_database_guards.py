"""The database itself refuses what the models and the admin refuse (workflows/dbguard.py).

Every attempt runs in its own atomic block, so after the refusal the test goes on and
checks that nothing changed. The tests without a marker run on SQLite and, in the
PostgreSQL pass, on PostgreSQL; TRUNCATE exists only on PostgreSQL (``services``).
"""

import contextlib

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction

from docs_gen import services
from docs_gen.models import DocumentStatus, NumberCounter, OfficialDocument
from tests.docs_gen.conftest import BODY
from workflows import dbguard
from workflows.models import AuditEntry
from workflows.services import audit_record

pytestmark = pytest.mark.django_db

AUDIT = "audit trail is append-only"
KEPT = "issued or revoked official document is kept"
FROZEN = "keeps its number and status"
COUNTER_KEPT = "counter is never deleted"
COUNTER_LOWERED = "counter is never lowered"


@contextlib.contextmanager
def refused(message):
    """The trigger's refusal, in a savepoint so that the test goes on after it."""
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        yield


def pending_checks_done():
    """Run the deferred foreign-key checks of this test's transaction now: PostgreSQL
    refuses TRUNCATE while they are pending, before any trigger would."""
    raw("SET CONSTRAINTS ALL IMMEDIATE")


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def issue(world, **over):
    return services.document_issue_for_decision(
        issuer=world.edu,
        kind="reply",
        title="台州市教育局关于同意试点的批复",
        addressees=["台州市第一职业技术学校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
        **over,
    )


# --- the audit trail ------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_audit_entries(world):
    entry = audit_record(actor=world.edu_head, action="system.tick", note="原文")

    with refused(AUDIT):
        AuditEntry._base_manager.filter(pk=entry.pk).update(note="篡改")
    with refused(AUDIT):
        AuditEntry._base_manager.filter(pk=entry.pk).delete()
    with refused(AUDIT):
        raw("UPDATE workflows_auditentry SET note = %s WHERE id = %s", ["篡改", entry.pk])
    with refused(AUDIT):
        raw("DELETE FROM workflows_auditentry WHERE id = %s", [entry.pk])
    with refused(AUDIT):
        raw("DELETE FROM workflows_auditentry")

    # the Python guard is passed by pretending the row is new: save() then UPDATEs it
    entry.note = "篡改"
    entry._state.adding = True
    with refused(AUDIT):
        entry.save()

    assert AuditEntry.objects.get(pk=entry.pk).note == "原文"
    # appending still works
    audit_record(actor=None, action="system.tick")
    assert AuditEntry.objects.count() == 2


@pytest.mark.services
def test_postgresql_refuses_to_truncate_the_audit_trail(world):
    audit_record(actor=None, action="system.tick")
    pending_checks_done()
    with refused(AUDIT):
        raw("TRUNCATE workflows_auditentry")
    with refused(AUDIT):
        raw("TRUNCATE workflows_auditentry CASCADE")
    assert AuditEntry.objects.count() == 1


# --- issued documents -----------------------------------------------------------------


def test_the_database_refuses_to_delete_an_issued_or_revoked_document(world, issuers):
    document = issue(world)
    audit_rows = AuditEntry.objects.for_object(document).count()

    with refused(KEPT):
        OfficialDocument.objects.filter(pk=document.pk).delete()
    with refused(KEPT):
        OfficialDocument._base_manager.get(pk=document.pk).delete()
    with refused(KEPT):
        raw("DELETE FROM docs_gen_officialdocument WHERE id = %s", [document.pk])

    services.document_revoke(document=document, actor=world.edu_leader, reason="文号有误")
    with refused(KEPT):
        OfficialDocument.objects.filter(pk=document.pk).delete()
    with refused(KEPT):
        raw("DELETE FROM docs_gen_officialdocument")

    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED
    assert AuditEntry.objects.for_object(document).count() == audit_rows + 1


def test_an_issued_document_cannot_be_turned_back_or_renumbered(world, issuers):
    document = issue(world)
    rows = OfficialDocument.objects.filter(pk=document.pk)

    # back to draft (then deletable): refused, by the ORM and by raw SQL
    with refused(FROZEN):
        rows.update(status=DocumentStatus.DRAFT)
    with refused(FROZEN):
        raw("UPDATE docs_gen_officialdocument SET status = 'draft' WHERE id = %s", [document.pk])
    with refused(FROZEN):
        rows.update(number="台教发〔2022〕1号")
    with refused(FROZEN):
        rows.update(serial=document.serial + 1)
    with refused(FROZEN):
        rows.update(verification_code="00000000")

    # what the services do to an issued document still works: render bookkeeping, revoke
    rows.update(render_error="", render_attempts=1)
    services.document_revoke(document=document, actor=world.edu_leader, reason="文号有误")
    with refused(FROZEN):
        rows.update(status=DocumentStatus.ISSUED)  # a revoked document stays revoked

    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED and document.serial == 1


def test_a_draft_can_still_be_deleted(world, issuers):
    document = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    services.document_delete_draft(document=document, actor=world.edu_handler)
    assert not OfficialDocument.objects.filter(pk=document.pk).exists()


@pytest.mark.services
def test_postgresql_refuses_to_truncate_documents(world, issuers):
    issue(world)
    pending_checks_done()
    with refused(KEPT):
        raw("TRUNCATE docs_gen_officialdocument CASCADE")
    assert OfficialDocument.objects.count() == 1


# --- number counters ------------------------------------------------------------------


def test_the_database_refuses_to_delete_or_lower_a_number_counter(world, issuers):
    first = issue(world)
    issue(world)
    counter = NumberCounter.objects.get(issuer=first.issuer, series="发", year=first.year)
    assert counter.last == 2

    with refused(COUNTER_KEPT):
        counter.delete()
    with refused(COUNTER_KEPT):
        NumberCounter.objects.all().delete()
    with refused(COUNTER_KEPT):
        raw("DELETE FROM docs_gen_numbercounter")
    with refused(COUNTER_LOWERED):
        NumberCounter.objects.filter(pk=counter.pk).update(last=0)
    with refused(COUNTER_LOWERED):
        raw("UPDATE docs_gen_numbercounter SET last = last - 1 WHERE id = %s", [counter.pk])
    with refused(COUNTER_LOWERED):
        NumberCounter.objects.filter(pk=counter.pk).update(year=counter.year + 1)
    counter.last = 1
    with refused(COUNTER_LOWERED):
        counter.save()

    counter.refresh_from_db()
    assert counter.last == 2
    assert issue(world).serial == 3  # numbering goes on


@pytest.mark.services
def test_postgresql_refuses_to_truncate_number_counters(world, issuers):
    issue(world)
    pending_checks_done()
    with refused(COUNTER_KEPT):
        raw("TRUNCATE docs_gen_numbercounter")
    assert NumberCounter.objects.get().last == 1


# --- the admin ------------------------------------------------------------------------


def test_the_admin_offers_no_delete_for_issued_documents_or_counters(world, issuers, rf):
    document = issue(world)
    a_draft = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    request = rf.get("/")
    request.user = world.edu_head
    request.user.is_superuser = True

    documents = admin.site._registry[OfficialDocument]
    assert not documents.has_delete_permission(request, document)
    assert documents.has_delete_permission(request, a_draft)
    services.document_revoke(document=document, actor=world.edu_leader, reason="文号有误")
    assert not documents.has_delete_permission(request, document)

    counters = admin.site._registry[NumberCounter]
    counter = NumberCounter.objects.get()
    assert not counters.has_delete_permission(request)
    assert not counters.has_delete_permission(request, counter)
    assert not counters.has_add_permission(request)


# --- the escape hatch, for emptying the whole database in the tests --------------------


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_leaves_guarded_rows_and_the_flush_still_empties_them(
    world_tx, issuers
):
    """The flush after this test must empty the audit trail, an issued document and its
    counter (TRUNCATE on PostgreSQL, DELETE on SQLite) with the guards lifted; the next
    test starts from an empty database either way."""
    issue(world_tx)
    assert AuditEntry.objects.exists() and NumberCounter.objects.exists()
    # outside the lifted flush, the same statements stay refused
    with refused(AUDIT):
        raw("DELETE FROM workflows_auditentry")


def test_the_previous_transactional_test_left_nothing(db):
    assert not AuditEntry.objects.exists()
    assert not OfficialDocument.objects.exists()
    assert not NumberCounter.objects.exists()


def test_lifting_the_guards_is_explicit_and_ends_with_the_block(world):
    audit_record(actor=None, action="system.tick")
    with dbguard.lifted():
        assert dbguard._sqlite_lifted() == 1
    assert dbguard._sqlite_lifted() == 0
    with refused(AUDIT):
        AuditEntry._base_manager.all().delete()


@pytest.mark.services
def test_no_session_variable_lifts_the_row_guards_on_postgresql(world, issuers):
    """pgtrigger's own triggers step aside when the session variable pgtrigger.ignore
    names them; any session may set it. The row guards do not read it."""
    document = issue(world)
    audit_record(actor=None, action="system.tick")
    pgids = [
        trigger.get_pgid(model)
        for model in (AuditEntry, OfficialDocument, NumberCounter)
        for trigger in model._meta.triggers
    ]
    raw("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(pgids) + "}"])
    with refused(KEPT):
        raw("DELETE FROM docs_gen_officialdocument WHERE id = %s", [document.pk])
    with refused(AUDIT):
        raw("DELETE FROM workflows_auditentry")
    with refused(COUNTER_LOWERED):
        raw("UPDATE docs_gen_numbercounter SET last = 0")
    with dbguard.lifted(), refused(AUDIT):
        AuditEntry._base_manager.all().update(note="篡改")
    assert OfficialDocument.objects.filter(pk=document.pk).exists()


def test_sqlite_triggers_come_back_after_migrate(db):
    """SQLite drops a table's triggers when a migration rebuilds the table (most ALTER
    TABLEs): the post_migrate handler creates the missing ones again."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps triggers across ALTER TABLE")

    def installed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {row[0] for row in cursor.fetchall()} & set(dbguard.SQLITE_TRIGGERS)

    assert installed() == set(dbguard.SQLITE_TRIGGERS)
    dbguard.drop_sqlite_triggers(connection, ["workflows_auditentry"])
    assert "zhiji_audit_no_delete" not in installed()
    dbguard.reinstall_after_migrate(sender=None, using="default")
    assert installed() == set(dbguard.SQLITE_TRIGGERS)
    audit_record(actor=None, action="system.tick")
    with refused(AUDIT):
        raw("DELETE FROM workflows_auditentry")
