"""Dual-track promotion's steps, in order (annex task 17).

The person submits → the school's own notice (校内公示, 5 working days, objections
handled by the school) → the school's head or leader recommends → the HR and education
bureaus check in parallel (会签: qualification / title conditions) → the review committee
(评审委员会, formed by the HR bureau from the expert pool) votes → the city's notice (5
working days) → the HR bureau's leader issues the result (通知) and the new title or
qualification is written on the person's record. A return at any review goes back to
the person and, resubmitted, to the step that returned it.

``PanelVoteStep`` is this procedure's own kind of step: see its docstring.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

from approvals.common.models import NoticeLevel
from approvals.common.steps import (
    APPROVED,
    REJECTED,
    AmendStep,
    CosignStep,
    IssueStep,
    NoticeStep,
    Outcome,
    ReviewStep,
    Step,
)
from workflows.access import is_member, is_supervisor
from workflows.exceptions import Conflict, RuleViolation
from workflows.i18n import stored as _stored
from workflows.inbox import InboxRow
from workflows.models import Expert, Role
from workflows.services import audit_record, notify
from workflows.units import EDU, HRSS, unit_by_code

from .forms import PanelAction, PanelForm
from .models import Ballot, Panel, PanelMember, PanelState, VoteChoice
from .rules import PANEL_MIN_MEMBERS, PANEL_RULE, passes, quorum, session_is_valid, votes_needed


def _school(app):
    return [app.applicant_unit]


def _bureaus(app):
    return [unit_by_code(HRSS), unit_by_code(EDU)]


def _hrss(app):
    return [unit_by_code(HRSS)]


def conflicted(expert: Expert, application) -> bool:
    """An expert of the applicant's own school (or the applicant) never sits on its panel."""
    return (
        expert.affiliation_id == application.applicant_unit_id
        or expert.user_id == application.applicant_person_id
    )


class PanelVoteStep(Step):
    """The review committee (评审委员会) of one application.

    1. The organising bureau forms it from the expert pool (``workflows.models.Expert``):
       at least ``PANEL_MIN_MEMBERS``; members of the applicant's school are excluded.
    2. It opens the session with the members present: valid only when at least two thirds
       of the members attend (``rules.session_is_valid``); otherwise nothing is recorded.
    3. Each attending member votes once, secretly (同意 / 不同意 / 弃权): an anonymous
       ``Ballot`` plus the member's ``has_voted`` marker. Nobody sees a vote or a count
       until every attending member has voted; then the counts are written on the panel
       and the application passes when yes ≥ two thirds of those attending.
    4. A member who attends but never votes would hold the session open for ever: the
       organiser may close the vote (结束表决). The counts are written as they stand; a
       member who did not vote is counted as not voting, which is not a yes (the two
       thirds are of those attending).
    """

    kind = "panel_vote"
    form_class = PanelForm
    template = "promotion/steps/panel.html"
    history_template = "promotion/steps/panel_history.html"
    done_message = gettext_lazy("已办理。")
    action_labels = {
        "panel_formed": gettext_lazy("组建评审委员会"),
        "panel_session": gettext_lazy("召开评审会议"),
        "panel_voted": gettext_lazy("委员投票"),
        "panel_closed": gettext_lazy("结束表决"),
        "panel_passed": gettext_lazy("评审通过"),
        "panel_failed": gettext_lazy("评审未通过"),
    }
    negative_actions = ("panel_failed",)

    # --- the panel and who is on it --------------------------------------------------------
    @staticmethod
    def panel(application) -> Panel | None:
        return Panel.objects.filter(application=application).order_by("-id").first()

    @staticmethod
    def member(panel: Panel | None, user) -> PanelMember | None:
        if panel is None or not user.is_authenticated:
            return None
        return panel.members.filter(expert__user=user).select_related("expert").first()

    def organises(self, application, user) -> bool:
        return self.acting_unit(application, user) is not None

    def waits_on(self, application, user):
        if application.current_step != self.name or application.is_closed:
            return False
        panel = self.panel(application)
        if panel is None or panel.state == PanelState.FORMED:
            return self.organises(application, user)
        if panel.state == PanelState.SITTING:
            member = self.member(panel, user)
            return bool(member and member.attending and not member.has_voted)
        return False

    def may_act(self, application, user):
        """Also the organiser while the session sits: it may close the vote."""
        if self.waits_on(application, user):
            return True
        if application.current_step != self.name or application.is_closed:
            return False
        panel = self.panel(application)
        return (
            panel is not None
            and panel.state == PanelState.SITTING
            and self.organises(application, user)
        )

    def require_actor(self, application, user):
        unit = self.acting_unit(application, user)
        if unit is not None:
            return unit
        if self.member(self.panel(application), user) is not None:
            return self.units(application)[0]  # a member votes in the organiser's session
        raise PermissionDenied(_("您不是本申请评审委员会的委员。"))

    # --- the action --------------------------------------------------------------------
    def new_form(self, application):
        return self.form_class(initial={"version": application.version})

    def act(self, run, cleaned):
        action = cleaned.get("action")
        if action == PanelAction.FORM:
            return self._form(run, cleaned.get("members") or [])
        if action == PanelAction.SESSION:
            return self._session(run, cleaned.get("attending") or [])
        if action == PanelAction.VOTE:
            return self._vote(run, cleaned.get("choice") or "")
        if action == PanelAction.CLOSE:
            return self._close(run)
        raise RuleViolation(_("「操作」请从列表中选择。"), field="action")

    def _require_organiser(self, run):
        if not self.organises(run.application, run.actor):
            raise PermissionDenied(_("评审委员会由市人力社保局组建并召集。"))

    def _form(self, run, experts):
        self._require_organiser(run)
        app = run.application
        panel = self.panel(app)
        if panel is not None and panel.state != PanelState.FORMED:
            raise Conflict(_("评审会议已召开，不能再调整委员，本次操作未生效。"))
        experts = list(experts)
        barred = [e for e in experts if conflicted(e, app)]
        if barred:
            raise RuleViolation(
                _(
                    "「评审委员」%(names)s与申请人同属%(school)s，按回避规定不得担任本申请的评审委员"
                    "（%(rule)s）。"
                )
                % {
                    "names": "、".join(str(e) for e in barred),
                    "school": app.applicant_unit.name,
                    "rule": PANEL_RULE,
                },
                field="members",
            )
        if len(experts) < PANEL_MIN_MEMBERS:
            raise RuleViolation(
                _("「评审委员」至少选择 %(n)s 名专家组成评审委员会，当前选择 %(m)s 名。")
                % {"n": PANEL_MIN_MEMBERS, "m": len(experts)},
                field="members",
            )
        if panel is not None:  # re-formed before its session: the old members lose access
            for old in panel.members.select_related("expert__user"):
                remove_perm("approvals.view_application", old.expert.user, app)
            panel.delete()
        panel = Panel.objects.create(application=app, organiser=run.unit, formed_by=run.actor)
        PanelMember.objects.bulk_create([PanelMember(panel=panel, expert=e) for e in experts])
        for expert in experts:
            assign_perm("approvals.view_application", expert.user, app)
        notify(
            recipients=[e.user for e in experts],
            title=_stored("评审委员会：您已被选为委员 — %(title)s", title=app.title),
            url=_application_url(app),
        )
        audit_record(
            actor=run.actor,
            action="panel_formed",
            obj=app,
            unit=run.unit,
            after={"members": len(experts), "step": str(self.label)},
            note=_stored("评审委员会由 %(n)s 名专家组成。", n=len(experts)),
        )
        app.version += 1
        return None

    def _session(self, run, attending):
        self._require_organiser(run)
        app = run.application
        panel = self.panel(app)
        if panel is None:
            raise RuleViolation(_("「评审委员」请先组建评审委员会。"), field="members")
        if panel.state != PanelState.FORMED:
            raise Conflict(_("评审会议已召开，本次操作未生效。"))
        members = list(panel.members.select_related("expert__user"))
        present = {e.pk for e in attending}
        outsiders = present - {m.expert_id for m in members}
        if outsiders:
            raise RuleViolation(
                _("「出席委员」只能从本评审委员会的委员中选择。"), field="attending"
            )
        n, a = len(members), len(present)
        if not session_is_valid(n, a):
            raise RuleViolation(
                _(
                    "「出席委员」出席 %(a)s 人，不足全体 %(n)s 名委员的三分之二（至少 %(q)s 人），"
                    "会议无效，不能表决（%(rule)s）。"
                )
                % {"a": a, "n": n, "q": quorum(n), "rule": PANEL_RULE},
                field="attending",
            )
        for m in members:
            m.attending = m.expert_id in present
        PanelMember.objects.bulk_update(members, ["attending"])
        panel.state = PanelState.SITTING
        panel.session_opened_at = timezone.now()
        panel.attending = a
        panel.save()
        notify(
            recipients=[m.expert.user for m in members if m.attending],
            title=_stored("评审会议已开始，请投票 — %(title)s", title=app.title),
            url=_application_url(app),
        )
        audit_record(
            actor=run.actor,
            action="panel_session",
            obj=app,
            unit=run.unit,
            after={"members": n, "attending": a},
            note=_stored("全体委员 %(n)s 人，出席 %(a)s 人，会议有效。", n=n, a=a),
        )
        app.version += 1
        return None

    def _vote(self, run, choice):
        app = run.application
        panel = self.panel(app)
        if panel is None or panel.state != PanelState.SITTING:
            raise Conflict(_("评审会议未在进行中，本次操作未生效。"))
        member = (
            PanelMember.objects.select_for_update()
            .filter(panel=panel, expert__user=run.actor)
            .first()
        )
        if member is None or not member.attending:
            raise PermissionDenied(_("只有出席本次评审会议的委员可以投票。"))
        if member.has_voted:
            raise Conflict(_("您已投票，每位出席委员只能投一票，本次操作未生效。"))
        try:
            choice = VoteChoice(choice)
        except ValueError:
            raise RuleViolation(
                _("「表决意见」请选择同意、不同意或弃权。"), field="choice"
            ) from None
        # the ballot has no voter and no time; the marker says only that this member voted
        Ballot.objects.create(panel=panel, choice=choice)
        member.has_voted = True
        member.save(update_fields=["has_voted"])
        audit_record(
            actor=run.actor, action="panel_voted", obj=app, after={"step": str(self.label)}
        )
        if panel.members.filter(attending=True, has_voted=False).exists():
            return None  # the tally waits for every attending member
        return self._tally(run, panel)

    def _close(self, run):
        self._require_organiser(run)
        app = run.application
        panel = self.panel(app)
        if panel is None or panel.state != PanelState.SITTING:
            raise Conflict(_("评审会议未在进行中，本次操作未生效。"))
        waiting = panel.members.filter(attending=True, has_voted=False).count()
        audit_record(
            actor=run.actor,
            action="panel_closed",
            obj=app,
            unit=run.unit,
            after={"not_voted": waiting},
            note=_stored("召集单位结束表决，%(n)s 名出席委员未投票。", n=waiting),
        )
        return self._tally(run, panel)

    def _tally(self, run, panel):
        app = run.application
        counts = {c: panel.ballots.filter(choice=c).count() for c in VoteChoice.values}
        panel.yes, panel.no, panel.abstain = counts["yes"], counts["no"], counts["abstain"]
        panel.not_voted = panel.attending - sum(counts.values())
        panel.passed = passes(panel.attending, panel.yes)
        panel.state = PanelState.TALLIED
        panel.tallied_at = timezone.now()
        panel.save()
        if panel.not_voted:
            note = _stored(
                "出席 %(a)s 人，同意 %(y)s 票、不同意 %(n)s 票、弃权 %(x)s 票、未投票 %(w)s 人；"
                "通过须同意不少于 %(need)s 票。",
                a=panel.attending,
                y=panel.yes,
                n=panel.no,
                x=panel.abstain,
                w=panel.not_voted,
                need=votes_needed(panel.attending),
            )
        else:
            note = _stored(
                "出席 %(a)s 人，同意 %(y)s 票、不同意 %(n)s 票、弃权 %(x)s 票；通过须同意不少于 %(need)s 票。",
                a=panel.attending,
                y=panel.yes,
                n=panel.no,
                x=panel.abstain,
                need=votes_needed(panel.attending),
            )
        audit_record(
            actor=None,
            action="panel_passed" if panel.passed else "panel_failed",
            obj=app,
            unit=panel.organiser,
            after={"attending": panel.attending, **counts},
            note=note,
        )
        if panel.passed:
            return Outcome(APPROVED)
        return Outcome(
            REJECTED,
            _stored("评审委员会评审未通过：%(note)s（%(rule)s）", note=note, rule=PANEL_RULE),
        )

    # --- what it shows ---------------------------------------------------------------------
    def action_context(self, application, user):
        panel = self.panel(application)
        organising = panel is None or panel.state == PanelState.FORMED
        if organising and self.organises(application, user):
            members = list(panel.members.select_related("expert__user")) if panel else []
            chosen = {m.expert_id for m in members}
            experts = [
                {"expert": e, "barred": conflicted(e, application), "chosen": e.pk in chosen}
                for e in Expert.objects.filter(active=True).select_related("user", "affiliation")
            ]
            return {
                "mode": "form" if panel is None else "session",
                "panel": panel,
                "experts": experts,
                "members": members,
                "min_members": PANEL_MIN_MEMBERS,
                "quorum": quorum(len(members)) if members else None,
            }
        member = self.member(panel, user)
        if member is None and panel is not None and self.organises(application, user):
            attending = [m for m in panel.members.all() if m.attending]
            return {
                "mode": "close",
                "panel": panel,
                "attending_count": len(attending),
                "voted": sum(m.has_voted for m in attending),
                "waiting": sum(not m.has_voted for m in attending),
                "needed": votes_needed(len(attending)),
            }
        return {"mode": "vote", "panel": panel, "me": member}

    def history(self, application, user):
        panel = self.panel(application)
        if panel is None:
            return None
        members = list(panel.members.select_related("expert__user", "expert__affiliation"))
        sees_names = (
            is_supervisor(user)
            or is_member(user, panel.organiser)
            or any(m.expert.user_id == user.pk for m in members)
        )
        attending = [m for m in members if m.attending]
        return {
            "panel": panel,
            "members": members if sees_names else None,
            "member_count": len(members),
            "quorum": quorum(len(members)),
            "voted": sum(m.has_voted for m in attending),
            "attending_count": len(attending),
            "needed": votes_needed(len(attending)) if attending else None,
            "tallied": panel.state == PanelState.TALLIED,
        }

    @classmethod
    def extra_inbox_rows(cls, user, units):
        from approvals.common.selectors import application_url

        rows = []
        for m in PanelMember.objects.filter(
            expert__user=user, attending=True, has_voted=False, panel__state=PanelState.SITTING
        ).select_related("panel__application"):
            app = m.panel.application
            rows.append(
                InboxRow(
                    title=_("评审投票"),
                    subject=app.title,
                    url=application_url(app),
                    since=m.panel.session_opened_at,
                    status=_("待投票"),
                    light="amber",
                    delegable=False,  # a panel member votes in person: no substitute
                )
            )
        return rows


def _application_url(app):
    from approvals.common.selectors import application_url

    return application_url(app)


class ResultIssueStep(IssueStep):
    """The result notice (通知) is issued; then the new title or qualification goes on the
    person's record with the document's number (known only once it is issued)."""

    def act(self, run, cleaned):
        outcome = super().act(run, cleaned)
        run.procedure.record_result(run.application, run.actor)
        return outcome


STEPS = (
    NoticeStep(
        "school_notice",
        gettext_lazy("校内公示"),
        _school,
        level=NoticeLevel.UNIT,
        working_days=5,
        roles=(Role.HEAD, Role.LEADER),  # who sees a person's application at the school
    ),
    ReviewStep(
        "school_recommend", gettext_lazy("学校推荐"), _school, roles=(Role.HEAD, Role.LEADER)
    ),
    CosignStep("bureau_checks", gettext_lazy("两局并联审核"), _bureaus),
    PanelVoteStep("panel_vote", gettext_lazy("评审委员会评审"), _hrss),
    NoticeStep("city_notice", gettext_lazy("市级公示"), _hrss, working_days=5),
    ResultIssueStep(
        "issue_result",
        gettext_lazy("印发结果通知"),
        _hrss,
        roles=(Role.LEADER,),
        document_label=gettext_lazy("通知"),
    ),
    AmendStep("amend", gettext_lazy("退回申请人修改")),
)
