from django.utils.translation import gettext as _

from workflows.inbox import InboxRow

from .selectors import failed_renders_for, pending_countersign_for, pending_signoff_for


def document_inbox(user) -> list[InboxRow]:
    # 签发 and 会签 are passed on to a substitute (the page acts through ?on_behalf, the
    # step's role still checked: workflows.delegation.check_delegated_step); a failed render
    # is anyone's of the unit to retry, so it is not passed on (delegable=False)
    rows = [
        InboxRow(
            title=_("签发公文"),
            subject=d.title,
            url=f"/docs/{d.public_id}/",
            unit=d.issuer.unit.name,
            since=d.updated_at,
            status=_("待签发"),
        )
        for d in pending_signoff_for(user)[:50]
    ]
    rows += [
        InboxRow(
            title=_("会签公文"),
            subject=c.document.title,
            url=f"/docs/{c.document.public_id}/",
            unit=c.issuer.unit.name,
            since=c.document.updated_at,
            status=_("待会签"),
        )
        for c in pending_countersign_for(user).order_by("document__updated_at")[:50]
    ]
    rows += [
        InboxRow(
            title=_("公文 PDF 生成失败"),
            subject=f"{d.number} {d.title}",
            url=f"/docs/{d.public_id}/",
            unit=d.issuer.unit.name,
            delegable=False,
            since=d.updated_at,
            status=_("待重试"),
            light="red",
        )
        for d in failed_renders_for(user)[:50]
    ]
    return rows
