"""Step handlers: one small class per kind of step.

A procedure lists its steps in order, each an instance of one of these classes
(or of a subclass a procedure writes for a new kind: scoring, a panel vote, a
budget check, a payment). A handler owns everything about its kind of step:

* who acts: ``units(app)`` and ``roles``; ``waits_on(app, user)`` is the one
  predicate the services, views, inbox and templates use;
* what entering it does (``enter``: open sign-offs, open a public notice);
* its action (``act``): run by ``services.step_act`` under the process lock, after
  the version compare-and-set, so ``act`` only applies its rule, writes its rows
  and returns the outcome (``Outcome``) or None to keep waiting;
* its form (``form_class``) and its template fragments: ``template`` (the card of
  the person who acts) and ``history_template`` (what everyone sees afterwards).

Nothing outside this module asks what kind a step is.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.access import grant_view, is_member
from workflows.delegation import on_behalf_of
from workflows.exceptions import Conflict, RuleViolation
from workflows.i18n import stored as _stored
from workflows.inbox import InboxRow
from workflows.services import audit_record
from workflows.workdays import working_period

from .forms import DecisionForm, VersionForm
from .models import (
    ApplicationStatus,
    NoticeLevel,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicNotice,
    Review,
    ReviewDecision,
    SignOff,
    SignOffStatus,
)

APPROVED, RETURNED, REJECTED = "approved", "returned", "rejected"


@dataclass(frozen=True)
class Outcome:
    """Where the flow goes from a step: approved (on), returned (to the applicant), rejected."""

    result: str
    reason: str = ""


@dataclass
class StepRun:
    """What an action gets: the application as re-read under the lock, who acts, for whom."""

    application: object
    procedure: object
    step: "Step"
    actor: object
    unit: object


class Step:
    kind = "step"
    status = ApplicationStatus.IN_REVIEW  # mirrored on the application while it waits here
    form_class = None  # the action's form; None: nobody acts on this step from the page
    template = ""  # the card shown to whoever the step waits on
    history_template = ""  # shown on the application page to everyone who may see it
    in_progress = True  # a stage of the progress bar
    previews_document = False  # the deciding side may preview the procedure's document here
    # the time limit in working days (None: none); a procedure may set its own per step
    # (``Procedure.step_limits``)
    default_limit: int | None = None
    # True: the step lists its own inbox rows (``extra_inbox_rows``), one per unit it waits on
    own_inbox_rows = False
    action_labels: dict = {}  # audit action → timeline label

    def __init__(
        self,
        name: str,
        label,
        units,
        *,
        roles: tuple[str, ...] | None = None,
        limit: int | None = None,
    ):
        self.name = name
        self.label = label
        self._units = units
        self.roles = roles
        self.limit = limit
        self.procedure = None

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    def bind(self, procedure) -> None:
        self.procedure = procedure

    def limit_days(self) -> int | None:
        """Working days the step may take: the procedure's setting, the step's, the kind's."""
        limits = getattr(self.procedure, "step_limits", {}) or {}
        if self.name in limits:
            return limits[self.name]
        return self.limit if self.limit is not None else self.default_limit

    # --- who acts ---------------------------------------------------------------------
    def units(self, application) -> list:
        return list(self._units(application))

    def acting_unit(self, application, user):
        """The unit ``user`` acts for on this step, or None."""
        for unit in self.units(application):
            if is_member(user, unit, self.roles):
                return unit
        return None

    def waits_on(self, application, user) -> bool:
        """True when the application is at this step and ``user`` is one it waits on."""
        return (
            application.current_step == self.name
            and not application.is_closed
            and self.acting_unit(application, user) is not None
        )

    def may_act(self, application, user) -> bool:
        """``waits_on`` and the step takes an action on the page."""
        return self.form_class is not None and self.waits_on(application, user)

    def require_actor(self, application, user):
        unit = self.acting_unit(application, user)
        if unit is None:
            raise PermissionDenied(_("您所在单位不办理此环节。"))
        return unit

    # --- what it does -------------------------------------------------------------------
    def enter(self, application) -> None:
        """The application has just arrived here (mirrored and saved)."""

    def act(self, run: StepRun, cleaned: dict) -> Outcome | None:
        raise Conflict(
            _("该申请已被他人办理或状态已变化，本次操作未生效。请刷新页面查看最新状态。")
        )

    # --- what it shows ---------------------------------------------------------------------
    def new_form(self, application):
        return self.form_class(initial={"version": application.version})

    def action_context(self, application, user) -> dict:
        return {}

    def history(self, application, user) -> dict | None:
        """The context of ``history_template`` (None: nothing to show yet)."""
        return None

    @classmethod
    def extra_inbox_rows(cls, user, units) -> list[InboxRow]:
        """Rows for work the inbox's acting-unit query cannot see (several units at once)."""
        return []


# --- review: one unit approves, returns or rejects --------------------------------------

_REVIEW_OUTCOME = {
    ReviewDecision.APPROVE: APPROVED,
    ReviewDecision.RETURN: RETURNED,
    ReviewDecision.REJECT: REJECTED,
}


class ReviewStep(Step):
    kind = "review"
    default_limit = 5
    form_class = DecisionForm
    template = "approvals/steps/review.html"
    action_labels = {
        "review_approve": gettext_lazy("审核同意"),
        "review_return": gettext_lazy("退回修改"),
        "review_reject": gettext_lazy("不予通过"),
    }
    negative_actions = ("review_return", "review_reject")

    def _decision(self, cleaned) -> tuple[ReviewDecision, str]:
        try:
            decision = ReviewDecision(cleaned.get("decision"))
        except ValueError:
            raise RuleViolation(_("「审核结论」请从列表中选择。"), field="decision") from None
        opinion = (cleaned.get("opinion") or "").strip()
        if decision != ReviewDecision.APPROVE and not opinion:
            raise RuleViolation(
                _("选择“退回修改”或“不予通过”时，「审核意见」必填，请写明理由。"),
                field="opinion",
            )
        return decision, opinion

    def record(self, run: StepRun, decision: ReviewDecision, opinion: str) -> None:
        app = run.application
        Review.objects.create(
            application=app,
            step=self.name,
            step_label=str(self.label),
            unit=run.unit,
            actor=run.actor,
            on_behalf_of=on_behalf_of(run.actor),
            decision=decision,
            opinion=opinion,
            snapshot=run.procedure.snapshot(app),
        )
        audit_record(
            actor=run.actor,
            action=f"{self.kind}_{decision}",
            obj=app,
            unit=run.unit,
            after={"step": str(self.label), "decision": str(decision.label)},
            note=opinion,
        )

    def act(self, run, cleaned):
        decision, opinion = self._decision(cleaned)
        self.record(run, decision, opinion)
        return Outcome(_REVIEW_OUTCOME[decision], opinion)

    def action_context(self, application, user):
        from .selectors import changes_since_return

        last_return, changes = changes_since_return(application)
        return {
            "last_return": last_return,
            "changes": changes,
            "reviews": application.reviews.select_related("unit", "actor"),
        }


# --- joint sign-off (会签) and parallel checks: every unit must pass -------------------

_SIGNOFF_STATUS = {
    ReviewDecision.APPROVE: SignOffStatus.APPROVED,
    ReviewDecision.RETURN: SignOffStatus.RETURNED,
    ReviewDecision.REJECT: SignOffStatus.REJECTED,
}


class CosignStep(ReviewStep):
    """Several units decide on their own, in any order or at the same instant; the step
    passes when all approve; one return or rejection ends it for all (the others' parts
    are cancelled). Each entry into the step opens a new round of sign-offs."""

    kind = "cosign"
    own_inbox_rows = True
    history_template = "approvals/steps/signoffs.html"
    action_labels = {
        "cosign_approve": gettext_lazy("会签同意"),
        "cosign_return": gettext_lazy("会签退回修改"),
        "cosign_reject": gettext_lazy("会签不予通过"),
    }
    negative_actions = ("cosign_return", "cosign_reject")

    def enter(self, application):
        SignOff.objects.bulk_create(
            [
                SignOff(application=application, step=self.name, round=application.version, unit=u)
                for u in self.units(application)
            ]
        )

    def _pending(self, application):
        return SignOff.objects.filter(
            application=application, step=self.name, status=SignOffStatus.PENDING
        )

    def waits_on(self, application, user):
        """Until the user's unit has signed: then the step waits on the others only."""
        if application.current_step != self.name or application.is_closed:
            return False
        return any(
            is_member(user, s.unit, self.roles)
            for s in self._pending(application).select_related("unit")
        )

    def act(self, run, cleaned):
        decision, opinion = self._decision(cleaned)
        pending = list(self._pending(run.application))  # under the lock: one read
        mine = [s.pk for s in pending if s.unit_id == run.unit.pk]
        others = [s.pk for s in pending if s.unit_id != run.unit.pk]
        if (
            not mine
            or SignOff.objects.filter(pk__in=mine, status=SignOffStatus.PENDING).update(
                status=_SIGNOFF_STATUS[decision],
                actor=run.actor,
                on_behalf_of=on_behalf_of(run.actor),
                opinion=opinion,
                acted_at=timezone.now(),
            )
            != 1
        ):
            raise Conflict(_("本单位已会签，本次操作未生效。"))
        self.record(run, decision, opinion)
        if decision == ReviewDecision.APPROVE and others:
            return None  # the others have yet to sign
        if others:
            SignOff.objects.filter(pk__in=others, status=SignOffStatus.PENDING).update(
                status=SignOffStatus.CANCELLED
            )
        return Outcome(_REVIEW_OUTCOME[decision], opinion)

    def history(self, application, user):
        signoffs = list(application.signoffs.filter(step=self.name).select_related("unit", "actor"))
        return {"signoffs": signoffs, "step": self} if signoffs else None

    @classmethod
    def extra_inbox_rows(cls, user, units):
        from .selectors import application_url, step_light

        names = {u.pk: u.name for u in units}
        rows = []
        for s in SignOff.objects.filter(
            unit_id__in=list(names), status=SignOffStatus.PENDING
        ).select_related("application"):
            due, light = step_light(s.application)
            rows.append(
                InboxRow(
                    title=_("会签"),
                    subject=s.application.title,
                    url=application_url(s.application),
                    unit=names.get(s.unit_id, ""),
                    since=s.created_at,
                    due=due,
                    light=light,
                    status=_("待会签"),
                )
            )
        return rows


# --- the applicant amends after a return ------------------------------------------------


class AmendStep(Step):
    """Back with the applicant, who edits and resubmits (``services.application_submit``);
    the flow then returns to the step that sent it back."""

    kind = "amend"
    status = ApplicationStatus.RETURNED
    in_progress = False

    def __init__(self, name="amend", label=None, units=None, **kw):
        label = label or gettext_lazy("退回修改")
        super().__init__(name, label, units or (lambda app: [app.applicant_unit]), **kw)

    def waits_on(self, application, user):
        return application.current_step == self.name and self.procedure.applicant.may_edit(
            user, application
        )


# --- public notice (公示) with objections -----------------------------------------------


class NoticeStep(Step):
    """A notice of N working days; anyone may object; the unit that handles it rules on each
    objection (upheld refuses the application). Celery beat moves on once the period is over
    and every objection is handled (``services.public_notice_close_if_due``)."""

    kind = "publicity"
    status = ApplicationStatus.PUBLICITY
    history_template = "approvals/steps/notices.html"
    action_labels = {
        "notice_opened": gettext_lazy("开始公示"),
        "objection_lodged": gettext_lazy("收到异议"),
        "objection_upheld": gettext_lazy("异议成立"),
        "objection_dismissed": gettext_lazy("异议不成立"),
        "notice_passed": gettext_lazy("公示期满"),
    }
    negative_actions = ("objection_upheld",)

    def __init__(
        self,
        name,
        label,
        units,
        *,
        level=NoticeLevel.CITY,
        working_days=None,
        per_round=False,
        **kw,
    ):
        super().__init__(name, label, units, **kw)
        self.level = level
        self.working_days = working_days
        self.per_round = per_round  # one notice for the whole round (its list of results)

    def days(self) -> int:
        return self.working_days or self.procedure.publicity_working_days

    def _open(self, application, **of):
        if self.per_round:
            from .models import Round

            round_ = Round.objects.select_for_update().get(pk=application.round_id)
            existing = PublicNotice.objects.filter(round=round_, step=self.name).first()
            if existing is not None:
                return existing
            title, body = self.procedure.round_notice_text(round_, self)
            of = {"round": round_}
        else:
            title, body = self.procedure.notice_text(application, self)
            of = {"application": application}
        first, last = working_period(timezone.localdate(), self.days())
        return PublicNotice.objects.create(
            **of,
            step=self.name,
            level=self.level,
            title=title,
            body=body,
            handling_unit=self.units(application)[0],
            working_days=self.days(),
            starts_on=first,
            ends_on=last,
        )

    def enter(self, application):
        notice = self._open(application)
        audit_record(
            actor=None,
            action="notice_opened",
            obj=application,
            after={
                "starts_on": str(notice.starts_on),
                "ends_on": str(notice.ends_on),
                "step": str(self.label),
            },
            note=_stored(
                "公示期 %(first)s 至 %(last)s（%(n)s 个工作日）",
                first=notice.starts_on,
                last=notice.ends_on,
                n=notice.working_days,
            ),
        )

    def history(self, application, user):
        notices = list(application.notices.order_by("id"))
        if application.round_id:
            notices += list(application.round.notices.filter(step=self.name))
        if not notices:
            return None
        is_applicant = self.procedure.applicant.is_applicant(user, application)
        rows = [
            {
                "notice": n,
                "objections": n.objections.select_related("handled_by", "on_behalf_of"),
                "may_handle": n.status == NoticeStatus.OPEN and is_member(user, n.handling_unit),
            }
            for n in notices
        ]
        return {"notices": rows, "is_applicant": is_applicant}

    @classmethod
    def extra_inbox_rows(cls, user, units):
        from .selectors import application_url

        names = {u.pk: u.name for u in units}
        rows = []
        for objection in Objection.objects.filter(
            status=ObjectionStatus.PENDING,
            notice__status=NoticeStatus.OPEN,
            notice__handling_unit_id__in=list(names),
            notice__application__isnull=False,
        ).select_related("notice__application"):
            app = objection.notice.application
            rows.append(
                InboxRow(
                    title=_("处理公示异议"),
                    subject=app.title,
                    url=application_url(app),
                    unit=names.get(objection.notice.handling_unit_id, ""),
                    since=objection.created_at,
                    status=_("异议待处理"),
                    light="amber",
                )
            )
        return rows


# --- the decision document ---------------------------------------------------------------


class IssueForm(VersionForm):
    """签发: the version of the application and the digest of the text the leader read."""

    version = forms.IntegerField(
        label=gettext_lazy("版本号"),
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
    )
    digest = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class IssueStep(Step):
    """The decision document. On entering the step the procedure's text becomes a draft of
    the deciding unit (docs_gen): its staff may edit it as any draft; its leader signs off
    (签发) what they wrote; it is numbered, rendered and sent to the applicant, and the
    decision takes effect (``on_issue``)."""

    kind = "issue"
    default_limit = 3
    form_class = IssueForm
    template = "approvals/steps/issue.html"
    previews_document = True
    action_labels = {"issued": gettext_lazy("签发文件")}

    def __init__(self, name, label, units, *, document_label=None, **kw):
        super().__init__(name, label, units, **kw)
        self.document_label = document_label or gettext_lazy("文件")

    def enter(self, application):
        value = self.procedure.document(application)
        if value is not None:
            from docs_gen.services import document_draft_value

            application.document = document_draft_value(value, source=application)
            application.save(update_fields=["document"])

    def draft(self, application):
        """The draft to sign (made now for an application that entered before drafts were)."""
        if application.document_id is None:
            self.enter(application)
        return application.document

    def new_form(self, application):
        from docs_gen.services import content_digest

        document = application.document
        digest = content_digest(document) if document is not None else ""
        return self.form_class(initial={"version": application.version, "digest": digest})

    def act(self, run, cleaned):
        app = run.application
        run.procedure.on_issue(app, run.actor)
        title = ""
        draft = self.draft(app)
        if draft is not None:
            from docs_gen.services import document_issue_draft

            app.document = document_issue_draft(
                draft, actor=run.actor, digest=cleaned.get("digest") or None
            )
            grant_view(app.document, [app.applicant_unit])
            if app.applicant_person_id:
                from guardian.shortcuts import assign_perm

                assign_perm("view_officialdocument", app.applicant_person, app.document)
            title = app.document.title
        audit_record(
            actor=run.actor,
            action="issued",
            obj=app,
            unit=run.unit,
            after={"step": str(self.label), "title": title},
        )
        return Outcome(APPROVED)


# --- steps decided for a whole round at once ---------------------------------------------


class RoundStep(Step):
    """The application waits while its round is decided as a whole (a ranking, a quota, one
    list); ``rounds.round_decide`` moves every application of the round on at once."""

    kind = "round"
    template = "approvals/steps/round.html"
    action_labels = {
        "round_selected": gettext_lazy("批次决定：通过"),
        "round_not_selected": gettext_lazy("批次决定：未通过"),
    }
    negative_actions = ("round_not_selected",)

    def waits_on(self, application, user):
        return False  # acted on from the round's page, for every application at once

    def may_decide(self, round_, user) -> bool:
        return any(is_member(user, u, self.roles) for u in self.round_units(round_))

    def round_units(self, round_) -> list:
        first = round_.applications.first()
        return self.units(first) if first else []
