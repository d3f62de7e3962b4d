"""`manage.py render_plan`: the plan itself, through the same pipeline, verifiable."""

import hashlib

import pytest
from django.core.management import call_command

from docs_gen.models import OfficialDocument

pytestmark = pytest.mark.django_db


def test_render_plan_writes_the_registered_plan_and_is_idempotent(world, tmp_path, client):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    call_command("render_plan", output=str(first))
    call_command("render_plan", output=str(second))
    assert first.read_bytes() == second.read_bytes()
    document = OfficialDocument.objects.get()
    assert document.number == "台政办发〔2022〕11号"
    assert document.sha256 == hashlib.sha256(first.read_bytes()).hexdigest()
    page = client.get(f"/verify/{document.verification_code}/").content.decode()
    assert "台政办发〔2022〕11号" in page and "有效" in page


def test_render_plan_without_a_database(tmp_path):
    out = tmp_path / "plan.pdf"
    call_command("render_plan", output=str(out), no_register=True)
    assert out.read_bytes().startswith(b"%PDF")
