"""Pages for official documents. Thin: look up through the access helper, call a service."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from workflows.access import get_visible_or_404, is_member, units_of, visible
from workflows.attachments import open_stored
from workflows.delegation import acting_for, delegation_from, with_on_behalf
from workflows.exceptions import RuleViolation
from workflows.hostile_input import bad_request, form_error_text
from workflows.models import AuditEntry, Role
from workflows.ratelimit import rate_limited

from . import services
from .forms import (
    BatchIssueForm,
    DocumentActionForm,
    DocumentForm,
    VerifyUploadForm,
)
from .models import (
    DocumentStatus,
    IssueBatch,
    Issuer,
    OfficialDocument,
    RenderStatus,
)
from .rendering import render_pdf, render_preview_html
from .selectors import batch_progress, documents_for, documents_search, render_is_stuck
from .verification import verification_report

# what happened, as the history lists it (past tense in English)
ACTION_LABELS = {
    "docs.create": pgettext_lazy("history", "起草"),
    "docs.update": pgettext_lazy("history", "修改"),
    "docs.submit": pgettext_lazy("history", "送签"),
    "docs.return": pgettext_lazy("history", "退回修改"),
    "docs.countersign": pgettext_lazy("history", "会签"),
    "docs.sign_off": pgettext_lazy("history", "签发"),
    "docs.issue": pgettext_lazy("history", "编号印发"),
    "docs.rendered": pgettext_lazy("history", "生成 PDF"),
    "docs.render_failed": pgettext_lazy("history", "PDF 生成失败"),
    "docs.render_retry": pgettext_lazy("history", "重新生成 PDF"),
    "docs.render_requeued": pgettext_lazy("history", "PDF 生成超时，重新排队"),
    "docs.revoke": pgettext_lazy("history", "作废"),
    "docs.delete_draft": pgettext_lazy("history", "删除草稿"),
    "docs.issue_batch": pgettext_lazy("history", "批量印发"),
    "docs.register": pgettext_lazy("history", "登记"),
}


def _document(request, public_id) -> OfficialDocument:
    """A document the person may open (``documents_for``, built on workflows.access), or 404."""
    try:
        return documents_for(request.user).get(public_id=public_id)
    except (OfficialDocument.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _issuers_of(user):
    qs = Issuer.objects.select_related("unit")
    return list(qs if user.is_superuser else qs.filter(unit__in=units_of(user)))


def user_may_draft(user) -> bool:
    """Only people of a unit that issues documents are offered the draft form."""
    return bool(_issuers_of(user))


@login_required
def document_list(request):
    """Searched, filtered (kind, state, issuing unit), sorted and paged through one
    FilterSet; a bad parameter is a 400 naming the field."""
    from django.core.paginator import Paginator

    from .filters import DocumentFilter

    filters = DocumentFilter(request.GET, queryset=OfficialDocument.objects.none())
    if not filters.form.is_valid():
        return bad_request(request, form_error_text(filters.form))
    wanted = filters.form.cleaned_data
    scope = wanted["scope"] or ("mine" if _issuers_of(request.user) else "issued")
    filters.queryset = documents_search(request.user, scope=scope)
    page = Paginator(filters.qs, 30).get_page(request.GET.get("page"))
    documents = list(page.object_list)
    openable = (
        set(documents_for(request.user).values_list("pk", flat=True)) if scope == "issued" else None
    )
    return render(
        request,
        "docs_gen/list.html",
        {
            "documents": documents,
            "page": page,
            "filter": filters,
            "openable": openable,
            "scope": scope,
        },
    )


def _form_page(request, *, document=None):
    issuers = _issuers_of(request.user)
    if not issuers:
        raise Http404
    co_issuers = list(Issuer.objects.select_related("unit"))
    if request.method == "POST":
        form = DocumentForm(request.POST, issuers=issuers, co_issuers=co_issuers)
        if form.is_valid():
            try:
                if document is None:
                    document = services.document_create(
                        issuer=form.issuer_unit(), actor=request.user, **form.service_kwargs()
                    )
                else:
                    services.document_update(
                        document=document, actor=request.user, **form.service_kwargs()
                    )
                messages.success(request, _("草稿已保存。"))
                return redirect("docs:detail", public_id=document.public_id)
            except RuleViolation as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
    else:
        initial = DocumentForm.initial_from(document) if document else {"kind": "notice"}
        form = DocumentForm(initial=initial, issuers=issuers, co_issuers=co_issuers)
    return render(request, "docs_gen/form.html", {"form": form, "document": document})


@login_required
def document_new(request):
    return _form_page(request)


@login_required
def document_edit(request, public_id):
    document = _document(request, public_id)
    if document.status != DocumentStatus.DRAFT:
        messages.error(request, _("只有草稿可以修改。"))
        return redirect("docs:detail", public_id=public_id)
    return _form_page(request, document=document)


# the steps a substitute may take on a document through a delegation (?on_behalf)
DELEGABLE_ACTIONS = ("sign", "countersign", "return")


def _on_behalf(data, user, document):
    """The delegation a document page is used through (``on_behalf``, parsed by
    ``OnBehalfForm``), or None; 404 when it is malformed, not the user's, not active, or
    for a unit that neither issues nor co-issues the document."""
    delegation = delegation_from(data, user)
    if delegation is None:
        return None
    units = {document.issuer.unit_id} | {c.issuer.unit_id for c in services.co_issuers_of(document)}
    if delegation.unit_id not in units:
        raise Http404  # the principal's to-dos are those of the delegation's unit only
    return delegation


@login_required
def document_detail(request, public_id):
    document = _document(request, public_id)
    on_behalf = _on_behalf(request.GET, request.user, document)
    unit = document.issuer.unit
    user = request.user
    member = user.is_superuser or is_member(user, unit)
    leader = user.is_superuser or is_member(user, unit, (Role.LEADER,))
    head = leader or is_member(user, unit, (Role.HEAD,))
    history = list(AuditEntry.objects.for_object(document).order_by("created_at", "id"))
    stuck = render_is_stuck(document)
    co_issuers = services.co_issuers_of(document)
    open_for_signoff = document.status in (DocumentStatus.DRAFT, DocumentStatus.PENDING_SIGNOFF)
    awaiting = [c for c in co_issuers if not c.countersigned]
    # a co-issuer's leader countersigns (or sends back) once the lead has sent the draft
    co_leader = any(is_member(user, c.issuer.unit, (Role.LEADER,)) for c in co_issuers)
    can_countersign = document.status == DocumentStatus.PENDING_SIGNOFF and any(
        is_member(user, c.issuer.unit, (Role.LEADER,)) for c in awaiting
    )
    for entry in history:
        entry.label = ACTION_LABELS.get(entry.action, entry.action)
    return render(
        request,
        "docs_gen/detail.html",
        {
            "document": document,
            "can_edit": member and document.status == DocumentStatus.DRAFT,
            "can_submit": member and document.status == DocumentStatus.DRAFT,
            "can_sign": leader and open_for_signoff and not awaiting,
            "sign_waits_for": awaiting if leader and open_for_signoff else [],
            "can_countersign": can_countersign,
            "co_issuers": co_issuers,
            "can_return": (leader or co_leader)
            and document.status == DocumentStatus.PENDING_SIGNOFF,
            "can_issue": member and document.status == DocumentStatus.SIGNED,
            "can_revoke": head and document.status == DocumentStatus.ISSUED,
            "can_retry": member
            and document.is_issued
            and (document.render_status == RenderStatus.FAILED or stuck),
            "render_stuck": stuck,
            "history": history,
            "on_behalf": on_behalf,
            "on_behalf_refusal": services.delegated_refusal(document, user, on_behalf)
            if on_behalf
            else "",
            "verify_url": services.verify_url(document.verification_code)
            if document.verification_code
            else "",
        },
    )


def _snapshot_for_preview(document):
    if document.is_issued and document.snapshot:
        return document.snapshot
    return services.document_snapshot(document, draft=True)


@login_required
def preview_html(request, public_id):
    document = _document(request, public_id)
    response = HttpResponse(render_preview_html(_snapshot_for_preview(document)))
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@login_required
def document_pdf(request, public_id):
    document = _document(request, public_id)
    if document.is_issued and document.pdf:
        handle = open_stored(document.pdf.storage, document.pdf.name)  # 404 if it is gone
        response = FileResponse(handle, content_type="application/pdf")
        name = f"{document.number}.pdf"
    else:
        response = HttpResponse(
            render_pdf(_snapshot_for_preview(document)), content_type="application/pdf"
        )
        name = "preview.pdf"
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{__import__('urllib.parse').parse.quote(name)}"
    )
    return response


_ACTIONS = {
    "submit": (
        lambda d, u, p: services.document_submit(document=d, actor=u),
        gettext_lazy("已送领导签发。"),
    ),
    "return": (
        lambda d, u, p: services.document_return(document=d, actor=u, opinion=p.get("opinion", "")),
        gettext_lazy("已退回修改。"),
    ),
    "countersign": (
        lambda d, u, p: services.document_countersign(
            document=d, actor=u, opinion=p.get("opinion", "")
        ),
        gettext_lazy("已会签。"),
    ),
    "sign": (
        lambda d, u, p: services.document_sign_off(
            document=d, actor=u, opinion=p.get("opinion", "")
        ),
        gettext_lazy("已签发。"),
    ),
    "issue": (
        lambda d, u, p: services.document_issue(document=d, actor=u),
        gettext_lazy("已编号印发，PDF 正在生成。"),
    ),
    "revoke": (
        lambda d, u, p: services.document_revoke(document=d, actor=u, reason=p.get("reason", "")),
        gettext_lazy("已作废。"),
    ),
    "retry": (
        lambda d, u, p: services.document_render_retry(document=d, actor=u),
        gettext_lazy("已重新排队生成。"),
    ),
    "delete": (
        lambda d, u, p: services.document_delete_draft(document=d, actor=u),
        gettext_lazy("草稿已删除。"),
    ),
}


@login_required
@require_POST
def document_action(request, public_id, action):
    if action not in _ACTIONS:
        raise Http404
    document = _document(request, public_id)
    run, done = _ACTIONS[action]
    delegation = _on_behalf(request.POST, request.user, document)
    if delegation is not None and action not in DELEGABLE_ACTIONS:
        raise Http404
    form = DocumentActionForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form_error_text(form))
    back = reverse("docs:detail", args=[public_id])
    if delegation is not None:
        back = with_on_behalf(back, delegation)
    try:
        with acting_for(delegation):
            run(document, request.user, form.cleaned_data)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, done)
    if action == "delete":
        return redirect("docs:index")
    return redirect(back)


@login_required
@require_POST
def batch_issue(request):
    form = BatchIssueForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form_error_text(form))
    documents = list(
        visible(request.user, OfficialDocument.objects.select_related("issuer__unit")).filter(
            public_id__in=form.cleaned_data["documents"], status=DocumentStatus.SIGNED
        )
    )
    try:
        batch = services.documents_issue_batch(
            documents=documents, actor=request.user, label=form.cleaned_data["label"]
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("docs:index")
    return redirect("docs:batch", public_id=batch.public_id)


@login_required
def batch_detail(request, public_id):
    batch = get_visible_or_404(request.user, IssueBatch, public_id=public_id)
    progress = batch_progress(batch)
    return render(
        request,
        "docs_gen/batch.html",
        {"batch": batch, "progress": progress, "documents": batch.documents.order_by("serial")},
    )


# --- public verification ------------------------------------------------------------------
VERIFICATION_CODE = re.compile(r"[0-9A-Z]{4,12}")


@rate_limited("verify")
def verify(request, code):
    """Public: what was issued under this code, and what an uploaded file proves: its
    signatures (signer, time, changed or not, trusted or not), byte-for-byte sameness with
    the PDF issued, and the registry's state (docs_gen.verification)."""
    normalized = code.replace("-", "").upper()
    if not VERIFICATION_CODE.fullmatch(normalized):
        raise Http404  # not a code this system hands out: no lookup at all
    document = get_object_or_404(
        OfficialDocument.objects.select_related("issuer"),
        verification_code=normalized,
        status__in=[DocumentStatus.ISSUED, DocumentStatus.REVOKED],
    )
    result = None
    form = VerifyUploadForm()
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            # within the upload limit (VerifyUploadForm): read whole, the signatures need it
            data = b"".join(form.cleaned_data["file"].chunks())
            report = verification_report(data, document)
            result = {
                "match": bool(report["file"]["matches_registry"]),
                "sha256": report["file"]["sha256"],
                "report": report,
            }
    response = render(
        request,
        "docs_gen/verify.html",
        {
            "document": document,
            "form": form,
            "result": result,
            "verify_path": reverse("docs_verify", args=[normalized]),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
