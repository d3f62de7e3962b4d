"""Structured text ↔ body blocks, for the draft form and for the plan's own text.

Paragraphs are separated by blank lines. A paragraph that starts with 一、 /
（一） / 1. / （1） is a heading of level 1..4; when a level-1 or level-2 heading
runs on into text after its first 。 the rest stays in the same paragraph in the
body face ("（一）共享财政政策。按照……"). A paragraph of lines with "|" is a table:
the first line is the header.
"""

import re

from django.utils.translation import gettext as _

HEADING_PATTERNS = (
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十]+）")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^（\d+）")),
)


def heading_level(text: str) -> int | None:
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return None


def paragraph_block(text: str) -> dict:
    text = text.strip()
    level = heading_level(text)
    if level is None:
        return {"type": "paragraph", "text": text}
    if level in (1, 2):
        head, sep, rest = text.partition("。")
        if sep and rest:
            return {"type": "heading", "level": level, "text": head + sep, "rest": rest}
    return {"type": "heading", "level": level, "text": text}


def blocks_from_text(text: str) -> list[dict]:
    blocks: list[dict] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all("|" in line for line in lines) and len(lines) >= 2:
            cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
            blocks.append({"type": "table", "header": cells[0], "rows": cells[1:]})
            continue
        blocks.append(paragraph_block("".join(lines)))
    return blocks


def text_from_blocks(blocks: list[dict]) -> str:
    out = []
    for block in blocks or []:
        if block.get("type") == "table":
            rows = [block.get("header") or [], *(block.get("rows") or [])]
            out.append(
                "\n".join(" | ".join("" if c is None else str(c) for c in row) for row in rows)
            )
        else:
            out.append((block.get("text") or "") + (block.get("rest") or ""))
    return "\n\n".join(out)


def attachments_from_text(text: str) -> list[dict]:
    """Attachments in the draft form: each starts with a line "附件：标题"."""
    attachments: list[dict] = []
    current: dict | None = None
    body_lines: list[str] = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        match = re.match(r"^\s*附件[:：]\s*(.+)$", line)
        if match:
            if current is not None:
                current["body"] = blocks_from_text("\n".join(body_lines))
                attachments.append(current)
            current, body_lines = {"title": match.group(1).strip()}, []
        elif current is not None:
            body_lines.append(line)
    if current is not None:
        current["body"] = blocks_from_text("\n".join(body_lines))
        attachments.append(current)
    return attachments


def text_from_attachments(attachments: list[dict]) -> str:
    return "\n\n".join(
        f"附件：{a['title']}\n{text_from_blocks(a.get('body') or [])}" for a in attachments or []
    )


def validate_blocks(blocks, *, field: str | None = None) -> list[str]:
    """Error messages for malformed blocks, in the reader's language (empty: fine)."""
    errors = []
    if not isinstance(blocks, list | tuple):
        return [_("%(field)s 必须是块的列表") % {"field": field or _("正文")}]
    for i, block in enumerate(blocks, start=1):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "paragraph":
            if not str(block.get("text", "")).strip():
                errors.append(_("第%(i)s段为空") % {"i": i})
        elif kind == "heading":
            if block.get("level") not in (1, 2, 3, 4):
                errors.append(_("第%(i)s块：标题层级须为1至4") % {"i": i})
            if not str(block.get("text", "")).strip():
                errors.append(_("第%(i)s块：标题为空") % {"i": i})
        elif kind == "table":
            header = block.get("header") or []
            rows = block.get("rows") or []
            if any(len(r) != len(header) for r in rows) and header:
                errors.append(_("第%(i)s块：表格各行的列数须与表头一致") % {"i": i})
        else:
            errors.append(
                _("第%(i)s块：未知类型 %(kind)r（可用 paragraph、heading、table）")
                % {"i": i, "kind": kind}
            )
    return errors
