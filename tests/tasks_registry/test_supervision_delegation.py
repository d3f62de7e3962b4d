"""A supervision branch claimed by one handler, reported on by the colleague standing in."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from tasks_registry.models import ProgressReport, SupervisionEvent
from tasks_registry.services import branch_acknowledge
from tests.factories import delegate, member, named
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.delegation import delegation_create
from workflows.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def test_the_substitute_reports_on_the_principals_branch(world, login):
    zhang = named(world.school_handler, "张", "三")
    li = named(member(world.school, Role.HANDLER, "s01-handler-2"), "李", "四")
    branch = branch_of(dispatch(world, 15), world.school)
    branch = branch_acknowledge(branch=branch, actor=zhang)
    assert branch.assignee == zhang
    url = f"/tasks/branches/{branch.public_id}/report/"
    posted = {"text": "完成调研", "percent": "35"}

    substitute = login(li)
    # without a delegation the colleague may not report on a branch 张三 claimed
    inbox = substitute.get("/workbench/inbox/").content.decode()
    assert "重点任务15" not in inbox
    substitute.post(url, posted)
    assert not ProgressReport.objects.filter(branch=branch).exists()

    today = timezone.localdate()
    d = delegation_create(
        principal=zhang,
        substitute_id=li.pk,
        unit_id=world.school.pk,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=5),
        reason="外出学习",
    )
    inbox = substitute.get("/workbench/inbox/").content.decode()
    link = re.search(r'<a href="(/tasks/branches/[^"]+on_behalf=[^"]+)">', inbox).group(1)
    assert "代 张三" in inbox and str(d.public_id) in link
    page = substitute.get(link).content.decode()
    assert "您正代 张三 办理" in page and f'name="on_behalf" value="{d.public_id}"' in page

    response = substitute.post(url, {**posted, "on_behalf": str(d.public_id)})
    assert response.status_code == 302
    report = ProgressReport.objects.get(branch=branch)
    assert report.author == li and report.who == "李四（代 张三）"
    event = SupervisionEvent.objects.filter(branch=branch).order_by("-id").first()
    assert event.actor_name == "李四（代 张三）"
    audit = AuditEntry.objects.for_object(branch).order_by("-id").first()
    assert audit.actor_name == "李四（代 张三）"
    assert (
        "李四（代 张三）"
        in login(zhang).get(f"/tasks/branches/{branch.public_id}/").content.decode()
    )
    branch.refresh_from_db()
    assert branch.assignee == zhang  # still 张三's branch


def _person(unit, role):
    from workflows.models import Membership

    return Membership.objects.filter(unit=unit, role=role).select_related("user").first().user


def test_consolidation_and_the_final_review_are_done_on_behalf_through_the_task_page(world, login):
    from tasks_registry.models import EventKind, Supervision
    from tests.tasks_registry.supervision_helpers import finish

    sup = dispatch(world, 8)  # bureaus only
    for b in sup.branches.select_related("unit"):
        finish(b, _person(b.unit, Role.HANDLER))
    lead = sup.task.lead_unit
    zhang = named(_person(lead, Role.HEAD), "张", "三")
    li = named(_person(lead, Role.HANDLER), "李", "四")
    d = delegate(zhang, li, lead)
    task_url = f"/tasks/{sup.task.number}/"

    substitute = login(li)
    inbox = substitute.get("/workbench/inbox/").content.decode()
    # the shared to-do is listed once, as 张三's, noting it is 李四's own too
    assert inbox.count("汇总完成情况：重点任务8") == 1
    assert "代 张三" in inbox and "亦为您本人的待办" in inbox
    link = re.search(r'<a href="(/tasks/8/\?on_behalf=[^"]+)">', inbox).group(1)
    page = substitute.get(link).content.decode()
    assert "您正代 张三 办理" in page and f'name="on_behalf" value="{d.public_id}"' in page

    response = substitute.post(
        f"{task_url}consolidate/", {"text": "各单位均已完成。", "on_behalf": str(d.public_id)}
    )
    assert response.status_code == 302
    sup.refresh_from_db()
    assert sup.consolidated_by == li and sup.consolidated_by_name == "李四（代 张三）"
    event = SupervisionEvent.objects.get(supervision=sup, kind=EventKind.CONSOLIDATE)
    assert event.actor_name == "李四（代 张三）"
    assert AuditEntry.objects.for_object(sup).get(action="supervision.consolidate").actor_name == (
        "李四（代 张三）"
    )
    assert "李四（代 张三）" in login(zhang, Client()).get(task_url).content.decode()

    # 办结审核 by the office, on its head's behalf
    wang = named(world.office_head, "王", "五")
    zhao = named(world.office_handler, "赵", "六")
    d2 = delegate(wang, zhao, world.office)
    reviewer = login(zhao, Client())
    inbox = reviewer.get("/workbench/inbox/").content.decode()
    assert inbox.count("办结审核：重点任务8") == 1 and "代 王五" in inbox
    # a delegation used for a step it does not cover is refused, nothing changes
    other = login(li, Client()).post(
        f"{task_url}consolidate/", {"text": "再次汇总", "on_behalf": str(d.public_id)}
    )
    assert other.status_code == 400 and "不能代为办理" in other.content.decode()
    response = reviewer.post(
        f"{task_url}review/",
        {"decision": "close", "opinion": "同意办结。", "on_behalf": str(d2.public_id)},
    )
    assert response.status_code == 302
    assert Supervision.objects.get(pk=sup.pk).state == "closed"
    event = SupervisionEvent.objects.get(supervision=sup, kind=EventKind.CLOSE)
    assert event.actor_name == "赵六（代 王五）"


def test_a_delegation_of_another_unit_cannot_consolidate(world, login):
    from tests.tasks_registry.supervision_helpers import finish

    sup = dispatch(world, 8)
    for b in sup.branches.select_related("unit"):
        finish(b, _person(b.unit, Role.HANDLER))
    lead = sup.task.lead_unit
    # both also members of the office; the delegation is the office's, not the lead's
    zhang = named(world.office_head, "张", "三")
    li = _person(lead, Role.HANDLER)
    from workflows.models import Membership

    Membership.objects.create(user=li, unit=world.office, role=Role.HANDLER)
    d = delegate(zhang, li, world.office)
    page = login(li).get(f"/tasks/{sup.task.number}/?on_behalf={d.public_id}").content.decode()
    assert "不是 张三 在" in page and 'name="on_behalf"' not in page
    response = login(li).post(
        f"/tasks/{sup.task.number}/consolidate/", {"text": "汇总", "on_behalf": str(d.public_id)}
    )
    assert response.status_code == 400
    sup.refresh_from_db()
    assert sup.state == "consolidating"


def test_a_head_standing_in_for_the_schools_leader_assigns_on_behalf(world, login):
    from tasks_registry.models import EventKind

    zhang = named(member(world.school, Role.LEADER, "s01-leader"), "张", "三")
    li = named(world.school_head, "李", "四")
    branch = branch_of(dispatch(world, 15), world.school)
    d = delegate(zhang, li, world.school)
    page = login(li).get(f"/tasks/branches/{branch.public_id}/?on_behalf={d.public_id}")
    text = page.content.decode()
    assert "您正代 张三 办理" in text
    assign_form = text[text.index("/assign/") :]
    assert f'name="on_behalf" value="{d.public_id}"' in assign_form
    response = login(li).post(
        f"/tasks/branches/{branch.public_id}/assign/",
        {"assignee": str(world.school_handler.pk), "on_behalf": str(d.public_id)},
    )
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.assignee == world.school_handler
    event = SupervisionEvent.objects.get(branch=branch, kind=EventKind.ASSIGN)
    assert event.actor_name == "李四（代 张三）"


def test_assigning_is_not_a_handlers_to_do_so_it_is_not_done_on_their_behalf(world, login):
    zhang = named(world.school_handler, "张", "三")
    li = named(world.school_head, "李", "四")
    branch = branch_of(dispatch(world, 15), world.school)
    d = delegate(zhang, li, world.school)
    text = login(li).get(f"/tasks/branches/{branch.public_id}/?on_behalf={d.public_id}")
    text = text.content.decode()
    # the head assigns in their own right from the page: the form does not post the delegation
    assert "/assign/" in text and 'name="on_behalf"' not in text[text.index("/assign/") :]
    login(li).post(
        f"/tasks/branches/{branch.public_id}/assign/",
        {"assignee": str(zhang.pk), "on_behalf": str(d.public_id)},
    )
    branch.refresh_from_db()
    assert branch.assignee is None
    assert not SupervisionEvent.objects.filter(branch=branch, kind="assign").exists()
