"""A key task runs from dispatch through every unit's branch to review and closing."""

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from tasks_registry.flows import SupervisionFlow
from tasks_registry.models import Branch, EventKind, Supervision
from tasks_registry.services import (
    branch_acknowledge,
    branch_complete,
    progress_report_submit,
    supervision_consolidate,
    supervision_review,
)
from tests.tasks_registry.supervision_helpers import branch_of, dispatch, finish
from workflows.exceptions import Conflict, RuleViolation
from workflows.models import Unit

pytestmark = pytest.mark.django_db


def _members(world):
    """One acting person per unit for the world's units (schools get an ad-hoc handler)."""
    from tests.factories import member

    people = {
        world.edu.pk: world.edu_handler,
        world.hrss.pk: world.hrss_handler,
        world.finance.pk: world.finance_handler,
        world.ndrc.pk: world.ndrc_handler,
        world.school.pk: world.school_handler,
        world.other_school.pk: world.other_school_handler,
        world.technical_school.pk: world.technical_handler,
    }

    def who(unit):
        if unit.pk not in people:
            people[unit.pk] = member(unit)
        return people[unit.pk]

    return who


def _pending_nodes(supervision):
    return set(
        Task.objects.filter(process_id=supervision.process_id, status=STATUS.NEW).values_list(
            "flow_task", flat=True
        )
    )


def test_dispatch_fans_out_to_bureaus_and_every_school_of_the_named_categories(world):
    sup = dispatch(world, 2)  # 市教育局、市人力社保局，职业院校、技工院校
    units = list(sup.branches.order_by("position").values_list("unit__code", "role"))
    assert units[:2] == [("edu", "lead"), ("hrss", "co")]
    assert {code for code, role in units[2:]} == {f"s{i:02d}" for i in range(1, 13)}
    assert all(role == "school" for _code, role in units[2:])
    assert sup.process.flow_class is SupervisionFlow
    assert _pending_nodes(sup) == {SupervisionFlow.branches}
    assert sup.events.filter(kind=EventKind.DISPATCH).count() == 1


def test_the_full_path_closes_the_task(world):
    sup = dispatch(world, 2)
    who = _members(world)
    for branch in sup.branches.select_related("unit"):
        finish(branch, who(branch.unit))
    sup.refresh_from_db()
    assert sup.state == "consolidating"
    assert _pending_nodes(sup) == {SupervisionFlow.consolidate}
    supervision_consolidate(supervision=sup, actor=world.edu_head, text="全部完成")
    sup.refresh_from_db()
    assert sup.state == "reviewing"
    supervision_review(supervision=sup, actor=world.office_head, close=True, opinion="同意办结")
    sup.refresh_from_db()
    assert sup.state == "closed"
    assert sup.process.status == PROCESS.DONE
    kinds = list(sup.events.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds[0] == "dispatch" and kinds[-2:] == ["consolidate", "close"]


def test_return_from_review_reopens_the_chosen_units_and_resubmission_closes(world):
    sup = dispatch(world, 3)  # 市教育局、市人力社保局，职业院校、技工院校
    who = _members(world)
    for branch in sup.branches.select_related("unit"):
        finish(branch, who(branch.unit))
    supervision_consolidate(
        supervision=Supervision.objects.get(pk=sup.pk), actor=world.edu_handler, text="汇总"
    )
    with pytest.raises(RuleViolation):
        supervision_review(supervision=sup, actor=world.office_head, close=False, opinion="")
    supervision_review(
        supervision=sup,
        actor=world.office_head,
        close=False,
        opinion="请补充佐证材料",
        units=[world.school],
    )
    sup.refresh_from_db()
    assert sup.state == "branches"
    reopened = branch_of(sup, world.school)
    assert reopened.state == "active" and reopened.return_count == 1
    assert reopened.return_opinion == "请补充佐证材料"
    assert branch_of(sup, world.other_school).state == "done"
    assert _pending_nodes(sup) == {SupervisionFlow.branches}
    progress_report_submit(branch=reopened, actor=world.school_handler, text="已补充", percent=100)
    branch_complete(branch=reopened, actor=world.school_handler, summary="补充完成")
    sup.refresh_from_db()
    assert sup.state == "consolidating"
    supervision_consolidate(supervision=sup, actor=world.edu_handler, text="再次汇总")
    supervision_review(supervision=sup, actor=world.office_handler, close=True)
    sup.refresh_from_db()
    assert sup.state == "closed" and sup.review_round == 2


def test_a_school_cannot_act_on_another_schools_branch(world):
    sup = dispatch(world, 2)
    with pytest.raises(PermissionDenied):
        branch_acknowledge(branch=branch_of(sup, world.school), actor=world.other_school_handler)


def test_only_the_lead_bureau_consolidates_and_only_the_office_reviews(world):
    sup = dispatch(world, 8)  # bureaus only: 市人力社保局、市财政局
    who = _members(world)
    for branch in sup.branches.select_related("unit"):
        finish(branch, who(branch.unit))
    lead = sup.task.lead_unit
    outsider = world.hrss_handler if lead != world.hrss else world.edu_handler
    with pytest.raises(PermissionDenied):
        supervision_consolidate(supervision=sup, actor=outsider, text="x")
    lead_person = who(lead)
    supervision_consolidate(supervision=sup, actor=lead_person, text="汇总")
    with pytest.raises(PermissionDenied):
        supervision_review(supervision=sup, actor=lead_person, close=True)
    with pytest.raises(Conflict):
        supervision_consolidate(supervision=sup, actor=lead_person, text="again")


def test_a_report_needs_acknowledgement_text_and_a_percent_between_0_and_100(world):
    sup = dispatch(world, 2)
    branch = branch_of(sup, world.school)
    with pytest.raises(RuleViolation, match="签收"):
        progress_report_submit(branch=branch, actor=world.school_handler, text="x", percent=10)
    branch = branch_acknowledge(branch=branch, actor=world.school_handler)
    with pytest.raises(RuleViolation) as exc:
        progress_report_submit(branch=branch, actor=world.school_handler, text="x", percent=101)
    assert exc.value.field == "percent"
    with pytest.raises(RuleViolation) as exc:
        progress_report_submit(branch=branch, actor=world.school_handler, text=" ", percent=10)
    assert exc.value.field == "text"
    progress_report_submit(branch=branch, actor=world.school_handler, text="开展调研", percent=20)
    progress_report_submit(branch=branch, actor=world.school_handler, text="形成方案", percent=45)
    branch.refresh_from_db()
    assert (branch.percent, branch.report_count, branch.cycles_reported) == (45, 2, 1)


def test_a_second_acknowledgement_is_a_conflict(world):
    sup = dispatch(world, 2)
    branch = branch_of(sup, world.school)
    branch_acknowledge(branch=branch, actor=world.school_handler)
    with pytest.raises(Conflict, match="办理中"):
        branch_acknowledge(branch=branch, actor=world.school_head)


def test_a_branch_claimed_by_one_handler_is_closed_to_another_but_not_to_the_head(world):
    from tests.factories import member

    sup = dispatch(world, 2)
    branch = branch_of(sup, world.school)
    branch_acknowledge(branch=branch, actor=world.school_handler)
    second = member(world.school, username="s01-handler-2")
    with pytest.raises(RuleViolation, match="认领"):
        progress_report_submit(branch=branch, actor=second, text="x", percent=10)
    progress_report_submit(branch=branch, actor=world.school_head, text="负责人报送", percent=10)


def test_dispatching_twice_is_a_conflict(world):
    dispatch(world, 2)
    with pytest.raises(Conflict):
        dispatch(world, 2)


def test_only_the_office_dispatches(world):
    from tasks_registry.models import KeyTask
    from tasks_registry.services import supervision_dispatch

    with pytest.raises(PermissionDenied):
        supervision_dispatch(
            task=KeyTask.objects.get(number=4),
            actor=world.edu_head,
            deadline=__import__("datetime").date(2030, 1, 1),
        )
    assert not Branch.objects.exists()
    assert Unit.objects.exists()
