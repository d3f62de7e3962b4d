"""Pages of the approvals kernel: portal, form, detail with review actions, files, notices.

Views are thin: they look the application up through the access helper (another
unit's id answers 404), call one service, and show its refusal as a form error.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows import ratelimit
from workflows.access import is_member
from workflows.delegation import acting_for, delegation_from
from workflows.exceptions import RuleViolation
from workflows.formviews import add_rule_error
from workflows.people import display_name

from . import attachments as files
from . import selectors, services
from .forms import ObjectionForm, ObjectionHandleForm, VersionForm
from .models import (
    Application,
    ApplicationStatus,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicNotice,
)
from .registry import procedure_for, procedures


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
    # visible_application_qs is already what the user may see: one access check
    try:
        return selectors.visible_application_qs(request.user).get(public_id=public_id)
    except (Application.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def _startable(user) -> list:
    """(procedure, units the user may apply for in it) for every procedure the user may start."""
    return [(p, units) for p in procedures() if (units := p.applicant.units_for(user))]


def is_applicant(user) -> bool:
    """The user may apply in some procedure (a school's staff, a hosting unit, a teacher)."""
    return bool(_startable(user))


def is_not_applicant(user) -> bool:
    return not is_applicant(user)


@login_required
def index(request):
    from django.core.paginator import Paginator

    from .filters import ApplicationFilter

    startable = _startable(request.user)
    mine = list({u.pk: u for _p, units in startable for u in units}.values())
    visible_apps = selectors.applications_for(request.user)
    filtered = ApplicationFilter(request.GET or {"tab": "all"}, queryset=visible_apps)
    valid = filtered.form.is_valid()
    if valid and request.GET.get("format") == "xlsx":
        from .exports import applications_workbook

        response = HttpResponse(
            applications_workbook(filtered.qs[:5000]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename=applications.xlsx"
        return response
    page = Paginator(filtered.qs if valid else visible_apps.none(), 30).get_page(
        request.GET.get("page")
    )
    counts = {
        key: selectors.applications_for(request.user, status_group=key).count()
        for key in ("draft", "open", "closed")
    }
    return render(
        request,
        "approvals/my_applications.html",
        {
            "applications": page.object_list,
            "page": page,
            "filter": filtered,
            "tab": filtered.form.cleaned_data.get("tab") or "all" if valid else "all",
            "counts": counts,
            "schools": mine,
            "procedures": [p for p, _units in startable],
            "badges": [b for p, _units in startable for u in mine for b in p.badges(u)],
        },
        status=200 if valid else 400,
    )


def _render_form(request, procedure, form, application=None, status=200):
    units = procedure.applicant.units_for(request.user)
    return render(
        request,
        "approvals/application_form.html",
        {
            "procedure": procedure,
            "form": form,
            "application": application,
            "attachments": application.attachments.all() if application else [],
            "can_submit": application is not None
            and procedure.applicant.may_submit(request.user, application),
            "has_head_step": procedure.applicant.has_head_step,
            "applicant_label": procedure.applicant.label,
            "applicant_person": display_name(procedure.applicant.person_for(request.user))
            if procedure.applicant.person_for(request.user)
            else "",
            "school": application.applicant_unit if application else units[0],
        },
        status=status,
    )


@login_required
def application_new(request, procedure_code):
    try:
        procedure = procedure_for(procedure_code)
    except KeyError:
        raise Http404 from None
    units = procedure.applicant.units_for(request.user)
    if not units:
        raise PermissionDenied(procedure.applicant.refusal())
    if request.method != "POST":
        return _render_form(request, procedure, procedure.form_class())
    try:
        # one transaction: a draft whose first save is refused is not left behind empty
        with transaction.atomic():
            application = services.application_create(
                procedure_code=procedure.code, unit=units[0], actor=request.user
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
    add_rule_error(form, exc)
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
            add_rule_error(form, exc)
    if form.errors:
        # the draft was kept (a write, so not a 400, which means "nothing was kept"): the
        # form comes back with the messages beside the fields; a refused step form is a 400
        messages.warning(request, _("内容已保存为草稿，但还有以下问题需要修改。"))
        application.refresh_from_db()
        return _render_form(request, procedure, form, application, status=200)
    messages.success(request, _("草稿已保存。"))
    return redirect("applications:edit", application.public_id)


@login_required
def application_edit(request, public_id):
    application = _application(request, public_id)
    procedure = procedure_for(application)
    if not procedure.applicant.may_edit(request.user, application):
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


def _panels(application, user, *, action_form=None, handle_errors=None) -> list[dict]:
    """The step fragments of the application page: each kind's history, then the card of
    the step that waits on ``user``. Every decision here is the handler's."""
    procedure = procedure_for(application)
    panels, shown = [], set()
    for step in procedure.steps:
        if not step.history_template or step.history_template in shown:
            continue
        context = step.history(application, user)
        if context is not None:
            shown.add(step.history_template)
            panels.append(
                {"template": step.history_template, "handle_errors": handle_errors or {}, **context}
            )
    step = services.current_step(application)
    if step is not None and step.may_act(application, user):
        panels.append(
            {
                "action": True,
                "template": step.template,
                "step": step,
                "form": action_form or step.new_form(application),
                **step.action_context(application, user),
            }
        )
    elif step is not None and step.template and not step.form_class:
        panels.append({"action": True, "template": step.template, "step": step})
    return panels


def _on_behalf(request, application, data):
    """(the delegation the page is used through, why it cannot act on the step, or "")."""
    delegation = delegation_from(data, request.user)
    if delegation is None:
        return None, ""
    if application.status == ApplicationStatus.PENDING_HEAD:  # the head's 审核并报送
        try:
            services.check_delegated_submit(application, request.user, delegation)
        except RuleViolation as exc:
            return delegation, exc.message
        return delegation, ""
    step = services.current_step(application)
    if step is None or step.form_class is None:
        return delegation, ""
    try:
        services.delegated_unit(step, application, request.user, delegation)
    except RuleViolation as exc:
        return delegation, exc.message
    return delegation, ""


@login_required
def application_detail(
    request, public_id, action_form=None, handle_errors=None, status=200, on_behalf_data=None
):
    application = _application(request, public_id)
    procedure = procedure_for(application)
    user = request.user
    on_behalf, on_behalf_refusal = _on_behalf(
        request, application, request.GET if on_behalf_data is None else on_behalf_data
    )
    applicant = procedure.applicant
    context = {
        "progress": selectors.progress(application),
        "application": application,
        "procedure": procedure,
        "applicant_label": applicant.label,
        "applicant_name": applicant.name_of(application),
        "detail": selectors.detail_rows(procedure.snapshot(application)),
        "attachments": application.attachments.all(),
        "timeline": selectors.timeline(application),
        "panels": _panels(application, user, action_form=action_form, handle_errors=handle_errors),
        "handle_form": ObjectionHandleForm(),
        "is_school": applicant.is_applicant(user, application),
        "may_edit": applicant.may_edit(user, application) and application.is_editable,
        "may_submit": application.status
        in (ApplicationStatus.DRAFT, ApplicationStatus.PENDING_HEAD)
        and applicant.may_submit(user, application),
        "may_withdraw": services.may_withdraw(application, user),
        "may_preview": not (application.document_id and application.document.is_issued)
        and getattr(services.current_step(application), "previews_document", False)
        and not applicant.is_applicant(user, application),
        "on_behalf": on_behalf,
        "on_behalf_refusal": on_behalf_refusal,
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
    delegation = delegation_from(request.POST, request.user)  # a head's 审核并报送 on behalf

    def submit(**kwargs):
        services.application_submit(**kwargs, delegation=delegation)

    return _versioned_step(request, public_id, submit, _("申请已报送，等待审核。"))


@login_required
@post_only
def application_withdraw(request, public_id):
    return _versioned_step(request, public_id, services.application_withdraw, _("申请已撤回。"))


@login_required
@post_only
def step_action(request, public_id):
    """The action of the step the application waits at: its handler's form, its service.

    One transaction for the request: the application is looked up, access-checked and
    locked (process and application rows) in one statement, and the service runs in the
    same transaction without a second read or savepoints. A refusal rolls it all back and
    the page is shown again afterwards."""
    refused = None
    try:
        with services.one_transaction():
            application = services.lock_visible(
                request.user,
                selectors.visible_application_qs(request.user),
                public_id=public_id,
            ) or _application(request, public_id)
            step = services.current_step(application)
            if step is None or step.form_class is None:
                return redirect("applications:detail", application.public_id)
            form = step.form_class(request.POST)
            delegation = delegation_from(request.POST, request.user)
            if not form.is_valid():
                refused = form
            else:
                try:
                    done = services.step_act(
                        application=application,
                        actor=request.user,
                        cleaned=form.cleaned_data,
                        version=form.cleaned_data.get("version"),
                        delegation=delegation,
                    )
                except RuleViolation as exc:
                    add_rule_error(form, exc)
                    refused, refusal = form, exc.message
                    raise _RolledBack from None
    except _RolledBack:
        # a refusal the page has no form to show on (a substitute without the step's role)
        if not step.may_act(application, request.user):
            messages.error(request, refusal)
    if refused is None:
        messages.success(request, done)  # what happened, in words (services.result_message)
        return redirect("applications:detail", application.public_id)
    # what the page cannot show beside a field (the hidden version) comes as a message
    hidden = [
        str(m)
        for name, errors in refused.errors.items()
        if name in refused.fields and refused.fields[name].widget.is_hidden
        for m in errors
    ]
    if hidden:
        messages.error(request, " ".join(hidden))
    response = application_detail(
        request, public_id, action_form=refused, on_behalf_data=request.POST
    )
    response.status_code = 400
    return response


class _RolledBack(Exception):
    """Leaves ``one_transaction`` rolling back what a refused action wrote."""


@login_required
def document_preview(request, public_id):
    """The decision document as it will be issued: docs_gen's own rendering of the draft the
    deciding unit's staff wrote (with the procedure's default text), and the 签发 button."""
    from docs_gen.rendering import render_pdf, render_preview_html
    from docs_gen.services import document_snapshot

    application = _application(request, public_id)
    if application.document_id and application.document.is_issued:
        return redirect("docs:detail", application.document.public_id)
    procedure = procedure_for(application)
    step = services.current_step(application)
    # the deciding side checks the draft; the applicant sees the document once issued
    if step is None or not step.previews_document:
        raise Http404
    if procedure.applicant.is_applicant(request.user, application):
        raise Http404
    document = step.draft(application)
    if document is None:
        raise Http404
    on_behalf, on_behalf_refusal = _on_behalf(request, application, request.GET)
    snapshot = document_snapshot(document, draft=True)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(render_pdf(snapshot), content_type="application/pdf")
        response["Content-Disposition"] = "inline; filename=preview.pdf"
        return response
    if request.GET.get("format") == "html":
        response = HttpResponse(render_preview_html(snapshot))
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response
    return render(
        request,
        "approvals/document_preview.html",
        {
            "application": application,
            "document": document,
            "step": step,
            "form": step.new_form(application),
            "may_issue": step.may_act(application, request.user) and not on_behalf_refusal,
            "on_behalf": on_behalf,
            "on_behalf_refusal": on_behalf_refusal,
            "may_edit": is_member(request.user, document.issuer.unit),
        },
    )


@login_required
def approval_form(request, public_id):
    """审批表: the application's fields and every opinion (who, for which unit, when), one
    printable PDF in the documents' faces (docs_gen.sheets)."""
    from docs_gen.sheets import render_sheet

    application = _application(request, public_id)
    procedure = procedure_for(application)
    sheet = selectors.approval_sheet(application, procedure)
    response = HttpResponse(render_sheet(*sheet), content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename=approval-form.pdf"
    return response


@login_required
def attachment_download(request, public_id, file_id, inline=False):
    application = _application(request, public_id)
    attachment = get_object_or_404(application.attachments, public_id=file_id)
    return files.attachment_response(
        files.AREA.open(attachment.stored_name),
        label=attachment.original_name,
        content_type=attachment.content_type,
        inline=inline,
    )


@login_required
def attachment_view(request, public_id, file_id):
    """预览: the same file through the same check, shown in the page if a PDF or an image."""
    return attachment_download(request, public_id, file_id, inline=True)


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
    notices = PublicNotice.objects.filter(application=application)
    if application.round_id:
        notices = notices | PublicNotice.objects.filter(round_id=application.round_id)
    objection = get_object_or_404(
        Objection.objects.filter(notice__in=notices), public_id=objection_id
    )
    form = ObjectionHandleForm(request.POST)
    delegation = delegation_from(request.POST, request.user)
    if delegation is not None and delegation.unit_id != objection.notice.handling_unit_id:
        raise Http404  # the principal's to-dos are those of the delegation's unit only
    if form.is_valid():
        try:
            with acting_for(delegation):
                services.objection_handle(
                    objection=objection,
                    actor=request.user,
                    upheld=form.cleaned_data["outcome"] == "upheld",
                    note=form.cleaned_data["note"],
                    application=application,
                )
            messages.success(request, _("异议已处理。"))
            return redirect("applications:detail", application.public_id)
        except RuleViolation as exc:
            error = exc.message
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    return application_detail(
        request, public_id, handle_errors={str(objection.public_id): error}, status=400
    )


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
