"""A round as data: the JSON of ``manage.py export_round`` and the 评分汇总表 (.xlsx)."""

from fractions import Fraction

from django.db.models import Prefetch, prefetch_related_objects

from approvals.common.models import ApplicationStatus, SignOff

from .models import AssignmentStatus, PanelAssignment, PilotDecision
from .scoring import Criterion, round_half_up

RULE = (
    "计分规则：每项指标得分为各专家评分的平均分，评分专家 5 人及以上时去掉一个最高分和一个最低分；"
    "总分 = Σ（指标得分 ÷ 该项满分 × 权重），全程精确计算，最后四舍五入保留两位小数。"
    "总分相同时，权重最大的指标得分高者在前，再相同时申请报送早者在前。"
)


def expert_total(criteria, scores: dict) -> str:
    """One expert's own total (for the page and the workbook, not for the ranking)."""
    if not scores or any(c.name not in scores for c in criteria):
        return ""
    exact = sum((Fraction(scores[c.name]) / c.max * c.weight for c in criteria), Fraction(0))
    return str(round_half_up(exact))


def _eligibility(app) -> dict:
    out = {"edu": None, "hr": None}
    for s in SignOff.objects.filter(application=app, step="eligibility").select_related("unit"):
        key = {"edu": "edu", "hrss": "hr"}.get(s.unit.code)
        if key:
            out[key] = s.status  # the latest round of sign-offs wins (ordered by round)
    return out


def _decision(app, decision) -> tuple[str | None, str]:
    if app.closed_at_step == "eligibility" and app.status == ApplicationStatus.REJECTED:
        return "ineligible", app.decision_reason
    if decision is None:
        return None, ""
    if decision.selected and app.status != ApplicationStatus.REJECTED:
        return "pilot", decision.reason
    if decision.selected:  # an objection upheld during the notice
        return "not_selected", app.decision_reason
    return "not_selected", decision.reason


def round_data(round_) -> dict:
    from . import services

    criteria = Criterion.list_of(round_.criteria)
    ranked = {r.key.pk: r for r in services.ranking(round_)}
    decisions = {d.application_id: d for d in PilotDecision.objects.filter(round=round_)}
    rows = []
    apps = (
        round_.applications.filter(submitted_at__isnull=False)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("applicant_unit")
        .order_by("submitted_at", "id")
    )
    for app in apps:
        result = ranked.get(app.pk)
        decision = decisions.get(app.pk)
        outcome, reason = _decision(app, decision)
        experts = []
        for a in app.panel_assignments.select_related(
            "expert__user", "expert__affiliation"
        ).prefetch_related("scores"):
            submitted = a.status == AssignmentStatus.SUBMITTED
            experts.append(
                {
                    "expert": str(a.expert),
                    "unit": a.expert.affiliation.name if a.expert.affiliation_id else "",
                    "excluded": a.status == AssignmentStatus.EXCLUDED,
                    "reason": a.exclusion_reason,
                    "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                    "scores": {s.criterion: str(s.score) for s in a.scores.all()}
                    if submitted
                    else {},
                }
            )
        rows.append(
            {
                "school": app.applicant_unit.name,
                "school_type": app.applicant_unit.school_type,
                "eligibility": _eligibility(app),
                "experts": experts,
                "criterion_scores": {
                    c.name: str(result.mean_display(c.name))
                    for c in criteria
                    if result is not None and result.means.get(c.name) is not None
                },
                "total": str(result.total) if result and result.total is not None else None,
                "rank": decision.rank if decision else (result.rank if result else None),
                "decision": outcome,
                "decision_reason": reason,
            }
        )
    return {
        "round": {
            "id": round_.pk,
            "year": round_.year,
            "name": round_.name,
            "quota": round_.quota,
            "state": services.round_stage(round_),
        },
        "criteria": [{"name": c.name, "max": c.max, "weight": c.weight} for c in criteria],
        "applications": rows,
    }


def ranking_workbook(round_):
    """评分汇总表: the ranking on the first sheet, each expert's scores on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from . import services

    criteria = Criterion.list_of(round_.criteria)
    decisions = {d.application_id: d for d in PilotDecision.objects.filter(round=round_)}
    wb = Workbook()
    ws = wb.active
    ws.title = "评分汇总表"
    ws.append([f"{round_.name} 评分汇总表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([RULE])
    ws["A2"].alignment = Alignment(wrap_text=True)
    header = ["排名", "学校", "学校类型"]
    header += [f"{c.name}（满分{c.max}，权重{c.weight}）" for c in criteria]
    header += ["总分", "评分专家数", "决定"]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ranked = services.ranking(round_)
    experts_ws = wb.create_sheet("专家评分")
    experts_ws.append(
        ["学校", "专家", "工作单位", "状态", "回避理由"]
        + [c.name for c in criteria]
        + ["专家总分", "提交时间", "评审意见"]
    )
    # each application's assignments and scores, read once for the whole round
    prefetch_related_objects(
        [r.key for r in ranked],
        Prefetch(
            "panel_assignments",
            queryset=PanelAssignment.objects.select_related(
                "expert__user", "expert__affiliation"
            ).prefetch_related("scores"),
        ),
    )
    for r in ranked:
        app = r.key
        d = decisions.get(app.pk)
        decision = "" if d is None else ("入选" if d.selected else "未入选")
        ws.append(
            [r.rank, app.applicant_unit.name, app.applicant_unit.get_school_type_display()]
            + [
                r.mean_display(c.name) if r.means.get(c.name) is not None else None
                for c in criteria
            ]
            + [r.total, len(r.experts), decision]
        )
        for a in app.panel_assignments.all():
            scores = {s.criterion: s.score for s in a.scores.all()}
            counted = a.status == AssignmentStatus.SUBMITTED
            experts_ws.append(
                [
                    app.applicant_unit.name,
                    str(a.expert),
                    a.expert.affiliation.name if a.expert.affiliation_id else "",
                    a.get_status_display(),
                    a.exclusion_reason,
                ]
                + [scores[c.name] if counted and c.name in scores else None for c in criteria]
                + [
                    expert_total(criteria, scores) if counted else "",
                    a.submitted_at.strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
                    a.comment if counted else "",
                ]
            )
    for row in ws.iter_rows(min_row=4):
        for cell in row[3 : 3 + len(criteria) + 1]:
            cell.number_format = "0.00"
    ws.column_dimensions["B"].width = 30
    return wb
