"""The pages: the person's record, the school's people, the form with the mapping table,
the committee cards, task 17's panel, and 404 for everyone an id does not belong to."""

import pytest
from django.urls import reverse

from approvals.promotion.models import Credential, PersonRecord

from .conftest import (
    applied,
    expert_of,
    form_panel,
    notice_over,
    open_session,
    to_panel,
    vote,
)

pytestmark = pytest.mark.django_db


def test_a_person_sees_their_record_with_the_mapping_table(world, people, login):
    html = login(people["technician"]).get(reverse("promotion:record")).content.decode()
    assert "林师傅" in html and "高级技师" in html and "NO-s06-tech-senior_technician" in html
    assert (
        'id="pr-routes"' in html and "高级技师 → 高级讲师" not in html
    )  # the table, not the label
    assert "副高级" in html and "在校任教满 5 年" in html
    # someone without a record is told who opens one
    assert (
        "由所在学校建立"
        in login(world.edu_handler).get(reverse("promotion:record")).content.decode()
    )


def test_the_form_states_the_conditions_and_shows_the_mapping(world, people, login):
    html = (
        login(people["teacher"])
        .get(reverse("applications:new", args=["promotion"]))
        .content.decode()
    )
    assert "附件重点任务第17项" in html and 'id="pr-routes"' in html
    assert "从事申报职业（工种）实践累计满 3 年" in html
    assert 'name="teaching_years"' in html and 'name="practical_work"' in html


def test_the_school_records_a_credential_on_its_persons_file(world, people, login):
    record = PersonRecord.objects.get(user=people["colleague"])
    url = reverse("promotion:person", args=[record.public_id])
    data = {
        "grade": "technician",
        "certificate_no": "T-1",
        "authority": "台州市人力社保局",
        "awarded_on": "2020-05-01",
        "basis": "技能鉴定",
    }
    assert login(world.technical_handler).post(url, data).status_code == 302
    assert Credential.objects.filter(record=record, grade="technician").exists()
    again = login(world.technical_handler).post(url, data)
    assert again.status_code == 400 and "不能重复登记" in again.content.decode()
    bad = login(world.technical_handler).post(url, {**data, "grade": "lecturer", "awarded_on": "x"})
    assert bad.status_code == 400 and "「取得日期」" in bad.content.decode()
    # the person sees it, and may not record on their own file
    assert login(people["colleague"]).post(url, {**data, "grade": "lecturer"}).status_code == 403


def test_record_ids_answer_404_to_everyone_else(world, people, experts, login, client):
    record = PersonRecord.objects.get(user=people["technician"])
    url = reverse("promotion:person", args=[record.public_id])
    assert login(people["technician"]).get(url).status_code == 200
    assert login(world.technical_head).get(url).status_code == 200
    assert login(world.leader).get(url).status_code == 200
    for outsider in (
        people["colleague"],
        people["elsewhere"],
        world.school_head,
        world.hrss_handler,
        experts["pool"][0],
    ):
        client.logout()
        assert login(outsider).get(url).status_code == 404, outsider
    people_list = login(world.technical_head).get(reverse("promotion:people")).content.decode()
    assert "林师傅" in people_list and "王老师" not in people_list


@pytest.fixture
def in_session(world, people, experts):
    app = applied(people["technician"])
    to_panel(world, app, world.technical_head)
    pool = experts["pool"]
    form_panel(world, app, pool[:9])
    open_session(world, app, pool[:6])
    return app


def test_application_and_vote_urls_answer_404_to_everyone_else(
    world, people, experts, in_session, login, client
):
    app = in_session
    file_id = app.attachments.get().public_id
    urls = [
        ("get", reverse("applications:detail", args=[app.public_id])),
        ("get", reverse("applications:file", args=[app.public_id, file_id])),
        ("get", reverse("applications:preview", args=[app.public_id])),
        ("post", reverse("applications:act", args=[app.public_id])),
    ]
    unassigned = experts["teacher_school"]  # in the pool, not on this panel
    for outsider in (
        people["colleague"],
        people["elsewhere"],
        world.other_school_head,
        world.school_head,
        unassigned,
    ):
        client.logout()
        c = login(outsider)
        for method, url in urls:
            data = {"action": "vote", "choice": "yes", "version": app.version}
            response = c.post(url, data) if method == "post" else c.get(url)
            assert response.status_code == 404, (outsider, url)
    # an assigned member sees the application and votes through the page
    client.logout()
    member = experts["pool"][0]
    c = login(member)
    assert c.get(urls[0][1]).status_code == 200
    assert "提交表决票" in c.get(urls[0][1]).content.decode()
    assert (
        c.post(urls[3][1], {"action": "vote", "choice": "yes", "version": app.version}).status_code
        == 302
    )
    # a member who did not attend sees the page but cannot vote
    client.logout()
    absent = login(experts["pool"][8])
    assert absent.get(urls[0][1]).status_code == 200
    assert (
        absent.post(
            urls[3][1], {"action": "vote", "choice": "yes", "version": app.version}
        ).status_code
        == 403
    )


def test_a_vote_without_a_choice_answers_400_naming_the_field(world, experts, in_session, login):
    response = login(experts["pool"][1]).post(
        reverse("applications:act", args=[in_session.public_id]),
        {"action": "vote", "version": in_session.version},
    )
    assert response.status_code == 400 and "「表决意见」" in response.content.decode()


def test_a_quorum_refusal_answers_400_on_the_page(world, people, experts, login):
    app = applied(people["technician"])
    to_panel(world, app, world.technical_head)
    form_panel(world, app, experts["pool"])
    app.refresh_from_db()
    response = login(world.hrss_handler).post(
        reverse("applications:act", args=[app.public_id]),
        {
            "action": "session",
            "attending": [expert_of(u).pk for u in experts["pool"][:5]],
            "version": app.version,
        },
    )
    assert (
        response.status_code == 400 and "不足全体 9 名委员的三分之二" in response.content.decode()
    )


def test_the_school_head_sees_and_recommends_the_handler_does_not(world, people, login):
    app = applied(people["technician"])
    url = reverse("applications:detail", args=[app.public_id])
    assert login(world.technical_head).get(url).status_code == 200
    assert login(world.technical_handler).get(url).status_code == 404
    # so the school's notice waits on (and tells) its head, not its handler
    from approvals.common.selectors import inbox_for

    assert [r.subject for r in inbox_for(world.technical_head)] == [app.title]
    assert inbox_for(world.technical_handler) == []
    notice_over(app)
    html = login(world.technical_head).get(url).content.decode()
    assert "学校推荐" in html and "提交审核结论" in html


def test_task_17_shows_the_years_results(world, people, experts, in_session, login):
    app = in_session
    for user in experts["pool"][:6]:
        vote(app, user, "yes")
    notice_over(app)
    from approvals.common import services

    services.application_issue(application=app, actor=world.hrss_leader, version=app.version)
    app.refresh_from_db()
    html = login(world.leader).get(reverse("tasks:detail", args=[17])).content.decode()
    assert 'id="pr-task-panel"' in html
    assert "林师傅" in html and "高级讲师" in html and app.document.number in html
    record = login(people["technician"]).get(reverse("promotion:record")).content.decode()
    assert app.document.number in record and "评审委员会评审通过" in record
