"""The dual-plaque procedure through its services: every path of the flow."""

import datetime
import re

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals.common import services
from approvals.common.models import (
    ApplicationStatus,
    NoticeStatus,
    ObjectionStatus,
    PublicNotice,
    SignOffStatus,
)
from approvals.common.selectors import changes_since_return, timeline
from approvals.common.tasks import close_due_public_notices
from approvals.dual_plaque.models import SchoolPlaque
from tests.approvals.conftest import decide, draft, submitted, to_publicity
from workflows.exceptions import Conflict, RuleViolation
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db


def after_period(notice):
    return notice.ends_on + datetime.timedelta(days=1)


def test_the_approve_path_ends_with_a_reply_and_the_schools_second_plaque(
    world, django_capture_on_commit_callbacks
):
    app = submitted(world)
    assert app.status == ApplicationStatus.IN_REVIEW
    assert app.current_step == "competent_review" and app.acting_unit == world.hrss

    decide(app, world.hrss_handler, opinion="材料齐全，同意。")
    assert app.current_step == "cosign"
    assert app.signoffs.get().unit == world.edu

    decide(app, world.edu_handler)
    assert app.current_step == "leading_approval" and app.acting_unit == world.leading_group

    decide(app, world.leader)
    assert app.status == ApplicationStatus.PUBLICITY
    notice = PublicNotice.objects.get(application=app)
    assert notice.working_days == 5 and notice.handling_unit == world.hrss

    assert close_due_public_notices() == 0  # the period is not over yet
    services.public_notice_close_if_due(notice_id=notice.pk, today=after_period(notice))
    app.refresh_from_db()
    assert app.current_step == "issue_reply" and app.acting_unit == world.hrss

    with django_capture_on_commit_callbacks(execute=True):  # rendering is queued on commit
        services.application_issue(application=app, actor=world.hrss_leader, version=app.version)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    # the reply is an official document: signed off by the leader, numbered, rendered
    reply = app.document
    assert reply.kind == "reply" and reply.status == "issued"
    assert reply.signer == world.hrss_leader
    assert re.fullmatch(r"台人社发〔\d{4}〕1号", reply.number)
    assert reply.title.endswith("牌子的批复")
    assert reply.pdf and len(reply.sha256) == 64
    assert app.process.status == PROCESS.DONE
    plaque = SchoolPlaque.objects.get(school=world.school)
    assert plaque.kind == "technician_college"
    assert reply.issuer.unit == world.hrss
    assert reply.addressees == ["台州市第一中等职业学校"]
    assert {b["type"] for b in reply.body} == {"paragraph", "heading", "table"}
    assert reply.cc == ["台州市教育局", "台州市职技融通改革工作领导小组办公室"]
    actions = [e.action for e in AuditEntry.objects.for_object(app)]
    assert actions[:3] == ["application_created", "attachment_uploaded", "submitted"]
    assert actions[-1] == "issued"
    assert [e.action for e in timeline(app)][-1] == "印发批复"


def test_a_technical_school_is_decided_by_the_education_bureau_and_signed_off_by_hr(world):
    app = submitted(
        world,
        school=world.technical_school,
        handler=world.technical_handler,
        head=world.technical_head,
        plaque_kind="vocational",
        plaque_name="台州市第一职业技术学校",
    )
    assert app.acting_unit == world.edu
    decide(app, world.edu_handler)
    assert app.signoffs.get().unit == world.hrss


def test_a_return_comes_back_to_the_same_reviewer_who_sees_what_changed(world):
    app = submitted(world)
    decide(app, world.hrss_handler, "return", "请补充实训工位数量的佐证材料。")
    assert app.status == ApplicationStatus.RETURNED
    assert app.acting_unit == world.school

    services.application_save(
        application=app,
        actor=world.school_handler,
        data={**_data(), "conditions": _data()["conditions"] + "另附实训工位清单。"},
    )
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.IN_REVIEW
    assert app.current_step == "competent_review" and app.acting_unit == world.hrss
    last_return, changes = changes_since_return(app)
    assert last_return.actor == world.hrss_handler
    assert [c.label for c in changes] == ["办学条件"]
    assert changes[0].after.endswith("另附实训工位清单。")


def test_a_return_at_sign_off_comes_back_to_the_sign_off(world):
    app = submitted(world)
    decide(app, world.hrss_handler)
    decide(app, world.edu_handler, "return", "请说明与本校中职专业的衔接安排。")
    assert app.status == ApplicationStatus.RETURNED
    assert app.signoffs.get().status == SignOffStatus.RETURNED
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    assert app.current_step == "cosign"
    assert app.signoffs.filter(status=SignOffStatus.PENDING).get().unit == world.edu


def test_a_reject_closes_the_application_with_the_reason(world):
    app = submitted(world)
    decide(app, world.hrss_handler, "reject", "办学规模达不到技师学院设置标准。")
    assert app.status == ApplicationStatus.REJECTED
    assert app.decision_reason == "办学规模达不到技师学院设置标准。"
    assert app.open_key is None
    assert app.process.status == PROCESS.DONE


def test_a_return_or_reject_without_an_opinion_is_refused_naming_the_field(world):
    app = submitted(world)
    with pytest.raises(RuleViolation, match="「审核意见」必填"):
        decide(app, world.hrss_handler, "reject", "  ")


def test_the_school_withdraws_while_no_reviewer_has_acted(world):
    app = submitted(world)
    services.application_withdraw(application=app, actor=world.school_handler, version=app.version)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.WITHDRAWN
    assert app.process.status == PROCESS.CANCELED
    assert not Task.objects.filter(process=app.process, status=STATUS.NEW).exists()


def test_withdrawing_after_the_bureau_acted_is_a_conflict(world):
    app = submitted(world)
    decide(app, world.hrss_handler)
    with pytest.raises(Conflict):
        services.application_withdraw(application=app, actor=world.school_handler, version=None)


def test_an_objection_upheld_refuses_the_application_with_the_reason(world):
    app = to_publicity(world)
    notice = app.latest_notice
    objection = services.objection_lodge(
        notice=notice, name="李某", contact="13800000000", reason="该校实训工位数量与实际不符。"
    )
    services.objection_handle(
        objection=objection, actor=world.hrss_head, upheld=True, note="经核查，实训工位不足。"
    )
    app.refresh_from_db()
    notice.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert "经核查，实训工位不足。" in app.decision_reason
    assert notice.status == NoticeStatus.REFUSED
    assert not SchoolPlaque.objects.exists()


def test_an_objection_dismissed_is_recorded_and_the_flow_moves_on_after_the_period(world):
    app = to_publicity(world)
    notice = app.latest_notice
    objection = services.objection_lodge(
        notice=notice, name="张某", contact="zhang@example.com", reason="担心加挂后中职招生减少。"
    )
    # the period ends with the objection unhandled: the flow waits
    assert not services.public_notice_close_if_due(notice_id=notice.pk, today=after_period(notice))
    services.objection_handle(
        objection=objection, actor=world.hrss_handler, upheld=False, note="不影响中职招生计划。"
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert services.public_notice_close_if_due(notice_id=notice.pk, today=after_period(notice))
    app.refresh_from_db()
    assert app.current_step == "issue_reply"
    assert "异议1件" in services.procedure_for(app).document(app).body[0]["text"]


def test_an_objection_after_the_period_is_refused(world):
    app = to_publicity(world)
    notice = app.latest_notice
    with pytest.raises(RuleViolation, match="公示期已结束"):
        services.objection_lodge(
            notice=notice, name="李某", contact="1", reason="x" * 20, today=after_period(notice)
        )


def test_a_plaque_that_does_not_fit_the_schools_category_is_refused_citing_task_2(world):
    app = draft(world, plaque_kind="vocational", plaque_name="台州市第一中等职业学校二部")
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=world.school_head)
    assert "职业院校" in refused.value.message and "重点任务第2项" in refused.value.message
    assert refused.value.field == "plaque_kind"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


def test_a_second_open_application_for_the_same_plaque_is_refused(world):
    submitted(world)
    second = draft(world)
    with pytest.raises(RuleViolation, match="正在办理中"):
        services.application_submit(application=second, actor=world.school_head)
    # a different plaque is a different application
    third = draft(world, plaque_kind="senior_technical", plaque_name="台州市第一高级技工学校")
    services.application_submit(application=third, actor=world.school_head)


def test_only_the_school_head_submits(world):
    app = draft(world)
    with pytest.raises(services.PermissionDenied):
        services.application_submit(application=app, actor=world.school_handler)
    services.application_send_to_head(application=app, actor=world.school_handler)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING_HEAD


def test_a_stale_version_is_a_conflict(world):
    app = submitted(world)
    stale = app.version
    decide(app, world.hrss_handler)
    with pytest.raises(Conflict):
        services.application_decide(
            application=app, actor=world.hrss_head, decision="approve", version=stale
        )


def test_a_bureau_that_is_not_on_the_step_may_not_decide(world):
    app = submitted(world)
    with pytest.raises(services.PermissionDenied):
        decide(app, world.edu_handler)


def _data():
    from tests.approvals.conftest import form_data

    return form_data()


def test_after_a_return_the_handler_hands_it_to_the_head_who_resubmits(world, login):
    app = submitted(world)
    decide(app, world.hrss_handler, "return", "请补充材料。")
    services.application_send_to_head(application=app, actor=world.school_handler)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING_HEAD
    from django.urls import reverse

    detail = reverse("applications:detail", args=[app.public_id])
    assert login(world.hrss_handler).get(detail).status_code == 200
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    assert app.current_step == "competent_review" and app.status == ApplicationStatus.IN_REVIEW
    assert app.process.task_set.filter(status="NEW").count() == 1


def test_a_file_added_after_a_return_is_shown_by_name_not_by_digest(world):
    from tests.approvals.conftest import pdf

    app = submitted(world)
    decide(app, world.hrss_handler, "return", "请补充实训工位清单。")
    services.application_save(
        application=app, actor=world.school_handler, data=_data(), uploads=[pdf("实训工位清单.pdf")]
    )
    services.application_submit(application=app, actor=world.school_head)
    app.refresh_from_db()
    _last, changes = changes_since_return(app)
    files = next(c for c in changes if c.label == "附件")
    assert files.after.splitlines() == ["申请报告.pdf", "实训工位清单.pdf"]
    assert "（" not in files.before  # no digest codes for the clerk
