"""Pilot selection through the pages, and every URL with a round, application or score id
tried as another school and as an expert not assigned (404)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.common.models import PublicNotice, Round
from approvals.pilot_selection.models import AssignmentStatus, PanelAssignment
from tests.approvals.conftest import pdf
from tests.factories import expert
from workflows.models import Expert
from workflows.workdays import working_period

pytestmark = pytest.mark.django_db


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_round_opened_through_the_page_and_weights_refused(world, login, client):
    c = login(world.edu_handler)
    page = c.get(reverse("pilot_selection:round_new"))
    assert page.status_code == 200
    # the five school types are ticked by default
    assert page.content.decode().count('name="school_types"') == 5
    assert page.content.decode().count("checked") >= 5
    now = timezone.now()
    data = {
        "year": now.year,
        "name": "2026年度职技融通改革试点院校遴选",
        "quota": 3,
        "opens_at": _local(now - datetime.timedelta(days=1)),
        "closes_at": _local(now + datetime.timedelta(days=20)),
        "school_types": ["secondary_vocational", "technical"],
        "criteria": "办学基础 20 20\n专业与产业对接 20 30\n双师型师资 20 20\n职技融通工作基础 20 20",
        "required_attachments": "申报书\n佐证材料",
        "panel_size": 5,
    }
    refused = c.post(reverse("pilot_selection:round_new"), data)
    assert refused.status_code == 400
    assert "「评审标准」各项权重合计须为 100，现为 90" in refused.content.decode()
    data["criteria"] += "\n校企合作 10 10"
    done = c.post(reverse("pilot_selection:round_new"), data)
    assert done.status_code == 302
    round_ = Round.objects.get(procedure="pilot_selection")
    assert round_.pilot.required_attachments == ["申报书", "佐证材料"]
    assert [c["weight"] for c in round_.criteria] == [20, 30, 20, 20, 10]
    # a school may not open a round
    assert login(world.school_head).get(reverse("pilot_selection:round_new")).status_code == 403


def test_school_applies_through_the_portal(world, login, client, pilot):
    round_ = pilot.open_round(world)
    c = login(world.school_handler)
    index = c.get(reverse("pilot_selection:index"))
    assert round_.name in index.content.decode()
    started = c.post(reverse("pilot_selection:apply", args=[round_.public_id]))
    assert started.status_code == 302
    edit = c.get(started["Location"])
    body = edit.content.decode()
    for criterion in pilot.CRITERIA:
        assert criterion["name"] in body
    data = {**pilot.statements(round_), "action": "save", "files": [pdf()]}
    data["statement_1"] = "短"
    saved = c.post(started["Location"], data)
    assert "「办学基础」至少 10 个字" in saved.content.decode()
    data = {**pilot.statements(round_), "action": "save"}
    c.post(started["Location"], data)
    head = login(world.school_head, c)
    app = round_.applications.get()
    submitted = head.post(
        reverse("applications:submit", args=[app.public_id]), {"version": app.version}
    )
    assert submitted.status_code == 302
    app.refresh_from_db()
    assert app.current_step == "eligibility", app.status


def _scoring_round(world, pilot, n_experts=3):
    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.school)
    other = pilot.submitted(round_, world.other_school)
    for a in (app, other):
        pilot.pass_eligibility(world, a)
    experts = pilot.panel(n_experts)
    pilot.assign(world, round_, experts)
    return round_, app, other, experts


def test_expert_scores_and_cannot_see_others(world, login, pilot):
    round_, app, other, experts = _scoring_round(world, pilot)
    first = PanelAssignment.objects.get(application=app, expert=experts[0])
    pilot.score(first, [17.3, 18, 18, 9, 27])
    second = PanelAssignment.objects.get(application=app, expert=experts[1])
    c = login(experts[1].user)
    page = c.get(reverse("pilot_selection:score", args=[second.public_id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "本校在“办学基础”方面基础扎实" in body
    assert "17.3" not in body  # another expert's score
    mine = {f"score_{i}": v for i, v in enumerate(["16.5", "15", "14", "8", "25"], start=1)}
    saved = c.post(
        reverse("pilot_selection:score", args=[second.public_id]),
        {**mine, "comment": "基础好", "action": "save", "version": second.version},
    )
    assert saved.status_code == 302
    second.refresh_from_db()
    assert second.status == AssignmentStatus.ASSIGNED
    too_fine = c.post(
        reverse("pilot_selection:score", args=[second.public_id]),
        {**mine, "score_1": "16.55", "action": "submit", "version": second.version},
    )
    assert too_fine.status_code == 400
    assert "「办学基础」最多保留一位小数" in too_fine.content.decode()
    over = c.post(
        reverse("pilot_selection:score", args=[second.public_id]),
        {**mine, "score_4": "10.5", "action": "submit", "version": second.version},
    )
    assert over.status_code == 400 and "不能大于 10" in over.content.decode()
    done = c.post(
        reverse("pilot_selection:score", args=[second.public_id]),
        {**mine, "comment": "基础好", "action": "submit", "version": second.version},
    )
    assert done.status_code == 302
    second.refresh_from_db()
    assert second.status == AssignmentStatus.SUBMITTED
    locked = c.post(
        reverse("pilot_selection:score", args=[second.public_id]),
        {**mine, "score_1": "20", "action": "submit", "version": second.version},
    )
    assert locked.status_code == 409
    assert second.scores.get(criterion="办学基础").score == pytest.approx(16.5)


def test_expert_declares_a_conflict(world, login, pilot):
    round_, app, other, experts = _scoring_round(world, pilot, n_experts=4)
    a = PanelAssignment.objects.get(application=app, expert=experts[0])
    c = login(experts[0].user)
    refused = c.post(
        reverse("pilot_selection:conflict", args=[a.public_id]), {"version": a.version}
    )
    assert refused.status_code == 400 and "「回避理由」" in refused.content.decode()
    c.post(
        reverse("pilot_selection:conflict", args=[a.public_id]),
        {"reason": "本人曾在该校兼职授课", "version": a.version},
    )
    a.refresh_from_db()
    assert a.status == AssignmentStatus.EXCLUDED
    assert a.exclusion_reason == "本人申请回避：本人曾在该校兼职授课"
    office = login(world.office_handler).get(
        reverse("pilot_selection:round", args=[round_.public_id])
    )
    assert "本人申请回避：本人曾在该校兼职授课" in office.content.decode()


def test_every_id_url_404_for_another_school_and_an_unassigned_expert(world, login, pilot):
    round_, app, other, experts = _scoring_round(world, pilot)
    mine = PanelAssignment.objects.get(application=app, expert=experts[0])
    attachment = app.attachments.first()
    outsider = Expert.objects.get(user=expert("not-assigned"))
    # the unassigned expert has work elsewhere, in another round
    r = round_.public_id
    round_urls = [
        ("get", reverse("pilot_selection:round", args=[r])),
        ("post", reverse("pilot_selection:round_criteria", args=[r])),
        ("post", reverse("pilot_selection:round_panel", args=[r])),
        ("post", reverse("pilot_selection:round_decide", args=[r])),
        ("post", reverse("pilot_selection:round_countersign", args=[r])),
        ("post", reverse("pilot_selection:round_issue", args=[r])),
        ("get", reverse("pilot_selection:round_xlsx", args=[r])),
    ]
    app_urls = [
        ("get", reverse("applications:detail", args=[app.public_id])),
        ("get", reverse("applications:edit", args=[app.public_id])),
        ("post", reverse("applications:act", args=[app.public_id])),
        ("post", reverse("applications:withdraw", args=[app.public_id])),
        ("get", reverse("applications:file", args=[app.public_id, attachment.public_id])),
        ("get", reverse("applications:preview", args=[app.public_id])),
    ]
    score_urls = [
        ("get", reverse("pilot_selection:score", args=[mine.public_id])),
        ("post", reverse("pilot_selection:score", args=[mine.public_id])),
        ("post", reverse("pilot_selection:conflict", args=[mine.public_id])),
        (
            "get",
            reverse("pilot_selection:score_file", args=[mine.public_id, attachment.public_id]),
        ),
    ]
    for who in (world.other_school_handler, world.other_school_head, outsider.user):
        c = login(who)
        for method, url in round_urls + app_urls + score_urls:
            response = getattr(c, method)(url, {"version": 0})
            assert response.status_code == 404, (who.username, method, url, response.status_code)
    # another assigned expert: the application of their own panel is not a key to mine
    c = login(experts[1].user)
    for method, url in round_urls + app_urls + score_urls:
        assert getattr(c, method)(url, {"version": 0}).status_code == 404, url
    # a school of a type the round does not admit cannot start in it
    limited = pilot.open_round(world, school_types=["technical"], name="技工院校专项")
    c = login(world.school_handler)
    assert c.post(reverse("pilot_selection:apply", args=[limited.public_id])).status_code == 404


def test_office_leading_group_and_bureau_drive_the_round(world, login, pilot):
    import openpyxl

    round_ = pilot.open_round(world, quota=1)
    apps = [pilot.submitted(round_, s) for s in (world.school, world.other_school)]
    for a in apps:
        pilot.pass_eligibility(world, a)
    experts = pilot.panel(3)
    office = login(world.office_handler)
    page = office.get(reverse("pilot_selection:round", args=[round_.public_id]))
    assert "分配评审专家" in page.content.decode()
    round_.refresh_from_db()
    too_few = office.post(
        reverse("pilot_selection:round_panel", args=[round_.public_id]),
        {"experts": [experts[0].pk, experts[1].pk], "version": round_.version},
    )
    assert too_few.status_code == 400 and "不少于 3 人" in too_few.content.decode()
    office.post(
        reverse("pilot_selection:round_panel", args=[round_.public_id]),
        {"experts": [e.pk for e in experts], "version": round_.version},
    )
    for a in PanelAssignment.objects.filter(application__round=round_):
        marks = [18, 18, 18, 9, 27] if a.application_id == apps[0].pk else [10, 10, 10, 5, 15]
        pilot.score(a, marks)
    pilot.close_window(round_)
    leader = login(world.leader)
    page = leader.get(reverse("pilot_selection:round", args=[round_.public_id]))
    body = page.content.decode()
    assert "计分规则" in body and "90.00" in body and "50.00" in body
    round_.refresh_from_db()
    out_of_rank = leader.post(
        reverse("pilot_selection:round_decide", args=[round_.public_id]),
        {"selected": [str(apps[1].public_id)], "version": round_.version},
    )
    assert out_of_rank.status_code == 400
    assert "「决定说明」未按排名顺序选择" in out_of_rank.content.decode()
    decided = leader.post(
        reverse("pilot_selection:round_decide", args=[round_.public_id]),
        {"selected": [str(apps[0].public_id)], "version": round_.version},
    )
    assert decided.status_code == 302
    xlsx = office.get(reverse("pilot_selection:round_xlsx", args=[round_.public_id]))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = wb["评分汇总表"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][1] == world.school.name and rows[0][-3] == 90.0 and rows[0][-1] == "入选"
    assert len(list(wb["专家评分"].iter_rows(min_row=2))) == 6
    notice = PublicNotice.objects.get(round=round_)
    first, last = working_period(timezone.localdate() - datetime.timedelta(days=14), 5)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=first, ends_on=last)
    from approvals.common import services as kernel

    kernel.public_notice_close_if_due(notice_id=notice.pk)
    round_.refresh_from_db()
    handler = login(world.edu_handler)
    refused = handler.post(
        reverse("pilot_selection:round_issue", args=[round_.public_id]),
        {"version": round_.version},
    )
    assert refused.status_code == 403  # the bureau's leader signs it off
    leader = login(world.edu_leader)
    early = leader.post(
        reverse("pilot_selection:round_issue", args=[round_.public_id]),
        {"version": round_.version},
    )
    assert early.status_code == 400 and "市人力社保局分管领导会签" in early.content.decode()
    assert (
        login(world.hrss_handler)
        .post(
            reverse("pilot_selection:round_countersign", args=[round_.public_id]),
            {"version": round_.version},
        )
        .status_code
        == 403
    )
    countersigned = login(world.hrss_leader).post(
        reverse("pilot_selection:round_countersign", args=[round_.public_id]),
        {"version": round_.version},
    )
    assert countersigned.status_code == 302
    round_.refresh_from_db()
    issued = login(world.edu_leader).post(
        reverse("pilot_selection:round_issue", args=[round_.public_id]),
        {"version": round_.version},
    )
    assert issued.status_code == 302
    round_.refresh_from_db()
    assert round_.document_id
    portal = login(world.school_head).get(reverse("applications:index"))
    assert "职技融通改革试点院校" in portal.content.decode()
    task = login(world.office_handler).get(reverse("tasks:detail", args=[6]))
    assert world.school.name in task.content.decode()


def test_the_bureau_inbox_lists_each_sign_off_once(world, login, pilot):
    from tests.approvals.conftest import submitted as dual_plaque_submitted

    round_ = pilot.open_round(world)
    app = pilot.submitted(round_, world.other_school)
    plaque = dual_plaque_submitted(world)
    inbox = login(world.hrss_handler).get(reverse("workbench:inbox")).content.decode()
    assert inbox.count(app.title) == 1
    assert inbox.count(plaque.title) == 1


def test_office_adds_an_expert_to_one_application_who_then_sees_it_in_the_inbox(
    world, login, pilot
):
    round_, app, other, experts = _scoring_round(world, pilot)
    extra = Expert.objects.get(user=expert("extra-expert"))
    office = login(world.office_handler)
    done = office.post(
        reverse("pilot_selection:round_panel", args=[round_.public_id]),
        {"experts": [extra.pk], "application": str(other.public_id), "version": round_.version},
    )
    assert done.status_code == 302
    assert PanelAssignment.objects.filter(expert=extra).get().application == other
    inbox = login(extra.user).get(reverse("workbench:inbox")).content.decode()
    assert other.title in inbox and app.title not in inbox


def test_the_school_never_learns_who_scores_it(world, login, pilot):
    round_, app, other, experts = _scoring_round(world, pilot, n_experts=4)
    for e, surname in zip(experts, "欧阳司马", strict=True):
        e.user.last_name, e.user.first_name = surname, "评审员"
        e.user.save(update_fields=["last_name", "first_name"])
    a = PanelAssignment.objects.get(application=app, expert=experts[0])
    from approvals.pilot_selection import services

    services.conflict_declare(
        assignment=a, actor=experts[0].user, reason="本人曾在该校兼职授课", version=a.version
    )
    for b in PanelAssignment.objects.filter(application=app, status=AssignmentStatus.ASSIGNED):
        pilot.score(b, [17.3, 18, 18, 9, 27])
    page = login(world.school_head).get(reverse("applications:detail", args=[app.public_id]))
    body = page.content.decode()
    from workflows.people import display_name

    for e in experts:
        assert display_name(e.user) not in body
    assert "17.3" not in body


def test_the_portals_new_button_offers_the_open_rounds(world, login, pilot):
    round_ = pilot.open_round(world)
    page = login(world.school_handler).get(reverse("applications:new", args=["pilot_selection"]))
    body = page.content.decode()
    assert reverse("pilot_selection:apply", args=[round_.public_id]) in body


def test_the_round_and_score_pages_in_english(world, login, pilot):
    round_, app, other, experts = _scoring_round(world, pilot)
    office = login(world.office_handler)
    office.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = office.get(reverse("pilot_selection:round", args=[round_.public_id])).content.decode()
    for label in ("Criteria", "Applicant schools", "Assign to", "Export the score summary"):
        assert label in body, label
    assert "申报学校" not in body and "分配评审专家" not in body
    a = PanelAssignment.objects.get(application=app, expert=experts[0])
    c = login(experts[0].user)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get(reverse("pilot_selection:score", args=[a.public_id])).content.decode()
    for label in ("Submit scores", "Stand down (conflict of interest)", "Comments"):
        assert label in body, label
