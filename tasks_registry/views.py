"""Pages of the key tasks and their supervision. Thin: forms in, services and selectors out.

Every URL that carries a branch or attachment id goes through ``get_visible_or_404``:
another unit's branch answers 404. Business-rule refusals come back as form errors
with what was typed kept; conflicts (someone acted first) answer 409 via the middleware.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from workflows.access import get_visible_or_404, is_member, is_supervisor, role_in, units_of_kind
from workflows.attachments import attachment_response, open_stored
from workflows.delegation import acting_for, request_delegation
from workflows.exceptions import RuleViolation
from workflows.formviews import run_form
from workflows.hostile_input import bad_request, form_error_text
from workflows.models import Membership, Role, Unit, UnitKind
from workflows.people import display_name

from . import charts, services
from .exports import bulletin_blocks, ledger_xlsx, scores_xlsx
from .forms import (
    AssignForm,
    ConsolidateForm,
    DispatchForm,
    DoneForm,
    ReportForm,
    ReviewForm,
    ScoringFilterForm,
    UrgeForm,
)
from .models import Branch, BranchState, KeyTask, ReportAttachment, SupervisionState
from .panels import panels_for
from .selectors import (
    assigned_units_bulk,
    branch_light_of,
    branch_page_rows,
    branch_statuses,
    branches_for_rows,
    dashboard_figures,
    key_tasks_with_units,
    on_time_rates,
    supervision_overview,
    supervision_timeline,
    task_status,
    unit_scores,
)
from .status import AMBER, GREEN, LIGHT_LABELS, RED, local_today


def _require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise PermissionDenied


def _is_office(user) -> bool:
    return user.is_superuser or bool(units_of_kind(user, UnitKind.OFFICE))


@login_required
def task_list(request):
    """The 17 key tasks: searched, filtered (state, responsible unit, overdue), sorted and
    paged through one FilterSet; a bad parameter is a 400 naming the field."""
    from itertools import groupby

    from .filters import KeyTaskFilter
    from .selectors import key_tasks_with_units

    filtered = KeyTaskFilter(request.GET or None, queryset=key_tasks_with_units())
    valid = filtered.form.is_valid() if filtered.is_bound else True
    tasks = filtered.qs if valid else KeyTask.objects.none()
    sort = filtered.form.cleaned_data.get("sort") if filtered.is_bound and valid else None
    if not sort:
        tasks = tasks.order_by("number")
    page = Paginator(tasks, 20).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if not sort:  # annex order: under the measure's heading
        groups = [
            (k, list(g)) for k, g in groupby(rows, key=lambda t: (t.measure_number, t.measure))
        ]
    else:
        groups = [(None, rows)] if rows else []
    assigned = assigned_units_bulk(rows)
    lights = {s.task.pk: s for s in supervision_overview()}
    return render(
        request,
        "tasks_registry/task_list.html",
        {
            "groups": groups,
            "assigned": assigned,
            "statuses": lights,
            "filter": filtered,
            "page": page,
            "total": KeyTask.objects.count(),
        },
        status=200 if valid else 400,
    )


def _flow_chart_svg(supervision) -> str:
    """viewflow's own chart of the flow, coloured with this process's tasks."""
    from viewflow.workflow import chart

    from .flows import SupervisionFlow

    grid = chart.calc_layout_data(SupervisionFlow)
    if supervision and supervision.process_id:
        chart.calc_cell_status(SupervisionFlow, grid, supervision.process_id)
    return chart.grid_to_svg(grid)


BRANCHES_PER_PAGE = 50


def _unshown_errors_to_messages(request, forms, context) -> None:
    """A form posted from a page that is out of date (its step is not offered any more) is
    not on the page re-rendered for it: its refusal goes to the messages, not lost."""
    for key, form in forms.items():
        if context.get(f"{key}_form") is not form:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)


def _task_page(request, task, *, forms=None):
    forms = forms or {}
    status = task_status(task)
    sup = status.supervision
    assigned = assigned_units_bulk([task])[task.pk] if sup is None else []
    user = request.user
    context = {
        "task": task,
        "status": status,
        "sup": sup,
        "is_office": _is_office(user),
        "is_supervisor": is_supervisor(user),
        "bureaus": [u for u in assigned if u.kind == "bureau"],
        "schools": [u for u in assigned if u.kind == "school"],
        "chart_svg": _flow_chart_svg(sup),
        "light_labels": LIGHT_LABELS,
        "panels": panels_for(task.number, user),
    }
    if sup is None:
        if context["is_office"]:
            context["dispatch_form"] = forms.get("dispatch") or DispatchForm()
        return render(request, "tasks_registry/task_detail.html", context)
    light = request.GET.get("light", "")
    rows = branch_page_rows(user, status, light=light)
    page = Paginator(rows, BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        {
            "branches": branches_for_rows(list(page.object_list)),
            "branch_page": page,
            "branch_total": len(rows),
            "light": light,
            "light_filters": [(k, LIGHT_LABELS[k]) for k in (RED, AMBER, GREEN)]
            + [("done", _("已完成"))],
            "timeline": supervision_timeline(sup, user),
            "can_consolidate": sup.state == SupervisionState.CONSOLIDATING
            and is_member(user, task.lead_unit),
            "can_review": sup.state == SupervisionState.REVIEWING and context["is_office"],
        }
    )
    _task_on_behalf(request, sup, context)
    if context["can_consolidate"]:
        context["consolidate_form"] = forms.get("consolidate") or ConsolidateForm()
    if context["can_review"]:
        units = [b.unit for b in sup.branches.select_related("unit").order_by("position")]
        context["review_form"] = forms.get("review") or ReviewForm(units=units)
    _unshown_errors_to_messages(request, forms, context)
    return render(request, "tasks_registry/task_detail.html", context)


def _task_on_behalf(request, sup, context) -> None:
    """The delegation the task page is opened through (the inbox's 代 row for 汇总 or 办结审核):
    the banner, and why it cannot be used for the step waiting now, if so."""
    on_behalf = request_delegation(request)
    refusal = ""
    if on_behalf is not None:
        step = "consolidate" if context["can_consolidate"] else "review"
        try:
            services.check_delegated_task_step(sup, step, request.user, on_behalf)
        except RuleViolation as exc:
            refusal = exc.message
    context.update({"on_behalf": on_behalf, "on_behalf_refusal": refusal})


def _task_or_404(number: int) -> KeyTask:
    task = key_tasks_with_units().filter(number=number).first()
    if task is None:
        raise Http404
    return task


@login_required
def task_detail(request, number: int):
    return _task_page(request, _task_or_404(number))


@login_required
@require_POST
def task_dispatch(request, number: int):
    task = _task_or_404(number)
    if not _is_office(request.user):
        raise PermissionDenied

    def dispatch(data):
        services.supervision_dispatch(task=task, actor=request.user, **data)
        messages.success(request, _("重点任务%(n)s已下达。") % {"n": task.number})
        return redirect("tasks:detail", number)

    return run_form(
        DispatchForm(request.POST),
        dispatch,
        again=lambda form: _task_page(request, task, forms={"dispatch": form}),
    )


@login_required
@require_POST
def task_consolidate(request, number: int):
    task = _task_or_404(number)
    sup = getattr(task, "supervision", None)
    if sup is None or not is_member(request.user, task.lead_unit):
        raise PermissionDenied

    def consolidate(data):
        with acting_for(request_delegation(request)):
            services.supervision_consolidate(supervision=sup, actor=request.user, text=data["text"])
        messages.success(request, _("已汇总上报，等待办结审核。"))
        return redirect("tasks:detail", number)

    return run_form(
        ConsolidateForm(request.POST),
        consolidate,
        again=lambda form: _task_page(request, task, forms={"consolidate": form}),
    )


@login_required
@require_POST
def task_review(request, number: int):
    task = _task_or_404(number)
    sup = getattr(task, "supervision", None)
    if sup is None or not _is_office(request.user):
        raise PermissionDenied
    branches = list(sup.branches.select_related("unit"))

    def review(data):
        chosen = [b.unit for b in branches if str(b.unit.public_id) in set(data["units"])]
        with acting_for(request_delegation(request)):
            services.supervision_review(
                supervision=sup,
                actor=request.user,
                close=data["decision"] == "close",
                opinion=data["opinion"],
                units=chosen or None,
                new_due=data["new_due"],
            )
        messages.success(
            request,
            _("已审核办结。") if data["decision"] == "close" else _("已退回相关单位整改。"),
        )
        return redirect("tasks:detail", number)

    return run_form(
        ReviewForm(request.POST, units=[b.unit for b in branches]),
        review,
        again=lambda form: _task_page(request, task, forms={"review": form}),
    )


# --- a unit's branch -------------------------------------------------------------------


def _branch_or_404(user, public_id) -> Branch:
    return get_visible_or_404(
        user,
        Branch.objects.select_related("supervision__task", "unit", "assignee"),
        public_id=public_id,
    )


def _branch_page(request, branch: Branch, *, forms=None, status=200):
    forms = forms or {}
    user = request.user
    member = is_member(user, branch.unit)
    role = role_in(user, branch.unit)
    sup = branch.supervision
    open_steps = sup.state == SupervisionState.BRANCHES
    on_behalf = request_delegation(request)
    stands_in = (
        on_behalf is not None
        and on_behalf.unit_id == branch.unit_id
        and branch.assignee_id in (None, on_behalf.principal_id)
    )
    may_act = member and (
        branch.assignee_id in (None, user.pk) or stands_in or role in (Role.HEAD, Role.LEADER)
    )
    reports = list(
        branch.reports.select_related("author", "on_behalf_of").prefetch_related("attachments")[
            :100
        ]
    )
    context = {
        "branch": branch,
        "sup": sup,
        "task": sup.task,
        "light": branch_light_of(branch),
        "days_left": (branch.due - local_today()).days,
        "reports": reports,
        "events": list(branch.events.order_by("-created_at", "-id")[:50]),
        "member": member,
        "may_act": may_act and open_steps,
        "can_claim": member and open_steps and branch.assignee_id is None,
        "can_assign": open_steps and role in (Role.HEAD, Role.LEADER),
        # 指派 is a head's or leader's to-do: on behalf only of a principal who has it
        "assign_on_behalf": stands_in
        and role_in(on_behalf.principal, branch.unit) in (Role.HEAD, Role.LEADER),
        "can_urge": is_supervisor(user) and branch.state != BranchState.DONE,
        "light_labels": LIGHT_LABELS,
        "on_behalf": on_behalf,
        "on_behalf_refusal": ""
        if on_behalf is None or stands_in
        else _("该事项不是 %(who)s 在本单位的待办，不能代为办理。")
        % {"who": display_name(on_behalf.principal)},
    }
    if context["may_act"] and branch.state == BranchState.ACTIVE:
        context["report_form"] = forms.get("report") or ReportForm(
            initial={"percent": branch.percent}
        )
        context["done_form"] = forms.get("done") or DoneForm()
    if context["can_assign"]:
        members = Membership.objects.filter(unit=branch.unit).select_related("user")
        context["assign_form"] = forms.get("assign") or AssignForm(members=members)
    if context["can_urge"]:
        context["urge_form"] = forms.get("urge") or UrgeForm()
    _unshown_errors_to_messages(request, forms, context)
    return render(request, "tasks_registry/branch_detail.html", context, status=status)


@login_required
def branch_detail(request, public_id):
    return _branch_page(request, _branch_or_404(request.user, public_id))


def _branch_action(request, public_id, service, done_message: str):
    """A one-click branch step: run the service, report the outcome, back to the branch."""
    branch = _branch_or_404(request.user, public_id)
    try:
        with acting_for(request_delegation(request)):
            service(branch=branch, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return redirect("tasks:branch", public_id)


@login_required
@require_POST
def branch_acknowledge(request, public_id):
    return _branch_action(request, public_id, services.branch_acknowledge, _("已签收。"))


@login_required
@require_POST
def branch_claim(request, public_id):
    return _branch_action(request, public_id, services.branch_claim, _("已认领，由您办理。"))


def _branch_form_step(request, branch, key: str, form, run, done_message):
    """A branch step with a form: on a valid form run the service (``run(cleaned_data)``),
    then back to the branch; a form or rule error re-renders the page with what was typed."""

    def step(data):
        with acting_for(request_delegation(request)):
            run(data)
        messages.success(request, done_message(data))
        return redirect("tasks:branch", branch.public_id)

    return run_form(
        form,
        step,
        again=lambda bound: _branch_page(request, branch, forms={key: bound}),
    )


@login_required
@require_POST
def branch_assign(request, public_id):
    branch = _branch_or_404(request.user, public_id)
    members = Membership.objects.filter(unit=branch.unit).select_related("user")

    def run(data):
        assignee = next(m.user for m in members if str(m.user_id) == data["assignee"])
        services.branch_assign(branch=branch, actor=request.user, assignee=assignee)

    form = AssignForm(request.POST, members=members)
    return _branch_form_step(request, branch, "assign", form, run, lambda d: _("已指派。"))


@login_required
@require_POST
def branch_report(request, public_id):
    branch = _branch_or_404(request.user, public_id)
    return _branch_form_step(
        request,
        branch,
        "report",
        ReportForm(request.POST, request.FILES),
        lambda d: services.progress_report_submit(
            branch=branch,
            actor=request.user,
            text=d["text"],
            percent=d["percent"],
            files=d["files"],
        ),
        lambda d: _("进度已报送（%(p)s%%）。") % {"p": d["percent"]},
    )


@login_required
@require_POST
def branch_done(request, public_id):
    branch = _branch_or_404(request.user, public_id)
    return _branch_form_step(
        request,
        branch,
        "done",
        DoneForm(request.POST),
        lambda d: services.branch_complete(branch=branch, actor=request.user, summary=d["summary"]),
        lambda d: _("已申报完成。"),
    )


@login_required
@require_POST
def branch_urge(request, public_id):
    branch = _branch_or_404(request.user, public_id)
    _require_supervisor(request.user)
    return _branch_form_step(
        request,
        branch,
        "urge",
        UrgeForm(request.POST),
        lambda d: services.branch_urge(branch=branch, actor=request.user, message=d["message"]),
        lambda d: _("已向%(unit)s催办。") % {"unit": branch.unit.name},
    )


@login_required
def attachment_download(request, public_id, inline=False):
    attachment = get_visible_or_404(
        request.user, ReportAttachment.objects.select_related("report__branch"), public_id=public_id
    )
    return attachment_response(
        open_stored(attachment.file.storage, attachment.file.name),
        label=attachment.name,
        content_type=attachment.content_type,
        inline=inline,
    )


@login_required
def attachment_view(request, public_id):
    """预览: the same file through the same check, shown in the page if a PDF or an image."""
    return attachment_download(request, public_id, inline=True)


# --- the leading group's pages ---------------------------------------------------------

STATUS_FILTERS = {
    GREEN: LIGHT_LABELS[GREEN],
    AMBER: LIGHT_LABELS[AMBER],
    RED: LIGHT_LABELS[RED],
    "pending": gettext_lazy("未下达"),
    "closed": gettext_lazy("已办结"),
}


@login_required
def dashboard(request):
    """The leading group's dashboard: a fixed number of queries and a fixed amount of HTML
    however many schools — the figures are grouped in the database (``dashboard_figures``,
    ``on_time_rates``); one unit's own branches are read only when it is filtered on, and
    the per-school detail is on each task's page (paginated) and on the scoring page."""
    _require_supervisor(request.user)
    today = local_today()
    figures = dashboard_figures(today=today)
    overview = figures.overview
    bureaus = list(Unit.objects.filter(kind=UnitKind.BUREAU))
    unit = _dashboard_unit(request, bureaus)
    wanted = request.GET.get("status") or ""

    shown = overview
    if unit is not None:
        sups = {s.supervision.pk: s.supervision for s in overview if s.supervision}
        mine = {
            b.supervision_id: b
            for b in branch_statuses(
                queryset=Branch.objects.filter(unit=unit), today=today, supervisions=sups
            )
        }
        shown = []
        for s in overview:
            if s.supervision and s.supervision.pk in mine:
                s.unit_branch = mine[s.supervision.pk]
                shown.append(s)
    if wanted == "pending":
        shown = [s for s in shown if s.supervision is None]
    elif wanted == "closed":
        shown = [
            s for s in shown if s.supervision and s.supervision.state == SupervisionState.CLOSED
        ]
    elif wanted in (GREEN, AMBER, RED):
        shown = [s for s in shown if (s.unit_branch.light if s.unit_branch else s.light) == wanted]
    groups: list[tuple[tuple[int, str], list]] = []
    for s in shown:
        key = (s.task.measure_number, s.task.measure)
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(s)

    dispatched = [s for s in overview if s.supervision]
    task_counts = {k: sum(1 for s in dispatched if s.light == k) for k in (GREEN, AMBER, RED)}
    branch_counts = figures.branch_counts
    branch_done = figures.done
    bureau_rates = [r for r in on_time_rates(kind=UnitKind.BUREAU, today=today) if r.cycles_due]
    school_rates = on_time_rates(kind=UnitKind.SCHOOL, today=today, lowest=10, refresh=False)
    rates = [(r.name, r.on_time_rate) for r in bureau_rates] + [
        (r.name, r.on_time_rate) for r in school_rates
    ]
    context = {
        "groups": groups,
        "units": bureaus,
        "unit": unit,
        "school_query": request.GET.get("school", "").strip(),
        "wanted": wanted,
        "status_filters": STATUS_FILTERS,
        "light_labels": LIGHT_LABELS,
        "totals": {
            "tasks": len(overview),
            "dispatched": len(dispatched),
            "closed": sum(1 for s in dispatched if s.supervision.state == SupervisionState.CLOSED),
            "overdue": sum(s.overdue_count for s in dispatched),
            "branches": figures.branches,
            "done": branch_done,
        },
        "task_chart": charts.donut(
            [(LIGHT_LABELS[k], task_counts[k], k) for k in (GREEN, AMBER, RED)]
            + [(_("未下达"), len(overview) - len(dispatched), "grey")],
            title=_("任务红黄绿灯分布"),
            centre=_("项任务"),
        ),
        "branch_chart": charts.donut(
            [(LIGHT_LABELS[k], branch_counts[k], k) for k in (GREEN, AMBER, RED)]
            + [(_("已完成"), branch_done, "grey")],
            title=_("责任单位事项状态分布"),
            centre=_("个单位事项"),
        ),
        "rate_chart": charts.rate_bars(rates, title=_("按期报送率")) if rates else "",
        "today": today,
    }
    return render(request, "tasks_registry/dashboard.html", context)


def _dashboard_unit(request, bureaus) -> Unit | None:
    """The unit filtered on: a bureau from the list, or a school by its id (``unit``) or by
    its name or code (``school``: typed, the list would grow with the schools)."""
    wanted = request.GET.get("unit", "")
    unit = next((u for u in bureaus if str(u.public_id) == wanted), None)
    if unit is None and wanted:
        try:
            unit = Unit.objects.filter(public_id=wanted).first()
        except (ValueError, ValidationError):
            unit = None
    typed = request.GET.get("school", "").strip()
    if unit is None and typed:
        schools = Unit.objects.filter(kind=UnitKind.SCHOOL).order_by("sort_order", "pk")
        unit = (
            schools.filter(Q(code=typed) | Q(name=typed)).first()
            or schools.filter(name__contains=typed).first()
        )
    return unit


@login_required
def scoring(request):
    """考核: the units ranked by score, with what the score is made of."""
    _require_supervisor(request.user)
    form = ScoringFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form_error_text(form))
    scores, kind = _scores(form)
    return render(request, "tasks_registry/scoring.html", {"scores": scores, "kind": kind})


def _scores(form):
    kind = form.cleaned_data["kind"]
    scores = unit_scores()
    if kind:
        scores = [s for s in scores if s.unit.kind == kind]
    return scores, kind


@login_required
def scoring_xlsx(request):
    """考核得分表 (.xlsx): the scoring page's ranking, as filtered there."""
    _require_supervisor(request.user)
    form = ScoringFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form_error_text(form))
    scores, _kind = _scores(form)
    today = local_today()
    response = HttpResponse(
        scores_xlsx(scores),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="scores-{today:%Y%m%d}.xlsx"; '
        f"filename*=UTF-8''{quote(f'单位考核得分-{today:%Y%m%d}.xlsx')}"
    )
    return response


@login_required
def ledger(request):
    _require_supervisor(request.user)
    today = local_today()
    response = HttpResponse(
        ledger_xlsx(today=today),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-{today:%Y%m%d}.xlsx"; '
        f"filename*=UTF-8''%E9%87%8D%E7%82%B9%E4%BB%BB%E5%8A%A1%E5%8F%B0%E8%B4%A6-{today:%Y%m%d}.xlsx"
    )
    return response


@login_required
def bulletin(request):
    """The progress bulletin (通报), previewed as HTML; the same blocks feed docs_gen."""
    _require_supervisor(request.user)
    data = bulletin_blocks()
    for block in data["blocks"]:
        if block["type"] == "table":
            # each cell with its column's heading (a phone shows a row as a card) and
            # whether it may wrap: the task's name wraps, its number, state and date do not
            nowrap = set(block.get("nowrap") or [])
            block["cells"] = [
                [
                    {"label": head, "text": text, "nowrap": i in nowrap}
                    for i, (head, text) in enumerate(zip(block["header"], row, strict=True))
                ]
                for row in block["rows"]
            ]
    return render(
        request,
        "tasks_registry/bulletin.html",
        {
            "bulletin": data,
            "generated_at": timezone.now(),
            "may_draft": _is_office(request.user),
        },
    )


@login_required
def bulletin_to_draft(request):
    """Turn the current bulletin into an official-document draft of the office (POST)."""
    if request.method != "POST":
        return redirect("dashboard:bulletin")
    _require_supervisor(request.user)
    try:
        document = services.bulletin_draft(actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:bulletin")
    messages.success(request, _("已生成通报公文草稿，请核对后送领导签发。"))
    return redirect("docs:detail", public_id=document.public_id)
