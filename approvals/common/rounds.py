"""Rounds: many applications decided together (a year's pilot selection, a batch of awards).

A round has a window, a quota and criteria. Its applications run their own flows
until they reach a ``RoundStep``; there they wait until the round is decided as a
whole (``round_decide``: one ranking, one decision per application, the quota
enforced) or its one document is issued (``round_issue``: one 通知 listing every
result). A ``NoticeStep(per_round=True)`` opens one notice for the whole round.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from workflows.access import grant_view
from workflows.cas import expect_version
from workflows.exceptions import Conflict, RuleViolation
from workflows.services import audit_record

from .models import Application, ApplicationStatus, Round, RoundState
from .registry import procedure_for
from .services import STALE, _apply, locked
from .steps import APPROVED, Outcome, RoundStep


@transaction.atomic
def round_create(*, procedure_code: str, owner_unit, actor, **fields) -> Round:
    procedure = procedure_for(procedure_code)
    if fields["closes_at"] <= fields["opens_at"]:
        raise RuleViolation(_("「申报截止」须晚于「申报开始」。"), field="closes_at")
    round_ = Round.objects.create(
        procedure=procedure.code, owner_unit=owner_unit, created_by=actor, **fields
    )
    audit_record(actor=actor, action="round_created", obj=round_, unit=owner_unit)
    return round_


def _round_step(round_: Round, step_name: str) -> RoundStep:
    step = procedure_for(round_.procedure).step(step_name)
    if not isinstance(step, RoundStep):
        raise Conflict(STALE)
    return step


def waiting_at(round_: Round, step_name: str) -> list[Application]:
    return list(
        round_.applications.filter(current_step=step_name).exclude(
            status__in=(ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
        )
    )


@transaction.atomic
def round_decide(
    *, round: Round, step_name: str, actor, outcomes: dict[int, Outcome], version: int | None
) -> list[Application]:
    """One decision for every application waiting at ``step_name``, taken at once."""
    step = _round_step(round, step_name)
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    expect_version(round_, version, message=STALE)
    if not step.may_decide(round_, actor):
        raise PermissionDenied(_("您所在单位不办理此环节。"))
    waiting = waiting_at(round_, step_name)
    if not waiting:
        raise Conflict(STALE)
    missing = [a for a in waiting if a.pk not in outcomes]
    if missing:
        raise RuleViolation(
            _("「决定」每件申请都须有结论：%(titles)s 尚未决定。")
            % {"titles": "、".join(a.title for a in missing)},
            field="outcomes",
        )
    passed = sum(outcomes[a.pk].result == APPROVED for a in waiting)
    if round_.quota is not None and passed > round_.quota:
        raise RuleViolation(
            _("「决定」通过 %(n)s 件，超过本批次名额 %(quota)s 件。")
            % {"n": passed, "quota": round_.quota},
            field="outcomes",
        )
    for application in waiting:
        with locked(application) as app:
            if app.current_step != step_name or app.is_closed:
                raise Conflict(STALE)
            outcome = outcomes[app.pk]
            audit_record(
                actor=actor,
                action="round_selected" if outcome.result == APPROVED else "round_not_selected",
                obj=app,
                after={"step": str(step.label), "round": round_.name},
                note=outcome.reason,
            )
            _apply(app, step, outcome)
    round_.version += 1
    round_.state = RoundState.DECIDED
    round_.save()
    audit_record(
        actor=actor,
        action="round_decided",
        obj=round_,
        after={"step": str(step.label), "passed": passed, "total": len(waiting)},
    )
    return waiting


@transaction.atomic
def round_issue(*, round: Round, step_name: str, actor, version: int | None, co_signers=()):
    """Issue the round's one document (``procedure.round_document``) and close its step.

    A joint document (a value with ``co_issuers``) needs ``co_signers``: a leader of each
    co-issuer, in order, who countersigned (会签) it (``docs_gen.services.document_issue_value``).
    """
    step = _round_step(round, step_name)
    procedure = procedure_for(round.procedure)
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    expect_version(round_, version, message=STALE)
    if not step.may_decide(round_, actor):
        raise PermissionDenied(_("您所在单位不办理此环节。"))
    waiting = waiting_at(round_, step_name)
    if not waiting or round_.document_id:
        raise Conflict(STALE)
    from docs_gen.services import document_issue_value

    value = procedure.round_document(round_, waiting)
    round_.document = document_issue_value(
        value, actor=actor, source=round_, co_signers=list(co_signers)
    )
    grant_view(round_.document, {a.applicant_unit for a in waiting})
    for application in waiting:
        with locked(application) as app:
            app.document = round_.document
            _apply(app, step, Outcome(APPROVED))
    round_.version += 1
    round_.state = RoundState.FINISHED
    round_.save()
    audit_record(actor=actor, action="round_issued", obj=round_, after={"title": value.title})
    return round_.document
