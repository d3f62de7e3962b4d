"""A delegation used end to end through the pages: the substitute finds the principal's
to-do in the inbox, acts on it, and every record reads 李四（代 张三）."""

import datetime
import io
import re

import pdfplumber
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.common import services
from approvals.common.models import ApplicationStatus, PublicNotice
from tests.approvals.conftest import decide, submitted, to_publicity
from tests.factories import delegate, member, named
from workflows.models import AuditEntry, Membership, Role

pytestmark = pytest.mark.django_db


def url(name, app, *more):
    return reverse(f"applications:{name}", args=[app.public_id, *more])


def inbox_links(client) -> list[str]:
    text = client.get(reverse("workbench:inbox")).content.decode()
    return re.findall(r'<a href="([^"]+on_behalf=[^"]+)">', text), text


def at_issue(world):
    app = to_publicity(world)
    notice = PublicNotice.objects.get(application=app)
    services.public_notice_close_if_due(
        notice_id=notice.pk, today=notice.ends_on + datetime.timedelta(days=1)
    )
    app.refresh_from_db()
    assert app.current_step == "issue_reply"
    return app


def test_the_substitute_acts_on_the_principals_review_and_every_record_names_both(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    li = named(world.hrss_head, "李", "四")
    app = submitted(world)
    assert app.current_step == "competent_review" and app.acting_unit == world.hrss
    d = delegate(zhang, li, world.hrss)

    substitute = login(li)
    links, text = inbox_links(substitute)
    assert "代 张三" in text
    assert links == [f"{url('detail', app)}?on_behalf={d.public_id}"]

    page = substitute.get(links[0]).content.decode()
    assert "您正代 张三 办理" in page
    assert f'name="on_behalf" value="{d.public_id}"' in page

    response = substitute.post(
        url("decide", app),
        {
            "version": app.version,
            "decision": "approve",
            "opinion": "材料齐全，同意。",
            "on_behalf": str(d.public_id),
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.current_step == "cosign"
    review = app.reviews.get()
    assert review.actor == li and review.on_behalf_of == zhang
    assert review.who == "李四（代 张三）"
    entry = AuditEntry.objects.for_object(app).get(action="review_approve")
    assert entry.actor_name == "李四（代 张三）" and entry.on_behalf_of == zhang

    # the timeline of the application page, for anyone who sees it
    detail = login(world.school_head, Client()).get(url("detail", app)).content.decode()
    assert "李四（代 张三）" in detail
    # the printed approval form
    printed = login(world.hrss_handler, Client()).get(url("print", app))
    with pdfplumber.open(io.BytesIO(printed.content)) as pdf:
        assert "李四（代 张三）" in pdf.pages[0].extract_text()
    # the principal's to-do is done: it leaves both inboxes
    assert inbox_links(substitute)[0] == []


def test_acting_in_ones_own_right_is_recorded_as_oneself(world, login):
    li = named(world.hrss_head, "李", "四")
    app = submitted(world)
    delegate(world.hrss_leader, li, world.hrss)
    response = login(li).post(url("decide", app), {"version": app.version, "decision": "approve"})
    assert response.status_code == 302
    assert app.reviews.get().who == "李四" and app.reviews.get().on_behalf_of is None


def test_a_step_whose_role_the_substitute_lacks_is_refused_and_nothing_changes(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    li = named(world.hrss_head, "李", "四")  # a 负责人; 签发批复 needs a 分管领导
    app = at_issue(world)
    d = delegate(zhang, li, world.hrss)
    substitute = login(li)
    links, _text = inbox_links(substitute)
    assert links == [f"{url('detail', app)}?on_behalf={d.public_id}"]  # seen …
    page = substitute.get(links[0]).content.decode()
    assert "「签发批复」须由分管领导办理" in page and "不能代 张三 办理此环节" in page
    preview = substitute.get(f"{url('preview', app)}?on_behalf={d.public_id}").content.decode()
    assert "须由分管领导办理" in preview and 'name="digest"' not in preview
    version = app.version
    response = substitute.post(
        url("issue", app), {"version": version, "on_behalf": str(d.public_id)}
    )  # … but not acted on
    assert response.status_code == 400
    assert "「签发批复」须由分管领导办理；委托不转移角色" in response.content.decode()
    app.refresh_from_db()
    assert app.current_step == "issue_reply" and app.version == version
    assert app.status == ApplicationStatus.PUBLICITY or not app.is_closed
    assert not AuditEntry.objects.for_object(app).filter(action="issued").exists()


def test_a_second_leader_signs_the_reply_for_the_principal(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    li = named(member(world.hrss, Role.LEADER, "hrss-leader-2"), "李", "四")
    app = at_issue(world)
    d = delegate(zhang, li, world.hrss)
    substitute = login(li)
    page = substitute.get(f"{url('preview', app)}?on_behalf={d.public_id}").content.decode()
    assert "您正代 张三 办理" in page
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    response = substitute.post(
        url("issue", app),
        {"version": app.version, "digest": digest, "on_behalf": str(d.public_id)},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    assert app.document.signer == li and app.document.signer_name == "李四（代 张三）"
    issued = AuditEntry.objects.for_object(app).get(action="issued")
    assert issued.actor_name == "李四（代 张三）"
    detail = substitute.get(reverse("docs:detail", args=[app.document.public_id]))
    assert "李四（代 张三）" in detail.content.decode()


def test_before_the_start_and_after_the_end_the_substitute_cannot_use_it(world, login):
    import time_machine

    li = named(world.hrss_head, "李", "四")
    app = submitted(world)
    d = delegate(world.hrss_leader, li, world.hrss, first=1, last=2)
    substitute = login(li)
    assert inbox_links(substitute)[0] == []  # not yet
    assert substitute.get(f"{url('detail', app)}?on_behalf={d.public_id}").status_code == 404
    posted = {"version": app.version, "decision": "approve", "on_behalf": str(d.public_id)}
    assert substitute.post(url("decide", app), posted).status_code == 404
    later = timezone.now() + datetime.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        assert inbox_links(substitute)[0] == []  # over
        assert substitute.post(url("decide", app), posted).status_code == 404
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        assert len(inbox_links(substitute)[0]) == 1  # during
    app.refresh_from_db()
    assert app.current_step == "competent_review" and not app.reviews.exists()
    # a malformed or someone else's delegation id is a 404 too
    assert substitute.get(f"{url('detail', app)}?on_behalf=xyz").status_code == 404
    assert (
        login(world.hrss_handler, Client())
        .get(f"{url('detail', app)}?on_behalf={d.public_id}")
        .status_code
        == 404
    )


def test_the_principals_other_unit_stays_hidden_from_the_substitute(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    Membership.objects.create(user=zhang, unit=world.edu, role=Role.LEADER)
    li = named(world.hrss_head, "李", "四")
    # a technical school's application waits on the education bureau (张三's other unit)
    app = submitted(
        world,
        school=world.technical_school,
        handler=world.technical_handler,
        head=world.technical_head,
        plaque_kind="vocational",
        plaque_name="台州市第一职业技术学校",
    )
    assert app.acting_unit == world.edu
    d = delegate(zhang, li, world.hrss)
    substitute = login(li)
    links, text = inbox_links(substitute)
    assert links == [] and app.title not in text
    assert substitute.get(f"{url('detail', app)}?on_behalf={d.public_id}").status_code == 404
    posted = {"version": app.version, "decision": "approve", "on_behalf": str(d.public_id)}
    assert substitute.post(url("decide", app), posted).status_code == 404
    app.refresh_from_db()
    assert not app.reviews.exists()


def test_a_cosign_acted_on_behalf_names_both(world, login):
    zhang = named(world.edu_leader, "张", "三")
    li = named(world.edu_handler, "李", "四")
    app = submitted(world)
    decide(app, world.hrss_handler)
    assert app.current_step == "cosign"
    d = delegate(zhang, li, world.edu)
    substitute = login(li)
    links, text = inbox_links(substitute)
    assert "代 张三" in text and len(links) == 1
    response = substitute.post(
        url("decide", app),
        {"version": app.version, "decision": "approve", "on_behalf": str(d.public_id)},
    )
    assert response.status_code == 302
    signoff = app.signoffs.get()
    assert signoff.who == "李四（代 张三）"
    page = substitute.get(url("detail", app)).content.decode()
    assert "李四（代 张三）" in page


def test_an_objection_handled_on_behalf_names_both(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    li = named(world.hrss_head, "李", "四")
    app = to_publicity(world)
    notice = PublicNotice.objects.get(application=app)
    objection = services.objection_lodge(
        notice=notice, name="王某", contact="13800000000", reason="担心加挂后中职招生减少。"
    )
    d = delegate(zhang, li, world.hrss)
    substitute = login(li)
    links, text = inbox_links(substitute)
    assert "处理公示异议" in text
    assert set(links) == {f"{url('detail', app)}?on_behalf={d.public_id}"}
    page = substitute.get(links[0]).content.decode()
    assert f'name="on_behalf" value="{d.public_id}"' in page
    response = substitute.post(
        url("objection_handle", app, objection.public_id),
        {"outcome": "dismissed", "note": "经核查不成立。", "on_behalf": str(d.public_id)},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.for_object(app).get(action="objection_dismissed")
    assert entry.actor_name == "李四（代 张三）"
    objection.refresh_from_db()
    assert objection.handled_by == li and objection.on_behalf_of == zhang
    # the notice's list of objections names both, where it says who handled it
    page = substitute.get(url("detail", app)).content.decode()
    assert '经核查不成立。</div><div class="zj-muted zj-small">李四（代 张三） · ' in page


def test_a_heads_submission_is_done_on_behalf_by_a_colleague_with_the_role(world, login):
    from tests.approvals.conftest import draft

    zhang = named(world.school_head, "张", "三")
    li = named(member(world.school, Role.LEADER, "school-leader-li"), "李", "四")
    app = draft(world)
    services.application_send_to_head(application=app, actor=world.school_handler)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING_HEAD
    d = delegate(zhang, li, world.school)

    substitute = login(li, Client())
    links, text = inbox_links(substitute)
    assert text.count("审核并报送") == 1 and "亦为您本人的待办" in text
    assert links == [f"{url('detail', app)}?on_behalf={d.public_id}"]
    page = substitute.get(links[0]).content.decode()
    assert "您正代 张三 办理" in page
    assert f'name="on_behalf" value="{d.public_id}"' in page
    response = substitute.post(
        url("submit", app), {"version": app.version, "on_behalf": str(d.public_id)}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status != ApplicationStatus.PENDING_HEAD and app.submitted_at
    entry = AuditEntry.objects.for_object(app).get(action="submitted")
    assert entry.actor_name == "李四（代 张三）" and entry.on_behalf_of == zhang


def test_a_handler_standing_in_for_the_head_cannot_submit_for_them(world, login):
    from tests.approvals.conftest import draft

    zhang = named(world.school_head, "张", "三")
    li = named(member(world.school, Role.HANDLER, "school-handler-li"), "李", "四")
    app = draft(world)
    services.application_send_to_head(application=app, actor=world.school_handler)
    app.refresh_from_db()
    d = delegate(zhang, li, world.school)
    substitute = login(li, Client())
    page = substitute.get(f"{url('detail', app)}?on_behalf={d.public_id}").content.decode()
    assert "「审核并报送」须由负责人、分管领导办理" in page
    substitute.post(url("submit", app), {"version": app.version, "on_behalf": str(d.public_id)})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING_HEAD
