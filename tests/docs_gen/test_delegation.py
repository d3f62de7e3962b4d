"""Official documents through a delegation: the substitute finds the principal's 签发 and
会签 in the inbox as 代 rows, acts on them on the document page (?on_behalf=), and the
records read 李四（代 张三）; a delegation passes no role on, and outside its period or its
unit the link is a 404."""

import datetime

import pytest
from django.utils import timezone

from docs_gen import services
from docs_gen.models import CoIssuer, DocumentStatus
from tests.docs_gen.conftest import BODY
from tests.factories import delegate, member, named
from workflows.models import AuditEntry, Delegation, Role

pytestmark = pytest.mark.django_db


def sent(world, *, joint=False):
    document = services.document_create(
        issuer=world.edu,
        co_issuers=[world.hrss] if joint else [],
        kind="notice",
        title="关于开展职技融通试点工作的通知",
        addressees=["各县（市、区）教育局"],
        body=BODY,
        actor=world.edu_handler,
    )
    return services.document_submit(document=document, actor=world.edu_handler)


def page(client, document, delegation=None):
    url = f"/docs/{document.public_id}/"
    return client.get(f"{url}?on_behalf={delegation.public_id}" if delegation else url)


def act(client, document, action, delegation, **data):
    return client.post(
        f"/docs/{document.public_id}/{action}/",
        {"on_behalf": str(delegation.public_id), **data},
        follow=True,
    )


def test_a_second_leader_signs_off_on_behalf_and_the_records_name_both(world, issuers, login):
    principal = named(world.edu_leader, "张", "三")
    substitute = named(member(world.edu, Role.LEADER, "edu-leader-2"), "李", "四")
    document = sent(world)
    delegation = delegate(principal, substitute, world.edu)
    client = login(substitute)

    inbox = client.get("/workbench/inbox/").content.decode()
    assert "代 张三" in inbox
    link = f"/docs/{document.public_id}/?on_behalf={delegation.public_id}"
    assert link in inbox.replace("&amp;", "&")

    text = page(client, document, delegation).content.decode()
    assert "您正代 张三 办理" in text
    assert f'name="on_behalf" value="{delegation.public_id}"' in text

    response = act(client, document, "sign", delegation, opinion="同意")
    assert "已签发" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.SIGNED
    assert document.signer == substitute
    assert document.signer_name == "李四（代 张三）"
    entry = AuditEntry.objects.for_object(document).get(action="docs.sign_off")
    assert entry.actor == substitute and entry.on_behalf_of == principal
    assert entry.actor_name == "李四（代 张三）"
    # the document's history reads it too
    assert "李四（代 张三）" in page(client, document).content.decode()


def test_a_second_leader_of_the_co_issuer_countersigns_on_behalf(world, issuers, login):
    principal = named(world.hrss_leader, "张", "三")
    substitute = named(member(world.hrss, Role.LEADER, "hrss-leader-2"), "李", "四")
    document = sent(world, joint=True)
    delegation = delegate(principal, substitute, world.hrss)
    client = login(substitute)

    inbox = client.get("/workbench/inbox/").content.decode()
    assert "会签公文" in inbox and "代 张三" in inbox
    assert "您正代 张三 办理" in page(client, document, delegation).content.decode()

    act(client, document, "countersign", delegation, opinion="同意联合发文")
    co = CoIssuer.objects.get(document=document)
    assert co.countersigned and co.countersigned_by == substitute
    assert co.countersigner_name == "李四（代 张三）"
    entry = AuditEntry.objects.for_object(document).get(action="docs.countersign")
    assert entry.on_behalf_of == principal and entry.actor_name == "李四（代 张三）"
    # the lead's leader now signs off in their own right
    services.document_sign_off(document=document, actor=world.edu_leader)


def test_a_head_covering_the_leader_may_not_sign_off_and_nothing_changes(world, issuers, login):
    principal = named(world.edu_leader, "张", "三")
    substitute = named(world.edu_head, "李", "四")
    document = sent(world)
    delegation = delegate(principal, substitute, world.edu)
    client = login(substitute)
    before = AuditEntry.objects.count()

    text = page(client, document, delegation).content.decode()
    assert "您正代 张三 办理" in text
    assert "委托不转移角色" in text  # the page says why before anything is tried
    assert 'name="on_behalf"' not in text

    text = act(client, document, "sign", delegation).content.decode()
    assert "「签发」须由分管领导办理；委托不转移角色，您在市教育局的角色是负责人" in text
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING_SIGNOFF
    assert document.signer is None and document.signer_name == ""
    assert AuditEntry.objects.count() == before


def test_after_the_end_the_link_is_a_404_and_the_row_is_gone(world, issuers, login):
    principal = named(world.edu_leader, "张", "三")
    substitute = member(world.edu, Role.LEADER, "edu-leader-2")
    document = sent(world)
    delegation = delegate(principal, substitute, world.edu)
    today = timezone.localdate()
    Delegation.objects.filter(pk=delegation.pk).update(
        starts_on=today - datetime.timedelta(days=5), ends_on=today - datetime.timedelta(days=1)
    )
    client = login(substitute)
    assert "代 张三" not in client.get("/workbench/inbox/").content.decode()
    assert page(client, document, delegation).status_code == 404
    assert act(client, document, "sign", delegation).status_code == 404
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING_SIGNOFF


def test_a_delegation_of_another_unit_is_a_404_on_the_document(world, issuers, login):
    # the hrss leader delegates hrss's to-dos; an issued edu document, which hrss staff may
    # open in their own right, is no to-do of that unit: through the link it is a 404
    principal = named(world.hrss_leader, "张", "三")
    substitute = member(world.hrss, Role.LEADER, "hrss-leader-2")
    document = services.document_sign_off(document=sent(world), actor=world.edu_leader)
    document = services.document_issue(document=document, actor=world.edu_handler)
    delegation = delegate(principal, substitute, world.hrss)
    client = login(substitute)
    assert page(client, document).status_code == 200
    assert page(client, document, delegation).status_code == 404
    assert act(client, document, "revoke", delegation, reason="错").status_code == 404
    # a malformed id is a 404 too
    bad = client.get(f"/docs/{document.public_id}/?on_behalf=not-a-uuid")
    assert bad.status_code == 404
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED


def test_another_units_delegation_on_a_visible_document_is_a_404(world, issuers, login):
    """A document both units see (joint): the hrss delegation cannot 签发 the edu lead's
    step, only its own 会签; a step that is not its own through the link is a 404."""
    principal = named(world.hrss_leader, "张", "三")
    substitute = member(world.hrss, Role.LEADER, "hrss-leader-2")
    document = sent(world, joint=True)
    delegation = delegate(principal, substitute, world.hrss)
    client = login(substitute)
    assert page(client, document, delegation).status_code == 200
    text = act(client, document, "sign", delegation).content.decode()
    assert "「签发」不是 张三 在市人力社保局的待办" in text
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING_SIGNOFF
    # actions that are not a step of the principal are not taken through a delegation
    assert act(client, document, "delete", delegation).status_code == 404
