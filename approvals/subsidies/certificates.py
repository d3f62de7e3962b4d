"""The 荣誉证书 (certificate of honour) of one awardee as a one-page A4 landscape PDF.

The same fonts as official documents (docs_gen's GB 2312 cuts of Noto CJK, the full faces
behind them for rare characters) and the HR bureau's seal drawn as outlines; WeasyPrint
reads nothing but those files (docs_gen.fetching.SafeURLFetcher).
"""

from functools import lru_cache
from html import escape

from docs_gen.drawing import seal_svg
from docs_gen.rendering import DEFAULT_FONTS, cn_date, configured_fonts


@lru_cache(maxsize=1)
def _css() -> str:
    fonts = configured_fonts()
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("file://{path}"); }}\n'
        for family, weight, path in fonts.get("faces", ())
    )
    serif = ", ".join(f'"{f}"' for f in fonts["title"][0])
    body = ", ".join(f'"{f}"' for f in fonts["song"][0])
    return (
        faces
        + f"""
@page {{ size: A4 landscape; margin: 0; }}
html, body {{ margin: 0; }}
.page {{ position: relative; width: 297mm; height: 210mm; box-sizing: border-box;
  padding: 14mm; }}
.frame {{ position: absolute; inset: 10mm; border: 2.2mm double #b8860b; }}
.inner {{ position: absolute; inset: 14mm; border: 0.4mm solid #b8860b; }}
h1 {{ font-family: {serif}, serif; font-weight: 700; color: #c00000; font-size: 46pt;
  letter-spacing: 18pt; text-align: center; margin: 24mm 0 12mm; }}
.text {{ font-family: {body}, serif; font-size: 19pt; line-height: 1.9; margin: 0 38mm;
  text-indent: 2em; text-align: justify; }}
.name {{ font-family: {serif}, serif; font-weight: 700; font-size: 22pt; }}
.title {{ font-family: {serif}, serif; font-weight: 700; color: #c00000; }}
.sign {{ position: absolute; right: 42mm; bottom: 34mm; text-align: center;
  font-family: {body}, serif; font-size: 17pt; line-height: 1.7; }}
.seal {{ position: absolute; right: 46mm; bottom: 22mm; width: 42mm; height: 42mm;
  opacity: 0.9; }}
.seal svg {{ width: 42mm; height: 42mm; }}
.number {{ position: absolute; left: 30mm; bottom: 24mm; font-family: {body}, serif;
  font-size: 10.5pt; color: #555; }}
"""
    )


def certificate_html(cert) -> str:
    awardee = cert.awardee
    imp = awardee.award_import
    issuer = "台州市人力资源和社会保障局"
    when = cn_date((imp.paid_on or cert.issued_at.date()).isoformat())
    seal = seal_svg(issuer, font_spec=tuple(DEFAULT_FONTS["seal_file"]), diameter_mm=42.0)
    return (
        "<!doctype html><html lang='zh-Hans'><head><meta charset='utf-8'></head><body><div class='page'><div class='frame'></div><div class='inner'></div>"
        "<h1>荣誉证书</h1>"
        f"<p class='text'><span class='name'>{escape(awardee.name)}</span>同志（{escape(awardee.unit_name)}）："
        f"在{escape(awardee.competition)}（{escape(awardee.competition_class)}竞赛）中荣获第"
        f"{awardee.place}名，根据《台州市职技融通改革实施方案》，特授予"
        f"<span class='title'>“{escape(awardee.title)}”</span>称号。</p>"
        f"<p class='text'>特发此证，以资鼓励。</p>"
        f"<div class='seal'>{seal}</div>"
        f"<div class='sign'>{issuer}<br>{when}</div>"
        f"<div class='number'>证书编号：{escape(cert.number)}</div>"
        "</div></body></html>"
    )


@lru_cache(maxsize=1)
def _stylesheet():
    """The stylesheet and its fonts, parsed once per process: a worker renders hundreds of
    certificates, and loading the faces again for each one tripled its time."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from docs_gen.fetching import SafeURLFetcher

    fonts = FontConfiguration()
    return CSS(string=_css(), font_config=fonts, url_fetcher=SafeURLFetcher()), fonts


def render_certificate(cert) -> bytes:
    from weasyprint import HTML

    from docs_gen.fetching import SafeURLFetcher

    sheet, fonts = _stylesheet()
    return HTML(string=certificate_html(cert), url_fetcher=SafeURLFetcher()).write_pdf(
        stylesheets=[sheet], font_config=fonts
    )
