"""Official documents as HTML and PDF, laid out to GB/T 9704-2012 (docs/GBT9704.md).

Pure: ``render_html(snapshot)`` and ``render_pdf(snapshot)`` take a plain dict and
return text or bytes; no database, no clock. The same snapshot gives the same
bytes, so a document's SHA-256 can be checked by anyone who holds the file.

Snapshot keys (all strings unless said):
  mark          the red issuer mark, e.g. "台州市教育局文件"
  number        "台教发〔2024〕3号", or "" for a draft (the line then reads "〔待编号〕")
  signer        name of the 签发人 (upward documents only) or ""
  upward        bool: 上行文, the number on the left and 签发人 on the right of one line
                (a draft without a signer yet reads "签发人：〔待签发〕")
  copy_number   份号 ("000001") or ""; secrecy 密级和保密期限 ("秘密★1年") or "";
  urgency       紧急程度 ("特急", "加急") or "": top left of the text block, one a line in
                that order above the mark (§7.2); absent ones take no line. In a 信函
                they stand under the upper double line, the first on the number's line
  title         title; "\\n" forces a line break, otherwise it is broken between words into
                a trapezoid or diamond (docs_gen.titles)
  names         [str] names no title line may split (units and schools of the registry);
                the issuer, addressees, 抄送 and 印发机关 are protected as well
  addressees    [str] 主送机关
  body          [block]; block = {"type": "paragraph", "text"}
                | {"type": "heading", "level": 1..4, "text", "rest"?}  (rest: run-in text)
                | {"type": "table", "header": [str], "rows": [[str]], "widths"?: [int %],
                   "nowrap"?: [column index]}
  enclosures    [{"title", "body": [block]}] documents printed by this one (印发 notices):
                each starts a page after the signature; the 附件说明 then follows the
                last enclosure, as in the plan itself
  attachments   [{"title", "body": [block]}] 附件, each on a new page before the 版记
  issuer_name   署名; date "YYYY-MM-DD" 成文日期; seal bool
  joint         [str] 联合行文: every issuer's name in order, the lead (主办机关) first, or
                absent for one issuer. The red mark then stacks the names, "文件" (when
                ``mark`` ends with it) to their right, centred on them (§7.2.4); the
                signature sets one name and one seal per issuer in aligned rows, the last
                seal pressing its name and the date (§7.3.5.1). ``number`` stays the
                lead's one number
  note          附注 without brackets, or ""
  cc            [str] 抄送; printer 印发机关; print_date "YYYY-MM-DD"
  verification  {"code", "url"} or None: the QR code and code under the 版记
  draft         bool: a grey "草稿" band in the top margin, no seal
"""

import atexit
import os
import re
import threading
from datetime import date
from html import escape
from pathlib import Path

import segno

from .drawing import outlined_text, seal_svg
from .titles import title_lines

MM = 72 / 25.4  # pt per mm
PAGE_W, PAGE_H = 210 * MM, 297 * MM
TOP, LEFT, TEXT_W, TEXT_H = 37 * MM, 28 * MM, 156 * MM, 225 * MM
LINE = TEXT_H / 22  # 28.99 pt: 22 lines per page
PITCH = TEXT_W / 28  # 15.79 pt: 28 characters per line
BODY = 16.0  # 三号
TITLE = 22.0  # 二号
SMALL = 14.0  # 四号: 版记 and page numbers
TRACKING = PITCH - BODY - 0.005  # a hair under, so 28 characters always fit
RED = "#ff0000"
SEAL_MM = 42.0

DEFAULT_FONTS = {
    # role: (CSS families in fallback order, weight); Pango falls back per character
    # role: (CSS families in fallback order, weight, drop). Pango falls back per
    # character. ``drop`` (em) is how far below the em box a face's glyph box sits
    # (Noto CJK's tall ascent): measured with pdfplumber, compensated so every
    # element lands on its GB/T 9704 position whatever the face.
    "title": (["Noto Serif CJK SC"], 700, 0.2205),  # 方正小标宋简体 substitute
    "mark": (["Noto Serif CJK SC"], 700, 0.2205),
    "body": (["FandolFang", "Noto Serif CJK SC"], 400, 0.0),  # 仿宋_GB2312 substitute
    "hei": (["Noto Sans CJK SC"], 400, 0.2205),  # 黑体
    "kai": (["AR PL KaitiM GB", "FandolKai", "Noto Serif CJK SC"], 400, 0.0),  # 楷体_GB2312
    "song": (["Noto Serif CJK SC"], 400, 0.2205),  # 宋体: page numbers
    # font files drawn as outlines (seal, verification code): (path, index in .ttc)
    "seal_file": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "code_file": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
}

NUMBER_RE = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")
CN_DIGITS = "一二三四五六七八九十"


def cn_date(iso: str) -> str:
    """2022-04-08 -> 2022年4月8日 (Arabic numerals, no zero padding)."""
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _family(fonts, role) -> str:
    families, weight, _drop = fonts[role]
    names = ", ".join(f'"{f}"' for f in families)
    return f"font-family: {names}, serif; font-weight: {weight};"


# --- title breaking: docs_gen.titles (words kept whole, names never split) ----------
def protected_names(snapshot: dict) -> list[str]:
    """Names a title line must not split: those the caller supplies (snapshot "names":
    units and schools of the registry), the issuer, the addressees, the 抄送 and the
    印发机关."""
    mark = snapshot.get("mark") or ""
    names = [
        *(snapshot.get("names") or []),
        *(snapshot.get("joint") or []),
        snapshot.get("issuer_name") or "",
        mark.removesuffix("文件"),
        snapshot.get("printer") or "",
        *(snapshot.get("addressees") or []),
        *(snapshot.get("cc") or []),
    ]
    return sorted({n for n in names if n})


def _title_html(title: str, snapshot: dict) -> str:
    return "".join(
        f"<p>{_text(line)}</p>" for line in title_lines(title, names=protected_names(snapshot))
    )


# --- blocks -----------------------------------------------------------------------
def _text(s: str) -> str:
    return escape(s or "")


def _block_html(block: dict) -> str:
    kind = block.get("type")
    if kind == "heading":
        level = int(block.get("level", 1))
        rest = block.get("rest") or ""
        rest_html = f'<span class="run-in">{_text(rest)}</span>' if rest else ""
        # a heading that runs on into its text ("（一）学分互认。试点院校……") or is a
        # sentence of its own ("一、同意你校……牌子。") stands alone: only a bare heading
        # ("一、工作任务") keeps to the text after it
        sentence = block["text"].rstrip().endswith(("。", "！", "？", "；"))
        bare = "" if rest or sentence else " bare"
        return (
            f'<p class="h h{level}{bare}"><span class="ht">{_text(block["text"])}</span>'
            f"{rest_html}</p>"
        )
    if kind == "table":
        header = block.get("header") or []
        widths = block.get("widths") or []
        nowrap = set(block.get("nowrap") or [])
        cols = "".join(f'<col style="width:{w}%">' for w in widths)
        head = "".join(f"<th>{_text(h)}</th>" for h in header)
        rows = block.get("rows") or []
        # a cell that is None continues the cell above (rowspan), as the plan's
        # 主要举措 column does
        html_rows = []
        for r, row in enumerate(rows):
            cells = []
            for col, cell in enumerate(row):
                if cell is None:
                    continue
                span = 1
                while (
                    r + span < len(rows)
                    and col < len(rows[r + span])
                    and rows[r + span][col] is None
                ):
                    span += 1
                attr = f' rowspan="{span}"' if span > 1 else ""
                if col in nowrap:
                    attr += ' class="nw"'
                cells.append(f"<td{attr}>{_text(str(cell))}</td>")
            html_rows.append("<tr>" + "".join(cells) + "</tr>")
        rows = "".join(html_rows)
        thead = f"<thead><tr>{head}</tr></thead>" if header else ""
        return f'<table class="grid">{cols}{thead}<tbody>{rows}</tbody></table>'
    return f"<p>{_text(block.get('text', ''))}</p>"


def _attachment_note(attachments: list[dict]) -> str:
    if not attachments:
        return ""
    if len(attachments) == 1:
        items = [f"附件：{_text(attachments[0]['title'])}"]
    else:
        items = [
            ("附件：" if i == 1 else "") + f"{i}.{_text(a['title'])}"
            for i, a in enumerate(attachments, start=1)
        ]
    lines = "".join(
        f'<p class="att-item{" first" if i == 0 else ""}">{item}</p>'
        for i, item in enumerate(items)
    )
    return f'<div class="att-note">{lines}</div>'


def _date_width(when: str) -> float:
    return sum(BODY / 2 if ch.isdigit() else BODY for ch in when) + len(when) * TRACKING


def _signature(snapshot: dict, fonts) -> str:
    if len(snapshot.get("joint") or []) > 1:
        return _joint_signature(snapshot, fonts)
    name = snapshot.get("issuer_name") or ""
    when = cn_date(snapshot["date"]) if snapshot.get("date") else ""
    seal = ""
    if snapshot.get("seal") and name and not snapshot.get("draft"):
        svg = seal_svg(name, font_spec=tuple(fonts["seal_file"]), diameter_mm=SEAL_MM)
        seal = f'<div class="seal">{svg}</div>'
    # the date keeps a 4-character right indent; the name is centred over the date
    # unless it is so long that it would cross the text block's right edge
    date_w = _date_width(when)
    name_w = len(name) * BODY  # .sign-name has no tracking
    centre_from_right = 4 * PITCH + date_w / 2
    if centre_from_right < name_w / 2:
        centre_from_right = name_w / 2
    return (
        f'<div class="sign" style="--c:{centre_from_right:.2f}pt">'
        f'<div class="sign-anchor" style="right:{centre_from_right:.2f}pt">'
        f"{seal}"
        f'<div class="sign-name">{_text(name)}</div>'
        f'<div class="sign-date">{_text(when)}</div>'
        "</div></div>"
    )


# --- joint documents (联合行文) ---------------------------------------------------------
SEAL_PT = SEAL_MM * MM
SEAL_GAP = 3 * MM  # seals side by side stay at least this far apart: never touching
ROW_LINES = 5  # rows of seals 5 lines apart: 42 mm seals with 9 mm between the rows
MAX_SEALS_A_ROW = 4


def joint_signature_layout(names: list[str], when: str) -> tuple[list[list[int]], list[float]]:
    """Where the seals of a joint document go (GB/T 9704 §7.3.5.1): the issuers' names
    (and seals) in order, left to right and top to bottom, in rows as full as the text
    block allows, the columns aligned across rows and counted from the right; the last
    issuer ends the last row, its seal on its name and the date, which keeps the date's
    4-character right indent. Two neighbours are a seal and 3 mm apart at least, and
    their names two characters apart; no seal or name runs past the text block.

    Returns (rows of indexes into ``names``, centre of each column in pt from the text
    block's right edge, column 0 the rightmost)."""
    widths = [len(n) * BODY for n in names]
    date_w = _date_width(when)
    for cols in range(min(len(names), MAX_SEALS_A_ROW), 0, -1):
        rows = [list(range(i, min(i + cols, len(names)))) for i in range(0, len(names), cols)]
        spacing = [0.0] * cols  # spacing[j]: from column j to column j + 1
        for row in rows:
            for i in range(len(row) - 1):
                j = len(row) - 2 - i  # the column of row[i + 1]
                need = max(SEAL_PT + SEAL_GAP, (widths[row[i]] + widths[row[i + 1]]) / 2 + 2 * BODY)
                spacing[j] = max(spacing[j], need)
        centre = max(4 * PITCH + date_w / 2, SEAL_PT / 2, *(widths[row[-1]] / 2 for row in rows))
        centres = [centre]
        for j in range(cols - 1):
            centres.append(centres[-1] + spacing[j])
        reach = max(
            centres[len(row) - 1 - i] + max(widths[k], SEAL_PT) / 2
            for row in rows
            for i, k in enumerate(row)
        )
        if reach <= TEXT_W + 0.01 or cols == 1:
            # what room is left goes half into the gaps, evenly: the names stand apart
            # and the row stays clear of the left edge
            spare = max(TEXT_W - reach, 0) / 2 / max(cols - 1, 1)
            return rows, [c + j * spare for j, c in enumerate(centres)]
    raise AssertionError("unreachable")


def _joint_signature(snapshot: dict, fonts) -> str:
    names = list(snapshot["joint"])
    when = cn_date(snapshot["date"]) if snapshot.get("date") else ""
    rows, centres = joint_signature_layout(names, when)
    sealed = snapshot.get("seal") and not snapshot.get("draft")
    parts = []
    for r, row in enumerate(rows):
        for i, k in enumerate(row):
            seal = ""
            if sealed:
                svg = seal_svg(names[k], font_spec=tuple(fonts["seal_file"]), diameter_mm=SEAL_MM)
                seal = f'<div class="seal">{svg}</div>'
            last = k == len(names) - 1
            date = f'<div class="sign-date">{_text(when)}</div>' if last else ""
            parts.append(
                f'<div class="sign-anchor" style="right:{centres[len(row) - 1 - i]:.2f}pt;'
                f'top:{r * ROW_LINES * LINE:.3f}pt;height:{3 * LINE:.3f}pt">'
                f'{seal}<div class="sign-name">{_text(names[k])}</div>{date}</div>'
            )
    height = (len(rows) - 1) * ROW_LINES * LINE + 3 * LINE
    if snapshot.get("note") and len(rows[-1]) > 1:
        # the 附注 starts flush left under the date's line: a seal left of the date's
        # would cover it, so it goes one line lower, clear of the seals
        height += LINE
    return f'<div class="sign joint" style="height:{height:.3f}pt">{"".join(parts)}</div>'


def joint_mark_metrics(names: list[str], suffix: str) -> dict:
    """Sizes of a joint red mark: the names stacked in one size, each spread to the
    longest one's width (分散对齐), the suffix ("文件") to their right 1.3 times as large;
    as large as fits the text block up to 36 pt, at least 22 pt, narrowed below that."""
    longest = max(len(n) for n in names)
    ratio, gap = (1.3, 0.5) if suffix else (0.0, 0.0)
    fit = 0.96 * TEXT_W / (longest + gap + len(suffix) * ratio)
    size, scale = (min(36.0, fit), 1.0) if fit >= 22 else (22.0, fit / 22)
    return {
        "size": size,
        "suffix_size": size * ratio,
        "pitch": 1.25 * size,  # baseline to baseline of the stacked names
        "names_width": longest * size,
        "gap": gap * size,
        "scale": scale,
    }


def _joint_mark_html(names: list[str], suffix: str, fonts) -> str:
    """The red mark of a joint document (GB/T 9704 §7.2.4): the issuers' names stacked,
    the lead first, "文件" to their right, centred vertically on the stack; its top edge
    35 mm below the text block's top, centred on the text block."""
    m = joint_mark_metrics(names, suffix)
    size, big, pitch = m["size"], m["suffix_size"], m["pitch"]
    height = (len(names) - 1) * pitch + size
    width = m["names_width"] + m["gap"] + len(suffix) * big
    left = (TEXT_W - width) / 2
    drop = fonts["mark"][2]
    lines = []
    for k, name in enumerate(names):
        chars = "".join(f"<span>{_text(ch)}</span>" for ch in name)
        lines.append(
            f'<div class="jm-name" style="left:{left:.2f}pt;top:{k * pitch - drop * size:.2f}pt;'
            f'width:{m["names_width"]:.2f}pt;font-size:{size:.2f}pt;height:{size:.2f}pt">'
            f"{chars}</div>"
        )
    if suffix:
        top = height / 2 - big / 2 - drop * big
        lines.append(
            f'<div class="jm-suffix" style="left:{left + m["names_width"] + m["gap"]:.2f}pt;'
            f'top:{top:.2f}pt;font-size:{big:.2f}pt;height:{big:.2f}pt">{_text(suffix)}</div>'
        )
    transform = ""
    if m["scale"] < 1:
        transform = f"transform:scaleX({m['scale']:.4f});transform-origin:50% 0;"
    return (
        f'<div class="mark joint-mark" style="height:{height:.2f}pt;{transform}">'
        f"{''.join(lines)}</div>"
    )


def _colophon(snapshot: dict, fonts) -> str:
    cc = snapshot.get("cc") or []
    printer = snapshot.get("printer") or ""
    print_date = snapshot.get("print_date") or ""
    if not (cc or printer):
        return ""
    parts = ['<div class="rule thick"></div>']
    if cc:
        parts.append(f'<div class="cc"><span>抄送：</span>{_text("，".join(cc))}。</div>')
        parts.append('<div class="rule thin"></div>')
    parts.append(
        '<div class="printed">'
        f'<span class="printer">{_text(printer)}</span>'
        f'<span class="pdate">{_text(cn_date(print_date) if print_date else "")}印发</span></div>'
    )
    parts.append('<div class="rule thick last"></div>')
    verification = snapshot.get("verification")
    if verification:
        qr = segno.make(verification["url"], error="m")
        qr_uri = qr.svg_data_uri(scale=1, border=0, dark="#000")
        code_svg = outlined_text(
            "验证码 " + verification["code"],
            font_spec=tuple(fonts["code_file"]),
            size=7.5,
            fill="#000",
        )
        parts.append(
            '<div class="verify">'
            f'<img class="qr" src="{qr_uri}" alt="">'
            f'<span class="vcode">{code_svg}</span></div>'
        )
    return f'<div class="colophon">{"".join(parts)}</div>'


def _drop(fonts, role, size) -> float:
    return fonts[role][2] * size


def _font_faces(fonts) -> str:
    return "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{Path(path).as_uri()}"); }}\n'
        for family, weight, path in fonts.get("faces", ())
    )


def _css(fonts) -> str:
    hl_body = (LINE - BODY) / 2  # half-leading of a 16 pt line of 28.99 pt
    hl_title = (LINE - TITLE) / 2
    return (
        _font_faces(fonts)
        + f"""
@page {{
  size: 210mm 297mm;
  margin: 37mm 26mm 35mm 28mm;
  @footnote {{ margin: 0; padding: 0; border: 0; max-height: 100%; }}
}}
@page :right {{
  @bottom-right {{ content: "— " counter(page) " —"; {_family(fonts, "song")}
    font-size: {SMALL}pt; line-height: 1; vertical-align: top;
    padding-top: {7 * MM - _drop(fonts, "song", SMALL):.2f}pt; padding-right: {SMALL}pt; }}
}}
@page :left {{
  @bottom-left {{ content: "— " counter(page) " —"; {_family(fonts, "song")}
    font-size: {SMALL}pt; line-height: 1; vertical-align: top;
    padding-top: {7 * MM - _drop(fonts, "song", SMALL):.2f}pt; padding-left: {SMALL}pt; }}
}}
@page draft, banji-draft {{
  @top-center {{ content: "草稿 · 未签发"; color: #9a9a9a; {_family(fonts, "hei")}
    font-size: 12pt; vertical-align: middle; }}
}}
/* GB/T 9704 §7.5: no page number on a blank page, nor on the 版记 page after one */
@page :blank {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
@page banji, banji-draft {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
html {{ {_family(fonts, "body")} font-size: {BODY}pt; line-height: {LINE:.4f}pt; color: #000; }}
body {{ margin: 0; }}
.draft {{ page: draft; }}
p {{ margin: 0; text-indent: {2 * PITCH:.3f}pt; text-align: justify;
  letter-spacing: {TRACKING:.3f}pt; orphans: 1; widows: 1; }}
.head {{ padding-top: 35mm; position: relative; }}
.flags {{ position: absolute; top: 0; left: 0; width: 100%; }}
.flags p {{ text-indent: 0; text-align: left; letter-spacing: 0; white-space: nowrap; }}
.flags .flag span {{ {_family(fonts, "hei")} position: relative;
  top: -{_drop(fonts, "hei", BODY):.3f}pt; }}
.mark {{ {_family(fonts, "mark")} color: {RED}; text-align: center; white-space: nowrap;
  line-height: 1; margin: 0; text-indent: 0; letter-spacing: 0; position: relative; }}
.joint-mark {{ width: 100%; }}
.jm-name, .jm-suffix {{ position: absolute; line-height: 1; white-space: nowrap; }}
.jm-name {{ display: flex; justify-content: space-between; }}
.jm-name span:only-child {{ margin: 0 auto; }}
.number {{ text-align: center; text-indent: 0; line-height: {BODY}pt;
  margin-top: {2 * LINE:.3f}pt; letter-spacing: 0; }}
.number-up {{ display: flex; justify-content: space-between; line-height: {BODY}pt;
  margin-top: {2 * LINE:.3f}pt; padding: 0 {PITCH:.3f}pt; }}
.number-up .kai {{ {_family(fonts, "kai")} }}
.redline {{ height: 1pt; background: {RED}; margin-top: 4mm; }}
.title {{ {_family(fonts, "title")} font-size: {TITLE}pt; text-align: center; text-indent: 0;
  letter-spacing: 0; margin-top: {2 * LINE - hl_title:.3f}pt; }}
.title p, .att-title p, .enc-title p {{ text-indent: 0; text-align: center; letter-spacing: 0;
  position: relative; top: -{_drop(fonts, "title", TITLE):.3f}pt; }}
/* a heading keeps its text, and a heading of two lines is not split over two pages */
.h.bare {{ break-after: avoid; page-break-after: avoid; break-inside: avoid;
  page-break-inside: avoid; }}
.h1 .ht, .att-label {{ position: relative; top: -{_drop(fonts, "hei", BODY):.3f}pt; }}
.h2 .ht {{ position: relative; top: -{_drop(fonts, "kai", BODY):.3f}pt; }}
.to {{ text-indent: 0; margin-top: {LINE - hl_title - hl_body:.3f}pt; }}
.no-to {{ height: {LINE - hl_title - hl_body:.3f}pt; }}
.h1 .ht {{ {_family(fonts, "hei")} }}
.h2 .ht {{ {_family(fonts, "kai")} }}
.att-note {{ margin-top: {LINE:.3f}pt; }}
.att-item {{ text-indent: 0; padding-left: {5 * PITCH:.3f}pt; }}
.att-item.first {{ text-indent: {-3 * PITCH:.3f}pt; }}
.sign {{ position: relative; height: {3 * LINE:.3f}pt; break-before: avoid;
  page-break-before: avoid; break-inside: avoid; }}
.sign-anchor {{ position: absolute; top: 0; width: 0; height: 100%; }}
.sign-name, .sign-date {{ position: absolute; left: -220pt; width: 440pt; text-align: center;
  white-space: nowrap; letter-spacing: 0; }}
.sign-name {{ top: {LINE:.3f}pt; }}
.sign-date {{ top: {2 * LINE:.3f}pt; }}
.seal {{ position: absolute; left: -{SEAL_MM / 2}mm; top: {2 * LINE - 8 - SEAL_MM * MM / 2:.3f}pt;
  width: {SEAL_MM}mm; height: {SEAL_MM}mm; z-index: 2; opacity: 0.92; }}
.seal svg {{ width: {SEAL_MM}mm; height: {SEAL_MM}mm; display: block; }}
.note {{ margin-top: 0; }}
/* the closing keeps to the body's last line: no page starts with the 附件说明 or seal */
.closing {{ break-inside: avoid; page-break-inside: avoid; break-before: avoid;
  page-break-before: avoid; }}
.attachment, .enclosure {{ break-before: page; }}
.back-page {{ break-before: left; page-break-before: left; }}
.att-label {{ {_family(fonts, "hei")} text-indent: 0; }}
.att-title, .enc-title {{ {_family(fonts, "title")} font-size: {TITLE}pt; text-align: center;
  text-indent: 0; letter-spacing: 0; }}
.att-title {{ margin-top: {LINE:.3f}pt; margin-bottom: {LINE:.3f}pt; }}
.enc-title {{ margin-bottom: {LINE:.3f}pt; }}
table.grid {{ width: 100%; border-collapse: collapse; margin: {LINE / 2:.3f}pt 0;
  font-size: {SMALL}pt; line-height: 1.45; }}
table.grid th {{ {_family(fonts, "hei")} font-size: {SMALL}pt; }}
table.grid th, table.grid td {{ border: 0.75pt solid #000; padding: 2pt 3pt;
  vertical-align: middle; text-align: left; }}
table.grid td:first-child, table.grid th {{ text-align: center; }}
table.grid td.nw {{ white-space: nowrap; }}
.colophon {{ float: footnote; font-size: {SMALL}pt; line-height: {LINE:.4f}pt;
  position: relative; }}
::footnote-call {{ content: none; }}
::footnote-marker {{ content: none; }}
.rule {{ background: #000; }}
.rule.thick {{ height: {0.35 * MM:.3f}pt; }}
.rule.thin {{ height: {0.25 * MM:.3f}pt; }}
.cc {{ padding: 0 {SMALL}pt 0 {SMALL + 3 * SMALL:.2f}pt; text-indent: {-3 * SMALL:.2f}pt; }}
.printed {{ display: flex; justify-content: space-between; padding: 0 {SMALL}pt; }}
.verify {{ position: absolute; left: 50%; top: 100%; margin-left: -9mm; margin-top: 3mm;
  width: 60mm; height: 18mm; }}
.verify .qr {{ width: 14mm; height: 14mm; display: inline-block; }}
.verify .vcode {{ display: inline-block; vertical-align: bottom; margin-left: 2mm; }}
"""
    )


def _body_html(blocks: list[dict]) -> str:
    return "".join(_block_html(b) for b in blocks or [])


def configured_fonts() -> dict:
    """DEFAULT_FONTS with a licensed deployment's faces first (settings.DOCS_FONT_OVERRIDES,
    role -> family); the free faces stay behind them as per-character fallback."""
    try:
        from django.conf import settings

        overrides = getattr(settings, "DOCS_FONT_OVERRIDES", {}) or {}
    except Exception:  # noqa: BLE001 - outside Django: the defaults
        overrides = {}
    fonts = dict(DEFAULT_FONTS)
    # the GB 2312 cuts of Noto (docs_gen.fontcache) go first: same outlines, far
    # smaller PDFs; the full faces stay behind them for rare characters
    from .fontcache import ensure_cuts

    faces = []
    for role, (family, weight, path) in ensure_cuts().items():
        faces.append((family, weight, str(path)))
        for target in (role, "mark") if role == "title" else (role,):
            families, w, drop = fonts[target]
            fonts[target] = ([family, *families], w, drop)
    # the rare-character faces, with FandolFang's line metrics, right behind the body and
    # Kai faces: characters they lack keep their neighbours' baseline and boxes. The Kai
    # role tries the Kai one (AR PL UKai) before the Song one, so a rare character in a
    # 签发人's name or a level-2 heading stays Kai
    from .fontcache import ensure_fallbacks

    fallbacks = ensure_fallbacks()
    for role, targets in (("kai_rare", ("kai",)), ("rare", ("body", "kai"))):
        if role not in fallbacks:
            continue
        family, weight, path = fallbacks[role]
        faces.append((family, weight, str(path)))
        for target in targets:
            families, w, drop = fonts[target]
            fonts[target] = ([*families[:-1], family, families[-1]], w, drop)
    fonts["faces"] = faces
    for role, family in overrides.items():
        families, weight, drop = fonts[role]
        fonts[role] = ([family, *families], weight, drop)
    return fonts


def render_html(snapshot: dict, *, fonts: dict | None = None, back_page: bool = False) -> str:
    """The document as a standalone HTML page (preview, and the PDF's source).

    ``back_page``: the 版记 goes to the foot of the next even page of its own, with no
    page number (render_document decides when, from the first layout)."""
    fonts = {**configured_fonts(), **(fonts or {})}
    mark = snapshot.get("mark") or ""
    mark_size, mark_scale = mark_metrics(mark)
    number = snapshot.get("number") or "〔待编号〕"
    signer = snapshot.get("signer") or ""
    if snapshot.get("upward") and not signer:
        signer = "〔待签发〕"
    if signer:
        number_html = (
            f'<div class="number-up"><span>{_text(number)}</span>'
            f'<span>签发人：<span class="kai">{_text(signer)}</span></span></div>'
        )
    else:
        number_html = f'<p class="number">{_text(number)}</p>'
    lines = _title_html(snapshot.get("title", ""), snapshot)
    addressees = snapshot.get("addressees") or []
    # no 主送机关 (a 公示): the body keeps the blank line under the title all the same
    to_html = (
        f'<p class="to">{_text("，".join(addressees))}：</p>'
        if addressees
        else '<div class="no-to"></div>'
    )
    note_html = f'<p class="note">（{_text(snapshot["note"])}）</p>' if snapshot.get("note") else ""

    if snapshot.get("format") == "letter":
        return _letter_html(
            snapshot,
            fonts,
            _mark_html(mark, mark_size, mark_scale, fonts),
            number,
            lines,
            to_html,
            note_html,
            back_page,
        )
    joint = list(snapshot.get("joint") or [])
    if len(joint) > 1:
        suffix = "文件" if mark.endswith("文件") else ""
        mark_html = _joint_mark_html(joint, suffix, fonts)
    else:
        mark_html = _mark_html(mark, mark_size, mark_scale, fonts)
    main = [
        '<div class="head">',
        _flags_html(snapshot),
        mark_html,
        number_html,
        '<div class="redline"></div>',
        "</div>",
    ]
    main += _after_header(snapshot, fonts, lines, to_html, note_html, back_page)
    return _page(snapshot, fonts, main)


def _flags_html(snapshot: dict) -> str:
    """份号, 密级和保密期限 and 紧急程度 (GB/T 9704 §7.2): flush left on the text block's
    first lines, one a line in that order, inside the 35 mm above the mark; a missing one
    takes no line. 份号 in the body face's digits, the other two in 黑体."""
    lines = []
    if snapshot.get("copy_number"):
        lines.append(f'<p class="copy-no">{_text(snapshot["copy_number"])}</p>')
    for key in ("secrecy", "urgency"):
        if snapshot.get(key):
            lines.append(f'<p class="flag {key}"><span>{_text(snapshot[key])}</span></p>')
    return f'<div class="flags">{"".join(lines)}</div>' if lines else ""


def _after_header(snapshot, fonts, lines, to_html, note_html, back_page=False) -> list[str]:
    attachments = snapshot.get("attachments") or []
    enclosures = snapshot.get("enclosures") or []
    main = [
        f'<div class="title">{lines}</div>',
        to_html,
        _body_html(snapshot.get("body")),
        # the signature, its seal and the 附注 never part: no page carries a seal alone
        '<div class="closing">',
        "" if enclosures else _attachment_note(attachments),
        _signature(snapshot, fonts),
        note_html,
        "</div>",
    ]
    for enclosure in enclosures:
        main.append(
            '<section class="enclosure">'
            f'<div class="enc-title">{_title_html(enclosure["title"], snapshot)}</div>'
            f"{_body_html(enclosure.get('body'))}</section>"
        )
    if enclosures:
        main.append(_attachment_note(attachments))
    for i, attachment in enumerate(attachments, start=1):
        label = "附件" if len(attachments) == 1 else f"附件{i}"
        main.append(
            '<section class="attachment">'
            f'<p class="att-label">{label}</p>'
            f'<div class="att-title">{_title_html(attachment["title"], snapshot)}</div>'
            f"{_body_html(attachment.get('body'))}</section>"
        )
    # the 版记 floats into the footnote area of the page where it is called: the bottom
    # of the last page, its last rule on the text block's bottom edge. That page must be
    # even, the back of the last sheet (GB/T 9704 §7.4): on a back page the call starts
    # the next even page, a page of its own without a number (an odd page between
    # stays blank, unnumbered too: §7.5)
    colophon = _colophon(snapshot, fonts)
    if colophon and back_page:
        page = "banji-draft" if snapshot.get("draft") else "banji"
        main.append(f'<div class="back-page" style="page: {page}">')
        main.append(f'<p class="colophon-call">{colophon}</p></div>')
    elif colophon:
        main.append(f'<p class="colophon-call">{colophon}</p>')
    return main


def _page(snapshot, fonts, main, extra_css: str = "") -> str:
    draft_class = ' class="draft"' if snapshot.get("draft") else ""
    head = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_text(snapshot.get('number') or '')} {_text(snapshot.get('title', ''))}</title>"
    )
    body = f"</head><body{draft_class}>{''.join(main)}</body></html>"
    return _Page(head, _font_faces(fonts), _css(fonts) + extra_css, body)


class _Page(str):
    """A standalone HTML page, its CSS in a ``<style>`` element; and apart, for the PDF
    renderer, which parses each style sheet once per process (``_Renderer``): the page
    without that element (``bare``) and the style sheet's text (``css``)."""

    bare: str
    css: str
    faces: str  # the @font-face rules the style sheet starts with

    def __new__(cls, head: str, faces: str, css: str, body: str):
        page = super().__new__(cls, f"{head}<style>{css}</style>{body}")
        page.bare = head + body
        page.css = css
        page.faces = faces
        return page


LETTER_TOP = 30 * MM  # 信函格式: the mark's top edge from the page top
LETTER_RULE_W = 170 * MM


def mark_metrics(mark: str) -> tuple[float, float]:
    """(font size, horizontal scale) of the red mark: as large as fits the text block up
    to 56 pt; a long name keeps at least 30 pt and is narrowed instead, as printers do."""
    n = max(len(mark), 1)
    fit = 0.96 * TEXT_W / n
    if fit >= 30:
        return min(56.0, fit), 1.0
    return 30.0, fit / 30.0


def _mark_html(mark, size, scale, fonts) -> str:
    transform = ""
    if scale < 1:  # a box as wide as the unscaled name, centred on the text block, narrowed
        width = len(mark) * size
        transform = (
            f"width:{width:.2f}pt;margin-left:{(TEXT_W - width) / 2:.2f}pt;"
            f"transform:scaleX({scale:.4f});transform-origin:50% 0;"
        )
    return (
        f'<p class="mark" style="font-size:{size:.2f}pt;height:{size:.2f}pt;'
        f'top:-{_drop(fonts, "mark", size):.2f}pt;{transform}">{_text(mark)}</p>'
    )


def _letter_html(snapshot, fonts, mark_html, number, lines, to_html, note_html, back_page) -> str:
    """信函格式 (GB/T 9704 §10.1): the issuer's name 30 mm from the page top, a red double
    line (thick over thin) 4 mm below it and another (thin over thick) 20 mm above the
    page bottom, both 170 mm long; the number flush right under the upper line; no page
    number on the first page."""
    head = [
        '<div class="letter-head">',
        mark_html,
        '<div class="double double--top"><i class="thick"></i><i class="thin"></i></div>',
        '<div class="letter-under">',
        f'<p class="letter-number">{_text(number)}</p>',
        _flags_html(snapshot),
        "</div></div>",
    ]
    side = (LETTER_RULE_W - TEXT_W) / 2
    css = f"""
@page :first {{
  @bottom-right {{ content: none; }}
  @bottom-left {{ content: none; }}
  /* the lower double line, thin over thick, its bottom 20 mm above the page's bottom */
  @bottom-center {{ content: ""; width: {LETTER_RULE_W:.3f}pt; height: 1pt;
    margin-top: {PAGE_H - 20 * MM - (TOP + TEXT_H) - 3:.3f}pt; margin-bottom: auto;
    border-top: 0.5pt solid {RED}; border-bottom: 1.5pt solid {RED}; }}
}}
.letter-head {{ margin-top: {LETTER_TOP - TOP:.3f}pt; }}
.double {{ width: {LETTER_RULE_W:.3f}pt; margin-left: -{side:.3f}pt; }}
.double i {{ display: block; background: {RED}; }}
.double .thick {{ height: 1.5pt; }}
.double .thin {{ height: 0.5pt; }}
.double--top {{ margin-top: 4mm; }}
.double--top .thick {{ margin-bottom: 1pt; }}
.letter-under {{ position: relative; margin-top: {BODY * 7 / 8:.3f}pt; }}
.letter-number {{ text-align: right; text-indent: 0; letter-spacing: 0; line-height: {BODY}pt; }}
/* 份号, 密级, 紧急程度 flush left under the double line, the first on the number's line
   (§10.1) */
.letter-under .flags {{ position: static; margin-top: -{BODY:.3f}pt; }}
.letter-under .flags p {{ line-height: {BODY}pt; }}
.letter-under .flags p + p {{ margin-top: {LINE - BODY:.3f}pt; }}
.letter-head + .title {{ margin-top: {2 * LINE - (LINE - TITLE) / 2:.3f}pt; }}
"""
    return _page(
        snapshot,
        fonts,
        head + _after_header(snapshot, fonts, lines, to_html, note_html, back_page),
        css,
    )


def render_document(snapshot: dict, *, fonts: dict | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count); the same snapshot always gives the same bytes."""
    pdf, pages, _seals = render_issued(snapshot, fonts=fonts)
    return pdf, pages


def render_issued(
    snapshot: dict, *, fonts: dict | None = None
) -> tuple[bytes, int, list[tuple[int, tuple[float, float, float, float]]]]:
    """(PDF bytes, page count, seals): ``seals`` lists where each seal lies, in document
    order, as (page index, (x1, y1, x2, y2) in PDF points from the page's bottom left),
    for the signatures over them (docs_gen.signing)."""
    return RENDERER.render(snapshot, fonts=fonts)


def _font_configuration():
    """A WeasyPrint FontConfiguration that registers the font cache's own faces with
    fontconfig where they lie, instead of copying each file into a temporary directory
    first (WeasyPrint's way, meant for fonts fetched from anywhere): the same files, so
    the same glyphs and the same PDF, without 46 MB written per process. Any other face
    (another directory, OpenType features, unicode-range) goes WeasyPrint's way."""
    from xml.etree.ElementTree import Element, SubElement, tostring

    from weasyprint.text.constants import FONTCONFIG_STRETCH, FONTCONFIG_STYLE, FONTCONFIG_WEIGHT
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    from .fetching import RefusedURL, _file_path, check_url
    from .fontcache import cache_dir

    plain = {"font_family", "font_weight", "font_style", "font_stretch", "src"}

    class InPlaceFonts(FontConfiguration):
        def __init__(self):
            super().__init__()
            self._in_place: set[str] = set()

        def _local_file(self, descriptors) -> Path | None:
            if set(descriptors) - plain or len(descriptors["src"]) != 1:
                return None
            kind, url = descriptors["src"][0]
            if kind != "external" or not url or not url.startswith("file:"):
                return None
            try:
                check_url(url)
            except RefusedURL:
                return None  # WeasyPrint's way: its fetcher refuses it and logs why
            path = _file_path(url)
            root = Path(os.path.realpath(cache_dir()))
            return path if path.is_file() and path.is_relative_to(root) else None

        def add_font_face(self, rule_descriptors, url_fetcher):
            key = str(rule_descriptors)
            if key in self._in_place:
                return None
            path = self._local_file(rule_descriptors)
            if path is None:
                return super().add_font_face(rule_descriptors, url_fetcher)
            # the rules WeasyPrint writes for a face (text.fonts.add_font_face), on the file
            # itself: its family prepended when fontconfig scans it, weight, style, width
            root = Element("fontconfig")
            match = SubElement(root, "match", target="scan")
            test = SubElement(match, "test", name="file", compare="eq")
            SubElement(test, "string").text = path.as_posix()
            edit = SubElement(match, "edit", name="family", mode="prepend")
            SubElement(edit, "string").text = rule_descriptors["font_family"]
            for descriptor, name, values, tag in (
                ("font_style", "slant", FONTCONFIG_STYLE, "const"),
                ("font_weight", "weight", FONTCONFIG_WEIGHT, "int"),
                ("font_stretch", "width", FONTCONFIG_STRETCH, "const"),
            ):
                if descriptor in rule_descriptors:
                    edit = SubElement(match, "edit", name=name, mode="assign_replace")
                    SubElement(edit, tag).text = str(values[rule_descriptors[descriptor]])
            xml = (
                b'<?xml version="1.0"?>\n'
                b'<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                + tostring(root, encoding="utf-8")
            )
            fontconfig.FcConfigParseAndLoadFromMemory(self._config, xml, True)
            if not fontconfig.FcConfigAppFontAddFile(self._config, os.fsencode(path)):
                return super().add_font_face(rule_descriptors, url_fetcher)
            self._in_place.add(key)
            return pangoft2.pango_fc_font_map_config_changed(
                ffi.cast("PangoFcFontMap *", self.font_map)
            )

    return InPlaceFonts()


class _Renderer:
    """What a process keeps between renders: the font configuration with the documents'
    @font-face faces registered once (WeasyPrint otherwise copies every face file, 46 MB
    with the rare-character faces, into a temporary directory and registers it with
    fontconfig for each document), the parsed style sheets bound to it, and the URL
    fetcher. The bytes are the same as a fresh ``weasyprint.HTML(string=render_html(...))``
    gives: the faces are the same files, the style sheet the same rules (given as a user
    style sheet: the page has no author rules but its ``style`` attributes, which win
    either way).

    Pango's font map and fontconfig's configuration are not thread-safe, so one render
    at a time uses them: a Celery prefork worker renders one document per process anyway;
    the web preview (gunicorn threads) waits on ``lock`` for the render in progress.
    """

    MAX_SHEETS = 8  # style sheets kept per font configuration (main, letter, overrides)
    MAX_CONFIGS = 4  # font configurations kept (one set of faces in production)

    def __init__(self):
        self.lock = threading.Lock()
        self._configs: dict[str, tuple[object, dict[str, object]]] = {}
        self._fetcher = None

    def after_fork(self) -> None:
        """In a forked child (a Celery pool process made after the parent rendered): a
        lock of its own, and fonts of its own; the parent's configurations are dropped
        without removing WeasyPrint's temporary directories, which are the parent's."""
        self.lock = threading.Lock()
        for font_config, _sheets in self._configs.values():
            font_config._folder = None
        self._configs = {}
        self._fetcher = None

    def reset(self) -> None:
        """Forget the fonts and style sheets (the next render registers them again)."""
        with self.lock:
            self._configs.clear()
            self._fetcher = None

    def _stylesheet(self, faces: str, css: str):
        from weasyprint import CSS

        if self._fetcher is None:
            from .fetching import SafeURLFetcher

            # only the renderer's own fonts and images are read, never the network
            self._fetcher = SafeURLFetcher()
        # one font configuration per set of faces, so a face one document declared is
        # never a fallback candidate in another that did not declare it
        if faces not in self._configs:
            if len(self._configs) >= self.MAX_CONFIGS:
                self._configs.pop(next(iter(self._configs)))
            self._configs[faces] = (_font_configuration(), {})
        font_config, sheets = self._configs[faces]
        sheet = sheets.get(css)
        if sheet is None:
            if len(sheets) >= self.MAX_SHEETS:
                sheets.pop(next(iter(sheets)))
            sheet = sheets[css] = CSS(
                string=css, font_config=font_config, url_fetcher=self._fetcher
            )
        return font_config, sheet

    def render(self, snapshot: dict, *, fonts: dict | None = None):
        from weasyprint import HTML

        with self.lock:

            def layout(**options):
                page = render_html(snapshot, fonts=fonts, **options)
                font_config, sheet = self._stylesheet(page.faces, page.css)
                html = HTML(string=page.bare, url_fetcher=self._fetcher)
                return html.render(font_config=font_config, stylesheets=[sheet])

            document = layout()
            if not _colophon_on_a_back_page(document):
                document = layout(back_page=True)
            return document.write_pdf(), len(document.pages), seal_boxes(document)


RENDERER = _Renderer()
# before the interpreter tears modules down: FontConfiguration.__del__ removes its
# temporary directory with shutil, which is gone by then
atexit.register(RENDERER.reset)
os.register_at_fork(after_in_child=RENDERER.after_fork)


PX = 0.75  # pt per CSS px (WeasyPrint lays out in CSS px)


def seal_boxes(document) -> list[tuple[int, tuple[float, float, float, float]]]:
    """The border boxes of the ``.seal`` elements of a laid-out WeasyPrint document."""
    found = []

    def walk(box, index, seen):
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else ()
        if "seal" in classes and element not in seen:
            seen.add(element)
            x, y = box.border_box_x() * PX, box.border_box_y() * PX
            w, h = box.border_width() * PX, box.border_height() * PX
            found.append((index, (x, PAGE_H - y - h, x + w, PAGE_H - y)))
            return
        for child in getattr(box, "children", ()):
            walk(child, index, seen)

    seen = set()
    for index, page in enumerate(document.pages):
        walk(page._page_box, index, seen)
    return found


def _has_text(box) -> bool:
    if getattr(box, "text", "").strip():
        return True
    return any(_has_text(child) for child in getattr(box, "children", ()))


def _colophon_on_a_back_page(document) -> bool:
    """Whether the first layout's 版记 (in the footnote area of its last page) already
    sits where GB/T 9704 puts it: an even page that also holds text of the document.
    Otherwise (an odd page, or an even page holding the 版记 alone after an odd page
    of text) the document is laid out again with the 版记 on a back page of its own."""
    page_box = document.pages[-1]._page_box
    footnotes = [c for c in page_box.children if type(c).__name__ == "FootnoteAreaBox"]
    if not footnotes or not _has_text(footnotes[0]):
        return True  # no 版记
    root = page_box.children[0]
    return len(document.pages) % 2 == 0 and _has_text(root)


# On a screen the document is one A4 sheet (the PDF's margins around the 156 mm text
# block, so the red mark and the title are centred on it as in print), zoomed to fit the
# window's width, and the frame embedding it grows to its height: the whole page is seen,
# on a desk or a phone. WeasyPrint lays out for print and ignores both.
_SCREEN_CSS = """
@media screen {
  html { background: #e6e6e6; }
  body { box-sizing: content-box; width: 156mm; min-height: 225mm; margin: 8px auto;
    padding: 37mm 26mm 35mm 28mm; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
}
"""
_SCREEN_FIT = (
    "<script>(function(){function fit(){var b=document.body;b.style.zoom='';"
    "var z=Math.min(1,document.documentElement.clientWidth/(b.offsetWidth+16));"
    "b.style.zoom=z;var f=window.frameElement;"
    "if(f){f.style.height=Math.ceil(b.getBoundingClientRect().bottom+window.scrollY+10)+'px';}}"
    "addEventListener('resize',fit);addEventListener('load',fit);fit();})();</script>"
)


def render_preview_html(snapshot: dict, *, fonts: dict | None = None) -> str:
    """The document as a web page: ``render_html`` shown as its printed sheet, whole."""
    html = render_html(snapshot, fonts=fonts)
    html = html.replace("</style></head>", _SCREEN_CSS + "</style></head>", 1)
    return html.replace("</body>", _SCREEN_FIT + "</body>", 1)


def render_pdf(snapshot: dict, *, fonts: dict | None = None) -> bytes:
    """The document as PDF bytes; the same snapshot always gives the same bytes."""
    return render_document(snapshot, fonts=fonts)[0]
