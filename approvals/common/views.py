"""Pages of the approvals kernel: portal, form, detail with review actions, files, notices.

Views are thin: they look the application up through the access helper (another
unit's id answers 404), call one service, and show its refusal as a form error.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows import ratelimit
from workflows.access import get_visible_or_404, is_member, units_of
from workflows.exceptions import RuleViolation
from workflows.models import UnitKind

from . import attachments as files
from . import selectors, services
from .forms import DecisionForm, ObjectionForm, ObjectionHandleForm, VersionForm
from .models import (
    Application,
    ApplicationStatus,
    NoticeStatus,
    ObjectionStatus,
    PublicNotice,
)
from .registry import StepKind, procedure_for, procedures


def post_only(view):
    """Actions take POST; a GET (e.g. the 409 page's "refresh" link) shows the application."""

    @wraps(view)
    def wrapper(request, public_id, *args, **kwargs):
        if request.method != "POST":
            _application(request, public_id)  # 404 for what the user may not see
            return redirect("applications:detail", public_id)
        return view(request, public_id, *args, **kwargs)

    return wrapper


def _application(request, public_id) -> Application:
    return get_visible_or_404(
        request.user, selectors.visible_application_qs(request.user), public_id=public_id
    )


def _my_schools(user):
    return [u for u in units_of(user) if u.kind == UnitKind.SCHOOL]


@login_required
def index(request):
    tab = request.GET.get("tab", "all")
    apps = selectors.applications_for(request.user, status_group=tab)
    schools = _my_schools(request.user)
    counts = {
        key: selectors.applications_for(request.user, status_group=key).count()
        for key in ("draft", "open", "closed")
    }
    return render(
        request,
        "approvals/my_applications.html",
        {
            "applications": apps[:200],
            "tab": tab,
            "counts": counts,
            "schools": schools,
            "procedures": procedures() if schools else [],
            "badges": [b for p in procedures() for s in schools for b in p.school_badges(s)],
        },
    )


def _render_form(request, procedure, form, application=None, status=200):
    return render(
        request,
        "approvals/application_form.html",
        {
            "procedure": procedure,
            "form": form,
            "application": application,
            "attachments": application.attachments.all() if application else [],
            "can_submit": application is not None
            and is_member(request.user, application.applicant_unit, services.SCHOOL_SUBMITTERS),
            "school": application.applicant_unit if application else _my_schools(request.user)[0],
        },
        status=status,
    )


@login_required
def application_new(request, procedure_code):
    try:
        procedure = procedure_for(procedure_code)
    except KeyError:
        raise Http404 from None
    schools = _my_schools(request.user)
    if not schools:
        raise PermissionDenied(_("只有学校可以发起申请。"))
    if request.method != "POST":
        return _render_form(request, procedure, procedure.form_class())
    try:
        # one transaction: a draft whose first save is refused is not left behind empty
        with transaction.atomic():
            application = services.application_create(
                procedure_code=procedure.code, school=schools[0], actor=request.user
            )
            return _save_and_continue(request, application, procedure)
    except _Refused as refused:
        return _render_form(request, procedure, refused.form, status=400)


class _Refused(Exception):
    """What was posted cannot be kept even as a draft; carries the form with the reason."""

    def __init__(self, form):
        super().__init__()
        self.form = form


def _refused_form(procedure, data, exc: RuleViolation):
    form = procedure.form_class(data={k: v for k, v in data.items() if "\x00" not in v})
    form.is_valid()
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return form


def _save_and_continue(request, application, procedure):
    try:
        form = services.application_save(
            application=application,
            actor=request.user,
            data=request.POST,
            uploads=request.FILES.getlist(procedure.form_class.files_field),
        )
    except RuleViolation as exc:
        raise _Refused(_refused_form(procedure, request.POST, exc)) from None
    action = request.POST.get("action", "save")
    if action in ("send_to_head", "submit") and form.is_valid():
        try:
            if action == "submit":
                services.application_submit(application=application, actor=request.user)
                messages.success(request, _("申请已报送，等待审核。"))
            else:
                services.application_send_to_head(application=application, actor=request.user)
                messages.success(request, _("已提交本校负责人审核报送。"))
            return redirect("applications:detail", application.public_id)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if form.errors:
        messages.warning(request, _("内容已保存为草稿，但还有以下问题需要修改。"))
        application.refresh_from_db()
        return _render_form(request, procedure, form, application, status=200)
    messages.success(request, _("草稿已保存。"))
    return redirect("applications:edit", application.public_id)


@login_required
def application_edit(request, public_id):
    application = _application(request, public_id)
    procedure = procedure_for(application)
    if not is_member(request.user, application.applicant_unit, services.SCHOOL_EDITORS):
        raise PermissionDenied
    if not application.is_editable:
        return redirect("applications:detail", application.public_id)
    if request.method == "POST":
        try:
            return _save_and_continue(request, application, procedure)
        except _Refused as refused:
            return _render_form(request, procedure, refused.form, application, status=400)
    form = procedure.form_class(initial=procedure.initial(application))
    return _render_form(request, procedure, form, application)


@login_required
@require_POST
def application_autosave(request, public_id):
    """Keeps the typed values server-side every few seconds (no files, no audit row)."""
    application = _application(request, public_id)
    try:
        services.application_save(application=application, actor=request.user, data=request.POST)
    except RuleViolation as exc:
        return JsonResponse({"error": exc.message, "field": exc.field}, status=400)
    return JsonResponse({"saved_at": timezone.localtime().strftime("%H:%M:%S")})


@login_required
def application_detail(request, public_id, decision_form=None, handle_errors=None, status=200):
    application = _application(request, public_id)
    procedure = procedure_for(application)
    user = request.user
    step = procedure.steps.get(application.current_step)
    may_act = selectors.may_act_on_step(application, user)
    last_return, changes = (None, [])
    if application.status == ApplicationStatus.IN_REVIEW:
        last_return, changes = selectors.changes_since_return(application)
    notice = PublicNotice.objects.filter(application=application).first()
    is_school = is_member(user, application.applicant_unit)
    context = {
        "progress": selectors.progress(application),
        "application": application,
        "procedure": procedure,
        "detail": selectors.detail_rows(procedure.snapshot(application)),
        "attachments": application.attachments.all(),
        "timeline": selectors.timeline(application),
        "step": step,
        "may_review": may_act and step and step.kind in (StepKind.REVIEW, StepKind.COSIGN),
        "may_issue": may_act and step and step.kind == StepKind.ISSUE,
        "decision_form": decision_form
        or DecisionForm(initial={"version": application.version, "decision": "approve"}),
        "last_return": last_return,
        "changes": changes,
        "signoffs": application.signoffs.select_related("unit", "actor"),
        "reviews": application.reviews.select_related("unit", "actor"),
        "notice": notice,
        "objections": notice.objections.select_related("handled_by") if notice else [],
        "may_handle_objections": bool(
            notice and notice.status == NoticeStatus.OPEN and is_member(user, notice.handling_unit)
        ),
        "handle_form": ObjectionHandleForm(),
        "handle_errors": handle_errors or {},
        "is_school": is_school,
        "may_edit": is_school and application.is_editable,
        "may_submit": application.status
        in (ApplicationStatus.DRAFT, ApplicationStatus.PENDING_HEAD)
        and is_member(user, application.applicant_unit, services.SCHOOL_SUBMITTERS),
        "may_withdraw": is_school
        and application.status == ApplicationStatus.IN_REVIEW
        and application.current_step == procedure.first_step
        and not application.reviews.exists(),
        "returned_review": application.reviews.filter(decision="return").last()
        if application.status == ApplicationStatus.RETURNED
        else None,
    }
    return render(request, "approvals/application_detail.html", context, status=status)


def _posted_version(request, public_id):
    """(version, None) from the posted form, or (None, the detail page answering 400)."""
    form = VersionForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["version"], None
    messages.error(request, form.error_text())
    return None, application_detail(request, public_id, status=400)


def _versioned_step(request, public_id, service, done_message):
    """A one-click step that carries only the version: run the service, say what happened."""
    application = _application(request, public_id)
    version, refused = _posted_version(request, public_id)
    if refused:
        return refused
    try:
        service(application=application, actor=request.user, version=version)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return redirect("applications:detail", application.public_id)


@login_required
@post_only
def application_submit(request, public_id):
    return _versioned_step(
        request, public_id, services.application_submit, _("申请已报送，等待审核。")
    )


@login_required
@post_only
def application_withdraw(request, public_id):
    return _versioned_step(request, public_id, services.application_withdraw, _("申请已撤回。"))


@login_required
@post_only
def application_decide(request, public_id):
    application = _application(request, public_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(
                application=application,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                opinion=form.cleaned_data["opinion"],
                version=form.cleaned_data["version"],
            )
            messages.success(request, _("已办理。"))
            return redirect("applications:detail", application.public_id)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return application_detail(request, public_id, decision_form=form, status=200)


@login_required
def reply_preview(request, public_id):
    application = _application(request, public_id)
    procedure = procedure_for(application)
    payload = application.document_payload or procedure.document_payload(application)
    if payload is None:
        raise Http404
    step = procedure.steps.get(application.current_step)
    return render(
        request,
        "approvals/document_preview.html",
        {
            "application": application,
            "payload": payload,
            "issued": application.document_payload is not None,
            "may_issue": step is not None
            and step.kind == StepKind.ISSUE
            and selectors.may_act_on_step(application, request.user),
        },
    )


@login_required
@post_only
def application_issue(request, public_id):
    return _versioned_step(
        request, public_id, services.application_issue, _("批复已印发，申请办结。")
    )


@login_required
def attachment_download(request, public_id, file_id):
    application = _application(request, public_id)
    attachment = get_object_or_404(application.attachments, public_id=file_id)
    return files.attachment_response(
        files.AREA.open(attachment.stored_name),
        label=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@post_only
def attachment_delete(request, public_id, file_id):
    application = _application(request, public_id)
    attachment = get_object_or_404(application.attachments, public_id=file_id)
    services.attachment_remove(attachment=attachment, actor=request.user)
    messages.success(request, _("附件已删除。"))
    return redirect("applications:edit", application.public_id)


@login_required
@post_only
def objection_handle(request, public_id, objection_id):
    application = _application(request, public_id)
    notice = get_object_or_404(PublicNotice, application=application)
    objection = get_object_or_404(notice.objections, public_id=objection_id)
    form = ObjectionHandleForm(request.POST)
    errors = {}
    if form.is_valid():
        try:
            services.objection_handle(
                objection=objection,
                actor=request.user,
                upheld=form.cleaned_data["outcome"] == "upheld",
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("异议已处理。"))
            return redirect("applications:detail", application.public_id)
        except RuleViolation as exc:
            errors[str(objection.public_id)] = exc.message
    else:
        errors[str(objection.public_id)] = _("「处理意见」必填：请写明异议成立或不成立的理由。")
    return application_detail(request, public_id, handle_errors=errors)


# --- public pages (no sign-in) --------------------------------------------------------


def public_notices(request):
    today = timezone.localdate()
    notices = PublicNotice.objects.filter(status=NoticeStatus.OPEN, ends_on__gte=today)
    return render(request, "approvals/public/notice_list.html", {"notices": notices})


def public_notice(request, notice_id):
    notice = get_object_or_404(PublicNotice, public_id=notice_id)
    today = timezone.localdate()
    is_open = notice.status == NoticeStatus.OPEN and today <= notice.ends_on
    lodged = False
    form = ObjectionForm()
    if request.method == "POST" and is_open:
        form = ObjectionForm(request.POST)
        # a plain brake on scripted objections, per client address and shared by
        # every web process (settings.RATE_LIMITS["objection"])
        if form.is_valid() and ratelimit.over_limit(request, "objection"):
            form.add_error(
                None,
                _("同一网络一小时内最多提交 %(n)s 件异议，请稍后再试。")
                % {"n": ratelimit.limit_for("objection")[0]},
            )
        if form.is_valid():
            if not form.cleaned_data["website"]:
                try:
                    services.objection_lodge(
                        notice=notice,
                        name=form.cleaned_data["name"],
                        contact=form.cleaned_data["contact"],
                        reason=form.cleaned_data["reason"],
                    )
                except RuleViolation as exc:
                    form.add_error(None, exc.message)
            if not form.errors:
                lodged = True
                form = ObjectionForm()
    return render(
        request,
        "approvals/public/notice_detail.html",
        {
            "notice": notice,
            "form": form,
            "is_open": is_open,
            "lodged": lodged,
            "pending_count": notice.objections.filter(status=ObjectionStatus.PENDING).count(),
            "home": reverse("public_notices"),
        },
    )
