"""One-page tables that are not 公文 (an approval form, 审批表) in the documents' own faces.

A caller hands plain data: a title, the issuer line, and sections of (label, value)
rows or of table rows; this renders them on A4 with the GB 2312 cuts docs_gen
already built, through the same safe URL fetcher, so a sheet prints like the
documents beside it. Text is escaped; nothing the caller passes is markup.
"""

from dataclasses import dataclass, field
from html import escape

from .rendering import _family, _font_faces, configured_fonts


@dataclass(frozen=True)
class Section:
    heading: str
    rows: tuple[tuple[str, str], ...] = ()  # label → value
    header: tuple[str, ...] = ()  # or a table: column heads …
    table: tuple[tuple[str, ...], ...] = field(default=())  # … and its rows


def _cell(text) -> str:
    return escape(str(text or "—")).replace("\n", "<br>")


def sheet_html(title: str, subtitle: str, sections: list[Section], footer: str = "") -> str:
    fonts = configured_fonts()
    parts = []
    for section in sections:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        if section.rows:
            parts.append(
                "<table class='kv'>"
                + "".join(
                    f"<tr><th>{_cell(k)}</th><td>{_cell(v)}</td></tr>" for k, v in section.rows
                )
                + "</table>"
            )
        if section.header:
            head = "".join(f"<th>{_cell(h)}</th>" for h in section.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>"
                for row in section.table
            )
            parts.append(
                f"<table class='grid'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            )
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
{_font_faces(fonts)}
@page {{ size: A4; margin: 20mm 18mm 18mm 18mm;
  @bottom-center {{ content: "{escape(footer)}"; {_family(fonts, "body")} font-size: 8pt; color: #555; }} }}
body {{ {_family(fonts, "body")} font-size: 10.5pt; line-height: 1.45; color: #000; }}
h1 {{ {_family(fonts, "title")} font-size: 18pt; text-align: center; margin: 0 0 2mm; }}
.sub {{ text-align: center; font-size: 10pt; margin-bottom: 5mm; }}
h2 {{ {_family(fonts, "hei")} font-size: 11pt; margin: 4mm 0 1.5mm; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 0.6pt solid #000; padding: 1.2mm 2mm; vertical-align: top; text-align: left; }}
.kv th {{ width: 28mm; font-weight: normal; background: #f2f2f2; }}
.grid th {{ font-weight: normal; background: #f2f2f2; }}
</style></head><body><h1>{escape(title)}</h1><div class="sub">{escape(subtitle)}</div>{"".join(parts)}</body></html>"""


def render_sheet(title: str, subtitle: str, sections: list[Section], footer: str = "") -> bytes:
    from weasyprint import HTML

    from .fetching import SafeURLFetcher

    return HTML(
        string=sheet_html(title, subtitle, sections, footer), url_fetcher=SafeURLFetcher()
    ).write_pdf()
