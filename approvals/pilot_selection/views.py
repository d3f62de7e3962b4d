"""Pilot selection's pages: rounds (the bureaus, the office, the leading group), the
school's start in a round, and the experts' scoring. Every object comes through
``get_visible_or_404``: another school, or an expert not assigned, gets 404."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.common import attachments as files
from approvals.common.models import Application, ApplicationStatus, Round
from approvals.common.registry import procedure_for
from workflows.access import get_visible_or_404, is_member, units_of
from workflows.exceptions import RuleViolation
from workflows.formviews import run_form
from workflows.models import Role

from . import rules, services
from .forms import (
    ConflictForm,
    CriteriaField,
    PanelForm,
    RoundDecisionForm,
    RoundForm,
    RoundVersionForm,
    ScoreForm,
    criteria_text,
)
from .models import AssignmentStatus, PanelAssignment, PilotDecision
from .scoring import Criterion, key_criterion


def _rounds():
    return Round.objects.filter(procedure=rules.CODE).select_related("pilot", "document")


def _round(request, round_id) -> Round:
    """A round's management pages: the two bureaus, the office and the leading group."""
    return get_visible_or_404(request.user, _rounds(), public_id=round_id)


def _assignment(request, assignment_id) -> PanelAssignment:
    """Only the expert it names; anyone else (another expert, a school, the office) 404."""
    return get_visible_or_404(
        request.user,
        PanelAssignment.objects.filter(expert__user=request.user).select_related(
            "application__round", "application__applicant_unit", "expert"
        ),
        public_id=assignment_id,
    )


def _schools(user):
    return [u for u in units_of(user) if u.kind == "school"]


@login_required
def index(request):
    user = request.user
    schools = _schools(user)
    managed = list(services.visible_rounds(user))
    open_rounds = []
    for school in schools:
        for r in services.open_rounds_for(school):
            mine = (
                Application.objects.filter(round=r, applicant_unit=school, procedure=rules.CODE)
                .exclude(status=ApplicationStatus.WITHDRAWN)
                .first()
            )
            open_rounds.append({"round": r, "school": school, "application": mine})
    return render(
        request,
        "pilot_selection/index.html",
        {
            "rounds": managed,
            "open_rounds": open_rounds,
            "may_open": services.is_organiser(user),
            "is_expert": hasattr(user, "expert"),
        },
    )


@login_required
def round_new(request):
    if not services.is_organiser(request.user):
        raise PermissionDenied(_("试点院校遴选批次由市教育局、市人力社保局组织。"))
    if request.method != "POST":
        year = timezone.localdate().year
        form = RoundForm(
            initial={
                "year": year,
                "name": _("%(year)s年度职技融通改革试点院校遴选") % {"year": year},
                "criteria": criteria_text(DEMO_CRITERIA),
                "required_attachments": "\n".join(DEMO_ATTACHMENTS),
            }
        )
        return render(request, "pilot_selection/round_form.html", {"form": form})

    def done(round_):
        messages.success(request, _("批次已创建。"))
        return redirect("pilot_selection:round", round_.public_id)

    def again(bound):
        return render(request, "pilot_selection/round_form.html", {"form": bound})

    return run_form(
        RoundForm(request.POST),
        lambda c: services.round_open(
            actor=request.user,
            year=c["year"],
            name=c["name"],
            quota=c["quota"],
            opens_at=c["opens_at"],
            closes_at=c["closes_at"],
            criteria=c["criteria"],
            school_types=c["school_types"],
            required_attachments=c["required_attachments"],
            panel_size=c["panel_size"],
            scoring_deadline=c["scoring_deadline"],
        ),
        done=done,
        again=again,
    )


DEMO_CRITERIA = (
    {"name": "办学基础", "max": 20, "weight": 20},
    {"name": "专业与产业对接", "max": 20, "weight": 25},
    {"name": "“双师型”师资", "max": 20, "weight": 20},
    {"name": "校企合作与社会培训", "max": 20, "weight": 15},
    {"name": "职技融通工作基础", "max": 20, "weight": 20},
)
DEMO_ATTACHMENTS = ("试点院校申报书", "佐证材料")


def _round_context(request, round_, **forms) -> dict:
    user = request.user
    criteria = Criterion.list_of(round_.criteria)
    apps = list(
        round_.applications.filter(submitted_at__isnull=False).select_related("applicant_unit")
    )
    at_scoring = [a for a in apps if a.current_step == "scoring"]
    at_decision = [a for a in apps if a.current_step == "decision" and not a.is_closed]
    at_issue = [a for a in apps if a.current_step == "issue" and not a.is_closed]
    ranked = services.ranking(round_)
    show_experts = request.GET.get("experts") == "1"
    procedure = procedure_for(rules.CODE)
    may_issue = bool(at_issue) and procedure.step("issue").may_decide(round_, user)
    may_countersign = (
        bool(at_issue)
        and not round_.pilot.countersigned_by_id
        and is_member(user, rules.hrss(), (Role.LEADER,))
    )
    decisions = {d.application_id: d for d in PilotDecision.objects.filter(round=round_)}
    quota = round_.quota or 0
    default_selected = [str(r.key.public_id) for r in ranked[:quota] if r.total is not None]
    context = {
        "round": round_,
        "pilot": round_.pilot,
        "criteria": criteria,
        "key_criterion": key_criterion(criteria) if criteria else None,
        "applications": apps,
        "assignments": {
            a.pk: list(a.panel_assignments.select_related("expert__user", "expert__affiliation"))
            for a in apps
        },
        "at_scoring": at_scoring,
        "ranked": ranked,
        "decisions": decisions,
        "show_experts": show_experts,
        "frozen": services.criteria_frozen(round_),
        "is_organiser": services.is_organiser(user),
        "is_office": services.is_office(user),
        "may_decide": bool(at_decision) and services.is_leading_group(user),
        "may_issue": may_issue,
        "may_countersign": may_countersign,
        "at_issue": at_issue,
        "notices": list(round_.notices.all()),
        "criteria_form": forms.get("criteria_form")
        or RoundCriteriaForm(
            initial={"criteria": criteria_text(round_.criteria), "version": round_.version}
        ),
        "panel_form": forms.get("panel_form")
        or PanelForm(initial={"version": round_.version}, applications=at_scoring),
        "decision_form": forms.get("decision_form")
        or _decision_form(round_, ranked, initial={"selected": default_selected}),
        "issue_form": forms.get("issue_form")
        or RoundVersionForm(initial={"version": round_.version}),
    }
    return context


class RoundCriteriaForm(RoundVersionForm):
    criteria = CriteriaField(label=RoundForm.base_fields["criteria"].label, max_length=3000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = True


def _decision_form(round_, ranked, data=None, initial=None):
    initial = {**(initial or {}), "version": round_.version}
    choices = [
        (str(r.key.public_id), f"{r.rank}. {r.key.applicant_unit.name}（{r.total or '—'}）")
        for r in ranked
        if r.key.current_step == "decision" and not r.key.is_closed
    ]
    return RoundDecisionForm(data, choices=choices, initial=initial)


@login_required
def round_detail(request, round_id, status=200, **forms):
    round_ = _round(request, round_id)
    return render(
        request,
        "pilot_selection/round_detail.html",
        _round_context(request, round_, **forms),
        status=status,
    )


def _round_action(request, round_id, form, service, *, form_name, done_message):
    round_ = _round(request, round_id)

    def done(_result):
        messages.success(request, done_message)
        return redirect("pilot_selection:round", round_.public_id)

    def again(bound):
        return round_detail(request, round_id, **{form_name: bound})

    return run_form(form, lambda c: service(round_, c), done=done, again=again)


@login_required
@require_POST
def round_criteria(request, round_id):
    return _round_action(
        request,
        round_id,
        RoundCriteriaForm(request.POST),
        lambda r, c: services.round_update_criteria(
            round=r, actor=request.user, criteria=c["criteria"], version=c["version"]
        ),
        form_name="criteria_form",
        done_message=_("评审标准已修改。"),
    )


@login_required
@require_POST
def round_panel(request, round_id):
    round_ = _round(request, round_id)

    def assign(r, c):
        application = None
        if c.get("application"):
            application = get_visible_or_404(
                request.user, r.applications.all(), public_id=c["application"]
            )
        return services.panel_assign(
            round=r,
            actor=request.user,
            experts=c["experts"],
            application=application,
            version=c["version"] if application is None else application.version,
        )

    at_scoring = round_.applications.filter(current_step="scoring").select_related("applicant_unit")
    return _round_action(
        request,
        round_.public_id,
        PanelForm(request.POST, applications=at_scoring),
        assign,
        form_name="panel_form",
        done_message=_("评审专家已分配。"),
    )


@login_required
@require_POST
def round_decide(request, round_id):
    round_ = _round(request, round_id)
    form = _decision_form(round_, services.ranking(round_), data=request.POST)
    return _round_action(
        request,
        round_id,
        form,
        lambda r, c: services.round_decide(
            round=r,
            actor=request.user,
            selected_ids=c["selected"],
            reason=c["reason"],
            version=c["version"],
        ),
        form_name="decision_form",
        done_message=_("决定已作出，拟入选名单进入公示。"),
    )


@login_required
@require_POST
def round_countersign(request, round_id):
    return _round_action(
        request,
        round_id,
        RoundVersionForm(request.POST),
        lambda r, c: services.round_countersign(round=r, actor=request.user, version=c["version"]),
        form_name="issue_form",
        done_message=_("已会签，待市教育局分管领导签发。"),
    )


@login_required
@require_POST
def round_issue(request, round_id):
    return _round_action(
        request,
        round_id,
        RoundVersionForm(request.POST),
        lambda r, c: services.round_issue_result(round=r, actor=request.user, version=c["version"]),
        form_name="issue_form",
        done_message=_("通知已印发，试点院校名单生效。"),
    )


@login_required
def round_xlsx(request, round_id):
    round_ = _round(request, round_id)
    from .export import ranking_workbook

    out = io.BytesIO()
    ranking_workbook(round_).save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    from urllib.parse import quote

    name = quote(f"评分汇总表-{round_.name}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_POST
def round_apply(request, round_id):
    """A school starts (or goes back to) its application in an open round."""
    for school in _schools(request.user):
        for r in services.open_rounds_for(school):
            if r.public_id == round_id:
                try:
                    app = services.application_start(round=r, actor=request.user, school=school)
                except RuleViolation as exc:
                    messages.error(request, exc.message)
                    return redirect("pilot_selection:index")
                if app.is_editable:
                    return redirect("applications:edit", app.public_id)
                return redirect("applications:detail", app.public_id)
    raise Http404


# --- experts ----------------------------------------------------------------------------


@login_required
def expert_index(request):
    rows = PanelAssignment.objects.filter(expert__user=request.user).select_related(
        "application__round", "application__applicant_unit"
    )
    return render(request, "pilot_selection/expert_index.html", {"assignments": rows})


def _score_context(request, a, score_form=None, conflict_form=None):
    app = a.application
    criteria = Criterion.list_of(app.round.criteria)
    own = {s.criterion: s.score for s in a.scores.all()}
    procedure = procedure_for(app)
    detail = procedure.detail_of(app)
    from .forms import score_field

    initial = {score_field(i): own.get(c.name) for i, c in enumerate(criteria, start=1)}
    initial.update(comment=a.comment, version=a.version)
    editable = a.status == AssignmentStatus.ASSIGNED and app.current_step == "scoring"
    return {
        "a": a,
        "application": app,
        "criteria": criteria,
        "statements": [
            (c, (detail.statements if detail else {}).get(c.name, "")) for c in criteria
        ],
        "attachments": app.attachments.all(),
        "own": [(c, own.get(c.name)) for c in criteria],
        "editable": editable,
        "form": score_form or ScoreForm(criteria=criteria, initial=initial),
        "conflict_form": conflict_form or ConflictForm(initial={"version": a.version}),
        "deadline": app.round.pilot.scoring_deadline,
    }


@login_required
def score(request, assignment_id):
    a = _assignment(request, assignment_id)
    criteria = Criterion.list_of(a.application.round.criteria)
    if request.method != "POST":
        return render(request, "pilot_selection/score.html", _score_context(request, a))
    form = ScoreForm(request.POST, criteria=criteria)

    def save(c):
        return services.scores_save(
            assignment=a,
            actor=request.user,
            scores=form.scores(),
            comment=c["comment"],
            submit=c.get("action") == "submit",
            version=c["version"],
        )

    def done(saved):
        if saved.status == AssignmentStatus.SUBMITTED:
            messages.success(request, _("评分已提交，不能再修改。"))
        else:
            messages.success(request, _("评分已暂存，提交前可以修改。"))
        return redirect("pilot_selection:score", a.public_id)

    def again(bound):
        return render(request, "pilot_selection/score.html", _score_context(request, a, bound))

    return run_form(form, save, done=done, again=again)


@login_required
@require_POST
def conflict(request, assignment_id):
    a = _assignment(request, assignment_id)

    def done(_saved):
        messages.success(request, _("已申请回避，本申请不再由您评分。"))
        return redirect("pilot_selection:expert_index")

    def again(bound):
        return render(
            request, "pilot_selection/score.html", _score_context(request, a, conflict_form=bound)
        )

    return run_form(
        ConflictForm(request.POST),
        lambda c: services.conflict_declare(
            assignment=a, actor=request.user, reason=c["reason"], version=c["version"]
        ),
        done=done,
        again=again,
    )


@login_required
def score_file(request, assignment_id, file_id, inline=False):
    a = _assignment(request, assignment_id)
    if a.excluded:
        raise Http404
    attachment = get_object_or_404(a.application.attachments, public_id=file_id)
    return files.attachment_response(
        files.AREA.open(attachment.stored_name),
        label=attachment.original_name,
        content_type=attachment.content_type,
        inline=inline,
    )


@login_required
def score_file_view(request, assignment_id, file_id):
    """预览 of an application's file for its expert, through the same check."""
    return score_file(request, assignment_id, file_id, inline=True)
