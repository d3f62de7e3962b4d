"""Pages of budget lines and competition awards (the HR and finance bureaus only: anyone
else gets 404 for every id). The subsidy applications use the kernel's own pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.access import get_visible_or_404, is_member, units_of
from workflows.delegation import acting_for, request_delegation
from workflows.exceptions import RuleViolation
from workflows.formviews import run_form
from workflows.models import Role
from workflows.units import unit_by_code

from . import awards, budget, rates
from .forms import (
    AwardConfirmForm,
    AwardDecisionForm,
    AwardPaymentForm,
    AwardUploadForm,
    AwardVersionForm,
    BudgetLineEditForm,
    BudgetLineForm,
    RateForm,
    ShowFullForm,
)
from .idnumbers import may_see_full
from .models import (
    ApprenticeshipRate,
    AwardImport,
    AwardStatus,
    BudgetLine,
    Certificate,
    CertificateStatus,
    Reservation,
)


def _bureau_only(user) -> None:
    if not any(u.code in ("hrss", "finance") for u in units_of(user)) and not user.is_superuser:
        raise Http404


def _is_finance(user) -> bool:
    return is_member(user, unit_by_code("finance"))


# --- budget lines ---------------------------------------------------------------------------


def _lines_page(request, form=None, rate_form=None, status=200):
    return render(
        request,
        "subsidies/lines.html",
        {
            "lines": BudgetLine.objects.all(),
            "rates": ApprenticeshipRate.objects.order_by("-year", "programme_kind"),
            "form": form or BudgetLineForm(),
            "rate_form": rate_form or RateForm(),
            "is_finance": _is_finance(request.user),
        },
        status=status,
    )


@login_required
def lines(request):
    _bureau_only(request.user)
    if request.method != "POST":
        return _lines_page(request)
    form = BudgetLineForm(request.POST)

    def done(line):
        messages.success(request, _("预算指标已下达：%(line)s。") % {"line": line})
        return redirect("subsidies:line", line.public_id)

    return run_form(
        form,
        lambda c: budget.line_save(actor=request.user, **c),
        done=done,
        again=lambda f: _lines_page(request, form=f),
    )


@login_required
@require_POST
def rate_save(request):
    _bureau_only(request.user)
    form = RateForm(request.POST)

    def done(rate):
        messages.success(request, _("补贴标准已保存：%(rate)s。") % {"rate": rate})
        return redirect("subsidies:lines")

    return run_form(
        form,
        lambda c: rates.rate_save(actor=request.user, **c),
        done=done,
        again=lambda f: _lines_page(request, rate_form=f),
    )


@login_required
def line_detail(request, public_id):
    line = get_visible_or_404(request.user, BudgetLine, public_id=public_id)
    form = BudgetLineEditForm(
        initial={"amount": line.amount, "note": line.note, "version": line.version}
    )
    if request.method == "POST":
        form = BudgetLineEditForm(request.POST)

        def done(_line):
            messages.success(request, _("预算指标已修改。"))
            return redirect("subsidies:line", line.public_id)

        return run_form(
            form,
            lambda c: budget.line_save(
                actor=request.user, year=line.year, purpose=line.purpose, line=line, **c
            ),
            done=done,
            again=lambda f: _line_page(request, line, f),
        )
    return _line_page(request, line, form)


def _line_page(request, line, form):
    reservations = Reservation.objects.filter(line=line).select_related(
        "application", "award_import"
    )
    return render(
        request,
        "subsidies/line_detail.html",
        {
            "line": line,
            "reservations": reservations,
            "form": form,
            "is_finance": _is_finance(request.user),
        },
    )


# --- awards -----------------------------------------------------------------------------


@login_required
def award_index(request):
    _bureau_only(request.user)
    return render(
        request,
        "subsidies/awards.html",
        {
            "imports": AwardImport.objects.all(),
            "form": AwardUploadForm(),
            "may_import": awards.may_import(request.user),
        },
    )


@login_required
@require_POST
def award_preview(request):
    """Upload → the preview of every row; nothing is saved."""
    _bureau_only(request.user)
    form = AwardUploadForm(request.POST, request.FILES)

    def service(cleaned):
        upload = cleaned["sheet"]
        rows = awards.sheet_preview(upload.read())
        if not rows:
            raise RuleViolation(_("「竞赛结果表」表头下没有数据行。"), field="sheet")
        return rows, upload.name

    def done(result):
        rows, source = result
        token = awards.preview_token(
            rows, title=form.cleaned_data.get("title") or "", source=source
        )
        invalid = [r for r in rows if r.error]
        return render(
            request,
            "subsidies/award_preview.html",
            {
                "rows": rows,
                "invalid": invalid,
                "source": source,
                "winners": [r for r in rows if r.title],
                "total": sum(r.amount for r in rows if not r.error),
                "confirm": AwardConfirmForm(initial={"token": token}),
                "may_import": awards.may_import(request.user),
            },
        )

    def again(bound):
        return render(
            request,
            "subsidies/awards.html",
            {
                "imports": AwardImport.objects.all(),
                "form": bound,
                "may_import": awards.may_import(request.user),
            },
        )

    return run_form(form, service, done=done, again=again)


@login_required
@require_POST
def award_confirm(request):
    _bureau_only(request.user)
    form = AwardConfirmForm(request.POST)

    def done(imp):
        messages.success(
            request, _("已导入 %(n)s 名获奖人员，待人社局审核。") % {"n": imp.awardees.count()}
        )
        return redirect("subsidies:award", imp.public_id)

    def again(bound):
        for errors in bound.errors.values():
            for e in errors:
                messages.error(request, e)
        return award_index(request)

    return run_form(
        form,
        lambda c: awards.import_confirm(actor=request.user, token=c["token"]),
        done=done,
        again=again,
    )


def _award(request, public_id) -> AwardImport:
    return get_visible_or_404(request.user, AwardImport, public_id=public_id)


def _award_page(request, imp, *, forms=None, status=200):
    user = request.user
    hr, fin = unit_by_code("hrss"), unit_by_code("finance")
    show = ShowFullForm(request.GET)
    full = show.is_valid() and show.cleaned_data["full"] and may_see_full(user)
    forms = forms or {}
    context = {
        "imp": imp,
        "awardees": imp.awardees.select_related("certificate"),
        "full": full,
        "may_see_full": may_see_full(user),
        "may_review": imp.status == AwardStatus.IMPORTED
        and is_member(user, hr, (Role.HEAD, Role.LEADER)),
        "may_fund": imp.status == AwardStatus.REVIEWED and is_member(user, fin),
        "may_pay": imp.status == AwardStatus.FUNDED and is_member(user, fin),
        "may_issue": imp.status == AwardStatus.PAID and is_member(user, hr, (Role.LEADER,)),
        "may_retry": is_member(user, hr),
        "is_finance": is_member(user, fin),
        "line": BudgetLine.objects.filter(year=imp.year, purpose="awards").first(),
        "reservation": Reservation.objects.filter(award_import=imp).first(),
        "progress": awards.progress(imp) if imp.status == AwardStatus.ISSUED else None,
        "decision_form": forms.get("decide")
        or AwardDecisionForm(initial={"version": imp.version, "decision": "approve"}),
        "pay_form": forms.get("pay") or AwardPaymentForm(initial={"version": imp.version}),
        "version_form": AwardVersionForm(initial={"version": imp.version}),
    }
    on_behalf, refusal = request_delegation(request), ""
    if on_behalf is not None:
        try:
            awards.check_delegated(imp, user, on_behalf)
        except RuleViolation as exc:
            refusal = exc.message
    context.update({"on_behalf": on_behalf, "on_behalf_refusal": refusal})
    return render(request, "subsidies/award_detail.html", context, status=status)


def _on_behalf(request, service):
    """``service`` run through the delegation the form posts back, if any."""

    def run(cleaned):
        with acting_for(request_delegation(request)):
            return service(cleaned)

    return run


@login_required
def award_detail(request, public_id):
    return _award_page(request, _award(request, public_id))


@login_required
@require_POST
def award_decide(request, public_id):
    """The HR bureau's review or the finance bureau's check, by the import's status."""
    imp = _award(request, public_id)
    form = AwardDecisionForm(request.POST)
    service = awards.award_review if imp.status == AwardStatus.IMPORTED else awards.award_fund

    def done(_imp):
        messages.success(request, _("审核结论已提交。"))
        return redirect("subsidies:award", imp.public_id)

    return run_form(
        form,
        _on_behalf(request, lambda c: service(award_import=imp, actor=request.user, **c)),
        done=done,
        again=lambda f: _award_page(request, imp, forms={"decide": f}),
    )


@login_required
@require_POST
def award_pay(request, public_id):
    imp = _award(request, public_id)
    form = AwardPaymentForm(request.POST)

    def done(changed):
        if changed:
            messages.success(request, _("拨付已登记。"))
        else:
            messages.info(request, _("拨付此前已登记，本次未作改动。"))
        return redirect("subsidies:award", imp.public_id)

    return run_form(
        form,
        _on_behalf(request, lambda c: awards.award_pay(award_import=imp, actor=request.user, **c)),
        done=done,
        again=lambda f: _award_page(request, imp, forms={"pay": f}),
    )


@login_required
@require_POST
def award_issue(request, public_id):
    imp = _award(request, public_id)
    form = AwardVersionForm(request.POST)

    def done(_imp):
        messages.success(request, _("决定已签发，荣誉证书正在批量生成。"))
        return redirect("subsidies:award", imp.public_id)

    def again(bound):
        for errors in bound.errors.values():
            for e in errors:
                messages.error(request, e)
        return _award_page(request, imp)

    return run_form(
        form,
        _on_behalf(
            request, lambda c: awards.award_issue(award_import=imp, actor=request.user, **c)
        ),
        done=done,
        again=again,
    )


@login_required
@require_POST
def certificates_issue(request, public_id):
    """Issue the certificates again: only those missing are created (none, normally)."""
    imp = _award(request, public_id)
    if not is_member(request.user, unit_by_code("hrss")):
        raise Http404
    try:
        n = awards.certificates_issue(award_import=imp)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("新生成 %(n)s 份证书。") % {"n": n})
    return redirect("subsidies:award", imp.public_id)


@login_required
@require_POST
def certificates_retry(request, public_id):
    imp = _award(request, public_id)
    n = awards.certificates_retry_failed(award_import=imp, actor=request.user)
    messages.info(request, _("已重新排队生成 %(n)s 份证书。") % {"n": n})
    return redirect("subsidies:award", imp.public_id)


@login_required
def award_progress(request, public_id):
    imp = _award(request, public_id)
    p = awards.progress(imp)
    return JsonResponse(
        {
            "total": p["total"],
            "done": p["done"],
            "queued": p["queued"],
            "failed": [
                {"number": c.number, "name": c.awardee.name, "error": c.error[:200]}
                for c in p["failed"]
            ],
        }
    )


@login_required
def payment_list(request, public_id):
    """The payment list; the finance bureau may take it with full ID numbers for the bank."""
    imp = _award(request, public_id)
    if imp.status not in (AwardStatus.FUNDED, AwardStatus.PAID, AwardStatus.ISSUED):
        raise Http404
    show = ShowFullForm(request.GET)
    full = show.is_valid() and show.cleaned_data["full"] and _is_finance(request.user)
    response = HttpResponse(
        awards.payment_list_xlsx(imp, full_ids=full),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename=payment-list-{imp.public_id}.xlsx"
    return response


@login_required
def certificate_pdf(request, public_id):
    cert = get_visible_or_404(
        request.user, Certificate.objects.select_related("awardee"), public_id=public_id
    )
    if cert.status != CertificateStatus.DONE or not cert.pdf:
        raise Http404
    with cert.pdf.open("rb") as f:
        response = HttpResponse(f.read(), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=certificate-{cert.public_id}.pdf"
    return response
