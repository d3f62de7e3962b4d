import pytest
from django.contrib import admin

from workflows.models import AuditEntry
from workflows.services import audit_record


def test_an_audit_entry_records_who_did_what_to_which_object(world):
    entry = audit_record(
        actor=world.edu_head,
        unit=world.edu,
        action="unit.renamed",
        obj=world.school,
        before={"name": "旧名"},
        after={"name": world.school.name},
        note="更名",
    )
    assert entry.actor_name == f"{world.edu_head.last_name}{world.edu_head.first_name}"
    assert list(AuditEntry.objects.for_object(world.school)) == [entry]


def test_the_audit_trail_cannot_be_changed_or_deleted(world):
    entry = audit_record(actor=None, action="system.tick")
    entry.note = "篡改"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().update(note="篡改")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


def test_the_admin_cannot_add_change_or_delete_audit_entries(world, rf):
    model_admin = admin.site._registry[AuditEntry]
    request = rf.get("/")
    request.user = world.edu_head
    request.user.is_superuser = True
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
