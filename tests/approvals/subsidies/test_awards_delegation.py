"""The awards' steps done on behalf: the inbox's 代 row, the page's banner, the records."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.subsidies import awards
from approvals.subsidies.models import AwardStatus, Purpose
from workflows.delegation import delegation_create
from workflows.models import AuditEntry

from .conftest import make_line
from .test_awards import confirmed

pytestmark = pytest.mark.django_db


def named(user, last, first):
    user.last_name, user.first_name = last, first
    user.save(update_fields=["last_name", "first_name"])
    return user


def test_the_hr_review_is_done_on_behalf_and_signing_needs_the_substitutes_own_role(world, login):
    zhang = named(world.hrss_leader, "张", "三")
    li = named(world.hrss_head, "李", "四")
    imp = confirmed(world)
    today = timezone.localdate()
    d = delegation_create(
        principal=zhang,
        substitute_id=li.pk,
        unit_id=world.hrss.pk,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=5),
        reason="外出学习",
    )
    substitute = login(li, Client())
    inbox = substitute.get(reverse("workbench:inbox")).content.decode()
    # 张三's and 李四's own to-do alike: one row, through the delegation
    assert inbox.count("审核竞赛获奖奖励名单") == 1 and "亦为您本人的待办" in inbox
    link = re.search(r'<a href="(/[^"]+on_behalf=[^"]+)">审核竞赛获奖奖励名单', inbox).group(1)
    page = substitute.get(link).content.decode()
    assert "您正代 张三 办理" in page and f'name="on_behalf" value="{d.public_id}"' in page

    response = substitute.post(
        reverse("subsidies:award_decide", args=[imp.public_id]),
        {
            "version": imp.version,
            "decision": "approve",
            "opinion": "名单无误。",
            "on_behalf": str(d.public_id),
        },
    )
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == AwardStatus.REVIEWED
    entry = AuditEntry.objects.for_object(imp).get(action="awards_approve")
    assert entry.actor_name == "李四（代 张三）" and entry.on_behalf_of == zhang

    # at 签发 (the leader's): the head standing in is told why not, and nothing changes
    make_line(world, Purpose.AWARDS, "100000", year=today.year)
    awards.award_fund(
        award_import=imp,
        actor=world.finance_handler,
        decision="approve",
        opinion="",
        version=imp.version,
    )
    imp.refresh_from_db()
    awards.award_pay(
        award_import=imp,
        actor=world.finance_handler,
        paid_on=today,
        voucher="记-0101",
        version=imp.version,
    )
    imp.refresh_from_db()
    page = substitute.get(
        f"{reverse('subsidies:award', args=[imp.public_id])}?on_behalf={d.public_id}"
    )
    text = page.content.decode()
    assert "须由分管领导办理" in text and 'name="on_behalf"' not in text
    response = substitute.post(
        reverse("subsidies:award_issue", args=[imp.public_id]),
        {"version": imp.version, "on_behalf": str(d.public_id)},
    )
    imp.refresh_from_db()
    assert imp.status == AwardStatus.PAID
