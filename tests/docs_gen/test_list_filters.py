"""The document list finds things: search, kind, state, issuing unit, sorting and pages
through one FilterSet; a bad parameter is a 400 in Chinese naming the field."""

import pytest

from docs_gen import services
from docs_gen.views import OfficialDocument
from tests.docs_gen.conftest import BODY

pytestmark = pytest.mark.django_db


def _draft(world, title, kind="notice"):
    return services.document_create(
        issuer=world.edu,
        kind=kind,
        title=title,
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )


def test_search_kind_state_unit_and_sort(world, issuers, login):
    a = _draft(world, "台州市教育局关于甲事项的通知")
    b = _draft(world, "台州市教育局关于乙事项的通知")
    client = login(world.edu_handler)
    body = client.get("/docs/?q=甲事项").content.decode()
    assert a.title in body and b.title not in body
    body = client.get("/docs/?status=draft&kind=notice").content.decode()
    assert a.title in body and b.title in body
    assert a.title not in client.get("/docs/?status=issued").content.decode()
    assert a.title in client.get(f"/docs/?unit={world.edu.public_id}").content.decode()
    assert a.title not in client.get(f"/docs/?unit={world.hrss.public_id}").content.decode()
    body = client.get("/docs/?sort=title").content.decode()
    assert body.index(b.title) < body.index(a.title)  # 乙 (U+4E59) before 甲 (U+7532)
    body = client.get("/docs/?sort=-title").content.decode()
    assert body.index(a.title) < body.index(b.title)


def test_the_list_is_paged(world, issuers, login):
    for i in range(31):
        _draft(world, f"台州市教育局关于第{i:02d}号事项的通知")
    client = login(world.edu_handler)
    first = client.get("/docs/").content.decode()
    assert "第 1 / 2 页，共 31 条" in first
    second = client.get("/docs/?page=2").content.decode()
    assert second.count("/docs/") >= 1 and "第 2 / 2 页" in second
    assert OfficialDocument.objects.count() == 31


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=lost", "「状态」请从列表中选择。"),
        ("kind=poem", "「文种」请从列表中选择。"),
        ("scope=everything", "「范围」请从列表中选择。"),
        ("unit=not-a-uuid", "「发文机关」“not-a-uuid”不是一个有效的UUID"),
        ("unit=00000000-0000-0000-0000-000000000000", "「发文机关」请从列表中选择。"),
        ("sort=secret", "「排序」请从列表中选择。"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_the_field(world, issuers, login, query, message):
    response = login(world.edu_handler).get(f"/docs/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
