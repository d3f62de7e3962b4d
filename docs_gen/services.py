"""Writes for official documents. Other procedures call ``document_create`` or
``document_issue_for_decision``; the pages call the step services.

Rules:
- a draft is created and edited by members of the issuing unit;
- 签发 (sign-off) only by a leader (分管领导) of the issuing unit;
- a joint document (联合行文) has co-issuers after its lead (the issuing unit): the lead's
  staff draft and issue it, a leader of every co-issuer countersigns (会签) the text, and
  only then may the lead's leader sign it off; editing the draft voids the
  countersignatures. It takes one number, the lead's;
- the number is given at issue, never earlier: consecutive per issuer, series
  and year, from a row-locked counter (``NumberCounter``), in the issuing
  transaction, so numbers have no gaps and are never reused;
- an issued document never changes; 作废 keeps it and marks it revoked;
- every step writes an audit row in its own transaction; rendering is queued on commit.
"""

import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from workflows.access import is_member
from workflows.exceptions import Conflict, RuleViolation
from workflows.i18n import stored
from workflows.models import Role, Unit
from workflows.services import audit_record, notify, unit_members

from . import signing
from .models import (
    CoIssuer,
    DocumentKind,
    DocumentStatus,
    IssueBatch,
    Issuer,
    NumberCounter,
    OfficialDocument,
    RenderStatus,
    Secrecy,
    Urgency,
)
from .text import validate_blocks

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L

# Refusals and conflicts are shown to the actor, in the actor's language; what is stored
# (notifications to others, batch labels) is Chinese (workflows/i18n.py). The document
# itself (``document_snapshot``, rendering.py) never goes through the catalogue.
BATCH_LABEL = gettext_lazy("批量印发")


# --- helpers ------------------------------------------------------------------------
def _person(user) -> str:
    """The name a document records for who signed: 李四（代 张三） through a delegation."""
    from workflows.delegation import on_behalf_of
    from workflows.people import acting_name

    return acting_name(user, on_behalf_of(user))


def _check_on_behalf(actor, unit: Unit | None, *, waits: bool, what) -> None:
    """Acting through a delegation (``workflows.delegation.acting_for``): the step is the
    principal's to-do in the delegation's unit and the substitute holds its role (分管领导)
    themselves; the one rule, ``check_delegated_step``. Outside a delegation: nothing."""
    from workflows.delegation import check_delegated_step, standing_in

    delegation = standing_in(actor)
    if delegation is None:
        return
    check_delegated_step(
        delegation,
        actor,
        unit=unit,
        principal_waits=waits and is_member(delegation.principal, unit, (Role.LEADER,)),
        roles=(Role.LEADER,),
        step_label=what,
    )


def delegated_refusal(document: OfficialDocument, actor, delegation) -> str:
    """Why ``actor`` cannot act on ``document`` through ``delegation`` (签发 in the issuing
    unit, 会签 in a co-issuer), or "" when they can."""
    from workflows.delegation import acting_for

    unit = document.issuer.unit
    try:
        with acting_for(delegation):
            if delegation.unit_id == unit.pk:
                _check_on_behalf(
                    actor,
                    unit,
                    waits=document.status in (DocumentStatus.DRAFT, DocumentStatus.PENDING_SIGNOFF),
                    what=_("签发"),
                )
            else:
                pending = [
                    c
                    for c in co_issuers_of(document)
                    if c.issuer.unit_id == delegation.unit_id and not c.countersigned
                ]
                _check_on_behalf(
                    actor,
                    delegation.unit,
                    waits=bool(pending) and document.status == DocumentStatus.PENDING_SIGNOFF,
                    what=_("会签"),
                )
    except RuleViolation as exc:
        return exc.message
    return ""


def _issuer_of(unit: Unit) -> Issuer:
    try:
        return Issuer.objects.select_related("unit").get(unit=unit)
    except Issuer.DoesNotExist:
        raise RuleViolation(
            _("发文机关：%(unit)s 尚未登记机关代字，不能以其名义发文") % {"unit": unit.name},
            field="issuer",
        ) from None


def _require_member(actor, unit: Unit, roles: tuple[str, ...] | None, what: str) -> None:
    if actor is None:
        return  # the system (a flow's own step, a worker)
    if actor.is_superuser:
        return
    if not is_member(actor, unit, roles):
        needed = _("分管领导") if roles == (Role.LEADER,) else _("工作人员")
        raise RuleViolation(
            _("%(what)s：只有%(unit)s的%(role)s可以办理")
            % {"what": what, "unit": unit.name, "role": needed}
        )


MAX_CO_ISSUERS = 5


def _co_issuers_of(lead: Issuer, units: Iterable[Unit], *, kind: str, upward: bool) -> list:
    """The co-issuers' registered issuers, in order, checked: registered, not the lead,
    each once, at most MAX_CO_ISSUERS, and a kind and layout that can be issued jointly."""
    units = list(units)
    if not units:
        return []
    if kind == DocumentKind.LETTER:
        raise RuleViolation(
            _("联署机关：函使用信函格式，以单一机关名义发出，不能联合行文"), field="co_issuers"
        )
    if upward:
        raise RuleViolation(
            _("联署机关：上行文须逐一标注各机关签发人，本系统暂不支持联合上行文"),
            field="co_issuers",
        )
    if len(units) > MAX_CO_ISSUERS:
        raise RuleViolation(
            _("联署机关：最多%(n)d个（不含主办机关）") % {"n": MAX_CO_ISSUERS}, field="co_issuers"
        )
    found, seen = [], set()
    for unit in units:
        if unit.pk == lead.unit_id:
            raise RuleViolation(
                _("联署机关：%(unit)s 是主办机关，不能同时列为联署机关") % {"unit": unit.name},
                field="co_issuers",
            )
        if unit.pk in seen:
            raise RuleViolation(
                _("联署机关：%(unit)s 重复列出") % {"unit": unit.name}, field="co_issuers"
            )
        seen.add(unit.pk)
        try:
            found.append(Issuer.objects.select_related("unit").get(unit=unit))
        except Issuer.DoesNotExist:
            raise RuleViolation(
                _("联署机关：%(unit)s 尚未登记机关代字，不能联合发文") % {"unit": unit.name},
                field="co_issuers",
            ) from None
    return found


def _set_co_issuers(document: OfficialDocument, issuers: list[Issuer]) -> None:
    document.co_issuers.all().delete()
    CoIssuer.objects.bulk_create(
        CoIssuer(document=document, issuer=issuer, position=i)
        for i, issuer in enumerate(issuers, start=1)
    )


def co_issuers_of(document: OfficialDocument) -> list[CoIssuer]:
    return list(
        document.co_issuers.select_related("issuer__unit", "countersigned_by").order_by("position")
    )


def _require_countersigned(document: OfficialDocument, what: str) -> None:
    """A joint document is signed off (and issued) only once every co-issuer's leader
    has countersigned (会签) the text."""
    missing = [c.issuer.mark_name for c in co_issuers_of(document) if not c.countersigned]
    if missing:
        raise RuleViolation(
            _("%(what)s：联合行文须先经各联署机关负责人会签，尚未会签的机关：%(units)s")
            % {"what": what, "units": pgettext("punctuation", "、").join(missing)}
        )


def _state(document: OfficialDocument) -> dict:
    return {"status": document.status, "number": document.number}


def _step(
    document: OfficialDocument,
    *,
    actor,
    expect: tuple[str, ...],
    roles: tuple[str, ...] | None,
    what,
    action: str,
    note: str = "",
    **changes,
) -> OfficialDocument:
    """One step of the lifecycle: lock the row, check its status and the actor's role in the
    issuing unit, apply ``changes`` (field → value), save them, write the audit row."""
    document = _lock(document)
    _expect(document, *expect, action=what)
    unit = document.issuer.unit
    _require_member(actor, unit, roles, what)
    before = _state(document)
    for field, value in changes.items():
        setattr(document, field, value)
    document.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=document,
        unit=unit,
        before=before,
        after=_state(document),
        note=note,
    )
    return document


def _lock(document: OfficialDocument) -> OfficialDocument:
    return (
        OfficialDocument.objects.select_for_update()
        .select_related("issuer__unit")
        .get(pk=document.pk)
    )


def _expect(document: OfficialDocument, *statuses: str, action: str) -> None:
    if document.status not in statuses:
        raise Conflict(
            _("%(action)s失败：公文当前状态为“%(status)s”，可能已被他人处理")
            % {"action": action, "status": document.get_status_display()}
        )


def _clean_fields(*, kind, title, addressees, body, attachments, cc) -> None:
    if kind not in DocumentKind.values:
        raise RuleViolation(_("文种：%(kind)s 不是可用的文种") % {"kind": kind}, field="kind")
    if not (title or "").strip():
        raise RuleViolation(_("标题：不能为空"), field="title")
    if len(title) > 200:
        raise RuleViolation(_("标题：不能超过200字"), field="title")
    if not [a for a in addressees if str(a).strip()] and kind != DocumentKind.PUBLIC_NOTICE:
        raise RuleViolation(_("主送机关：至少填写一个主送机关"), field="addressees")
    if not body:
        raise RuleViolation(_("正文：不能为空"), field="body")
    errors = validate_blocks(list(body))
    for a in attachments:
        if not str(a.get("title", "")).strip():
            errors.append(_("附件标题不能为空"))
        errors += validate_blocks(list(a.get("body") or []), field=_("附件"))
    if errors:
        raise RuleViolation(
            _("正文：%(errors)s") % {"errors": pgettext("punctuation", "；").join(errors)},
            field="body",
        )
    if any(not str(c).strip() for c in cc):
        raise RuleViolation(_("抄送机关：不能有空项"), field="cc")


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not OfficialDocument.objects.filter(verification_code=code).exists():
            return code


def verify_url(code: str) -> str:
    base = settings.DOCS_PUBLIC_BASE_URL  # checked and without its trailing slash (settings)
    return f"{base}/verify/{code}/"


def next_number(*, issuer: Issuer, series: str, year: int) -> int:
    """The next serial for (issuer, series, year). Call inside the issuing transaction."""
    NumberCounter.objects.get_or_create(issuer=issuer, series=series, year=year)
    counter = NumberCounter.objects.select_for_update().get(issuer=issuer, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def format_number(issuer_code: str, series: str, year: int, serial: int) -> str:
    return f"{issuer_code}{series}〔{year}〕{serial}号"


def document_snapshot(
    document: OfficialDocument, *, draft: bool = False, co_issuers: Iterable[Issuer] | None = None
) -> dict:
    """What the renderer needs, as plain data. Frozen into the document at issue.
    ``co_issuers``: those of a document not saved yet (a preview)."""
    issuer = document.issuer
    mark = issuer.mark_name if document.kind == DocumentKind.LETTER else f"{issuer.mark_name}文件"
    issued_on = document.issued_on or timezone.localdate()
    if co_issuers is None:
        co_issuers = [c.issuer for c in co_issuers_of(document)] if document.pk else []
    co = [c.mark_name for c in co_issuers]
    return {
        "mark": mark,
        "joint": [issuer.mark_name, *co] if co else [],
        "number": "" if draft else document.number,
        "signer": document.signer_name if document.upward else "",
        "upward": document.upward,
        "copy_number": document.copy_number,
        "secrecy": secrecy_label(document.secrecy, document.secrecy_term),
        "urgency": document.urgency,
        "title": document.title,
        "addressees": list(document.addressees),
        "body": list(document.body),
        "attachments": list(document.attachments),
        "issuer_name": issuer.mark_name,
        "date": issued_on.isoformat(),
        "seal": True,
        "note": document.note,
        "cc": list(document.cc),
        "printer": issuer.printing_unit,
        "print_date": (document.print_date or issued_on).isoformat(),
        "verification": None
        if draft or not document.verification_code
        else {
            "code": document.code_display,
            "url": verify_url(document.verification_code),
        },
        "draft": draft,
        "format": "letter" if document.kind == DocumentKind.LETTER else "standard",
        "names": registry_names_in(
            document.title, *(a.get("title", "") for a in document.attachments or [])
        ),
    }


def secrecy_label(secrecy: str, term: str = "") -> str:
    """密级和保密期限 as printed: 秘密★1年 (GB/T 9704 §7.2.2), or the 密级 alone."""
    if not secrecy:
        return ""
    return f"{secrecy}★{term}" if term else secrecy


HEADER_FIELDS = ("copy_number", "secrecy", "secrecy_term", "urgency")


def _clean_header(*, copy_number="", secrecy="", secrecy_term="", urgency="") -> dict:
    """The optional 版头 elements, checked: 份号 up to 6 digits (printed with 6), 密级 and
    紧急程度 from their lists, a 保密期限 only with a 密级."""
    copy_number = (copy_number or "").strip()
    secrecy_term = (secrecy_term or "").strip()
    if copy_number and not re.fullmatch(r"\d{1,6}", copy_number):
        raise RuleViolation(_("份号：只能是1至6位阿拉伯数字"), field="copy_number")
    if secrecy and secrecy not in Secrecy.values:
        raise RuleViolation(
            _("密级：%(value)s 不是可用的密级") % {"value": secrecy}, field="secrecy"
        )
    if secrecy_term and not secrecy:
        raise RuleViolation(_("保密期限：须先选择密级"), field="secrecy_term")
    if len(secrecy_term) > 20:
        raise RuleViolation(_("保密期限：不能超过20字"), field="secrecy_term")
    if urgency and urgency not in Urgency.values:
        raise RuleViolation(
            _("紧急程度：%(value)s 不是可用的紧急程度") % {"value": urgency}, field="urgency"
        )
    return {
        "copy_number": copy_number.zfill(6) if copy_number else "",
        "secrecy": secrecy or "",
        "secrecy_term": secrecy_term,
        "urgency": urgency or "",
    }


def registry_names_in(*texts: str) -> list[str]:
    """Names (and full names) of the registry's units and schools found in ``texts``:
    the renderer never breaks a title line inside one of them."""
    joined = "\n".join(t for t in texts if t)
    found = set()
    for name, full_name in Unit.objects.values_list("name", "full_name"):
        found.update(n for n in (name, full_name) if n and n in joined)
    return sorted(found)


# --- creation and editing -------------------------------------------------------------
@transaction.atomic
def document_create(
    *,
    issuer: Unit,
    kind: str,
    title: str,
    addressees: list[str],
    body: list[dict],
    actor,
    cc: Iterable[str] = (),
    attachments: Iterable[dict] = (),
    note: str = "",
    source: models.Model | None = None,
    series: str = "发",
    upward: bool = False,
    copy_number: str = "",
    secrecy: str = "",
    secrecy_term: str = "",
    urgency: str = "",
    co_issuers: Iterable[Unit] = (),
) -> OfficialDocument:
    """A draft in the name of ``issuer`` (a Unit with a registered 机关代字), issued
    jointly with ``co_issuers`` (Units, in the order their names are printed) if any."""
    registered = _issuer_of(issuer)
    _require_member(actor, issuer, None, _("起草公文"))
    co = _co_issuers_of(registered, co_issuers, kind=kind, upward=upward)
    addressees, cc, attachments = list(addressees), list(cc), list(attachments)
    _clean_fields(
        kind=kind, title=title, addressees=addressees, body=body, attachments=attachments, cc=cc
    )
    header = _clean_header(
        copy_number=copy_number, secrecy=secrecy, secrecy_term=secrecy_term, urgency=urgency
    )
    document = OfficialDocument.objects.create(
        **header,
        issuer=registered,
        kind=kind,
        series=series or "发",
        title=title.strip(),
        addressees=[a.strip() for a in addressees if a.strip()],
        body=list(body),
        attachments=attachments,
        cc=cc,
        note=note.strip(),
        upward=upward,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=str(source.pk) if source is not None else "",
    )
    _set_co_issuers(document, co)
    audit_record(
        actor=actor, action="docs.create", obj=document, unit=issuer, after=_state(document)
    )
    return document


@transaction.atomic
def document_update(
    *,
    document: OfficialDocument,
    actor,
    kind: str,
    title: str,
    addressees: list[str],
    body: list[dict],
    cc: Iterable[str] = (),
    attachments: Iterable[dict] = (),
    note: str = "",
    upward: bool = False,
    copy_number: str = "",
    secrecy: str = "",
    secrecy_term: str = "",
    urgency: str = "",
    co_issuers: Iterable[Unit] | None = None,
) -> OfficialDocument:
    """Edit a draft. ``co_issuers`` replaces the co-issuers (None keeps them). Any edit
    voids the countersignatures: the co-issuers approved another text."""
    document = _lock(document)
    _expect(document, DocumentStatus.DRAFT, action=_("修改公文"))
    _require_member(actor, document.issuer.unit, None, _("修改公文"))
    if co_issuers is None:
        co_issuers = [c.issuer.unit for c in co_issuers_of(document)]
    co = _co_issuers_of(document.issuer, co_issuers, kind=kind, upward=upward)
    addressees, cc, attachments = list(addressees), list(cc), list(attachments)
    _clean_fields(
        kind=kind, title=title, addressees=addressees, body=body, attachments=attachments, cc=cc
    )
    document.kind, document.title, document.note, document.upward = (
        kind,
        title.strip(),
        note.strip(),
        upward,
    )
    document.addressees = [a.strip() for a in addressees if a.strip()]
    document.body, document.attachments, document.cc = list(body), attachments, cc
    header = _clean_header(
        copy_number=copy_number, secrecy=secrecy, secrecy_term=secrecy_term, urgency=urgency
    )
    for field, value in header.items():
        setattr(document, field, value)
    document.save()
    voided = [c.issuer.mark_name for c in co_issuers_of(document) if c.countersigned]
    _set_co_issuers(document, co)
    note = (
        stored(gettext_lazy("会签作废，须重新会签：%(units)s"), units="、".join(voided))
        if voided
        else ""
    )
    audit_record(
        actor=actor, action="docs.update", obj=document, unit=document.issuer.unit, note=note
    )
    return document


# --- the steps --------------------------------------------------------------------------
@transaction.atomic
def document_submit(*, document: OfficialDocument, actor) -> OfficialDocument:
    """Send a draft to the unit's leaders for 签发."""
    document = _step(
        document,
        actor=actor,
        expect=(DocumentStatus.DRAFT,),
        roles=None,
        what=_("送签"),
        action="docs.submit",
        status=DocumentStatus.PENDING_SIGNOFF,
    )
    unit = document.issuer.unit
    notify(
        recipients=unit_members(unit, [Role.LEADER]),
        title=stored(gettext_lazy("待签发：%(title)s"), title=document.title),
        url=f"/docs/{document.public_id}/",
        unit=unit,
    )
    for co in co_issuers_of(document):
        if not co.countersigned:
            notify(
                recipients=unit_members(co.issuer.unit, [Role.LEADER]),
                title=stored(gettext_lazy("待会签：%(title)s"), title=document.title),
                url=f"/docs/{document.public_id}/",
                unit=co.issuer.unit,
            )
    return document


@transaction.atomic
def document_return(*, document: OfficialDocument, actor, opinion: str = "") -> OfficialDocument:
    """A leader sends a draft back for changes: the lead's, or a co-issuer's who will not
    countersign this text."""
    from workflows.delegation import standing_in

    delegation = standing_in(actor)
    if delegation is not None:
        # on behalf: the principal's own step only (the lead's 签发 or a co-issuer's 会签)
        lead = delegation.unit_id == document.issuer.unit_id
        co = next(
            (c for c in co_issuers_of(document) if c.issuer.unit_id == delegation.unit_id), None
        )
        _check_on_behalf(
            actor,
            delegation.unit,
            waits=lead or (co is not None and not co.countersigned),
            what=_("退回修改"),
        )
        co = None if lead else co
    else:
        co = _co_issuer_led_by(document, actor)
    if co is not None:
        document = _lock(document)
        _expect(document, DocumentStatus.PENDING_SIGNOFF, action=_("退回修改"))
        before = _state(document)
        document.status = DocumentStatus.DRAFT
        document.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="docs.return",
            obj=document,
            unit=co.issuer.unit,
            before=before,
            after=_state(document),
            note=opinion,
        )
        return document
    return _step(
        document,
        actor=actor,
        expect=(DocumentStatus.PENDING_SIGNOFF,),
        roles=(Role.LEADER,),
        what=_("退回修改"),
        action="docs.return",
        note=opinion,
        status=DocumentStatus.DRAFT,
    )


def _co_issuer_led_by(document: OfficialDocument, actor) -> CoIssuer | None:
    """The co-issuer of ``document`` whose unit ``actor`` leads (not the lead's leader),
    the first one still to countersign if several."""
    if actor is None or is_member(actor, document.issuer.unit, (Role.LEADER,)):
        return None
    led = [c for c in co_issuers_of(document) if is_member(actor, c.issuer.unit, (Role.LEADER,))]
    led.sort(key=lambda c: c.countersigned)
    return led[0] if led else None


@transaction.atomic
def document_countersign(
    *, document: OfficialDocument, actor, opinion: str = "", unit: Unit | None = None
) -> CoIssuer:
    """会签: a leader of a co-issuer approves the text of a joint document, before the
    lead's leader signs it off. ``unit`` says which co-issuer when the actor leads
    several (or is a superuser); otherwise the one the actor leads."""
    what = _("会签")
    if actor is None:
        raise RuleViolation(_("会签：须由联署机关负责人本人会签"))
    document = _lock(document)
    _expect(document, DocumentStatus.DRAFT, DocumentStatus.PENDING_SIGNOFF, action=what)
    rows = co_issuers_of(document)
    if not rows:
        raise RuleViolation(_("会签：这份公文不是联合行文，没有联署机关"))
    from workflows.delegation import standing_in

    delegation = standing_in(actor)
    if delegation is not None:
        # on behalf: the co-issuer of the delegation's unit, led by the principal, and the
        # substitute leads it too (a delegation passes no role on)
        unit = delegation.unit
        _check_on_behalf(
            actor,
            unit,
            waits=any(c.issuer.unit_id == unit.pk and not c.countersigned for c in rows),
            what=what,
        )
    if unit is not None:
        rows = [c for c in rows if c.issuer.unit_id == unit.pk]
        if not rows:
            raise RuleViolation(_("会签：%(unit)s 不是这份公文的联署机关") % {"unit": unit.name})
    mine = [
        c for c in rows if actor.is_superuser or is_member(actor, c.issuer.unit, (Role.LEADER,))
    ]
    if not mine:
        names = pgettext("punctuation", "、").join(c.issuer.mark_name for c in rows)
        raise RuleViolation(
            _("会签：只有联署机关（%(units)s）的分管领导可以会签") % {"units": names}
        )
    pending = [c for c in mine if not c.countersigned]
    if not pending:
        done = mine[0]
        raise Conflict(
            _("会签失败：%(unit)s 已由%(person)s会签，可能已被他人处理")
            % {"unit": done.issuer.mark_name, "person": done.countersigner_name}
        )
    co = pending[0]
    co.countersigned_by = actor
    co.countersigner_name = _person(actor)
    co.countersigned_at = timezone.now()
    co.opinion = (opinion or "").strip()[:2000]
    co.save(update_fields=["countersigned_by", "countersigner_name", "countersigned_at", "opinion"])
    audit_record(
        actor=actor,
        action="docs.countersign",
        obj=document,
        unit=co.issuer.unit,
        after={"co_issuer": co.issuer.mark_name},
        note=co.opinion,
    )
    return co


@transaction.atomic
def document_sign_off(*, document: OfficialDocument, actor, opinion: str = "") -> OfficialDocument:
    """签发: a leader of the issuing unit approves the text. No number yet."""
    if actor is None:
        raise RuleViolation(_("签发：须由发文单位分管领导本人签发"))
    document = _lock(document)  # countersignatures change under this row's lock only
    _expect(document, DocumentStatus.PENDING_SIGNOFF, DocumentStatus.DRAFT, action=_("签发"))
    _check_on_behalf(actor, document.issuer.unit, waits=True, what=_("签发"))
    _require_member(actor, document.issuer.unit, (Role.LEADER,), _("签发"))
    _require_countersigned(document, _("签发"))
    return _step(
        document,
        actor=actor,
        expect=(DocumentStatus.PENDING_SIGNOFF, DocumentStatus.DRAFT),
        roles=(Role.LEADER,),
        what=_("签发"),
        action="docs.sign_off",
        note=opinion,
        status=DocumentStatus.SIGNED,
        signer=actor,
        signer_name=_person(actor),
        signed_at=timezone.now(),
    )


@transaction.atomic
def document_issue(
    *, document: OfficialDocument, actor, batch: IssueBatch | None = None
) -> OfficialDocument:
    """Number, freeze and queue rendering of a signed document (印发)."""
    document = _lock(document)
    _expect(document, DocumentStatus.SIGNED, action=_("印发"))
    unit = document.issuer.unit
    _require_member(actor, unit, None, _("印发"))
    _require_countersigned(document, _("印发"))
    before = _state(document)
    now = timezone.now()
    today = timezone.localdate(now)
    document.issued_on = timezone.localdate(document.signed_at) if document.signed_at else today
    document.year = document.issued_on.year
    document.serial = next_number(
        issuer=document.issuer, series=document.series, year=document.year
    )
    document.number = format_number(
        document.issuer.code, document.series, document.year, document.serial
    )
    document.issued_at = now
    document.print_date = today
    document.verification_code = _new_code()
    document.status = DocumentStatus.ISSUED
    document.render_status = RenderStatus.QUEUED
    document.batch = batch
    document.snapshot = document_snapshot(document)
    document.save()
    audit_record(
        actor=actor,
        action="docs.issue",
        obj=document,
        unit=unit,
        before=before,
        after=_state(document),
    )
    _queue_render(document)
    return document


@transaction.atomic
def document_issue_for_decision(
    *,
    kind: str,
    title: str,
    addressees: list[str],
    body: list[dict],
    actor,
    issuer: Unit | None = None,
    issuers: Sequence[Unit] | None = None,
    signer=None,
    signers: Sequence | None = None,
    cc: Iterable[str] = (),
    attachments: Iterable[dict] = (),
    note: str = "",
    source: models.Model | None = None,
    series: str = "发",
    copy_number: str = "",
    secrecy: str = "",
    secrecy_term: str = "",
    urgency: str = "",
) -> OfficialDocument:
    """For flows: the decision is taken, so draft → 签发 by ``signer`` → number → render,
    in one transaction, one audit row per step. ``signer`` must lead the issuing unit.

    A joint document (联合行文): ``issuers=[lead, co-issuer, …]`` in the order their names
    are printed, and ``signers=[a leader of each]`` in the same order: each co-issuer's
    leader countersigns (会签), then the lead's leader signs off, and the document takes
    the lead's next number. ``issuer=``/``signer=`` alone is the single-issuer call."""
    if (issuer is None) == (issuers is None):
        raise RuleViolation(_("发文机关：须给出 issuer 或 issuers 之一"), field="issuer")
    units = [issuer] if issuer is not None else list(issuers)
    if not units:
        raise RuleViolation(_("发文机关：至少一个发文机关"), field="issuer")
    if signers is None:
        if len(units) > 1:
            raise RuleViolation(
                _("会签：联合行文须按发文机关顺序给出各机关的签发领导（signers）"),
                field="signers",
            )
        signers = [signer]
    signers = list(signers)
    if len(signers) != len(units) or (signer is not None and signer != signers[0]):
        raise RuleViolation(
            _("会签：签发领导须与发文机关一一对应（%(n)d个机关，%(m)d位领导）")
            % {"n": len(units), "m": len(signers)},
            field="signers",
        )
    document = document_create(
        issuer=units[0],
        co_issuers=units[1:],
        kind=kind,
        title=title,
        addressees=addressees,
        body=body,
        actor=actor,
        cc=cc,
        attachments=attachments,
        note=note,
        source=source,
        series=series,
        copy_number=copy_number,
        secrecy=secrecy,
        secrecy_term=secrecy_term,
        urgency=urgency,
    )
    for unit, leader in zip(units[1:], signers[1:], strict=True):
        document_countersign(document=document, actor=leader, unit=unit)
    document = document_sign_off(document=document, actor=signers[0])
    return document_issue(document=document, actor=actor)


def _content_of(value) -> dict:
    """A ``DocumentValue``'s content as the model's fields (lists where the model keeps JSON)."""
    return {
        "kind": value.kind,
        "series": value.series,
        "title": value.title,
        "addressees": list(value.addressees),
        "body": list(value.body),
        "attachments": list(value.attachments),
        "cc": list(value.cc),
    }


def document_issue_value(
    value, *, actor, source: models.Model | None = None, co_signers: Sequence = ()
):
    """Issue a procedure's ``DocumentValue``: ``actor`` (a leader of the lead issuer) signs it
    off; a joint document's ``co_signers`` are a leader of each co-issuer, in order (会签)."""
    return document_issue_for_decision(
        issuers=[value.issuer, *value.co_issuers],
        signers=[actor, *co_signers],
        actor=actor,
        source=source,
        **_content_of(value),
    )


@transaction.atomic
def document_draft_value(value, *, source: models.Model | None = None) -> OfficialDocument:
    """A procedure's ``DocumentValue`` as a draft of the issuing unit, written by the system
    with the procedure's default text: the unit's staff edit it as any draft, its leader
    then signs what they wrote (``document_issue_draft``)."""
    return document_create(
        issuer=value.issuer,
        co_issuers=list(value.co_issuers),
        actor=None,
        source=source,
        **_content_of(value),
    )


def content_digest(document: OfficialDocument) -> str:
    """What a signer saw: a digest of the text, compared when they sign (the draft may have
    been edited since the page was opened)."""
    text = json.dumps(
        [document.title, document.addressees, document.body, document.attachments, document.cc],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def document_issue_draft(
    document: OfficialDocument, *, actor, co_signers: Sequence = (), digest: str | None = None
) -> OfficialDocument:
    """Sign off and issue a draft as it stands: ``actor`` is a leader of the lead issuer;
    ``digest`` (``content_digest`` of the text the leader read) must still match."""
    document = _lock(document)
    if digest is not None and digest != content_digest(document):
        raise Conflict(_("文稿在您核对后已被修改，本次签发未生效。请重新核对后签发。"))
    for co, leader in zip(co_issuers_of(document), co_signers, strict=False):
        if co.countersigned_at is None:
            document_countersign(document=document, actor=leader, unit=co.issuer.unit)
    document = document_sign_off(document=document, actor=actor)
    return document_issue(document=document, actor=actor)


def document_preview_snapshot(value) -> dict:
    """The renderer's input for a value not yet issued: what the PDF will look like, marked
    as a draft (no number, no verification code). Nothing is saved."""
    document = OfficialDocument(issuer=_issuer_of(value.issuer), **_content_of(value))
    co_issuers = [_issuer_of(unit) for unit in value.co_issuers]
    return document_snapshot(document, draft=True, co_issuers=co_issuers)


@transaction.atomic
def document_revoke(*, document: OfficialDocument, actor, reason: str) -> OfficialDocument:
    """作废: the document and its number stay; it shows as revoked everywhere."""
    if not (reason or "").strip():
        raise RuleViolation(_("作废原因：必须填写"), field="reason")
    return _step(
        document,
        actor=actor,
        expect=(DocumentStatus.ISSUED,),
        roles=(Role.LEADER, Role.HEAD),
        what=_("作废"),
        action="docs.revoke",
        note=reason,
        status=DocumentStatus.REVOKED,
        revoked_at=timezone.now(),
        revoked_reason=reason.strip()[:200],
    )


@transaction.atomic
def document_delete_draft(*, document: OfficialDocument, actor) -> None:
    document = _lock(document)
    _expect(document, DocumentStatus.DRAFT, action=_("删除草稿"))
    _require_member(actor, document.issuer.unit, None, _("删除草稿"))
    audit_record(actor=actor, action="docs.delete_draft", obj=document, unit=document.issuer.unit)
    document.delete()


@transaction.atomic
def documents_issue_batch(*, documents: list[OfficialDocument], actor, label: str) -> IssueBatch:
    """Issue many signed documents of one unit at once; progress on the batch page."""
    if not documents:
        raise RuleViolation(_("批量印发：没有可印发的公文"))
    unit = documents[0].issuer.unit
    if any(d.issuer.unit_id != unit.pk for d in documents):
        raise RuleViolation(_("批量印发：一个批次只能包含同一发文机关的公文"))
    _require_member(actor, unit, None, _("批量印发"))
    label = (label or "").strip() or stored(BATCH_LABEL)
    batch = IssueBatch.objects.create(label=label[:200], created_by=actor, unit=unit)
    for document in documents:
        document_issue(document=document, actor=actor, batch=batch)
    audit_record(
        actor=actor,
        action="docs.issue_batch",
        obj=batch,
        unit=unit,
        after={"count": len(documents)},
    )
    return batch


# --- rendering ------------------------------------------------------------------------------
def _queue_render(document: OfficialDocument) -> None:
    from .tasks import render_document

    document_id = document.pk
    transaction.on_commit(lambda: render_document.delay(document_id))


@transaction.atomic
def document_render_retry(*, document: OfficialDocument, actor) -> OfficialDocument:
    """Staff queue the rendering again: after a failure, or when it is stuck (still queued
    DOCS_RENDER_STUCK_SECONDS after it was queued, e.g. its worker was killed)."""
    from .selectors import render_is_stuck

    document = _lock(document)
    if not document.is_issued:
        raise Conflict(_("重新生成失败：公文尚未印发"))
    if document.render_status == RenderStatus.DONE:
        raise Conflict(_("重新生成失败：PDF 已生成"))
    if document.render_status == RenderStatus.QUEUED and not render_is_stuck(document):
        raise Conflict(_("重新生成失败：PDF 正在生成，请稍候再试"))
    _require_member(actor, document.issuer.unit, None, _("重新生成 PDF"))
    document.render_status = RenderStatus.QUEUED
    document.render_error = ""
    document.save(update_fields=["render_status", "render_error", "updated_at"])
    audit_record(actor=actor, action="docs.render_retry", obj=document, unit=document.issuer.unit)
    _queue_render(document)
    return document


def documents_requeue_stuck(*, now=None, limit: int = 500) -> list[int]:
    """Queue the rendering again of every stuck document (``selectors.stuck_renders``):
    its worker died mid-render, and the broker would give the message to another worker
    only after its visibility timeout. A document whose row is locked is being rendered
    right now and is left alone. Restarts each one's clock, so the next run (beat, every
    minute) waits another threshold. Safe to run any number of times: rendering is
    idempotent (one number, one file, one ``docs.rendered`` row)."""
    from .selectors import stuck_renders

    with transaction.atomic():
        documents = list(
            stuck_renders(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("issuer__unit")
            .order_by("pk")[:limit]
        )
        for document in documents:
            document.save(update_fields=["updated_at"])
            audit_record(
                actor=None,
                action="docs.render_requeued",
                obj=document,
                unit=document.issuer.unit,
                note=f"render_attempts={document.render_attempts}",
            )
            _queue_render(document)
    return [d.pk for d in documents]


def signing_parties(document: OfficialDocument) -> list[signing.Party]:
    """Who signs the document's PDF, in order: one signature per issuer, each over its own
    seal (the n-th seal the renderer drew is the n-th issuer's)."""
    issuers = [document.issuer, *(c.issuer for c in co_issuers_of(document))]
    return [signing.Party(unit_code=i.unit.code, name=i.mark_name) for i in issuers]


def document_render(*, document_id: int) -> OfficialDocument | None:
    """Render an issued document's frozen snapshot to its PDF and sign it (PAdES, one
    signature per issuer: docs_gen.signing). Idempotent: a document
    that has its file is left alone; two workers racing are serialised by the row lock.
    A failure is stored on the document (shown to staff, who may retry)."""
    from . import rendering

    try:
        with transaction.atomic():
            document = (
                OfficialDocument.objects.select_for_update()
                .select_related("issuer__unit")
                .filter(pk=document_id)
                .first()
            )
            if document is None or not document.is_issued or document.snapshot is None:
                return document
            if document.render_status == RenderStatus.DONE and document.pdf:
                return document
            started = time.perf_counter()
            pdf, pages, seals = rendering.render_issued(document.snapshot)
            rendered = time.perf_counter()
            # signed inside the same locked, idempotent step: the file stored, its SHA-256
            # and so the verification code's record are those of the signed PDF
            parties = signing_parties(document)
            pdf = signing.sign_pdf(
                pdf,
                parties,
                seals=[signing.SealBox(page, rect) for page, rect in seals],
                reason=f"印发：{document.number}",
                location=verify_url(document.verification_code),
            )
            seconds = round(time.perf_counter() - started, 3)
            sign_seconds = round(time.perf_counter() - rendered, 3)
            digest = hashlib.sha256(pdf).hexdigest()
            name = f"{document.public_id}.pdf"
            # A render killed after writing its file but before its commit left that file
            # behind, unreferenced: replace it rather than store a second copy beside it.
            # (Only a render holding this row's lock writes this name.) On the database
            # storage the file is a row written in this transaction: it commits with the
            # document or not at all.
            path = document.pdf.field.generate_filename(document, name)
            if document.pdf.storage.exists(path):
                document.pdf.storage.delete(path)
            document.pdf.save(name, ContentFile(pdf), save=False)
            document.sha256 = digest
            document.page_count = pages
            document.render_status = RenderStatus.DONE
            document.render_error = ""
            document.render_attempts += 1
            document.rendered_at = timezone.now()
            document.save()
            audit_record(
                actor=None,
                action="docs.rendered",
                obj=document,
                unit=document.issuer.unit,
                after={
                    "sha256": digest,
                    "pages": pages,
                    "seconds": seconds,
                    "sign_seconds": sign_seconds,
                    "signatures": [p.name for p in parties],
                },
            )
            return document
    except Exception as exc:  # noqa: BLE001 - any failure is stored for staff to see
        with transaction.atomic():
            OfficialDocument.objects.filter(pk=document_id).update(
                render_status=RenderStatus.FAILED,
                render_error=f"{type(exc).__name__}: {exc}"[:2000],
                render_attempts=models.F("render_attempts") + 1,
            )
            document = OfficialDocument.objects.filter(pk=document_id).first()
            if document is not None:
                audit_record(
                    actor=None,
                    action="docs.render_failed",
                    obj=document,
                    unit=document.issuer.unit,
                    note=str(exc)[:500],
                )
        return document
