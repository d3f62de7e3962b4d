"""The 500s the attacker's fuzz found (issue 8, item 3), each refused at its cause.

Two layers are checked: the project-wide NUL middleware (400 naming the parameter), and,
with that middleware taken out, the forms and services behind it (a Chinese message
naming the field, nothing written) so that neither layer depends on the other.
"""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from approvals.common import services
from approvals.common.models import Application
from docs_gen.models import IssueBatch
from tests.approvals.conftest import draft, form_data, submitted
from workflows.exceptions import RuleViolation
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db

WITHOUT_NUL_MIDDLEWARE = override_settings(
    MIDDLEWARE=[m for m in settings.MIDDLEWARE if not m.endswith("RejectNulMiddleware")]
)


def _text(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return str(response.json())
    return response.content.decode()


@pytest.mark.parametrize("action", ["submit", "withdraw", "issue"])
def test_a_version_that_is_not_a_number_answers_400_naming_the_field(world, login, action):
    app = submitted(world) if action != "submit" else draft(world)
    actor = {"submit": world.school_head, "withdraw": world.school_handler}.get(
        action, world.hrss_handler
    )
    audit_rows, version = AuditEntry.objects.count(), app.version
    response = login(actor).post(f"/applications/{app.public_id}/{action}/", {"version": "abc"})
    assert response.status_code == 400
    assert "「版本号」" in _text(response)
    app.refresh_from_db()
    assert (app.version, app.status) == (version, app.status)
    assert AuditEntry.objects.count() == audit_rows


def test_the_service_refuses_a_version_that_is_not_an_int(world):
    app = draft(world)
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(application=app, actor=world.school_head, version="abc")
    assert refused.value.field == "version"


@pytest.mark.parametrize("where", ["new", "edit", "autosave"])
def test_a_nul_in_a_draft_field_answers_400(world, login, where):
    app = draft(world)
    before = Application.objects.count(), app.draft_data
    url = {
        "new": "/applications/new/dual_plaque/",
        "edit": f"/applications/{app.public_id}/edit/",
        "autosave": f"/applications/{app.public_id}/autosave/",
    }[where]
    response = login(world.school_handler).post(url, form_data(reason="理由\x00理由" * 10))
    assert response.status_code == 400
    assert "「reason」" in _text(response) and "NUL" in _text(response)
    app.refresh_from_db()
    assert (Application.objects.count(), app.draft_data) == before


@WITHOUT_NUL_MIDDLEWARE
@pytest.mark.parametrize("where", ["new", "edit", "autosave"])
def test_behind_the_middleware_the_draft_store_names_the_field_and_keeps_nothing(
    world, login, where
):
    app = draft(world)
    before = Application.objects.count(), AuditEntry.objects.count(), app.draft_data
    url = {
        "new": "/applications/new/dual_plaque/",
        "edit": f"/applications/{app.public_id}/edit/",
        "autosave": f"/applications/{app.public_id}/autosave/",
    }[where]
    response = login(world.school_handler).post(url, form_data(reason="理由\x00理由" * 10))
    assert response.status_code == 400
    shown = response.json()["error"] if where == "autosave" else _text(response)
    assert "「申请理由」含有不允许的空字符" in shown
    app.refresh_from_db()
    # the failed new/ post leaves no empty draft behind (nor its audit row)
    assert (Application.objects.count(), AuditEntry.objects.count(), app.draft_data) == before


def test_batch_issue_with_an_id_that_is_not_a_uuid_answers_400(world, login):
    response = login(world.edu_handler).post("/docs/batch-issue/", {"documents": "abc"})
    assert response.status_code == 400
    assert "「公文」格式不正确" in _text(response)
    assert not IssueBatch.objects.exists()


@pytest.mark.parametrize("middleware", [True, False])
def test_the_document_list_refuses_a_nul_or_an_unknown_filter(world, login, middleware):
    client = login(world.edu_handler)
    with override_settings() if middleware else WITHOUT_NUL_MIDDLEWARE:
        assert client.get("/docs/", {"q": "\x00"}).status_code == 400
        long = client.get("/docs/", {"q": "长" * 101})
        assert long.status_code == 400 and "「搜索」" in _text(long)
        assert client.get("/docs/", {"status": "bogus"}).status_code == 400
        assert client.get("/docs/", {"q": "通知", "status": "issued"}).status_code == 200


def test_verify_with_a_nul_is_refused_without_a_lookup(client):
    assert client.get("/verify/%00/").status_code == 400
    with WITHOUT_NUL_MIDDLEWARE:
        client = Client()  # a new handler: the first one keeps its middleware chain
        assert client.get("/verify/%00/").status_code == 404
        assert client.get("/verify/" + "A" * 40 + "/").status_code == 404


def test_a_nul_in_a_query_parameter_name_or_a_cookie_answers_400(world, login):
    client = login(world.school_handler)
    assert client.get("/applications/?ta%00b=1").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/applications/")
    assert response.status_code == 400 and "NUL" in _text(response)


def test_document_actions_parse_their_opinion(world, login):
    from docs_gen import services as docs
    from tests.docs_gen.conftest import BODY

    document = docs.document_create(
        issuer=world.edu,
        kind="notice",
        title="关于试点的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    rows = AuditEntry.objects.count()
    response = login(world.edu_leader).post(
        f"/docs/{document.public_id}/sign/", {"opinion": "同意" * 1001}
    )
    assert response.status_code == 400 and "「意见」" in _text(response)
    assert AuditEntry.objects.count() == rows


def test_a_long_text_is_refused_with_its_limit_never_cut_by_the_browser():
    from approvals.common.forms import DecisionForm

    form = DecisionForm({"decision": "return", "opinion": "长" * 2001, "version": "1"})
    html = str(form["opinion"])
    assert 'data-maxlength="2000"' in html and " maxlength=" not in html  # a counter, no cut
    assert not form.is_valid()
    assert form.errors["opinion"] == ["「审核意见」最多 2000 个字（当前 2001 个字）。"]


def test_a_fields_own_message_is_kept_and_the_others_name_the_field():
    from tasks_registry.forms import ReportForm

    form = ReportForm({"text": "", "percent": "120"})
    assert not form.is_valid()
    assert form.errors["percent"] == ["完成进度：须为0至100之间的整数"]
    assert form.errors["text"] == ["「进展情况」为必填项，请填写。"]
