"""Writes of the approvals kernel. Every state change is one service here.

Each service takes the flow's process lock (a waiting row lock, see
``workflows.locks``), re-reads the application under it, checks who may act and
whether the step is still the one the actor saw (``version``: compare-and-set),
applies the rule, writes an audit row in the same transaction, runs the flow on
and queues notifications on commit. A second person acting on the same step
gets ``Conflict`` (HTTP 409), never a double transition.
"""

from contextlib import contextmanager
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.access import grant_view, is_member
from workflows.exceptions import Conflict, RuleViolation
from workflows.hostile_input import NUL, nul_message
from workflows.i18n import in_chinese
from workflows.i18n import stored as _stored
from workflows.models import Role, Unit, UnitKind
from workflows.services import audit_record, notify, unit_members

from . import attachments as files
from .models import (
    Application,
    ApplicationStatus,
    Attachment,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicNotice,
    Review,
    ReviewDecision,
    SignOff,
    SignOffStatus,
)
from .registry import Procedure, StepKind, procedure_for
from .workdays import working_period

# What is stored is Chinese whatever language the actor reads: see workflows/i18n.py.


SCHOOL_EDITORS = (Role.HANDLER, Role.HEAD, Role.LEADER)
SCHOOL_SUBMITTERS = (Role.HEAD, Role.LEADER)

STALE = _("该申请已被他人办理或状态已变化，本次操作未生效。请刷新页面查看最新状态。")


# --- helpers ---------------------------------------------------------------------


@contextmanager
def _locked(application: Application):
    """The application re-read under the process lock (or its own row lock before a process)."""
    procedure = procedure_for(application)
    with transaction.atomic():
        if application.process_id:
            with procedure.flow_class.lock(application.process_id):
                yield Application.objects.select_for_update().get(pk=application.pk)
        else:
            yield Application.objects.select_for_update().get(pk=application.pk)


def _url(application: Application) -> str:
    return reverse("applications:detail", args=[application.public_id])


def _require_school_member(actor, application, roles=SCHOOL_EDITORS) -> None:
    if not is_member(actor, application.applicant_unit, roles):
        raise PermissionDenied(_("只有申请学校的经办人或负责人可以办理。"))


def _check_version(application: Application, version: int | None) -> None:
    """``version`` comes parsed (views use a form); anything but an int is refused here too."""
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise RuleViolation(_("「版本号」格式不正确，请刷新页面后重试。"), field="version")
    if version != application.version:
        raise Conflict(STALE)


def pending_task(application: Application) -> Task | None:
    """The flow task waiting for a person (Handle nodes stay NEW until run)."""
    if not application.process_id:
        return None
    procedure = procedure_for(application)
    for task in Task.objects.filter(process_id=application.process_id, status=STATUS.NEW):
        if task.flow_task.name in procedure.steps:
            return task
    return None


def acting_unit_for(actor, units: list[Unit], roles=None) -> Unit | None:
    """The first of ``units`` that ``actor`` may act for with one of ``roles``."""
    for unit in units:
        if is_member(actor, unit, roles):
            return unit
    return None


def _form(procedure: Procedure, application: Application, data=None):
    return procedure.form_class(data=data if data is not None else procedure.initial(application))


def _raw_values(procedure: Procedure, data) -> dict:
    """What was typed, kept as the draft; a NUL, which no database text or
    JSON column can hold, is refused naming the field."""
    values = {}
    for name, field in procedure.form_class.base_fields.items():
        if name == procedure.form_class.files_field:
            continue
        value = data.get(name, "")
        if isinstance(value, str) and NUL in value:
            raise RuleViolation(nul_message(field.label), field=name)
        values[name] = value
    return values


def _validate_complete(procedure: Procedure, application: Application):
    """The draft must validate and carry at least one attachment before it is submitted."""
    form = _form(procedure, application)
    if not form.is_valid():
        first_field, errors = next(iter(form.errors.items()))
        label = form.fields[first_field].label if first_field in form.fields else ""
        raise RuleViolation(
            _("申请表尚未填写完整：「%(label)s」%(error)s") % {"label": label, "error": errors[0]},
            field=first_field,
        )
    if not application.attachments.exists():
        raise RuleViolation(
            _("「附件」至少上传一份证明材料（PDF、JPG 或 PNG）后才能报送。"), field="files"
        )
    return form


def _advance(application: Application, outcome: str) -> None:
    """Complete the pending flow task with ``outcome``; the flow's gateways route on it."""
    task = pending_task(application)
    if task is None:
        raise Conflict(STALE)
    application.last_outcome = outcome
    application.version += 1
    application.save()
    task.flow_task.run(task)


@in_chinese
def _notify_units(units, application, title, body="") -> None:
    people = []
    for unit in units:
        people.extend(unit_members(unit))
    if people:
        notify(recipients=people, title=title, body=body, url=_url(application))


@in_chinese
def _close(application: Application, status: str, reason: str = "") -> None:
    application.status = status
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application.open_key = None
    application.current_step = ""
    application.current_step_label = ApplicationStatus(status).label
    application.acting_unit = None
    application.step_since = application.decided_at


@in_chinese
def _enter_next(application: Application) -> None:
    """Mirror the flow's new pending step on the application and route it to its units."""
    task = pending_task(application)
    if task is None:
        application.save()
        return
    procedure = procedure_for(application)
    name = task.flow_task.name
    step = procedure.steps[name]
    units = step.units(application)
    application.current_step = name
    application.current_step_label = step.label
    application.acting_unit = units[0] if len(units) == 1 else None
    application.step_since = timezone.now()
    application.status = {
        StepKind.AMEND: ApplicationStatus.RETURNED,
        StepKind.PUBLICITY: ApplicationStatus.PUBLICITY,
    }.get(step.kind, ApplicationStatus.IN_REVIEW)
    application.save()
    routed = [u for u in units if u.kind != UnitKind.SCHOOL]
    if routed:
        application.routed_to.add(*routed)
    if step.kind == StepKind.COSIGN:
        SignOff.objects.bulk_create(
            [
                SignOff(application=application, step=name, round=application.version, unit=u)
                for u in units
            ]
        )
    if step.kind == StepKind.PUBLICITY:
        _open_notice(application, procedure)
    _notify_units(
        units,
        application,
        _("待办：%(step)s — %(title)s") % {"step": step.label, "title": application.title},
    )


def _open_notice(application: Application, procedure: Procedure) -> PublicNotice:
    title, body = procedure.notice_text(application)
    first, last = working_period(timezone.localdate(), procedure.publicity_working_days)
    notice = PublicNotice.objects.create(
        application=application,
        title=title,
        body=body,
        handling_unit=procedure.competent_unit(application),
        working_days=procedure.publicity_working_days,
        starts_on=first,
        ends_on=last,
    )
    audit_record(
        actor=None,
        action="notice_opened",
        obj=application,
        after={"starts_on": str(first), "ends_on": str(last)},
        note=_stored(
            "公示期 %(first)s 至 %(last)s（%(n)s 个工作日）",
            first=first,
            last=last,
            n=notice.working_days,
        ),
    )
    return notice


# --- applicant ---------------------------------------------------------------------


@transaction.atomic
def application_create(*, procedure_code: str, school: Unit, actor) -> Application:
    procedure = procedure_for(procedure_code)
    if school.kind != UnitKind.SCHOOL or not is_member(actor, school, SCHOOL_EDITORS):
        raise PermissionDenied(_("只有学校的经办人或负责人可以发起申请。"))
    application = Application.objects.create(
        procedure=procedure.code,
        applicant_unit=school,
        title=_stored(
            "%(school)s%(procedure)s（草稿）", school=school.name, procedure=procedure.title
        ),
        created_by=actor,
        current_step_label=_stored(ApplicationStatus.DRAFT.label),
    )
    audit_record(actor=actor, action="application_created", obj=application, unit=school)
    return application


@transaction.atomic
def application_save(*, application: Application, actor, data, uploads=()):
    """Keep what was typed and uploaded, valid or not; return the bound form with its errors.

    The raw values are stored as the draft; each upload that passes the type and
    size checks is stored at once; the procedure's own record is written when the
    whole form validates.
    """
    _require_school_member(actor, application)
    procedure = procedure_for(application)
    with _locked(application) as app:
        if not app.is_editable:
            raise Conflict(_("申请已报送，当前不能修改。"))
        app.draft_data = _raw_values(procedure, data)
        form = _form(procedure, app, app.draft_data)
        upload_errors = []
        with files.AREA.saving() as saved:
            for upload in uploads:
                try:
                    checked = files.check_upload(upload)
                except RuleViolation as exc:
                    upload_errors.append(exc.message)
                    continue
                stored = files.AREA.save(checked)
                saved.append(stored)
                attachment = Attachment.objects.create(
                    application=app,
                    original_name=checked.label,
                    stored_name=stored,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                    uploaded_by=actor,
                )
                audit_record(
                    actor=actor,
                    action="attachment_uploaded",
                    obj=app,
                    unit=app.applicant_unit,
                    after={"file": attachment.original_name, "sha256": checked.sha256},
                    note=attachment.original_name,
                )
            if form.is_valid():
                procedure.save_detail(app, form.cleaned_data)
                with translation.override("zh-hans"):
                    app.title = procedure.title_for(app, form.cleaned_data)
            for message in upload_errors:
                form.add_error(form.files_field, message)
            app.save()
    application.refresh_from_db()
    return form


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    application = attachment.application
    _require_school_member(actor, application)
    with _locked(application) as app:
        if not app.is_editable:
            raise Conflict(_("申请已报送，当前不能删除附件。"))
        name = attachment.original_name
        stored = attachment.stored_name
        attachment.delete()
        audit_record(
            actor=actor,
            action="attachment_removed",
            obj=app,
            unit=app.applicant_unit,
            before={"file": name},
            note=name,
        )
        files.AREA.discard(stored)


@transaction.atomic
def application_send_to_head(*, application: Application, actor) -> None:
    """A handler hands a complete draft to the school's head for submission."""
    _require_school_member(actor, application)
    procedure = procedure_for(application)
    with _locked(application) as app:
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise Conflict(STALE)
        _validate_complete(procedure, app)
        app.status = ApplicationStatus.PENDING_HEAD
        app.current_step_label = _stored(ApplicationStatus.PENDING_HEAD.label)
        app.save()
        audit_record(actor=actor, action="sent_to_head", obj=app, unit=app.applicant_unit)
        heads = unit_members(app.applicant_unit, SCHOOL_SUBMITTERS)
        notify(
            recipients=heads,
            title=_stored("待报送：%(title)s", title=app.title),
            url=_url(app),
            unit=app.applicant_unit,
        )


@transaction.atomic
def application_submit(*, application: Application, actor, version: int | None = None) -> None:
    """The school head submits (or resubmits after a return). Eligibility is checked here."""
    _require_school_member(actor, application, SCHOOL_SUBMITTERS)
    procedure = procedure_for(application)
    with _locked(application) as app:
        _check_version(app, version)
        if app.status not in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.PENDING_HEAD,
            ApplicationStatus.RETURNED,
        ):
            raise Conflict(STALE)
        _validate_complete(procedure, app)
        procedure.check_eligibility(app)
        if app.process_id is not None:  # back from a return (amend step)
            audit_record(
                actor=actor,
                action="resubmitted",
                obj=app,
                unit=app.applicant_unit,
                after=procedure.snapshot(app),
            )
            _advance(app, "resubmitted")
            _enter_next(app)
            return
        app.open_key = procedure.open_key(app)
        try:
            with transaction.atomic():
                app.save(update_fields=["open_key"])
        except IntegrityError:
            raise RuleViolation(
                _(
                    "本校已有一件同类申请正在办理中，办结前不能重复报送（每校每类事项只能有一件在办申请）。"
                ),
                field="plaque_kind",
            ) from None
        process = procedure.flow_class.start.run()
        app.process = process
        app.submitted_at = timezone.now()
        app.version += 1
        audit_record(
            actor=actor,
            action="submitted",
            obj=app,
            unit=app.applicant_unit,
            after=procedure.snapshot(app),
        )
        _enter_next(app)
    application.refresh_from_db()


@transaction.atomic
def application_withdraw(*, application: Application, actor, version: int | None = None) -> None:
    """The applicant withdraws while the first step waits and no reviewer has acted."""
    _require_school_member(actor, application)
    procedure = procedure_for(application)
    with _locked(application) as app:
        _check_version(app, version)
        acted = app.reviews.exists() or app.signoffs.exclude(status=SignOffStatus.PENDING).exists()
        if (
            app.status != ApplicationStatus.IN_REVIEW
            or app.current_step != procedure.first_step
            or acted
        ):
            raise Conflict(_("审核单位已开始办理，不能再撤回。"))
        procedure.flow_class.instance.cancel(app.process)
        _close(app, ApplicationStatus.WITHDRAWN)
        app.version += 1
        app.save()
        audit_record(actor=actor, action="withdrawn", obj=app, unit=app.applicant_unit)


# --- reviewers ---------------------------------------------------------------------

_OUTCOME = {
    ReviewDecision.APPROVE: "approved",
    ReviewDecision.RETURN: "returned",
    ReviewDecision.REJECT: "rejected",
}
_SIGNOFF_STATUS = {
    ReviewDecision.APPROVE: SignOffStatus.APPROVED,
    ReviewDecision.RETURN: SignOffStatus.RETURNED,
    ReviewDecision.REJECT: SignOffStatus.REJECTED,
}


@transaction.atomic
def application_decide(
    *, application: Application, actor, decision: str, opinion: str = "", version: int | None
) -> None:
    """Approve, return for amendment, or reject on a review or joint sign-off step."""
    procedure = procedure_for(application)
    decision = ReviewDecision(decision)
    opinion = (opinion or "").strip()
    with _locked(application) as app:
        _check_version(app, version)
        task = pending_task(app)
        step = procedure.steps.get(task.flow_task.name) if task else None
        if step is None or step.kind not in (StepKind.REVIEW, StepKind.COSIGN):
            raise Conflict(STALE)
        unit = acting_unit_for(actor, step.units(app), step.roles)
        if unit is None:
            raise PermissionDenied(_("您所在单位不办理此环节。"))
        if decision != ReviewDecision.APPROVE and not opinion:
            raise RuleViolation(
                _("选择“退回修改”或“不予通过”时，「审核意见」必填，请写明理由。"),
                field="opinion",
            )
        name = task.flow_task.name
        if step.kind == StepKind.COSIGN:
            signed = SignOff.objects.filter(
                application=app, step=name, unit=unit, status=SignOffStatus.PENDING
            ).update(
                status=_SIGNOFF_STATUS[decision],
                actor=actor,
                opinion=opinion,
                acted_at=timezone.now(),
            )
            if signed != 1:
                raise Conflict(_("本单位已会签，本次操作未生效。"))
        Review.objects.create(
            application=app,
            step=name,
            step_label=str(step.label),
            unit=unit,
            actor=actor,
            decision=decision,
            opinion=opinion,
            snapshot=procedure.snapshot(app),
        )
        audit_record(
            actor=actor,
            action=f"{step.kind}_{decision}",
            obj=app,
            unit=unit,
            after={"step": str(step.label), "decision": str(decision.label)},
            note=opinion,
        )
        if step.kind == StepKind.COSIGN:
            still_pending = SignOff.objects.filter(
                application=app, step=name, status=SignOffStatus.PENDING
            )
            if decision == ReviewDecision.APPROVE and still_pending.exists():
                return  # the others have yet to sign
            still_pending.update(status=SignOffStatus.CANCELLED)
        school = [app.applicant_unit]
        if decision == ReviewDecision.REJECT:
            _close(app, ApplicationStatus.REJECTED, opinion)
            _advance(app, "rejected")
            _notify_units(school, app, _stored("申请未通过：%(title)s", title=app.title), opinion)
            return
        if decision == ReviewDecision.RETURN:
            app.returned_from = name
        _advance(app, _OUTCOME[decision])
        _enter_next(app)


def _issue_decision_document(app: Application, *, payload: dict | None, actor):
    """The decision as an official document: signed by ``actor`` (a leader of the issuing
    unit), numbered and queued for rendering in this transaction; the applicant may open it."""
    if not payload:
        return None
    from docs_gen.services import document_issue_for_decision

    document = document_issue_for_decision(
        issuer=Unit.objects.get(code=payload["issuer_unit"]),
        kind=payload["kind"],
        title=payload["title"],
        addressees=payload["addressees"],
        body=payload["body"],
        cc=payload.get("cc", ()),
        actor=actor,
        signer=actor,
        source=app,
    )
    grant_view(document, [app.applicant_unit])
    return document


@transaction.atomic
def application_issue(*, application: Application, actor, version: int | None) -> None:
    """The competent unit issues the decision document; the decision takes effect."""
    procedure = procedure_for(application)
    with _locked(application) as app:
        _check_version(app, version)
        task = pending_task(app)
        step = procedure.steps.get(task.flow_task.name) if task else None
        if step is None or step.kind != StepKind.ISSUE:
            raise Conflict(STALE)
        unit = acting_unit_for(actor, step.units(app), step.roles)
        if unit is None:
            raise PermissionDenied(_("您所在单位不办理此环节。"))
        procedure.on_issue(app, actor)
        app.document_payload = procedure.document_payload(app)
        app.document = _issue_decision_document(app, payload=app.document_payload, actor=actor)
        _close(app, ApplicationStatus.APPROVED)
        audit_record(
            actor=actor,
            action="issued",
            obj=app,
            unit=unit,
            after={"step": str(step.label), "title": (app.document_payload or {}).get("title", "")},
        )
        _advance(app, "approved")
        _notify_units([app.applicant_unit], app, _stored("申请已批准：%(title)s", title=app.title))


# --- public notice -------------------------------------------------------------------


@transaction.atomic
def objection_lodge(
    *, notice: PublicNotice, name: str, contact: str, reason: str, today: date | None = None
) -> Objection:
    """Anyone may object while the notice is up (no account needed)."""
    today = today or timezone.localdate()
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != NoticeStatus.OPEN or today > notice.ends_on:
        raise RuleViolation(_("公示期已结束，不再受理异议。"))
    objection = Objection.objects.create(
        notice=notice, name=name.strip(), contact=contact.strip(), reason=reason.strip()
    )
    audit_record(
        actor=None,
        action="objection_lodged",
        obj=notice.application,
        # who objected stays with the bureau: the timeline (seen by the school) has no name
        after={"objection": str(objection.public_id), "name": objection.name},
    )
    _notify_units(
        [notice.handling_unit],
        notice.application,
        _stored("公示收到异议，请处理：%(title)s", title=notice.application.title),
    )
    return objection


@transaction.atomic
def objection_handle(*, objection: Objection, actor, upheld: bool, note: str) -> None:
    """The competent unit rules on an objection: upheld refuses the application."""
    note = (note or "").strip()
    application = objection.notice.application
    with _locked(application) as app:
        objection = Objection.objects.select_related("notice").get(pk=objection.pk)
        notice = objection.notice
        if not is_member(actor, notice.handling_unit):
            raise PermissionDenied(_("异议由主管部门处理。"))
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict(_("该异议已处理，本次操作未生效。"))
        if not note:
            raise RuleViolation(_("「处理意见」必填：请写明异议成立或不成立的理由。"), field="note")
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.handled_by = actor
        objection.handled_at = timezone.now()
        objection.handling_note = note
        objection.save()
        audit_record(
            actor=actor,
            action="objection_upheld" if upheld else "objection_dismissed",
            obj=app,
            unit=notice.handling_unit,
            after={"objection": str(objection.public_id)},
            note=note,
        )
        if upheld:
            notice.status = NoticeStatus.REFUSED
            notice.closed_at = timezone.now()
            notice.save()
            reason = _stored("公示期间异议成立：%(note)s", note=note)
            _close(app, ApplicationStatus.REJECTED, reason)
            _advance(app, "rejected")
            _notify_units(
                [app.applicant_unit], app, _stored("申请未通过：%(title)s", title=app.title), reason
            )
            return
        _close_notice_if_due(app, notice, timezone.localdate())


def _close_notice_if_due(app: Application, notice: PublicNotice, today: date) -> bool:
    if notice.status != NoticeStatus.OPEN or today <= notice.ends_on:
        return False
    if notice.objections.filter(status=ObjectionStatus.PENDING).exists():
        return False  # the competent unit must rule on every objection first
    notice.status = NoticeStatus.PASSED
    notice.closed_at = timezone.now()
    notice.save()
    audit_record(
        actor=None,
        action="notice_passed",
        obj=app,
        note=_stored("公示期满（%(last)s），异议均已处理。", last=notice.ends_on),
    )
    _advance(app, "approved")
    _enter_next(app)
    return True


@transaction.atomic
def public_notice_close_if_due(*, notice_id: int, today: date | None = None) -> bool:
    """Move on once the period is over and every objection is handled. Idempotent."""
    notice = PublicNotice.objects.select_related("application").get(pk=notice_id)
    with _locked(notice.application) as app:
        notice = PublicNotice.objects.get(pk=notice_id)
        return _close_notice_if_due(app, notice, today or timezone.localdate())
