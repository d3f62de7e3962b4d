"""What another app hands docs_gen to issue a document: a typed value, not a loose dict.

A procedure builds a ``DocumentValue`` from its decision; docs_gen previews it
(``services.document_preview_snapshot`` → the same renderer as the PDF) and,
when the decision is taken, issues it (``services.document_issue_value``):
draft → 签发 → number → render, in the caller's transaction.
"""

from dataclasses import dataclass, field

from workflows.models import Unit


@dataclass(frozen=True)
class DocumentValue:
    kind: str  # a DocumentKind value: reply, notice, decision, bulletin …
    issuer: Unit  # the issuing unit (a registered 机关代字); the lead one of a joint document
    title: str
    addressees: tuple[str, ...]  # 主送机关
    # blocks: {"type": "paragraph", "text"} | {"type": "heading", "level", "text"}
    #       | {"type": "table", "header": [...], "rows": [[...]]}  (docs_gen.text.validate_blocks)
    body: tuple[dict, ...]
    cc: tuple[str, ...] = ()  # 抄送机关
    attachments: tuple[dict, ...] = ()  # {"title": …} of each 附件
    co_issuers: tuple[Unit, ...] = field(default=())  # 联合行文: the other issuing units
    series: str = "发"
