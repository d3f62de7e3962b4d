"""The kernel's pages driven with the test-only procedure: a person's application from the
portal to the issued notice, with nothing of dual plaque involved."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.common import rounds
from approvals.common.models import Application, ApplicationStatus
from approvals.common.steps import APPROVED, Outcome
from tests.approvals.conftest import pdf
from tests.factories import member
from workflows.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(world):
    return member(world.school, Role.STAFF, "s01-teacher-pages")


@pytest.fixture
def open_round(world):
    now = timezone.now()
    return rounds.round_create(
        procedure_code="trial",
        owner_unit=world.edu,
        actor=world.edu_handler,
        year=now.year,
        name="2026年度试用事项",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
    )


def test_a_person_applies_through_the_pages_and_receives_the_notice(
    world, teacher, open_round, login
):
    me = login(teacher, Client())
    portal = me.get(reverse("applications:index")).content.decode()
    assert "新建试用事项" in portal and "新建双挂牌申请" not in portal  # a person, not a school
    new = reverse("applications:new", args=["trial"])
    refused = me.post(new, {"topic": "", "years": "x", "action": "save"})
    assert refused.status_code == 200 and "「申报课题」为必填项" in refused.content.decode()
    app = Application.objects.get(applicant_person=teacher)
    app.round = open_round  # the round is chosen by the call the person answers
    app.save()
    edit = reverse("applications:edit", args=[app.public_id])
    done = me.post(
        edit, {"topic": "数控实训课程", "years": "6", "action": "submit", "files": pdf()}
    )
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.IN_REVIEW and app.signoffs.count() == 3
    assert "提交本单位负责人报送" not in me.get(edit).content.decode()  # no head step for a person

    for officer in (world.edu_handler, world.ndrc_handler, world.finance_handler):
        client = login(officer, Client())
        inbox = client.get("/workbench/inbox/").content.decode()
        assert app.title in inbox
        app.refresh_from_db()
        answer = client.post(
            reverse("applications:decide", args=[app.public_id]),
            {"decision": "approve", "opinion": "", "version": app.version},
        )
        assert answer.status_code == 302
    app.refresh_from_db()
    assert app.current_step == "panel"
    page = me.get(reverse("applications:detail", args=[app.public_id])).content.decode()
    assert "本申请随“2026年度试用事项”批次统一决定" in page

    rounds.round_decide(
        round=open_round,
        step_name="panel",
        actor=world.edu_head,
        outcomes={app.pk: Outcome(APPROVED)},
        version=0,
    )
    app.refresh_from_db()
    leader = login(world.edu_leader, Client())
    preview = leader.get(reverse("applications:preview", args=[app.public_id])).content.decode()
    assert "签发通知</button>" in preview
    draft = leader.get(reverse("applications:preview", args=[app.public_id]) + "?format=html")
    assert "经评审，同意所报试用事项。" in draft.content.decode()
    assert me.get(reverse("applications:preview", args=[app.public_id])).status_code == 404
    issued = leader.post(
        reverse("applications:issue", args=[app.public_id]), {"version": app.version}
    )
    assert issued.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    assert me.get(reverse("docs:detail", args=[app.document.public_id])).status_code == 200
    colleague = login(member(world.school, Role.STAFF, "s01-teacher-other"), Client())
    assert colleague.get(reverse("docs:detail", args=[app.document.public_id])).status_code == 404
    assert colleague.get(reverse("applications:detail", args=[app.public_id])).status_code == 404
