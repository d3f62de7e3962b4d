"""Delegation (委托/代理): who may be named, for how long, no chains, ending early, the pages."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import member
from workflows.delegation import (
    active_delegations_for,
    delegation_create,
    delegation_end,
    principals_of,
)
from workflows.exceptions import RuleViolation
from workflows.models import AuditEntry, Delegation, Membership, Notification, Role

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 10)


@pytest.fixture(autouse=True)
def _on_the_tenth():
    moment = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        yield


def named(user, last, first):
    user.last_name, user.first_name = last, first
    user.save(update_fields=["last_name", "first_name"])
    return user


def create(principal, substitute, unit, *, days=(0, 10), reason="外出学习"):
    return delegation_create(
        principal=principal,
        substitute_id=substitute.pk,
        unit_id=unit.pk,
        starts_on=TODAY + datetime.timedelta(days=days[0]),
        ends_on=TODAY + datetime.timedelta(days=days[1]),
        reason=reason,
    )


def refused(principal, substitute, unit, **kw) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        create(principal, substitute, unit, **kw)
    assert Delegation.objects.count() == 0
    return caught.value


def test_a_delegation_is_active_for_its_inclusive_period_and_the_substitute_is_told(world):
    zhang = named(world.hrss_leader, "张", "三")
    d = create(zhang, world.hrss_head, world.hrss)
    assert active_delegations_for(world.hrss_head) == [d]
    assert principals_of(world.hrss_head) == [zhang]
    assert principals_of(world.hrss_head, on=TODAY + datetime.timedelta(days=10)) == [zhang]
    assert principals_of(world.hrss_head, on=TODAY + datetime.timedelta(days=11)) == []
    assert principals_of(world.hrss_head, on=TODAY - datetime.timedelta(days=1)) == []
    note = Notification.objects.get(recipient=world.hrss_head)
    assert note.title == "张三 委托您 2026-12-10 至 2026-12-20 代为办理市人力社保局的待办"
    entry = AuditEntry.objects.for_object(d).get()
    assert entry.action == "delegation_created" and entry.after["ends_on"] == "2026-12-20"


@pytest.mark.parametrize(
    ("days", "field", "words"),
    [
        ((-1, 5), "starts_on", "「开始日期」不能早于今天（2026-12-10）"),
        ((5, 4), "ends_on", "「结束日期」不能早于「开始日期」"),
        ((0, 90), "ends_on", "一次委托最长 90 天"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(world, days, field, words):
    exc = refused(world.hrss_leader, world.hrss_head, world.hrss, days=days)
    assert exc.field == field and words in exc.message


def test_ninety_days_inclusive_is_the_longest_period(world):
    d = create(world.hrss_leader, world.hrss_head, world.hrss, days=(0, 89))
    assert (d.ends_on - d.starts_on).days + 1 == 90


def test_oneself_another_units_person_and_a_staff_member_are_refused(world):
    exc = refused(world.hrss_leader, world.hrss_leader, world.hrss)
    assert exc.field == "substitute" and "不能是您本人" in exc.message
    exc = refused(world.hrss_leader, world.edu_head, world.hrss)
    assert exc.field == "substitute" and "须是市人力社保局的经办人、负责人或分管领导" in exc.message
    teacher = member(world.hrss, Role.STAFF, "hrss-staff")
    exc = refused(world.hrss_leader, teacher, world.hrss)
    assert exc.field == "substitute"
    # a unit the principal does not act for
    exc = refused(world.hrss_leader, world.edu_head, world.edu)
    assert exc.field == "unit" and "「单位」" in exc.message


def test_periods_of_one_principal_do_not_overlap(world):
    create(world.hrss_leader, world.hrss_head, world.hrss, days=(0, 10))
    with pytest.raises(RuleViolation) as caught:
        create(world.hrss_leader, world.hrss_handler, world.hrss, days=(10, 12))
    assert caught.value.field == "starts_on" and "期间不能重叠" in caught.value.message
    create(world.hrss_leader, world.hrss_handler, world.hrss, days=(11, 12))  # the day after


def test_a_delegation_cannot_be_chained(world):
    create(world.hrss_leader, world.hrss_head, world.hrss, days=(0, 10))
    # the substitute cannot pass it on during the period …
    with pytest.raises(RuleViolation) as caught:
        create(world.hrss_head, world.hrss_handler, world.hrss, days=(5, 15))
    assert caught.value.field == "substitute" and "委托不能转委托" in caught.value.message
    # … and someone away cannot be named for the period
    with pytest.raises(RuleViolation) as caught:
        create(world.hrss_handler, world.hrss_leader, world.hrss, days=(3, 4))
    assert caught.value.field == "substitute" and "已委托他人办理" in caught.value.message
    # outside the period both may
    create(world.hrss_head, world.hrss_handler, world.hrss, days=(11, 15))


def test_the_principal_ends_it_early_others_get_404(world):
    from django.http import Http404

    d = create(world.hrss_leader, world.hrss_head, world.hrss)
    with pytest.raises(Http404):
        delegation_end(principal=world.hrss_head, public_id=d.public_id)
    delegation_end(principal=world.hrss_leader, public_id=d.public_id)
    assert active_delegations_for(world.hrss_head) == []
    d.refresh_from_db()
    assert d.state(TODAY) == "ended"
    with pytest.raises(RuleViolation):
        delegation_end(principal=world.hrss_leader, public_id=d.public_id)
    # once ended, the period is free again
    create(world.hrss_leader, world.hrss_handler, world.hrss, days=(1, 2))


# --- the pages -----------------------------------------------------------------------------


def test_the_page_creates_lists_and_ends_a_delegation(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    li = named(world.hrss_head, "李", "四")
    page = reverse("workbench:delegations")
    c = login(zhang)
    response = c.get(page)
    assert response.status_code == 200
    text = response.content.decode()
    assert "李四（负责人）" in text and world.edu_head.username not in text
    assert 'href="/workbench/delegations/"' in c.get(reverse("workbench:inbox")).content.decode()

    # bad input: the field is named, what was typed is kept
    bad = {
        "unit": world.hrss.pk,
        "substitute": li.pk,
        "starts_on": "2026-12-20",
        "ends_on": "2026-12-12",
        "reason": "外出学习",
    }
    response = c.post(page, bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "「结束日期」不能早于「开始日期」" in text and 'value="2026-12-12"' in text
    response = c.post(page, {**bad, "ends_on": "12/20"})
    assert response.status_code == 400 and "「结束日期」格式不正确" in response.content.decode()
    response = c.post(page, {**bad, "substitute": world.edu_head.pk, "ends_on": "2026-12-22"})
    assert response.status_code == 400 and "「代理人」请从列表中选择" in response.content.decode()
    assert Delegation.objects.count() == 0

    response = c.post(page, {**bad, "starts_on": "2026-12-10", "ends_on": "2026-12-20"})
    assert response.status_code == 302
    d = Delegation.objects.get()
    text = c.get(page).content.decode()
    assert "我委托 李四" in text and "生效中" in text and "提前结束" in text
    # one result message saying what happened (not a banner and a toast repeating it)
    done = "已委托 李四 在 2026-12-10 至 2026-12-20 代为办理市人力社保局的待办，并已通知本人。"
    assert text.count(done) == 1 and text.count('class="zj-msg ') == 1

    other = login(li, Client())
    text = other.get(page).content.decode()
    assert "张三 委托我" in text and "生效中" in text
    end = reverse("workbench:delegation_end", args=[d.public_id])
    assert other.post(end).status_code == 404  # only the principal ends it
    assert c.get(end).status_code == 405
    assert c.post(end).status_code == 302
    text = c.get(page).content.decode()
    assert "已结束" in text and text.count('class="zj-msg ') == 1
    assert text.count("已提前结束对 李四 的委托（原定 2026-12-10 至 2026-12-20）") == 1
    assert active_delegations_for(li) == []


def test_a_future_delegation_reads_not_started(world, login):
    create(world.hrss_leader, world.hrss_head, world.hrss, days=(3, 5))
    text = login(world.hrss_leader).get(reverse("workbench:delegations")).content.decode()
    assert "未开始" in text


def test_the_form_offers_only_colleagues_with_an_acting_role(world, login):
    member(world.hrss, Role.STAFF, "hrss-teacher")
    text = login(world.hrss_leader).get(reverse("workbench:delegations")).content.decode()
    staff = Membership.objects.get(unit=world.hrss, role=Role.STAFF).user
    assert f'value="{world.hrss_head.pk}"' in text and f'value="{world.hrss_handler.pk}"' in text
    assert f'value="{staff.pk}"' not in text


def test_the_demo_has_one_delegation_to_try_loaded_once(world):
    from workflows.demo import load_demo_delegation

    load_demo_delegation()
    load_demo_delegation()
    d = Delegation.objects.get()
    assert (d.principal, d.substitute, d.unit) == (world.hrss_leader, world.hrss_head, world.hrss)
    assert d.is_active(TODAY) and d.ends_on == TODAY + datetime.timedelta(days=13)
    assert Notification.objects.filter(recipient=world.hrss_head).count() == 1


def test_a_row_whose_page_cannot_act_on_behalf_is_not_passed_on(world, monkeypatch):
    from workflows import inbox

    zhang = named(world.hrss_leader, "张", "三")
    li = named(world.hrss_head, "李", "四")
    create(zhang, li, world.hrss)

    def provider(user):
        if user != zhang:
            return []
        return [
            inbox.InboxRow(title="审核", subject="甲", url="/a/", unit=world.hrss.name),
            inbox.InboxRow(
                title="专家评分", subject="乙", url="/b/", unit=world.hrss.name, delegable=False
            ),
        ]

    monkeypatch.setattr(inbox, "_PROVIDERS", [provider])
    rows = inbox.inbox_rows(li)
    assert [(r.title, r.on_behalf) for r in rows] == [("审核", "张三")]
    assert rows[0].url.startswith("/a/?on_behalf=")
