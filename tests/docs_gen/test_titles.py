"""Titles break between words, never inside a name, as a trapezoid or diamond (GB/T 9704 §7.3.1)."""

import io

import pdfplumber
import pytest

from docs_gen.rendering import render_pdf
from docs_gen.titles import _tokenizer, title_lines, width

PLAQUE_REPLY = "关于同意台州市第一中等职业学校加挂“台州市第一技师学院（第一中职）”牌子的批复"


def _breaks(lines):
    out, pos = [], 0
    for line in lines[:-1]:
        pos += len(line)
        out.append(pos)
    return out


def _inside(title, word, position):
    start = title.find(word)
    while start != -1:
        if start < position < start + len(word):
            return True
        start = title.find(word, start + 1)
    return False


def _segmenter_boundaries(title):
    cuts, pos = set(), 0
    for word in _tokenizer().cut(title, HMM=True):
        pos += len(word)
        cuts.add(pos)
    return cuts


def assert_well_broken(title, lines, names=()):
    assert "".join(lines) == title
    assert all(width(line) <= 20 for line in lines), lines
    for position in _breaks(lines):
        for name in names:
            assert not _inside(title, name, position), (name, lines)
        # a break the segmenter would not make is only allowed at a name's edge
        at_a_name_edge = any(
            title.startswith(n, position) or title[:position].endswith(n) for n in names
        )
        assert position in _segmenter_boundaries(title) or at_a_name_edge, lines
    sizes = [len(line) for line in lines]
    # no widow of one or two characters: the lines never grow longer downward while a
    # later line is under three characters
    assert min(sizes) >= 3, lines
    # trapezoid or diamond: no middle line shorter than both its neighbours
    for k in range(1, len(sizes) - 1):
        assert not (sizes[k] < sizes[k - 1] and sizes[k] < sizes[k + 1]), lines


def test_the_dual_plaque_reply_breaks_between_names():
    names = ["台州市第一中等职业学校", "台州市第一技师学院"]
    lines = title_lines(PLAQUE_REPLY, names=names)
    assert_well_broken(PLAQUE_REPLY, lines, [*names, "台州市", "第一中职"])
    assert len(lines) == 3


@pytest.mark.parametrize(
    "title,names",
    [
        (
            "关于同意三门县海润中等职业技术学校加挂“三门县海润技工学校”牌子的批复",
            ["三门县海润中等职业技术学校", "三门县海润技工学校"],
        ),
        (
            "仙居县人力资源和社会保障局关于同意仙居县永安职业技术学校与仙居县永安技工学校联合办学的批复",
            ["仙居县人力资源和社会保障局", "仙居县永安职业技术学校", "仙居县永安技工学校"],
        ),
        (
            "关于表彰2025年度临海市括苍山职业院校技能大赛优秀指导教师和优秀选手的决定",
            ["临海市括苍山职业院校"],
        ),
        ("关于开展第4批产教融合型企业认定和复核工作的通知", []),
        (
            "椒江区教育局 椒江区人力资源和社会保障局关于公布2026年度中高职一体化人才培养试点项目名单的通知",
            ["椒江区教育局", "椒江区人力资源和社会保障局"],
        ),
        ("关于黄岩区澄江技工学校职技融通学分互认工作情况的通报", ["黄岩区澄江技工学校"]),
    ],
)
def test_unseen_titles_break_between_words_and_never_inside_a_name(title, names):
    lines = title_lines(title, names=names)
    assert len(lines) >= 2
    assert_well_broken(title, lines, names)
    # numbers keep their unit
    for position in _breaks(lines):
        assert not (title[position - 1].isdigit() and title[position] in "年批届")


def test_a_name_is_kept_whole_even_where_the_segmenter_would_split_it():
    # the segmenter splits this made-up school's name into several words
    title = "关于同意路桥区金清镇新星中等职业学校增设现代物流专业的批复"
    name = "路桥区金清镇新星中等职业学校"
    assert len(list(_tokenizer().cut(name))) > 1
    for names in ([name], []):
        lines = title_lines(title, names=names)
        assert_well_broken(title, lines, names)
    assert not any(_inside(title, name, p) for p in _breaks(title_lines(title, names=[name])))


def test_forced_breaks_and_short_titles_are_kept():
    assert title_lines("台州市教育局关于\n开展工作的通知") == ["台州市教育局关于", "开展工作的通知"]
    assert title_lines("关于开展试点工作的通知") == ["关于开展试点工作的通知"]


def test_the_printed_title_of_a_reply_breaks_where_the_breaker_says():
    from tests.docs_gen.test_layout import snapshot

    names = ["台州市第一中等职业学校", "台州市第一技师学院"]
    pdf = render_pdf(snapshot(title=PLAQUE_REPLY, names=names))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        rows = {}
        for c in doc.pages[0].chars:
            if round(c["size"]) == 22:
                rows.setdefault(round(c["top"]), []).append(c)
        printed = [
            "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"]))
            for _top, cs in sorted(rows.items())
        ]
    assert printed == title_lines(PLAQUE_REPLY, names=names)
    assert_well_broken(PLAQUE_REPLY, printed, [*names, "台州市"])
