"""A supervision branch claimed by one handler, reported on by the colleague standing in."""

import datetime
import re

import pytest
from django.utils import timezone

from tasks_registry.models import ProgressReport, SupervisionEvent
from tasks_registry.services import branch_acknowledge
from tests.factories import member
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.delegation import delegation_create
from workflows.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def named(user, last, first):
    user.last_name, user.first_name = last, first
    user.save(update_fields=["last_name", "first_name"])
    return user


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
