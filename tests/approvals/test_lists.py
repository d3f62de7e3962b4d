"""Lists that find things: the applications, the inbox and the notifications filter, page and
export, and every parameter goes through a form (a bad one is a 400 naming the field)."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests.approvals.conftest import submitted

pytestmark = pytest.mark.django_db


def test_the_application_list_searches_filters_and_exports(world, login):
    mine = submitted(world)
    other = submitted(
        world,
        school=world.other_school,
        handler=world.other_school_handler,
        head=world.other_school_head,
        plaque_name="台州市第二技师学院（加挂）",
    )
    bureau = login(world.hrss_handler)
    index = reverse("applications:index")
    both = bureau.get(index, {"tab": "open"}).content.decode()
    assert mine.title in both and other.title in both
    found = bureau.get(index, {"tab": "open", "q": "第二技师"}).content.decode()
    assert other.title in found and mine.title not in found
    assert mine.title not in bureau.get(index, {"overdue": "on"}).content.decode()
    sheet = bureau.get(index, {"tab": "open", "q": "第二技师", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    rows = list(book.active.values)
    assert rows[0][:3] == ("标题", "事项", "申请单位") and [r[0] for r in rows[1:]] == [other.title]
    refused = bureau.get(index, {"tab": "nonsense"})
    assert refused.status_code == 400 and "「分类」请从列表中选择" in refused.content.decode()


def test_the_inbox_filters_by_light_and_text(world, login):
    app = submitted(world)
    client = login(world.hrss_handler)
    inbox = reverse("workbench:inbox")
    assert app.title in client.get(inbox).content.decode()
    assert app.title in client.get(inbox, {"light": "green", "q": "技师"}).content.decode()
    assert app.title not in client.get(inbox, {"light": "red"}).content.decode()
    assert client.get(inbox, {"light": "purple"}).status_code == 400


def test_notifications_read_unread_and_mark_all_read(world, login):
    submitted(world)  # the bureau is told of its new to-do
    client = login(world.hrss_handler, Client())
    page = reverse("workbench:notifications")
    assert "未读" in client.get(page, {"state": "unread"}).content.decode()
    assert client.post(reverse("workbench:notifications_read_all")).status_code == 302
    assert not world.hrss_handler.notifications.filter(read_at__isnull=True).exists()
    assert "暂无通知" in client.get(page, {"state": "unread"}).content.decode()
