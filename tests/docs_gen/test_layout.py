"""The PDF is measured with pdfplumber against GB/T 9704-2012 (docs/GBT9704.md), ±1 mm."""

import io
import re
import shutil
import subprocess

import pdfplumber
import pytest

from docs_gen.rendering import NUMBER_RE, render_pdf, title_lines
from tasks_registry.plan import plan_snapshot

MM = 72 / 25.4
TOL = 1 * MM
TEXT_TOP, TEXT_LEFT, TEXT_RIGHT, TEXT_BOTTOM = 104.88, 79.37, 521.57, 742.68
TEXT_H_LINE = 225 * MM / 22  # line pitch: 22 lines per page


def snapshot(**over):
    from tests.docs_gen.conftest import BODY, two_page_body

    base = {
        "mark": "台州市教育局文件",
        "number": "台教发〔2024〕3号",
        "title": "台州市教育局关于开展2024年职技融通改革试点工作的通知",
        "addressees": ["各县（市、区）教育局", "市直各职业院校"],
        "body": BODY,
        "attachments": [],
        "issuer_name": "台州市教育局",
        "date": "2024-06-01",
        "seal": True,
        "note": "此件公开发布",
        "cc": ["市人力社保局", "市财政局"],
        "printer": "台州市教育局办公室",
        "print_date": "2024-06-02",
        "verification": {"code": "ABCD-EFGH", "url": "http://localhost/verify/ABCDEFGH/"},
    }
    if over.pop("long", False):
        base["body"] = two_page_body()
    base.update(over)
    return base


@pytest.fixture(scope="module")
def one_page():
    return render_pdf(snapshot())


@pytest.fixture(scope="module")
def multi_page():
    return render_pdf(
        snapshot(
            long=True,
            attachments=[
                {
                    "title": "试点院校名单",
                    "body": [
                        {
                            "type": "table",
                            "header": ["序号", "学校"],
                            "rows": [["1", "台州市第一职业技术学校"]],
                        }
                    ],
                }
            ],
        )
    )


@pytest.fixture(scope="module")
def long_mark():
    return render_pdf(
        snapshot(
            mark="台州市职技融通改革工作领导小组办公室文件",
            issuer_name="台州市职技融通改革工作领导小组办公室",
            number="台职技融通办发〔2024〕1号",
        )
    )


@pytest.fixture(scope="module")
def plan_pdf():
    return render_pdf(plan_snapshot())


def _open(pdf):
    return pdfplumber.open(io.BytesIO(pdf))


def _lines(page, **filters):
    """Text lines (chars grouped by top) matching filters on char attributes."""
    rows = {}
    for c in page.chars:
        if all(f(c) for f in filters.values()):
            rows.setdefault(round(c["top"], 0), []).append(c)
    return [sorted(cs, key=lambda c: c["x0"]) for _t, cs in sorted(rows.items())]


def _text(chars):
    return "".join(c["text"] for c in chars)


def _is_red(c):
    return tuple(round(v, 2) for v in (c.get("non_stroking_color") or ())) == (1.0, 0.0, 0.0)


def _page_number_chars(page):
    return [c for c in page.chars if c["top"] > TEXT_BOTTOM + 5]


def _colophon_chars(page):
    """The 版记's characters: 14 pt, inside the text block, below its first thick rule."""
    rules = _colophon_rules(page)
    if not rules:
        return []
    top = rules[0]["top"]
    return [c for c in page.chars if top < c["top"] < TEXT_BOTTOM]


def _colophon_rules(page):
    return sorted(
        (
            r
            for r in page.rects
            if r["width"] == pytest.approx(442.2, abs=0.5) and r["height"] < 1.2 and not _is_red(r)
        ),
        key=lambda r: r["top"],
    )


def _text_of_the_document(page):
    """Characters in the text block that are not the 版记's."""
    colophon = {id(c) for c in _colophon_chars(page)}
    return [
        c
        for c in page.chars
        if c["top"] < TEXT_BOTTOM and id(c) not in colophon and not c["text"].isspace()
    ]


def _header(pdf):
    page = pdf.pages[0]
    mark = [c for c in page.chars if _is_red(c)]
    number = next(ln for ln in _lines(page) if NUMBER_RE.match(_text(ln).replace(" ", "")))
    red_rules = [r for r in page.rects if _is_red(r) and r["width"] > 400]
    return page, mark, number, red_rules


def test_the_page_is_a4(one_page):
    with _open(one_page) as pdf:
        for page in pdf.pages:
            assert page.width == pytest.approx(595.28, abs=0.5)
            assert page.height == pytest.approx(841.89, abs=0.5)


@pytest.mark.parametrize("which", ["one_page", "multi_page", "plan_pdf", "long_mark"])
def test_the_header_sits_where_the_standard_puts_it(which, request):
    with _open(request.getfixturevalue(which)) as pdf:
        page, mark, number, red_rules = _header(pdf)
        # red mark: top 35 mm below the text block's top, centred
        assert min(c["top"] for c in mark) == pytest.approx(TEXT_TOP + 35 * MM, abs=TOL)
        centre = (min(c["x0"] for c in mark) + max(c["x1"] for c in mark)) / 2
        assert centre == pytest.approx((TEXT_LEFT + TEXT_RIGHT) / 2, abs=TOL)
        # number: two lines below the mark, centred, 16 pt
        mark_bottom = max(c["bottom"] for c in mark)
        assert number[0]["top"] - mark_bottom == pytest.approx(2 * 28.99, abs=TOL)
        assert {round(c["size"]) for c in number} == {16}
        ncentre = (number[0]["x0"] + number[-1]["x1"]) / 2
        assert ncentre == pytest.approx((TEXT_LEFT + TEXT_RIGHT) / 2, abs=TOL)
        # red rule: 4 mm below the number, as wide as the text block
        (rule,) = red_rules
        assert rule["top"] - number[0]["bottom"] == pytest.approx(4 * MM, abs=TOL)
        assert rule["x0"] == pytest.approx(TEXT_LEFT, abs=0.5)
        assert rule["x1"] == pytest.approx(TEXT_RIGHT, abs=0.5)
        # title: 22 pt, two lines below the rule, centred
        title = [ln for ln in _lines(page) if round(ln[0]["size"]) == 22]
        assert title, "no 22 pt title"
        assert title[0][0]["top"] - rule["bottom"] == pytest.approx(2 * 28.99, abs=TOL)
        for ln in title:
            mid = (ln[0]["x0"] + ln[-1]["x1"]) / 2
            assert mid == pytest.approx((TEXT_LEFT + TEXT_RIGHT) / 2, abs=TOL)


@pytest.mark.parametrize("which", ["one_page", "multi_page", "plan_pdf", "long_mark"])
def test_all_text_stays_inside_the_text_block(which, request):
    with _open(request.getfixturevalue(which)) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                if c["top"] > TEXT_BOTTOM + 5:
                    continue  # the page number lives below the block
                assert c["x0"] >= TEXT_LEFT - 2 and c["x1"] <= TEXT_RIGHT + 2, c["text"]
                assert c["top"] >= TEXT_TOP - 2.8 and c["bottom"] <= TEXT_BOTTOM + 2.8, c["text"]


def test_body_is_16pt_on_a_grid_of_22_lines_of_28_characters(multi_page):
    with _open(multi_page) as pdf:
        page = pdf.pages[1]
        body = [
            ln
            for ln in _lines(page)
            if "FandolFang" in ln[0]["fontname"] and round(ln[0]["size"]) == 16
        ]
        tops = [ln[0]["top"] for ln in body]
        pitches = {round(b - a, 1) for a, b in zip(tops, tops[1:], strict=False)}
        assert pitches <= {29.0}, pitches
        full = [
            ln for ln in body if ln[0]["x0"] == pytest.approx(TEXT_LEFT, abs=0.5) and len(ln) >= 27
        ]
        assert full and all(len(ln) <= 28 for ln in full)
        # paragraphs are indented two characters
        indented = [ln for ln in body if ln[0]["x0"] > TEXT_LEFT + 10]
        assert indented[0][0]["x0"] == pytest.approx(TEXT_LEFT + 2 * 15.79, abs=1)


def test_headings_use_hei_and_kai(one_page):
    with _open(one_page) as pdf:
        chars = pdf.pages[0].chars
        heading = [c for c in chars if c["text"] == "任" and "Sans" in c["fontname"]]
        assert heading, "level-1 heading is not in the 黑体 substitute"


def test_level_two_headings_use_kai():
    pdf = render_pdf(
        snapshot(
            body=[
                {
                    "type": "heading",
                    "level": 2,
                    "text": "（一）共享财政政策。",
                    "rest": "按照规定执行。",
                }
            ]
        )
    )
    with _open(pdf) as doc:
        kai = [c for c in doc.pages[0].chars if "Kai" in c["fontname"]]
        assert _text(kai) == "（一）共享财政政策。"


@pytest.mark.parametrize("which", ["one_page", "multi_page", "plan_pdf"])
def test_page_numbers_are_right_on_odd_and_left_on_even_pages(which, request):
    with _open(request.getfixturevalue(which)) as pdf:
        assert len(pdf.pages) >= 1
        for number, page in enumerate(pdf.pages, start=1):
            chars = _page_number_chars(page)
            if not _text_of_the_document(page):
                assert not chars, "a blank page or a 版记 page after one has no number"
                continue
            text = _text(sorted(chars, key=lambda c: c["x0"]))
            assert re.match(r"^—\s?\d+\s?—$", text), text
            assert text.replace(" ", "") == f"—{number}—"
            assert {round(c["size"]) for c in chars} == {14}
            assert min(c["top"] for c in chars) == pytest.approx(TEXT_BOTTOM + 7 * MM, abs=TOL)
            if number % 2:
                assert max(c["x1"] for c in chars) == pytest.approx(TEXT_RIGHT - 14, abs=TOL)
            else:
                assert min(c["x0"] for c in chars) == pytest.approx(TEXT_LEFT + 14, abs=TOL)


@pytest.mark.parametrize("which", ["one_page", "multi_page", "plan_pdf"])
def test_the_colophon_ends_on_the_last_page_bottom_with_thick_and_thin_rules(which, request):
    with _open(request.getfixturevalue(which)) as pdf:
        last = pdf.pages[-1]
        rules = sorted(
            (
                r
                for r in last.rects
                if r["width"] == pytest.approx(442.2, abs=0.5)
                and r["height"] < 1.2
                and not _is_red(r)
            ),
            key=lambda r: r["top"],
        )
        assert len(rules) == 3
        assert rules[-1]["bottom"] == pytest.approx(TEXT_BOTTOM, abs=0.5)
        assert rules[0]["height"] == pytest.approx(0.35 * MM, abs=0.05)
        assert rules[1]["height"] == pytest.approx(0.25 * MM, abs=0.05)
        assert rules[2]["height"] == pytest.approx(0.35 * MM, abs=0.05)
        lines = _lines(
            last, size=lambda c: round(c["size"]) == 14, inside=lambda c: c["top"] < TEXT_BOTTOM
        )
        texts = [_text(ln) for ln in lines]
        assert any(t.startswith("抄送：") for t in texts)
        printed = next(ln for ln in lines if _text(ln).endswith("印发"))
        assert printed[0]["x0"] == pytest.approx(TEXT_LEFT + 14, abs=TOL)
        assert printed[-1]["x1"] == pytest.approx(TEXT_RIGHT - 14, abs=TOL)


def _coloured(obj):
    colour = obj.get("non_stroking_color") or obj.get("stroking_color") or ()
    return isinstance(colour, tuple) and len(colour) == 3 and colour[0] > 0.8 and colour[1] < 0.2


def test_date_keeps_a_four_character_right_indent_and_the_seal_covers_it(one_page):
    with _open(one_page) as pdf:
        page = next(p for p in pdf.pages if any(_text(ln) == "2024年6月1日" for ln in _lines(p)))
        date_line = next(ln for ln in _lines(page) if _text(ln) == "2024年6月1日")
        assert TEXT_RIGHT - date_line[-1]["x1"] == pytest.approx(4 * 15.79, abs=TOL)
        name = next(ln for ln in _lines(page) if _text(ln) == "台州市教育局")
        assert (name[0]["x0"] + name[-1]["x1"]) / 2 == pytest.approx(
            (date_line[0]["x0"] + date_line[-1]["x1"]) / 2, abs=TOL
        )
        seal = [c for c in page.curves if _coloured(c)]
        assert seal, "no seal drawn"
        top = min(c["top"] for c in seal)
        bottom = max(c["bottom"] for c in seal)
        assert 40 * MM < bottom - top <= 42 * MM  # ring path; the stroke adds the rest
        assert top < name[0]["top"] and bottom > date_line[-1]["bottom"]
        # name and date sit below the seal's centre; the seal starts within a line of the text
        assert (top + bottom) / 2 < (name[0]["top"] + date_line[0]["bottom"]) / 2
        text_above = max(c["bottom"] for c in page.chars if c["bottom"] < name[0]["top"] - 1)
        assert top - text_above < 28.99


def test_plan_has_its_full_text_and_the_seventeen_task_annex(plan_pdf):
    from tasks_registry.annex import load_plan_annex

    with _open(plan_pdf) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages).replace("\n", "").replace(" ", "")
    assert "台政办发〔2022〕11号" in text
    assert "本实施方案自2022年5月12日起施行。" in text
    assert "附件：职技融通改革实施方案重点任务清单" in text
    for row in load_plan_annex():
        assert row.content[:12] in text, row.number
    assert "2022年4月11日印发" in text


def _embedded_cmaps(pdf_bytes) -> dict[str, set[int]]:
    """BaseFont name -> code points its embedded program maps (its cmap)."""
    import pypdf
    from fontTools.ttLib import TTFont

    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    cmaps = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            name = str(font["/BaseFont"]).lstrip("/")
            if name not in cmaps:
                program = TTFont(io.BytesIO(stream.get_object().get_data()))
                cmaps[name] = set(program.getBestCmap() or {})
    return cmaps


@pytest.mark.parametrize("which", ["one_page", "plan_pdf"])
def test_every_character_is_drawn_by_a_font_that_has_it(which, request):
    pdf = request.getfixturevalue(which)
    cmaps = _embedded_cmaps(pdf)
    with _open(pdf) as doc:
        for page in doc.pages:
            for c in page.chars:
                if c["text"].isspace():
                    continue
                assert ord(c["text"]) in cmaps[c["fontname"]], (c["text"], c["fontname"])


@pytest.mark.parametrize("which", ["one_page", "plan_pdf"])
def test_every_font_is_embedded_and_no_glyph_is_missing(which, request, tmp_path):
    pdf = request.getfixturevalue(which)
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdffonts"):
        out = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout
        rows = out.splitlines()[2:]
        assert rows and all(
            " yes " in r.split("Identity-H")[-1][:8] or r.split()[-5] == "yes" for r in rows
        ), out
    with _open(pdf) as doc:
        for page in doc.pages:
            # a missing glyph shows as .notdef (cid 0) or a replacement char
            assert "\ufffd" not in "".join(c["text"] for c in page.chars)
    if which == "one_page":
        with _open(pdf) as doc:
            text = "".join(c["text"] for p in doc.pages for c in p.chars)
            for ch in "堃喆赟昇玥":
                assert ch in text


@pytest.mark.parametrize("which", ["one_page", "plan_pdf"])
def test_qpdf_finds_no_errors(which, request, tmp_path):
    if not shutil.which("qpdf"):
        pytest.skip("qpdf is not installed (scripts/setup.sh installs it)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(request.getfixturevalue(which))
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_same_snapshot_gives_the_same_bytes(one_page):
    assert render_pdf(snapshot()) == one_page


@pytest.mark.parametrize(
    "number,ok",
    [
        ("台教发〔2024〕3号", True),
        ("台政办发〔2022〕11号", True),
        ("台教发〔2024〕03号", False),
        ("台教发[2024]3号", False),
        ("台教发〔24〕3号", False),
        ("台教发〔2024〕第3号", False),
    ],
)
def test_the_number_format(number, ok):
    assert bool(NUMBER_RE.match(number)) is ok


def test_long_titles_break_at_word_joints_as_a_trapezoid():
    lines = title_lines("台州市人民政府办公室关于印发台州市职技融通改革实施方案的通知")
    assert lines == ["台州市人民政府办公室关于印发", "台州市职技融通改革实施方案的通知"]
    assert all(
        len(x) <= 20
        for x in title_lines(
            "台州市人力资源和社会保障局关于同意台州市第一职业技术学校加挂台州市第一技师学院牌子的批复"
        )
    )


def test_the_gb2312_cuts_keep_cid_equal_to_glyph_id():
    from fontTools.ttLib import TTFont

    from docs_gen.fontcache import ensure_cuts

    cuts = ensure_cuts()
    assert set(cuts) == {"title", "song", "hei"}
    for _family, _weight, path in cuts.values():
        font = TTFont(path, lazy=True)
        order = font.getGlyphOrder()
        assert all(n == ".notdef" or n == f"cid{i:05d}" for i, n in enumerate(order))
        assert ord("〔") in font.getBestCmap() and ord("融") in font.getBestCmap()


def test_merged_table_cells_span_rows():
    from docs_gen.rendering import render_html

    html = render_html(
        snapshot(
            body=[
                {
                    "type": "table",
                    "header": ["序号", "举措"],
                    "rows": [["1", "甲"], ["2", None], ["3", "乙"]],
                }
            ]
        )
    )
    assert '<td rowspan="2">甲</td>' in html


@pytest.fixture(scope="module")
def letter_pdf():
    return render_pdf(
        snapshot(
            long=True,
            mark="台州市教育局",
            format="letter",
            title="台州市教育局关于商请支持试点工作的函",
        )
    )


def test_a_letter_has_its_own_header_and_no_first_page_number(letter_pdf):
    with _open(letter_pdf) as pdf:
        first = pdf.pages[0]
        mark = [c for c in first.chars if _is_red(c)]
        assert min(c["top"] for c in mark) == pytest.approx(30 * MM, abs=TOL)
        red = [r for r in first.rects if _is_red(r)]
        assert all(r["width"] == pytest.approx(170 * MM, abs=0.5) for r in red)
        upper = min(r["top"] for r in red)
        assert upper - max(c["bottom"] for c in mark) == pytest.approx(4 * MM, abs=TOL)
        lower = max(r["bottom"] for r in red)
        assert first.height - lower == pytest.approx(20 * MM, abs=TOL)
        assert not _page_number_chars(first)
        assert _text(_page_number_chars(pdf.pages[1])).replace(" ", "") == "—2—"


def test_an_upward_document_names_its_signer_in_kai():
    pdf = render_pdf(snapshot(signer="王志强"))
    with _open(pdf) as doc:
        page = doc.pages[0]
        line = next(ln for ln in _lines(page) if "签发人" in _text(ln))
        assert line[0]["x0"] == pytest.approx(TEXT_LEFT + 15.79, abs=TOL)  # number, 一字 indent
        kai = [c for c in line if "Kai" in c["fontname"]]
        assert _text(kai) == "王志强"
        assert kai[-1]["x1"] == pytest.approx(TEXT_RIGHT - 15.79, abs=TOL)


def test_a_heading_never_ends_a_page_without_its_text():
    from docs_gen.text import blocks_from_text

    body = blocks_from_text(
        "为做好2024年技能大赛备赛工作，现将有关事项通知如下。\n\n一、时间安排\n\n（一）报名。各校于6月30日前报名。\n\n二、工作要求\n\n各校要高度重视，精心组织。"
    )
    pdf = render_pdf(snapshot(title="台州市教育局关于做好2024年技能大赛备赛工作的通知", body=body))
    with _open(pdf) as doc:
        for page in doc.pages:
            texts = [_text(ln) for ln in _lines(page, inside=lambda c: c["top"] < TEXT_BOTTOM)]
            if "二、工作要求" in texts:
                assert texts.index("二、工作要求") < len(texts) - 1
                assert "各校要高度重视，精心组织。" in texts


def _pages_with(pdf, text):
    return [
        i for i, p in enumerate(pdf.pages, start=1) if text in "".join(c["text"] for c in p.chars)
    ]


@pytest.mark.parametrize(
    "paragraphs,body_ends_on,colophon_on",
    [
        (0, 1, 2),  # a short body leaves room on page 1: the 版记 still goes to page 2
        (8, 2, 2),  # ends on page 2 with room for the 版记 below it
        (10, 2, 4),  # ends on page 2 without room: page 3 stays blank
        (12, 3, 4),
        (30, 4, 4),
    ],
)
def test_the_colophon_is_at_the_foot_of_an_even_page(paragraphs, body_ends_on, colophon_on):
    from tests.docs_gen.conftest import BODY, two_page_body

    body = two_page_body(paragraphs) if paragraphs else BODY[:1]
    with _open(render_pdf(snapshot(body=body))) as pdf:
        # the signature's date marks the end of the body (precondition of the case)
        assert _pages_with(pdf, "2024年6月1日") == [body_ends_on]
        assert _pages_with(pdf, "印发") == [colophon_on] == [len(pdf.pages)]
        assert colophon_on % 2 == 0
        back = pdf.pages[colophon_on - 1]
        rules = _colophon_rules(back)
        assert len(rules) == 3
        assert rules[-1]["bottom"] == pytest.approx(TEXT_BOTTOM, abs=TOL)
        for number, page in enumerate(pdf.pages, start=1):
            numbered = _text(sorted(_page_number_chars(page), key=lambda c: c["x0"]))
            if number <= body_ends_on:
                assert numbered.replace(" ", "") == f"—{number}—"
            else:  # the blank page and the 版记 page after it carry no number
                assert not numbered, (number, numbered)
                if number < colophon_on:
                    assert not [c for c in page.chars if not c["text"].isspace()]
                else:
                    assert not _text_of_the_document(page)


RARE = "堃喆赟昇玥頔珺犇垚镕璟琤骉"


def test_fallback_characters_share_the_baseline_of_their_neighbours():
    text = "联系人：" + "、".join(f"王{ch}" for ch in RARE) + "。"
    pdf = render_pdf(snapshot(body=[{"type": "paragraph", "text": text}], signer="陈骉"))
    with _open(pdf) as doc:
        page = doc.pages[0]
        chars = [c for c in page.chars if not c["text"].isspace()]
        seen = set()
        for c in chars:
            if c["text"] not in RARE:
                continue
            seen.add(c["text"])
            assert "Fandol" not in c["fontname"] and "KaitiM" not in c["fontname"]  # a fallback
            neighbours = [
                n
                for n in chars
                if n["text"] not in RARE
                and abs(n["matrix"][5] - c["matrix"][5]) < 5
                and abs(n["x0"] - c["x0"]) < 40
            ]
            assert neighbours, c["text"]
            for n in neighbours:
                assert c["matrix"][5] == pytest.approx(n["matrix"][5], abs=0.3)  # baseline
                assert c["bottom"] == pytest.approx(n["bottom"], abs=0.3), (c["text"], n["text"])
                assert c["top"] == pytest.approx(n["top"], abs=0.3), (c["text"], n["text"])
        assert seen == set(RARE)
        # the lines holding them stay on the grid of 28.99 pt
        body = [ln for ln in _lines(page) if "联系人" in _text(ln) or set(_text(ln)) & set(RARE)]
        body = [ln for ln in body if "签发人" not in _text(ln)]
        tops = [ln[0]["top"] for ln in body]
        for a, b in zip(tops, tops[1:], strict=False):
            assert b - a == pytest.approx(28.99, abs=0.3)


def _first_line_with(page, text):
    return next(ln for ln in _lines(page) if text in _text(ln))


@pytest.mark.parametrize(
    "flags",
    [
        {"copy_number": "000012", "secrecy": "秘密★1年", "urgency": "特急"},
        {"secrecy": "机密★5年", "urgency": "加急"},  # no 份号: the 密级 takes line 1
        {"urgency": "特急"},
    ],
)
def test_copy_number_secrecy_and_urgency_stand_top_left_above_the_mark(flags):
    """GB/T 9704 §7.2: 份号 (6 digits), 密级和保密期限 and 紧急程度 (3号黑体) flush left on
    the text block's first lines, one a line in that order, above the red mark."""
    pdf = render_pdf(snapshot(**flags))
    with _open(pdf) as doc:
        page = doc.pages[0]
        mark_top = min(c["top"] for c in page.chars if _is_red(c))
        lines = [
            _first_line_with(page, flags[key])
            for key in ("copy_number", "secrecy", "urgency")
            if key in flags
        ]
        first_line_top = TEXT_TOP + (TEXT_H_LINE - 16) / 2
        for i, line in enumerate(lines):
            assert line[0]["x0"] == pytest.approx(TEXT_LEFT, abs=TOL)
            assert line[0]["top"] == pytest.approx(first_line_top + i * TEXT_H_LINE, abs=TOL)
            assert all(c["size"] == pytest.approx(16, abs=0.1) for c in line)
            assert line[-1]["bottom"] < mark_top
        if "copy_number" in flags:
            assert re.fullmatch(r"\d{6}", _text(lines[0]))
        for key in ("secrecy", "urgency"):
            if key in flags:
                line = _first_line_with(page, flags[key])
                assert all("Sans" in c["fontname"] for c in line if c["text"] not in "★0123456789")
        # the mark keeps its place: 35 mm below the text block's top
        assert mark_top == pytest.approx(TEXT_TOP + 35 * MM, abs=TOL)


def test_no_header_flags_leave_the_first_lines_empty():
    with _open(render_pdf(snapshot())) as doc:
        page = doc.pages[0]
        mark_top = min(c["top"] for c in page.chars if _is_red(c))
        assert not [c for c in page.chars if c["top"] < mark_top]


def test_an_upward_document_puts_number_and_signer_on_one_baseline():
    """§7.2.4: the number left with 一字 indent, 签发人 (仿宋) + name (楷体) right with 一字
    indent, on the same line."""
    pdf = render_pdf(snapshot(signer="欧阳昇", upward=True, urgency="加急"))
    with _open(pdf) as doc:
        page = doc.pages[0]
        line = _first_line_with(page, "签发人")
        number = [c for c in line if c["x0"] < (TEXT_LEFT + TEXT_RIGHT) / 2]
        assert NUMBER_RE.match(_text(number))
        assert number[0]["x0"] == pytest.approx(TEXT_LEFT + 15.79, abs=TOL)
        label = [c for c in line if c["text"] in "签发人："]
        assert all("Fandol" in c["fontname"] for c in label)
        name = [c for c in line if c["x0"] > label[-1]["x0"]]
        assert _text(name) == "欧阳昇"
        assert all("Kai" in c["fontname"] for c in name)  # 昇: the Kai fallback face
        assert "Kai-Rare" in name[2]["fontname"]
        assert name[-1]["x1"] == pytest.approx(TEXT_RIGHT - 15.79, abs=TOL)
        # one line: the number, the label and the name share their boxes' bottoms
        assert max(c["bottom"] for c in line) - min(c["bottom"] for c in line) < 0.3


def test_an_upward_draft_keeps_the_signer_place():
    pdf = render_pdf(snapshot(number="", upward=True))
    with _open(pdf) as doc:
        line = _first_line_with(doc.pages[0], "签发人")
        assert "〔待编号〕" in _text(line) and "〔待签发〕" in _text(line)


def test_a_letter_puts_the_header_flags_under_its_double_line():
    """§10.1: in a 信函 the 份号, 密级 and 紧急程度 stand flush left under the upper red
    double line, the first on the number's line, one a line below it."""
    pdf = render_pdf(
        snapshot(
            mark="台州市教育局",
            format="letter",
            title="台州市教育局关于商请支持试点工作的函",
            copy_number="000003",
            secrecy="秘密",
            urgency="加急",
        )
    )
    with _open(pdf) as doc:
        page = doc.pages[0]
        upper = min(r["bottom"] for r in page.rects if _is_red(r))
        number = _first_line_with(page, "〔2024〕")
        copy_no = [c for c in number if c["x0"] < (TEXT_LEFT + TEXT_RIGHT) / 2]
        assert _text(copy_no) == "000003"
        assert copy_no[0]["x0"] == pytest.approx(TEXT_LEFT, abs=TOL)
        assert number[-1]["x1"] == pytest.approx(TEXT_RIGHT, abs=TOL)
        assert copy_no[0]["top"] > upper
        secrecy, urgency = _first_line_with(page, "秘密"), _first_line_with(page, "加急")
        for i, line in enumerate((secrecy, urgency), start=1):
            assert line[0]["x0"] == pytest.approx(TEXT_LEFT, abs=TOL)
            assert line[0]["top"] == pytest.approx(copy_no[0]["top"] + i * TEXT_H_LINE, abs=TOL)
        title = _first_line_with(page, "商请")
        assert title[0]["top"] > urgency[0]["bottom"] + TEXT_H_LINE


@pytest.mark.parametrize("upward", [True, False])
def test_rare_characters_in_a_kai_name_stay_kai_on_its_baseline(upward):
    """The 签发人's name is 楷体 (§7.2.6); a character AR PL KaitiM GB lacks comes from the
    Kai fallback (AR PL UKai), not from a Song face, and stands on the line's baseline
    with the same box as its Kai neighbours, within 0.3 pt. Level-2 headings (楷体) too."""
    names = ["王" + ch + "明" for ch in RARE]
    body = [
        block
        for i, name in enumerate(names[:6], start=1)
        for block in (
            {"type": "heading", "level": 2, "text": f"（{i}）联络员{name}。"},
            {"type": "paragraph", "text": "负责本单位试点工作的联络。"},
        )
    ]
    kai_seen = set()
    for name in ("欧阳" + RARE[:2], "李" + RARE[2:4], *names):
        pdf = render_pdf(snapshot(signer=name, upward=upward, body=body))
        with _open(pdf) as doc:
            page = doc.pages[0]
            line = _first_line_with(page, "签发人")
            signer = [c for c in line if c["x0"] > _first_line_with(page, "签发人")[0]["x0"]]
            signer = signer[-len(name) :]
            assert _text(signer) == name
            for c in signer:
                assert "Kai" in c["fontname"], (c["text"], c["fontname"])
            plain = [c for c in signer if c["text"] not in RARE]
            for c in signer:
                if c["text"] not in RARE:
                    continue
                kai_seen.add(c["text"])
                assert "Zhiji-Kai-Rare" in c["fontname"]
                for n in plain:
                    assert c["matrix"][5] == pytest.approx(n["matrix"][5], abs=0.3)  # baseline
                    assert c["top"] == pytest.approx(n["top"], abs=0.3)
                    assert c["bottom"] == pytest.approx(n["bottom"], abs=0.3)
        if name == names[0]:
            with _open(pdf) as doc:
                headings = [
                    ln
                    for page in doc.pages
                    for ln in _lines(page)
                    if _text(ln).startswith("（") and "联络员" in _text(ln)
                ]
                assert len(headings) == 6
                for ln in headings:
                    rare = [c for c in ln if c["text"] in RARE]
                    kai = [c for c in ln if c["text"] not in RARE and "Kai" in c["fontname"]]
                    assert rare and kai
                    for c in rare:
                        assert "Zhiji-Kai-Rare" in c["fontname"]
                        for n in kai:
                            assert c["matrix"][5] == pytest.approx(n["matrix"][5], abs=0.3)
                            assert c["bottom"] == pytest.approx(n["bottom"], abs=0.3)
    assert kai_seen == set(RARE)


def _body_lines(page):
    return [
        ln
        for ln in _lines(page, inside=lambda c: TEXT_TOP < c["top"] < TEXT_BOTTOM)
        if round(ln[0]["size"]) == 16 and not any(_is_red(c) for c in ln)
    ]


def test_items_that_are_sentences_do_not_pull_the_page_break():
    """ "一、同意……。" is an item of its own, not a heading waiting for its text: a list of
    such items fills page 1 instead of moving to page 2 with the signature."""
    items = [f"{n}、同意你校按程序开展第{i}项试点工作。" for i, n in enumerate(CN_ITEMS, start=1)]
    body = [{"type": "paragraph", "text": "你校请示收悉。经研究，现批复如下："}]
    body += [{"type": "heading", "level": 1, "text": t} for t in items]
    body += [{"type": "paragraph", "text": "此复。"}]
    with _open(render_pdf(snapshot(body=body))) as pdf:
        first = _body_lines(pdf.pages[0])
        assert "一、同意你校按程序开展第1项试点工作。" in [_text(ln) for ln in first]
        assert TEXT_BOTTOM - first[-1][0]["bottom"] < 2 * TEXT_H_LINE  # page 1 is full


CN_ITEMS = "一二三四五六七八九十"


@pytest.mark.parametrize("filler", range(7))
def test_a_heading_of_two_lines_is_never_split_over_two_pages(filler):
    heading = "一、关于进一步深化职业院校与技工院校融通发展和推进学分互认证书互通工作的安排"
    body = [{"type": "paragraph", "text": "各校要高度重视，认真组织实施，确保改革落到实处。"}] * (
        4 + filler
    )
    body += [
        {"type": "heading", "level": 1, "text": heading},
        {"type": "paragraph", "text": "各校按期完成试点工作。" * 3},
    ]
    with _open(render_pdf(snapshot(body=body))) as pdf:
        holding = [
            i
            for i, p in enumerate(pdf.pages)
            if any(c["text"] == "关" and "Sans" in c["fontname"] for c in p.chars)
            or any(c["text"] == "排" and "Sans" in c["fontname"] for c in p.chars)
        ]
        assert len(holding) == 1, holding  # both of its lines on one page


@pytest.mark.parametrize("filler", range(6))
def test_no_page_starts_with_the_attachment_note_or_the_seal(filler):
    body = [{"type": "paragraph", "text": "各校要高度重视，认真组织实施，确保改革落到实处。"}] * (
        5 + filler
    )
    attachments = [{"title": "试点院校名单", "body": [{"type": "paragraph", "text": "略。"}]}]
    with _open(render_pdf(snapshot(body=body, attachments=attachments))) as pdf:
        page = next(p for p in pdf.pages if any(_text(ln) == "2024年6月1日" for ln in _lines(p)))
        texts = [_text(ln) for ln in _body_lines(page)]
        assert texts[0] not in ("附件：试点院校名单", "台州市教育局"), texts[:3]
        assert "各校要高度重视" in "".join(texts[: texts.index("附件：试点院校名单")])


def test_a_public_notice_without_addressees_keeps_the_blank_line_under_the_title():
    with_to, without = (
        render_pdf(snapshot(body=BODY_ONE)),
        render_pdf(snapshot(body=BODY_ONE, addressees=[])),
    )
    gaps = []
    for pdf in (with_to, without):
        with _open(pdf) as doc:
            page = doc.pages[0]
            title = [ln for ln in _lines(page) if round(ln[0]["size"]) == 22]
            after = next(ln for ln in _body_lines(page) if ln[0]["top"] > title[-1][0]["bottom"])
            gaps.append(after[0]["top"] - title[-1][0]["bottom"])
    assert gaps[1] == pytest.approx(gaps[0], abs=0.5)
    assert gaps[0] > TEXT_H_LINE  # one blank line


BODY_ONE = [{"type": "paragraph", "text": "现将有关事项公示如下。"}]
