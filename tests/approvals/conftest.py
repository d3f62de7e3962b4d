"""Helpers for approvals tests: a complete dual-plaque draft, and driving it to a step."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.common import services
from approvals.common.models import Application
from tests.attachment_samples import good_pdf, good_png

PDF = good_pdf()  # real files: attachments are decoded, not only sniffed
PNG = good_png()


def pdf(name="申请报告.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(**overrides):
    data = {
        "plaque_kind": "technician_college",
        "plaque_name": "台州市第一技师学院（加挂）",
        "reason": "学校现有数控、汽修、电气三个骨干专业，技能人才培养基础扎实，申请加挂技师学院牌子。",
        "conditions": "校园占地 200 亩，实训工位 1500 个，双师型教师占比 65%，具备开展预备技师培养的条件。",
        "students": "3200",
        "teachers": "210",
        "contact_name": "王晓明",
        "contact_phone": "0576-88881234",
    }
    data.update(overrides)
    return data


def draft(world, *, school=None, handler=None, uploads=None, head=None, **overrides) -> Application:
    school = school or world.school
    handler = handler or world.school_handler
    app = services.application_create(procedure_code="dual_plaque", school=school, actor=handler)
    form = services.application_save(
        application=app,
        actor=handler,
        data=form_data(**overrides),
        uploads=[pdf()] if uploads is None else uploads,
    )
    assert form.is_valid(), form.errors
    app.refresh_from_db()
    return app


def submitted(world, **kw) -> Application:
    app = draft(world, **kw)
    head = kw.get("head") or world.school_head
    services.application_submit(application=app, actor=head)
    app.refresh_from_db()
    return app


def decide(app, actor, decision="approve", opinion=""):
    app.refresh_from_db()
    services.application_decide(
        application=app, actor=actor, decision=decision, opinion=opinion, version=app.version
    )
    app.refresh_from_db()
    return app


def to_publicity(world, **kw) -> Application:
    app = submitted(world, **kw)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler)
    decide(app, world.leader)
    return app


@pytest.fixture
def helpers():
    import sys

    return sys.modules[__name__]
