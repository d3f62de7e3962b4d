"""Writes of the approvals kernel. Every state change is one service here.

Each service takes the flow's process lock (a waiting row lock, see
``workflows.locks``), re-reads the application under it, checks who may act and
whether the step is still the one the actor saw (``version``: compare-and-set,
``workflows.cas``), applies the rule, writes an audit row in the same transaction,
runs the flow on and queues notifications on commit. A second person acting on
the same step gets ``Conflict`` (HTTP 409), never a double transition.

What a step does is its handler's (``steps``); this module only runs handlers:
``step_act`` for the current step's action, ``_enter_next`` when the flow arrives
at a step, ``_apply`` for the outcome.
"""

import contextvars
import copy
from contextlib import contextmanager
from datetime import date
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Task
from viewflow.workflow.signals import flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from workflows.cas import expect_version
from workflows.delegation import on_behalf_of as current_principal
from workflows.exceptions import Conflict, RuleViolation
from workflows.hostile_input import NUL, nul_message
from workflows.i18n import in_chinese
from workflows.i18n import stored as _stored
from workflows.locks import ProcessRowLock, process_lock
from workflows.models import Unit
from workflows.services import audit_record, notify_units
from workflows.units import units_cached
from workflows.workdays import add_working_days, calendar_cached

from . import attachments as files
from .flows import StepNode, write_start
from .models import (
    Application,
    ApplicationStatus,
    Attachment,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicNotice,
    SignOffStatus,
)
from .registry import Procedure, procedure_for, procedures
from .steps import APPROVED, REJECTED, RETURNED, Outcome, Step, StepRun

# What is stored is Chinese whatever language the actor reads: see workflows/i18n.py.

STALE = _("该申请已被他人办理或状态已变化，本次操作未生效。请刷新页面查看最新状态。")


# --- helpers ---------------------------------------------------------------------


_ONE_TRANSACTION: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "approvals_one_transaction", default=False
)


@contextmanager
def one_transaction():
    """A view's whole request in one transaction that the kernel's services join without
    savepoints: any exception rolls all of it back (the view then answers 400 / 409)."""
    with transaction.atomic():
        token = _ONE_TRANSACTION.set(True)
        try:
            yield
        finally:
            _ONE_TRANSACTION.reset(token)


def atomic(func):
    """``transaction.atomic`` for a service: its own transaction, or a savepoint inside a
    caller's; none inside ``one_transaction`` (the caller rolls back as a whole)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic(savepoint=not _ONE_TRANSACTION.get()):
            return func(*args, **kwargs)

    return wrapper


def _lock_timeout(procedure: Procedure) -> int | None:
    lock = procedure.flow_class.lock_impl if procedure.flow_class else None
    return lock.timeout_ms if isinstance(lock, ProcessRowLock) else None


def _locking_qs(procedure: Procedure, queryset=None):
    """The application with its process, applicant, acting unit and detail in one read."""
    qs = (queryset if queryset is not None else Application.objects.all()).select_related(
        "process", "applicant_unit", "acting_unit"
    )
    accessor = procedure.detail_accessor()
    return qs.select_related(accessor) if accessor else qs


def _json_rows(model, ordering: str, where: str, params=()):
    """A subquery: the rows of ``model`` matching ``where`` (SQL on alias ``r``, which may
    name the outer application row) as one JSON array (PostgreSQL), keys = column names."""
    from django.db.models import JSONField
    from django.db.models.expressions import RawSQL

    table = connection.ops.quote_name(model._meta.db_table)
    return RawSQL(  # noqa: S611 (quoted names, bound values)
        f"(SELECT jsonb_agg(r ORDER BY {ordering}) FROM {table} r WHERE {where})",  # noqa: S608
        params,
        output_field=JSONField(),
    )


def _from_json(model, row: dict):
    """A model instance from one of ``_json_rows``' objects, as if read from the database
    (``to_jsonb`` writes numbers as JSON numbers: a decimal comes back to its places)."""
    from decimal import Decimal

    from django.db.models import DecimalField, JSONField

    names, values = [], []
    for field in model._meta.concrete_fields:
        value = row.get(field.attname)
        if value is not None and not isinstance(field, JSONField):
            if isinstance(field, DecimalField):
                value = Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
            elif hasattr(field, "from_db_value"):
                value = field.from_db_value(value, None, connection)
            else:
                value = field.to_python(value)
        names.append(field.attname)
        values.append(value)
    return model.from_db(connection.alias, names, values)


def _detail_json():
    """A subquery: the application's procedure detail as one JSON object (PostgreSQL), read
    only from the table of the application's own procedure. Joining every procedure's
    detail table instead costs the planner more than the whole statement's execution."""
    from django.db.models import JSONField
    from django.db.models.expressions import RawSQL

    quote = connection.ops.quote_name
    app = quote(Application._meta.db_table)
    whens, params = [], []
    for procedure in procedures():
        link = procedure.detail_link()
        if link is None or link.remote_field.hidden:
            continue
        table = quote(procedure.detail_model._meta.db_table)
        whens.append(
            f"WHEN %s THEN (SELECT to_jsonb(r) FROM {table} r "  # noqa: S608 (quoted names)
            f'WHERE r.{quote(link.column)} = {app}."id")'
        )
        params.append(procedure.code)
    if not whens:
        return None
    return RawSQL(  # noqa: S611 (quoted names, bound values)
        f'(CASE {app}."procedure" {" ".join(whens)} END)', params, output_field=JSONField()
    )


def _take_detail(app: Application) -> None:
    """The detail ``_detail_json`` brought, cached on the application as ``select_related``
    leaves it (None: the application has none yet)."""
    if "zk_detail" not in app.__dict__:
        return
    row = app.__dict__.pop("zk_detail")
    link = procedure_for(app).detail_link()
    if link is None or link.remote_field.hidden:
        return
    detail = _from_json(link.model, row) if row else None
    link.remote_field.set_cached_value(app, detail)
    if detail is not None:
        link.set_cached_value(detail, app)


def _with_rows(qs):
    """On PostgreSQL, the lock query also brings the waiting task and the attachments (what
    a step reads besides the application), so that each is read once, in the same
    statement."""
    if connection.vendor != "postgresql":
        return qs
    app = connection.ops.quote_name(Application._meta.db_table)
    return qs.annotate(
        zk_tasks=_json_rows(
            Task, "r.id", f'r.process_id = {app}."process_id" AND r.status = %s', [STATUS.NEW]
        ),
        zk_attachments=_json_rows(
            Attachment, "r.uploaded_at, r.id", f'r.application_id = {app}."id"'
        ),
    )


def _take_rows(app: Application) -> Application:
    """Materialise what ``_with_rows`` brought: the pending task and the attachments."""
    if not hasattr(app, "zk_tasks"):
        return app
    procedure = procedure_for(app)
    tasks = [_from_json(Task, row) for row in app.__dict__.pop("zk_tasks") or ()]
    waiting = [t for t in tasks if procedure.step(t.flow_task.name) is not None]
    if waiting:
        waiting[0].process = app.process
    app._pending_task = waiting[0] if waiting else _NOTHING
    rows = app.__dict__.pop("zk_attachments") or ()
    attachments = app.attachments.all()  # as prefetch_related leaves it
    attachments._result_cache = [_from_json(Attachment, row) for row in rows]
    attachments._prefetch_done = True
    app._prefetched_objects_cache = {"attachments": attachments}
    return app


def lock_visible(user, queryset, **lookup) -> Application | None:
    """Inside ``one_transaction``: the application of ``queryset`` (already restricted to
    what ``user`` may see) matching ``lookup``, read and locked in one statement — the
    process row (the flow's lock, as ``workflows.locks.process_lock`` takes it) and the
    application row, with its units and procedure detail — or None when there is none
    with a process (the caller looks it up the ordinary way: 404, or a draft)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(process_lock.timeout_ms)}")
    # an INNER JOIN: FOR UPDATE cannot lock the nullable side of an outer join
    qs = queryset.filter(process__status__isnull=False, **lookup).select_related(
        "process", "applicant_unit", "acting_unit"
    )
    detail = _detail_json() if connection.vendor == "postgresql" else None
    if detail is not None:
        qs = qs.annotate(zk_detail=detail)
    elif accessors := [a for p in procedures() if (a := p.detail_accessor())]:
        qs = qs.select_related(*accessors)
    try:
        app = _with_rows(qs.select_for_update(of=("self", "process"))).get()
    except (Application.DoesNotExist, ValueError, TypeError, ValidationError):
        return None
    app._locked_in = connection.atomic_blocks[-1]
    _take_detail(app)
    return _as_read(_take_rows(app))


_COLUMNS = [f for f in Application._meta.concrete_fields if not f.primary_key]
_MUTABLE = {f.attname for f in _COLUMNS if isinstance(f, models.JSONField)}


def _as_read(app: Application) -> Application:
    """Remember the columns as read under the lock, so that ``_save`` writes only those
    changed since (JSON values copied: a step may change them in place)."""
    values = {f.attname: getattr(app, f.attname) for f in _COLUMNS}
    for name in _MUTABLE:
        values[name] = copy.deepcopy(values[name])
    app._as_read = values
    return app


def _save(application: Application) -> None:
    """Write the application: on a copy read under the lock (``_as_read``), only the
    columns changed since and ``updated_at``; any other copy, whole."""
    seen = application.__dict__.get("_as_read")
    if seen is None:
        application.save()
        return
    changed = [f.attname for f in _COLUMNS if getattr(application, f.attname) != seen[f.attname]]
    application.save(update_fields={*changed, "updated_at"})
    _as_read(application)


def _locked_here(application) -> bool:
    """Locked by ``lock_visible`` / ``locked`` in a block that is still open."""
    block = getattr(application, "_locked_in", None)
    return block is not None and any(b is block for b in connection.atomic_blocks)


@contextmanager
def locked(application: Application):
    """The application re-read under the process lock (or its own row lock before a process).

    The process row and the application row are locked and read in one statement (with
    the application's process, units and procedure detail) when the flow uses the
    project's ``ProcessRowLock``; an application already locked so in this transaction
    (``lock_visible``) is used as it is."""
    procedure = procedure_for(application)
    with transaction.atomic(savepoint=False):
        if _locked_here(application):
            app = application
        elif application.process_id and _lock_timeout(procedure) is None:
            with procedure.flow_class.lock(application.process_id):
                qs = _locking_qs(procedure).select_for_update(of=("self",))
                app = _as_read(qs.get(pk=application.pk))
        else:
            timeout = _lock_timeout(procedure)
            qs = _locking_qs(procedure)
            if application.process_id:
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = {int(timeout)}")
                # an INNER JOIN: FOR UPDATE cannot lock the nullable side of an outer join
                qs = qs.filter(process__status__isnull=False)
                qs = _with_rows(qs.select_for_update(of=("self", "process")))
            else:
                qs = _with_rows(qs.select_for_update(of=("self",)))
            # a lock timeout (LockNotAvailable) answers 409: workflows.middleware
            app = _as_read(_take_rows(qs.get(pk=application.pk)))
            app._locked_in = connection.atomic_blocks[-1]
        with units_cached(app.acting_unit, app.applicant_unit), calendar_cached():
            yield app


def _sync(target: Application, source: Application) -> None:
    """``target`` as ``source`` is now (the caller's copy after a service: no re-read)."""
    if target is source:
        return
    for field in Application._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.fields_cache = dict(source._state.fields_cache)
    target.__dict__.pop("_prefetched_objects_cache", None)


def application_url(application: Application) -> str:
    return reverse("applications:detail", args=[application.public_id])


def _check_version(application: Application, version: int | None) -> None:
    expect_version(application, version, message=STALE)


def _require_editor(actor, application) -> None:
    applicant = procedure_for(application).applicant
    if not applicant.may_edit(actor, application):
        raise PermissionDenied(applicant.refusal())


_NOTHING = Task()  # "no task waits": known without asking the database


def pending_task(application: Application) -> Task | None:
    """The flow task waiting for a person (Handle nodes stay NEW until run)."""
    cached = application.__dict__.get("_pending_task")
    if cached is _NOTHING:
        return None
    if cached is not None and cached.process_id == application.process_id:
        return cached
    if not application.process_id:
        return None
    procedure = procedure_for(application)
    for task in Task.objects.filter(process_id=application.process_id, status=STATUS.NEW):
        if procedure.step(task.flow_task.name) is not None:
            task.process = application.process
            application._pending_task = task
            return task
    return None


def _run_task(application: Application, task: Task) -> None:
    """Complete the pending Handle task under the lock already held: its activation
    directly (viewflow's ``Handle.run`` would take the process lock a second time and
    re-read the task), and remember the step task it creates, if it is one."""
    application.__dict__.pop("_pending_task", None)
    node = task.flow_task
    if not isinstance(node, flow.Handle):
        node.run(task)
        return
    task.process = application.process
    activation = node.activation_class(task)
    activation.run(this.resolve(node.flow_class.instance, node._func))
    activation.execute()
    procedure = procedure_for(application)
    nexts = [
        a.task
        for a in getattr(activation, "next_activations", ())
        if a.task.status == STATUS.NEW and procedure.step(a.task.flow_task.name) is not None
    ]
    if nexts:
        application._pending_task = nexts[0]
    elif isinstance(node, StepNode):  # routed to an end: nothing waits any more
        application._pending_task = _NOTHING


def current_step(application: Application) -> Step | None:
    """The handler of the step the application waits at (None when closed or a draft)."""
    if not application.current_step or application.is_closed:
        return None
    return procedure_for(application).step(application.current_step)


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
    """Complete the pending flow task with ``outcome``; the flow routes on it. The
    application is written once, afterwards (``_enter_next`` / ``_close``); a hand-written
    flow's gateways may read it from the database, so it is saved first for those."""
    task = pending_task(application)
    if task is None:
        raise Conflict(STALE)
    application.last_outcome = outcome
    application.version += 1
    if not isinstance(task.flow_task, StepNode):
        _save(application)
    # the routing conditions read ``process.application``: this very instance
    Application.process.field.remote_field.set_cached_value(application.process, application)
    _run_task(application, task)


@in_chinese
def _tell_applicant(application: Application, title: str, body: str = "") -> None:
    procedure_for(application).applicant.tell(
        application, title=title, body=body, url=application_url(application)
    )


@in_chinese
def _close(application: Application, status: str, reason: str = "") -> None:
    application.status = status
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application.open_key = None
    application.closed_at_step = application.current_step
    application.current_step = ""
    application.current_step_label = ApplicationStatus(status).label
    application.acting_unit = None
    application.step_since = application.decided_at
    application.step_due = None
    _save(application)


@in_chinese
def _enter_next(application: Application) -> None:
    """Mirror the flow's new pending step on the application and route it to its units."""
    task = pending_task(application)
    if task is None:
        _save(application)
        return
    step = procedure_for(application).step(task.flow_task.name)
    units = step.units(application)
    application.current_step = step.name
    application.current_step_label = step.label
    application.acting_unit = units[0] if len(units) == 1 else None
    application.step_since = timezone.now()
    limit = step.limit_days()
    application.step_due = add_working_days(timezone.localdate(), limit) if limit else None
    application.status = step.status
    _save(application)  # the one write of the application in a transition
    routed = [u for u in units if u.pk != application.applicant_unit_id]
    if routed:
        application.routed_to.add(*routed)
    step.enter(application)
    if application.status == ApplicationStatus.RETURNED:
        procedure_for(application).applicant.tell(
            application,
            title=_("待办：%(step)s — %(title)s")
            % {"step": step.label, "title": application.title},
            url=application_url(application),
        )
        return
    notify_units(
        units,
        title=_("待办：%(step)s — %(title)s") % {"step": step.label, "title": application.title},
        url=application_url(application),
        roles=step.roles,
    )


def _apply(application: Application, step: Step, outcome: Outcome | None) -> None:
    """Run the flow on from ``step`` with ``outcome`` (None: the step keeps waiting)."""
    if outcome is None:
        _save(application)
        return
    if outcome.result == RETURNED:
        application.returned_from = step.name
    _advance(application, outcome.result)
    if pending_task(application) is not None:
        _enter_next(application)
        return
    # the flow has ended: approved at its last step, or closed by a rejection
    if outcome.result == APPROVED:
        _close(application, ApplicationStatus.APPROVED)
        _tell_applicant(application, _stored("申请已批准：%(title)s", title=application.title))
    else:
        _close(application, ApplicationStatus.REJECTED, outcome.reason)
        _tell_applicant(
            application, _stored("申请未通过：%(title)s", title=application.title), outcome.reason
        )


# --- applicant ---------------------------------------------------------------------


@atomic
def application_create(
    *, procedure_code: str, actor, unit: Unit | None = None, school: Unit | None = None, round=None
) -> Application:
    """A new draft in the name of ``unit`` (one of the actor's units the procedure admits)
    or, for a person's procedure, of the actor at the unit they work at."""
    procedure = procedure_for(procedure_code)
    allowed = procedure.applicant.units_for(actor)
    unit = unit or school or (allowed[0] if allowed else None)
    if unit is None or unit not in allowed:
        raise PermissionDenied(procedure.applicant.refusal())
    if round is not None and round.procedure != procedure.code:
        raise RuleViolation(_("「批次」不属于该事项。"), field="round")
    person = procedure.applicant.person_for(actor)
    who = display_name_of(person) if person is not None else unit.name
    application = Application.objects.create(
        procedure=procedure.code,
        applicant_unit=unit,
        applicant_person=person,
        round=round,
        title=_stored("%(who)s%(procedure)s（草稿）", who=who, procedure=procedure.title),
        created_by=actor,
        current_step_label=_stored(ApplicationStatus.DRAFT.label),
    )
    audit_record(actor=actor, action="application_created", obj=application, unit=unit)
    return application


def display_name_of(person) -> str:
    from workflows.people import display_name

    return display_name(person)


@atomic
def application_save(*, application: Application, actor, data, uploads=()):
    """Keep what was typed and uploaded, valid or not; return the bound form with its errors.

    The raw values are stored as the draft; each upload that passes the type and
    size checks is stored at once; the procedure's own record is written when the
    whole form validates.
    """
    _require_editor(actor, application)
    procedure = procedure_for(application)
    with locked(application) as app:
        app.__dict__.pop("_prefetched_objects_cache", None)  # files change here
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


@atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    application = attachment.application
    _require_editor(actor, application)
    with locked(application) as app:
        app.__dict__.pop("_prefetched_objects_cache", None)  # files change here
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


@atomic
def application_send_to_head(*, application: Application, actor) -> None:
    """A unit's handler hands a complete draft to its head for submission."""
    _require_editor(actor, application)
    procedure = procedure_for(application)
    if not procedure.applicant.has_head_step:
        raise Conflict(STALE)
    with locked(application) as app:
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
            raise Conflict(STALE)
        _validate_complete(procedure, app)
        app.status = ApplicationStatus.PENDING_HEAD
        app.current_step_label = _stored(ApplicationStatus.PENDING_HEAD.label)
        app.save()
        audit_record(actor=actor, action="sent_to_head", obj=app, unit=app.applicant_unit)
        procedure.applicant.tell_submitters(
            app, title=_stored("待报送：%(title)s", title=app.title), url=application_url(app)
        )


def may_submit(application: Application, user) -> bool:
    return application.status in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.PENDING_HEAD,
        ApplicationStatus.RETURNED,
    ) and procedure_for(application).applicant.may_submit(user, application)


def _check_window(app: Application) -> None:
    """A round's application window: a submission after it closes is refused, naming the date."""
    round_ = app.round
    if round_ is None or app.process_id is not None:
        return
    now = timezone.now()
    if now < round_.opens_at:
        raise RuleViolation(
            _("「%(round)s」%(day)s 开始受理申报，尚未开始。")
            % {"round": round_.name, "day": timezone.localtime(round_.opens_at).date()},
            field="round",
        )
    if now > round_.closes_at:
        raise RuleViolation(
            _("「%(round)s」申报已于 %(day)s 截止，不再受理。")
            % {"round": round_.name, "day": timezone.localtime(round_.closes_at).date()},
            field="round",
        )


def check_delegated_submit(app: Application, actor, delegation) -> None:
    """审核并报送 on ``delegation.principal``'s behalf, as the review steps are done: a draft
    waiting on the head (or leader) of the delegation's unit, the principal one of them,
    and the actor holding such a role there themselves (a delegation passes no role on)."""
    from workflows.access import is_member
    from workflows.delegation import check_delegated_step

    from .applicants import SUBMITTERS

    waits = app.status == ApplicationStatus.PENDING_HEAD and app.applicant_person_id is None
    check_delegated_step(
        delegation,
        actor,
        unit=app.applicant_unit if waits else None,
        principal_waits=waits and is_member(delegation.principal, app.applicant_unit, SUBMITTERS),
        roles=SUBMITTERS,
        step_label=_("审核并报送"),
    )


@atomic
def application_submit(
    *, application: Application, actor, version: int | None = None, delegation=None
) -> None:
    """The applicant submits (or resubmits after a return). Eligibility is checked here.
    With ``delegation`` a head submits a draft on the principal's behalf (checked above):
    the records read 李四（代 张三）."""
    from workflows.delegation import acting_for

    procedure = procedure_for(application)
    with locked(application) as app, acting_for(delegation):
        if delegation is not None:
            check_delegated_submit(app, actor, delegation)
        # asked of the row read under the lock, with its unit: not a second read of the unit
        if not procedure.applicant.may_submit(actor, app):
            raise PermissionDenied(procedure.applicant.refusal())
        _check_version(app, version)
        if not may_submit(app, actor):
            raise Conflict(STALE)
        if delegation is not None:
            check_delegated_submit(app, actor, delegation)
        _validate_complete(procedure, app)
        _check_window(app)
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
        else:
            _first_submission(procedure, app, actor)
    _sync(application, app)


def _first_submission(procedure: Procedure, app: Application, actor) -> None:
    app.open_key = procedure.open_key(app)
    # worded before the write: after a unique violation the transaction takes no query
    refusal = procedure.open_key_message(app) if app.open_key else None
    app.__dict__.pop("_pending_task", None)  # read before the flow existed
    app.process = _start_flow(procedure, app)
    app.submitted_at = timezone.now()
    app.version += 1
    audit_record(
        actor=actor,
        action="submitted",
        obj=app,
        unit=app.applicant_unit,
        after=procedure.snapshot(app),
    )
    try:
        _enter_next(app)  # writes the application once, open key included
    except IntegrityError as exc:
        if refusal is None or "open_key" not in str(exc):
            raise
        message, field = refusal
        raise RuleViolation(message, field=field or None) from None


def _start_flow(procedure: Procedure, app: Application):
    """Start the procedure's flow and remember the first step's task. A generated flow's
    ``StartHandle`` is run directly: the new process is nobody else's yet, so viewflow's
    run (which takes the process lock of a process just created) has nothing to guard."""
    node = procedure.flow_class.start
    if not isinstance(node, flow.StartHandle) or node._func is not None:
        return node.run()
    activation = node.activation_class.create(node, None, None)
    process, task = activation.process, activation.task
    task_started.send(sender=node.flow_class, process=process, task=task)
    first = node._next
    if (
        connection.vendor == "postgresql"
        and isinstance(first, StepNode)
        and not (node._task_data or node._task_seed or first._boundary_events)
    ):
        # what ``complete`` and ``create_next`` write, in one statement; a Handle's task
        # waits as it is created (its ``activate`` does nothing)
        task.finished = timezone.now()
        task.status = STATUS.DONE
        new = node.flow_class.task_class(flow_task=first, token=task.token)
        new.flow_task_type = first.task_type
        new.data = {}
        write_start(process, task, new)
        new.process = process
        task_finished.send(sender=node.flow_class, process=process, task=task)
        flow_started.send(sender=node.flow_class, process=process, task=task)
        app._pending_task = new
        return process
    process.save()
    activation.complete()
    flow_started.send(sender=node.flow_class, process=process, task=task)
    nexts = list(activation.create_next())
    activation._activate_next(set(nexts))
    waiting = [
        a.task
        for a in nexts
        if a.task.status == STATUS.NEW and procedure.step(a.task.flow_task.name) is not None
    ]
    if waiting:
        waiting[0].process = activation.process
        app._pending_task = waiting[0]
    return activation.process


def may_withdraw(application: Application, user) -> bool:
    """While the first step waits and nobody has acted on it, the applicant may withdraw."""
    procedure = procedure_for(application)
    return (
        application.status == ApplicationStatus.IN_REVIEW
        and application.current_step == procedure.first_step
        and not application.reviews.exists()
        and not application.signoffs.exclude(status=SignOffStatus.PENDING).exists()
        and procedure.applicant.may_edit(user, application)
    )


@atomic
def application_withdraw(*, application: Application, actor, version: int | None = None) -> None:
    """The applicant withdraws while the first step waits and no reviewer has acted."""
    _require_editor(actor, application)
    procedure = procedure_for(application)
    with locked(application) as app:
        _check_version(app, version)
        if not may_withdraw(app, actor):
            raise Conflict(_("审核单位已开始办理，不能再撤回。"))
        procedure.flow_class.instance.cancel(app.process)
        app.version += 1
        _close(app, ApplicationStatus.WITHDRAWN)
        audit_record(actor=actor, action="withdrawn", obj=app, unit=app.applicant_unit)


# --- whoever the current step waits on ------------------------------------------------------


def result_message(application: Application, outcome: Outcome | None) -> str:
    """What happened, in words, for the person who just acted (the application as it is now)."""
    applicant = procedure_for(application).applicant.name_of(application)
    if outcome is None:
        return _("已提交本单位意见，等待其他单位办理。")
    if outcome.result == RETURNED:
        return _("已退回%(who)s修改。") % {"who": applicant}
    if application.status == ApplicationStatus.REJECTED:
        return _("已办结：不予通过，已通知%(who)s。") % {"who": applicant}
    if application.status == ApplicationStatus.APPROVED:
        return _("已办结：申请已批准，已通知%(who)s。") % {"who": applicant}
    if application.acting_unit_id:
        return _("已同意，申请转入「%(step)s」（%(unit)s）。") % {
            "step": _(application.current_step_label),
            "unit": application.acting_unit.name,
        }
    return _("已同意，申请转入「%(step)s」。") % {"step": _(application.current_step_label)}


def delegated_unit(step: Step, app: Application, actor, delegation):
    """The unit ``actor`` acts for on ``step`` standing in for ``delegation.principal``: the
    step must wait on the principal for the delegation's unit, and need a role the actor
    holds there themselves (a delegation passes no role on)."""
    from workflows.delegation import check_delegated_step

    principal = delegation.principal
    check_delegated_step(
        delegation,
        actor,
        unit=step.acting_unit(app, principal),
        principal_waits=step.waits_on(app, principal),
        roles=step.roles,
        step_label=step.label,
    )
    return delegation.unit


@atomic
def step_act(
    *, application: Application, actor, cleaned: dict, version: int | None, delegation=None
) -> str:
    """The current step's action by ``actor`` with the step form's ``cleaned`` data; returns
    what happened, in words. With ``delegation`` (active, received by ``actor``) the actor
    stands in for its principal: what is recorded reads 李四（代 张三）."""
    from workflows.delegation import acting_for

    procedure = procedure_for(application)
    with locked(application) as app:
        _check_version(app, version)
        task = pending_task(app)
        step = procedure.step(task.flow_task.name) if task else None
        if step is None or step.form_class is None:
            raise Conflict(STALE)
        if delegation is not None:
            unit = delegated_unit(step, app, actor, delegation)
        else:
            unit = step.require_actor(app, actor)
        with acting_for(delegation):
            outcome = step.act(StepRun(app, procedure, step, actor, unit), cleaned)
            _apply(app, step, outcome)
    _sync(application, app)
    return result_message(application, outcome)


def application_decide(
    *, application: Application, actor, decision: str, opinion: str = "", version: int | None
) -> None:
    """Approve, return for amendment, or reject on a review or joint sign-off step."""
    step_act(
        application=application,
        actor=actor,
        cleaned={"decision": decision, "opinion": opinion},
        version=version,
    )


def application_issue(*, application: Application, actor, version: int | None) -> None:
    """The deciding unit signs the decision document off; the decision takes effect."""
    step_act(application=application, actor=actor, cleaned={}, version=version)


# --- public notice -------------------------------------------------------------------


def _notice_subject(notice: PublicNotice):
    return notice.application or notice.round


@atomic
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
    subject = _notice_subject(notice)
    audit_record(
        actor=None,
        action="objection_lodged",
        obj=subject,
        # who objected stays with the handling unit: the timeline (seen by the applicant) has no name
        after={"objection": str(objection.public_id), "name": objection.name},
    )
    url = application_url(notice.application) if notice.application_id else ""
    notify_units(
        [notice.handling_unit],
        title=_stored("公示收到异议，请处理：%(title)s", title=notice.title),
        url=url,
    )
    return objection


@atomic
def objection_handle(
    *, objection: Objection, actor, upheld: bool, note: str, application: Application | None = None
) -> None:
    """The unit that handles the notice rules on an objection. Upheld against an application's
    notice, it refuses that application; against a round's notice, it refuses the application
    it concerns (``application``), and the notice goes on for the others."""
    note = (note or "").strip()
    notice = objection.notice
    target = notice.application or application
    if target is None:
        raise RuleViolation(
            _("「异议涉及的申请」必填：请选择异议成立所涉及的申请。"), field="application"
        )
    if notice.round_id and target.round_id != notice.round_id:
        raise RuleViolation(_("「异议涉及的申请」不在本次公示的批次中。"), field="application")
    with locked(target) as app:
        objection = Objection.objects.select_related("notice").get(pk=objection.pk)
        notice = objection.notice
        from workflows.access import is_member

        if not is_member(actor, notice.handling_unit):
            raise PermissionDenied(_("异议由组织公示的单位处理。"))
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict(_("该异议已处理，本次操作未生效。"))
        if not note:
            raise RuleViolation(_("「处理意见」必填：请写明异议成立或不成立的理由。"), field="note")
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.handled_by = actor
        objection.on_behalf_of = current_principal(actor)
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
            if notice.application_id:
                notice.status = NoticeStatus.REFUSED
                notice.closed_at = timezone.now()
                notice.save()
            reason = _stored("公示期间异议成立：%(note)s", note=note)
            step = current_step(app)
            if step is None:
                raise Conflict(STALE)
            _apply(app, step, Outcome(REJECTED, reason))
            return
    if notice.application_id:
        with locked(notice.application) as app:
            _close_notice_if_due(app, PublicNotice.objects.get(pk=notice.pk), timezone.localdate())


def _notice_passes(notice: PublicNotice, today: date) -> bool:
    if notice.status != NoticeStatus.OPEN or today <= notice.ends_on:
        return False
    if notice.objections.filter(status=ObjectionStatus.PENDING).exists():
        return False  # the handling unit must rule on every objection first
    notice.status = NoticeStatus.PASSED
    notice.closed_at = timezone.now()
    notice.save()
    return True


def _move_on_after_notice(app: Application, notice: PublicNotice) -> None:
    audit_record(
        actor=None,
        action="notice_passed",
        obj=app,
        note=_stored("公示期满（%(last)s），异议均已处理。", last=notice.ends_on),
    )
    step = current_step(app)
    if step is None or step.name != notice.step and notice.step:
        raise Conflict(STALE)
    _apply(app, step, Outcome(APPROVED))


def _close_notice_if_due(app: Application, notice: PublicNotice, today: date) -> bool:
    if not _notice_passes(notice, today):
        return False
    _move_on_after_notice(app, notice)
    return True


@atomic
def public_notice_close_if_due(*, notice_id: int, today: date | None = None) -> bool:
    """Move on once the period is over and every objection is handled. Idempotent.

    A round's notice moves on every application of the round still waiting at its step."""
    today = today or timezone.localdate()
    notice = PublicNotice.objects.select_related("application", "round").get(pk=notice_id)
    if notice.application_id:
        with locked(notice.application) as app:
            notice = PublicNotice.objects.get(pk=notice_id)
            return _close_notice_if_due(app, notice, today)
    notice = PublicNotice.objects.select_for_update().get(pk=notice_id)
    if not _notice_passes(notice, today):
        return False
    for waiting in notice.round.applications.filter(current_step=notice.step):
        with locked(waiting) as app:
            if app.current_step == notice.step and not app.is_closed:
                _move_on_after_notice(app, notice)
    return True


# --- time limits -------------------------------------------------------------------------


def step_deadline_alerts(*, today: date) -> dict:
    """Reminders one working day before each step's limit, escalation to the office after it."""
    from workflows.models import UnitKind
    from workflows.workdays import WorkingDays

    from .models import StepAlert

    calendar = WorkingDays()
    sent = {StepAlert.REMINDER: 0, StepAlert.ESCALATION: 0}
    waiting = Application.objects.filter(step_due__isnull=False).exclude(
        status__in=(
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        )
    )
    for app in waiting.select_related("acting_unit"):
        step = current_step(app)
        if step is None:
            continue
        if today > app.step_due:
            kind = StepAlert.ESCALATION
        elif calendar.between(today, app.step_due) <= 1:
            kind = StepAlert.REMINDER
        else:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    StepAlert.objects.create(
                        application=app, step=app.current_step, step_since=app.step_since, kind=kind
                    )
            except IntegrityError:
                continue  # sent already for this entry into the step
            values = {"step": step.label, "title": app.title, "due": app.step_due}
            if kind == StepAlert.REMINDER:
                notify_units(
                    step.units(app),
                    title=_stored("即将到期：%(step)s — %(title)s（%(due)s 前办理）", **values),
                    url=application_url(app),
                    roles=step.roles,
                )
            else:
                notify_units(
                    [*step.units(app), *Unit.objects.filter(kind=UnitKind.OFFICE)],
                    title=_stored("已超时：%(step)s — %(title)s（时限 %(due)s）", **values),
                    url=application_url(app),
                )
            audit_record(
                actor=None,
                action=f"step_{kind}",
                obj=app,
                after={"step": str(step.label), "due": str(app.step_due)},
            )
            sent[kind] += 1
    return sent
