"""Writes of pilot selection (annex task 6). Every rule is enforced here, citing the row.

The kernel runs the applications' flows (``approvals.common.services``) and decides
rounds (``approvals.common.rounds``); this module adds the round's terms, the expert
panel and its scores, the ranking and the decision within the quota, and the pilot
flag. Each write takes the application's process lock (``services.locked``) and a
version compare-and-set, so a second actor on the same thing gets 409.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common import rounds
from approvals.common import services as kernel
from approvals.common.models import Application, ApplicationStatus, Round, RoundState
from approvals.common.steps import APPROVED, REJECTED, Outcome
from workflows.access import grant_view, is_member
from workflows.cas import expect_version
from workflows.exceptions import Conflict, RuleViolation
from workflows.i18n import stored as _stored
from workflows.models import Role
from workflows.services import audit_record, notify, notify_units

from . import rules
from .forms import MAX_CRITERIA
from .models import (
    AssignmentStatus,
    ExpertScore,
    PanelAssignment,
    PilotDecision,
    PilotRound,
    PilotSchool,
)
from .scoring import Criterion, rank, result_of

ACTING = (Role.HANDLER, Role.HEAD, Role.LEADER)
STALE = kernel.STALE


def is_organiser(user) -> bool:
    """Acts for the education or the HR bureau (they open and run rounds)."""
    return any(is_member(user, u, ACTING) for u in rules.organisers())


def is_office(user) -> bool:
    return is_member(user, rules.office(), ACTING)


def is_leading_group(user) -> bool:
    return is_member(user, rules.leading_group(), ACTING)


# --- the round ------------------------------------------------------------------------------


def check_criteria(criteria: list[dict]) -> list[dict]:
    """Names unique, maxima and weights positive integers, weights adding up to 100."""
    if not criteria:
        raise RuleViolation(_("「评审标准」至少填写一项。"), field="criteria")
    if len(criteria) > MAX_CRITERIA:
        raise RuleViolation(
            _("「评审标准」最多 %(n)s 项。") % {"n": MAX_CRITERIA}, field="criteria"
        )
    names = set()
    for c in criteria:
        name = str(c.get("name", "")).strip()
        if not name or len(name) > 100:
            raise RuleViolation(_("「评审标准」每项须有名称（100 字以内）。"), field="criteria")
        if name in names:
            raise RuleViolation(
                _("「评审标准」“%(name)s”重复。") % {"name": name}, field="criteria"
            )
        names.add(name)
        if not (isinstance(c.get("max"), int) and 1 <= c["max"] <= 1000):
            raise RuleViolation(
                _("「评审标准」“%(name)s”的满分须为 1–1000 的整数。") % {"name": name},
                field="criteria",
            )
        if not (isinstance(c.get("weight"), int) and 1 <= c["weight"] <= 100):
            raise RuleViolation(
                _("「评审标准」“%(name)s”的权重须为 1–100 的整数。") % {"name": name},
                field="criteria",
            )
    total = sum(c["weight"] for c in criteria)
    if total != 100:
        raise RuleViolation(
            _("「评审标准」各项权重合计须为 100，现为 %(total)s（%(task)s）。")
            % {"total": total, "task": rules.TASK_6},
            field="criteria",
        )
    return [{"name": c["name"].strip(), "max": c["max"], "weight": c["weight"]} for c in criteria]


def _check_school_types(school_types) -> list[str]:
    if not school_types:
        raise RuleViolation(_("「可申报学校类型」至少选择一类。"), field="school_types")
    return list(school_types)


@transaction.atomic
def round_open(
    *,
    actor,
    year,
    name,
    quota,
    opens_at,
    closes_at,
    criteria,
    school_types=None,
    required_attachments=(),
    panel_size=5,
    scoring_deadline=None,
) -> Round:
    """The education bureau (with the HR bureau) opens a round."""
    if not is_organiser(actor):
        raise PermissionDenied(_("试点院校遴选批次由市教育局、市人力社保局组织。"))
    criteria = check_criteria(criteria)
    if panel_size < rules.PANEL_MIN:
        raise RuleViolation(
            _("「评审专家人数」不少于 %(n)s 人。") % {"n": rules.PANEL_MIN}, field="panel_size"
        )
    if scoring_deadline is not None and scoring_deadline <= closes_at:
        raise RuleViolation(_("「评分截止」须晚于「申报截止」。"), field="scoring_deadline")
    round_ = rounds.round_create(
        procedure_code=rules.CODE,
        owner_unit=rules.edu(),
        actor=actor,
        year=year,
        name=name,
        quota=quota,
        opens_at=opens_at,
        closes_at=closes_at,
        criteria=criteria,
    )
    PilotRound.objects.create(
        round=round_,
        school_types=_check_school_types(
            school_types if school_types is not None else PilotRound().school_types
        ),
        required_attachments=list(required_attachments),
        panel_size=panel_size,
        scoring_deadline=scoring_deadline,
    )
    grant_view(round_, rules.organisers())
    return round_


def visible_rounds(user):
    from workflows.access import visible

    return visible(user, Round.objects.filter(procedure=rules.CODE).select_related("pilot"))


def criteria_frozen(round_: Round) -> bool:
    """Frozen once the first application of the round is submitted."""
    return round_.applications.filter(submitted_at__isnull=False).exists()


@transaction.atomic
def round_update_criteria(*, round: Round, actor, criteria, version: int | None) -> Round:
    if not is_organiser(actor):
        raise PermissionDenied(_("试点院校遴选批次由市教育局、市人力社保局组织。"))
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    expect_version(round_, version, message=STALE)
    if criteria_frozen(round_):
        raise RuleViolation(
            _("「评审标准」已有学校报送申请，评审标准已锁定，不能再修改（%(task)s）。")
            % {"task": rules.TASK_6},
            field="criteria",
        )
    before = round_.criteria
    round_.criteria = check_criteria(criteria)
    round_.version += 1
    round_.save()
    audit_record(
        actor=actor,
        action="round_criteria_changed",
        obj=round_,
        before={"criteria": before},
        after={"criteria": round_.criteria},
    )
    return round_


def open_rounds_for(unit):
    """The rounds a school may apply to now."""
    now = timezone.now()
    return [
        r
        for r in Round.objects.filter(
            procedure=rules.CODE, opens_at__lte=now, closes_at__gte=now
        ).select_related("pilot")
        if unit.school_type in r.pilot.school_types
    ]


@transaction.atomic
def application_start(*, round: Round, actor, school) -> Application:
    """A school's draft in a round; the one it already has if there is one."""
    existing = (
        Application.objects.filter(round=round, applicant_unit=school, procedure=rules.CODE)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .first()
    )
    if existing is not None:
        return existing
    if school.school_type not in round.pilot.school_types:
        raise RuleViolation(
            _("「学校类型」%(type)s不在“%(round)s”可申报的学校类型之内（%(task)s）。")
            % {
                "type": school.get_school_type_display(),
                "round": round.name,
                "task": rules.TASK_6,
            },
            field="round",
        )
    return kernel.application_create(
        procedure_code=rules.CODE, actor=actor, school=school, round=round
    )


# --- the panel ------------------------------------------------------------------------------------


def exclusion_by_rule(expert, application) -> str:
    """Why ``expert`` may not score ``application`` by rule ('' when they may)."""
    if expert.affiliation_id and expert.affiliation_id == application.applicant_unit_id:
        return _stored(
            "专家所在单位（%(unit)s）即申请学校，按规定回避。", unit=application.applicant_unit.name
        )
    return ""


def _assign(application, experts, actor) -> list[PanelAssignment]:
    made = []
    for expert in experts:
        if application.panel_assignments.filter(expert=expert).exists():
            continue
        reason = exclusion_by_rule(expert, application)
        made.append(
            PanelAssignment.objects.create(
                application=application,
                expert=expert,
                status=AssignmentStatus.EXCLUDED if reason else AssignmentStatus.ASSIGNED,
                exclusion_reason=reason,
                assigned_by=actor,
            )
        )
    return made


def _active_count(application) -> int:
    return application.panel_assignments.exclude(status=AssignmentStatus.EXCLUDED).count()


def _tell_experts(assignments) -> None:
    from django.urls import reverse

    for a in assignments:
        if a.status == AssignmentStatus.ASSIGNED:
            notify(
                recipients=[a.expert.user],
                title=_stored("待评审：%(title)s", title=a.application.title),
                url=reverse("pilot_selection:score", args=[a.public_id]),
            )


def _audit_assigned(application, assignments, actor) -> None:
    for a in assignments:
        audit_record(
            actor=actor,
            action="expert_excluded" if a.excluded else "panel_assigned",
            obj=application,
            after={"expert": str(a.expert), "excluded": a.excluded},
            note=a.exclusion_reason,
        )


@transaction.atomic
def panel_assign(*, round: Round, actor, experts, application=None, version=None):
    """The office assigns a panel to the round (every application at scoring, and those that
    reach it later) or adds experts to one application. An expert of the applicant school is
    excluded by rule; each application keeps at least three experts who may score it."""
    if not is_office(actor):
        raise PermissionDenied(_("评审专家由领导小组办公室分配。"))
    experts = list(experts)
    pilot = PilotRound.objects.select_for_update().get(round=round)
    if application is None:
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        expect_version(round_, version, message=STALE)
        if len(experts) < rules.PANEL_MIN:
            raise RuleViolation(
                _("「评审专家」每个评审组不少于 %(n)s 人（默认 %(d)s 人）。")
                % {"n": rules.PANEL_MIN, "d": pilot.panel_size},
                field="experts",
            )
        targets = list(round_.applications.filter(current_step="scoring"))
    else:
        targets = [application]
    made = []
    for target in targets:
        with kernel.locked(target) as app:
            if application is not None:
                expect_version(app, version, message=STALE)
            if app.current_step != "scoring" or app.is_closed:
                raise Conflict(STALE)
            assignments = _assign(app, experts, actor)
            if _active_count(app) < rules.PANEL_MIN:
                raise RuleViolation(
                    _(
                        "「评审专家」%(school)s的评审组回避后只剩 %(n)s 人，"
                        "不少于 %(min)s 人，请增加专家。"
                    )
                    % {
                        "school": app.applicant_unit.name,
                        "n": _active_count(app),
                        "min": rules.PANEL_MIN,
                    },
                    field="experts",
                )
            app.version += 1
            app.save()
            _audit_assigned(app, assignments, actor)
            made += assignments
    if application is None:
        pilot.panel.add(*experts)
        round_.version += 1
        round_.save()
    transaction.on_commit(lambda: _tell_experts(made))
    return made


def panel_apply_round(application) -> None:
    """An application reaching scoring gets its round's panel (if one is assigned)."""
    pilot = PilotRound.objects.get(round_id=application.round_id)
    experts = list(pilot.panel.all())
    if not experts:
        return
    made = _assign(application, experts, None)
    _audit_assigned(application, made, None)
    transaction.on_commit(lambda: _tell_experts(made))


# --- scoring ------------------------------------------------------------------------------------


def _own_assignment(assignment: PanelAssignment, actor) -> PanelAssignment:
    locked = PanelAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.expert.user_id != actor.pk:
        raise PermissionDenied(_("只有被分配的专家本人可以评分。"))
    return locked


def _scoring_step(app):
    from approvals.common.registry import procedure_for

    return procedure_for(app).step("scoring")


def _finish_if_complete(app) -> bool:
    """Every assigned expert has submitted (or stood down): the application moves on."""
    assignments = app.panel_assignments.all()
    if assignments.filter(status=AssignmentStatus.ASSIGNED).exists():
        return False
    if not assignments.filter(status=AssignmentStatus.SUBMITTED).exists():
        return False
    audit_record(
        actor=None,
        action="scoring_closed",
        obj=app,
        note=_stored("评审专家均已提交评分。"),
    )
    kernel._apply(app, _scoring_step(app), Outcome(APPROVED))
    return True


@transaction.atomic
def scores_save(
    *,
    assignment: PanelAssignment,
    actor,
    scores: dict,
    comment: str,
    submit: bool,
    version: int | None,
) -> PanelAssignment:
    """An expert keeps (or submits) their scores. Submitted scores are locked."""
    with kernel.locked(assignment.application) as app:
        a = _own_assignment(assignment, actor)
        expect_version(a, version, message=_("评分已在其他页面保存或提交，请刷新页面后再试。"))
        if a.status == AssignmentStatus.SUBMITTED:
            raise Conflict(_("评分已提交，不能再修改。"))
        if a.status != AssignmentStatus.ASSIGNED or app.current_step != "scoring":
            raise Conflict(_("评分已结束或您已回避，本次操作未生效。"))
        criteria = Criterion.list_of(app.round.criteria)
        for index, c in enumerate(criteria, start=1):
            value = scores.get(c.name)
            if value is None:
                if submit:
                    raise RuleViolation(
                        _("「%(name)s」提交前须给出评分（0–%(max)s 分）。")
                        % {"name": c.name, "max": c.max},
                        field=f"score_{index}",
                    )
                ExpertScore.objects.filter(assignment=a, criterion=c.name).delete()
                continue
            if value < 0 or value > c.max or value != value.quantize(value.__class__("0.1")):
                raise RuleViolation(
                    _("「%(name)s」评分须在 0–%(max)s 分之间，最多一位小数。")
                    % {"name": c.name, "max": c.max},
                    field=f"score_{index}",
                )
            ExpertScore.objects.update_or_create(
                assignment=a, criterion=c.name, defaults={"score": value}
            )
        a.comment = (comment or "").strip()
        a.version += 1
        if submit:
            a.status = AssignmentStatus.SUBMITTED
            a.submitted_at = timezone.now()
        a.save()
        if submit:
            audit_record(
                actor=actor,
                action="scores_submitted",
                obj=a,
                after={c.name: str(scores[c.name]) for c in criteria},
                note=a.comment,
            )
            # the application's timeline says a score came in, not whose or what
            audit_record(actor=None, action="scores_submitted", obj=app)
            _finish_if_complete(app)
        return a


@transaction.atomic
def conflict_declare(*, assignment: PanelAssignment, actor, reason: str, version: int | None):
    """An expert declares a conflict of interest (回避) with a reason; they no longer score."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("「回避理由」必填。"), field="reason")
    with kernel.locked(assignment.application) as app:
        a = _own_assignment(assignment, actor)
        expect_version(a, version, message=_("评分已在其他页面保存或提交，请刷新页面后再试。"))
        if a.status != AssignmentStatus.ASSIGNED or app.current_step != "scoring":
            raise Conflict(_("评分已提交或已结束，不能再申请回避。"))
        a.status = AssignmentStatus.EXCLUDED
        a.exclusion_reason = _stored("本人申请回避：%(reason)s", reason=reason)
        a.version += 1
        a.save()
        a.scores.all().delete()
        audit_record(
            actor=actor,
            action="expert_excluded",
            obj=a,
            after={"expert": str(a.expert), "excluded": True},
            note=a.exclusion_reason,
        )
        # the school's timeline says an expert stood down, not who (scoring is anonymous to it)
        audit_record(
            actor=None, action="expert_excluded", obj=app, note=_stored("一位评审专家申请回避。")
        )
        notify_units(
            [rules.office()],
            title=_stored("专家申请回避，请视需要增补：%(title)s", title=app.title),
            url=kernel_round_url(app.round),
        )
        _finish_if_complete(app)
        return a


def kernel_round_url(round_) -> str:
    from django.urls import reverse

    return reverse("pilot_selection:round", args=[round_.public_id])


@transaction.atomic
def scoring_close_if_due(*, now=None) -> int:
    """At a round's scoring deadline, whoever has not submitted no longer counts; the
    applications move on. Idempotent; run by Celery beat. Returns how many moved on."""
    now = now or timezone.now()
    moved = 0
    for pilot in PilotRound.objects.filter(scoring_deadline__lte=now).select_related("round"):
        for waiting in pilot.round.applications.filter(current_step="scoring"):
            with kernel.locked(waiting) as app:
                if app.current_step != "scoring" or app.is_closed:
                    continue
                late = app.panel_assignments.filter(status=AssignmentStatus.ASSIGNED)
                late.update(status=AssignmentStatus.EXPIRED, version=0)
                audit_record(
                    actor=None,
                    action="scoring_closed",
                    obj=app,
                    note=_stored(
                        "评分截止（%(day)s），未提交的评分不再计入。",
                        day=timezone.localtime(pilot.scoring_deadline).strftime("%Y-%m-%d %H:%M"),
                    ),
                )
                kernel._apply(app, _scoring_step(app), Outcome(APPROVED))
                moved += 1
    return moved


def scoring_remind(*, now=None, before_hours: int = 48) -> int:
    """Remind the experts who have not submitted, once, ``before_hours`` before the deadline."""
    from datetime import timedelta

    from django.urls import reverse

    now = now or timezone.now()
    sent = 0
    for pilot in PilotRound.objects.filter(
        scoring_deadline__gt=now,
        scoring_deadline__lte=now + timedelta(hours=before_hours),
        reminded_at__isnull=True,
    ).select_related("round"):
        with transaction.atomic():
            if not PilotRound.objects.filter(pk=pilot.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            for a in PanelAssignment.objects.filter(
                application__round=pilot.round, status=AssignmentStatus.ASSIGNED
            ).select_related("expert__user", "application"):
                notify(
                    recipients=[a.expert.user],
                    title=_stored(
                        "评分将于 %(when)s 截止，请及时提交：%(title)s",
                        when=timezone.localtime(pilot.scoring_deadline).strftime("%Y-%m-%d %H:%M"),
                        title=a.application.title,
                    ),
                    url=reverse("pilot_selection:score", args=[a.public_id]),
                )
                sent += 1
    return sent


# --- ranking and decision ---------------------------------------------------------------------


def expert_scores(application) -> list[tuple[PanelAssignment, dict]]:
    """(assignment, {criterion: Decimal}) of every expert who submitted."""
    rows = []
    for a in (
        application.panel_assignments.filter(status=AssignmentStatus.SUBMITTED)
        .select_related("expert__user", "expert__affiliation")
        .prefetch_related("scores")
    ):
        rows.append((a, {s.criterion: s.score for s in a.scores.all()}))
    return rows


def ranking(round_: Round, applications=None):
    """The ranked results of the round's scored applications (or of ``applications``)."""
    criteria = Criterion.list_of(round_.criteria)
    if applications is None:
        applications = list(
            round_.applications.filter(
                current_step__in=("decision", "publicity", "issue")
            ).select_related("applicant_unit")
        ) + [
            d.application
            for d in PilotDecision.objects.filter(round=round_).select_related(
                "application__applicant_unit"
            )
            if d.application.current_step not in ("decision", "publicity", "issue")
        ]
    results = []
    for app in applications:
        scored = expert_scores(app)
        r = result_of(criteria, [s for _a, s in scored], key=app, submitted_at=app.submitted_at)
        r.experts = scored
        results.append(r)
    return rank(criteria, results)


def _waiting_before_decision(round_) -> int:
    return (
        round_.applications.filter(current_step__in=("eligibility", "amend", "scoring"))
        .exclude(
            status__in=(
                ApplicationStatus.APPROVED,
                ApplicationStatus.REJECTED,
                ApplicationStatus.WITHDRAWN,
            )
        )
        .count()
    )


@transaction.atomic
def round_decide(*, round: Round, actor, selected_ids, reason: str, version: int | None):
    """The leading group decides the pilots: by default the top N within the quota; a choice
    out of rank order, or fewer than the quota, needs a recorded reason; more is refused."""
    if not is_leading_group(actor):
        raise PermissionDenied(_("试点院校由职技融通改革工作领导小组决定。"))
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    expect_version(round_, version, message=STALE)
    if timezone.now() <= round_.closes_at:
        raise RuleViolation(
            _("「决定」申报 %(day)s 截止后才能决定。")
            % {"day": timezone.localtime(round_.closes_at).date()},
            field="selected",
        )
    pending = _waiting_before_decision(round_)
    if pending:
        raise RuleViolation(
            _("「决定」还有 %(n)s 件申请未完成资格审核或专家评审。") % {"n": pending},
            field="selected",
        )
    waiting = rounds.waiting_at(round_, "decision")
    if not waiting:
        raise Conflict(STALE)
    ranked = ranking(round_, waiting)
    by_id = {str(r.key.public_id): r for r in ranked}
    selected = [str(s) for s in selected_ids]
    unknown = [s for s in selected if s not in by_id]
    if unknown:
        raise RuleViolation(_("「入选学校」不在待决定的申请之中。"), field="selected")
    quota = round_.quota or len(ranked)
    if len(selected) > quota:
        raise RuleViolation(
            _("「入选学校」选择了 %(n)s 所，超过本批次名额 %(quota)s 所（%(task)s）。")
            % {"n": len(selected), "quota": quota, "task": rules.TASK_6},
            field="selected",
        )
    reason = (reason or "").strip()
    top = {str(r.key.public_id) for r in ranked[: len(selected)]}
    out_of_order = set(selected) != top
    fewer = len(selected) < min(quota, len(ranked))
    if (out_of_order or fewer) and not reason:
        why = (
            _("未按排名顺序选择")
            if out_of_order
            else _("入选 %(n)s 所，少于名额 %(quota)s 所") % {"n": len(selected), "quota": quota}
        )
        raise RuleViolation(
            _("「决定说明」%(why)s，须写明理由（%(task)s）。") % {"why": why, "task": rules.TASK_6},
            field="reason",
        )
    outcomes = {}
    for r in ranked:
        chosen = str(r.key.public_id) in selected
        note = reason if (out_of_order or fewer) else ""
        if not chosen:
            note = _stored(
                "评审排名第 %(rank)s 名，未入选。%(reason)s", rank=r.rank, reason=reason
            ).strip()
        PilotDecision.objects.update_or_create(
            application=r.key,
            defaults={
                "round": round_,
                "rank": r.rank,
                "total": r.total,
                "selected": chosen,
                "reason": note,
            },
        )
        outcomes[r.key.pk] = Outcome(APPROVED if chosen else REJECTED, note)
    rounds.round_decide(
        round=round_, step_name="decision", actor=actor, outcomes=outcomes, version=round_.version
    )
    Round.objects.filter(pk=round_.pk).update(decision_reason=reason)
    return ranked


@transaction.atomic
def round_countersign(*, round: Round, actor, version: int | None) -> PilotRound:
    """The HR bureau's leader countersigns (会签) the joint 通知 of the round."""
    if not is_member(actor, rules.hrss(), (Role.LEADER,)):
        raise PermissionDenied(_("联合发文由市人力社保局分管领导会签。"))
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    expect_version(round_, version, message=STALE)
    pilot = PilotRound.objects.select_for_update().get(round=round_)
    if pilot.countersigned_by_id or not rounds.waiting_at(round_, "issue"):
        raise Conflict(STALE)
    pilot.countersigned_by = actor
    pilot.countersigned_at = timezone.now()
    pilot.save(update_fields=["countersigned_by", "countersigned_at"])
    round_.version += 1
    round_.save(update_fields=["version"])
    audit_record(actor=actor, action="round_countersigned", obj=round_, unit=rules.hrss())
    notify_units(
        [rules.edu()],
        title=_stored("市人力社保局已会签，请签发：%(round)s", round=round_.name),
        url=kernel_round_url(round_),
        roles=(Role.LEADER,),
    )
    return pilot


@transaction.atomic
def round_issue_result(*, round: Round, actor, version: int | None):
    """The education bureau's leader signs off the joint 通知, countersigned by the HR bureau's
    leader (one number, the education bureau's); the schools carry the flag."""
    if not is_member(actor, rules.edu(), (Role.LEADER,)):
        raise PermissionDenied(_("联合发文由市教育局分管领导签发。"))
    pilot = PilotRound.objects.get(round=round)
    if not pilot.countersigned_by_id:
        raise RuleViolation(
            _("「会签」联合发文须先由市人力社保局分管领导会签，再由市教育局分管领导签发。"),
            field="version",
        )
    document = rounds.round_issue(
        round=round,
        step_name="issue",
        actor=actor,
        version=version,
        co_signers=[pilot.countersigned_by],
    )
    round_ = Round.objects.get(pk=round.pk)
    for d in PilotDecision.objects.filter(round=round_, selected=True).select_related(
        "application"
    ):
        app = d.application
        app.refresh_from_db()
        if app.status != ApplicationStatus.APPROVED:
            continue  # an objection upheld during the notice
        PilotSchool.objects.get_or_create(
            school_id=app.applicant_unit_id,
            round=round_,
            defaults={"year": round_.year, "application": app, "designated_at": timezone.now()},
        )
    grant_view(document, rules.organisers())
    return document


STAGE_LABELS = {
    "upcoming": gettext_lazy("尚未开始"),
    "open": gettext_lazy("申报中"),
    "scoring": gettext_lazy("评审中"),
    "closed": gettext_lazy("申报截止"),
}


def round_stage(round_) -> str:
    """The round's state as this procedure tells it: the kernel's decided / finished, or,
    before that, upcoming, open (the window), scoring (applications with the experts) or
    closed."""
    if round_.state in (RoundState.DECIDED, RoundState.FINISHED):
        return round_.state
    now = timezone.now()
    if now < round_.opens_at:
        return "upcoming"
    if now <= round_.closes_at:
        return "open"
    if round_.applications.filter(current_step="scoring").exists():
        return "scoring"
    return "closed"


def round_stage_label(round_) -> str:
    stage = round_stage(round_)
    if stage in STAGE_LABELS:
        return str(STAGE_LABELS[stage])
    return RoundState(stage).label
