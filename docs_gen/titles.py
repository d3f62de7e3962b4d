"""Breaking a 公文 title into lines (GB/T 9704-2012 §7.3.1).

A title that does not fit on one line is broken where the meaning stays whole
(词意完整) and its lines form a trapezoid or a diamond (梯形或菱形). Here:

* a line may only end between two words: the gaps between jieba's words, and
  never inside a protected name (units and schools of the registry, the issuer,
  the addressees, any name the caller supplies) nor inside a number with its
  unit ("2024年", "第3批"), nor after an opening or before a closing mark;
* no line is wider than the text block (22 pt characters, 20 to a line) nor
  shorter than 3 characters, and no middle line is shorter than both of its
  neighbours (an hourglass); among the rest the breaks at the usual joints of a
  title (after 关于/印发, before 关于/的通知) and the most even lines win, the upright
  trapezoid (short over long) before the inverted one.

Pure and deterministic: the segmenter's dictionary ships inside the jieba
package; the domain words below are added once, the names per call go around
the segmenter (the text between names is segmented piece by piece).
"""

import logging
import math
import re
from functools import cache

# terms of the plan and of the usual titles, kept whole by the segmenter
DOMAIN_WORDS = (
    "职技融通",
    "产教融合",
    "产教融合型企业",
    "校企合作",
    "职业院校",
    "技工院校",
    "技师学院",
    "技工学校",
    "高级技工学校",
    "职业学校",
    "中等职业学校",
    "职业技术学校",
    "职业技术学院",
    "高职院校",
    "中职学校",
    "职业教育",
    "技能大赛",
    "技能人才",
    "重点任务",
    "实施方案",
    "学分互认",
    "学历证书",
    "职业技能等级证书",
    "职业技能等级",
    "学徒制",
    "现代学徒制",
    "一体化",
    "人民政府",
    "办公室",
    "教育局",
    "人力资源",
    "社会保障",
    "人力资源和社会保障局",
    "财政局",
    "发展改革",
    "领导小组",
    "第一季度",
    "第二季度",
    "第三季度",
    "第四季度",
)
BREAK_AFTER = ("关于", "印发", "转发", "批转", "公布", "办公室")
BREAK_BEFORE = (
    "关于",
    "的通知",
    "的批复",
    "的决定",
    "的通报",
    "的公示",
    "的函",
    "的意见",
    "的报告",
)
OPENING = "“‘（《〈「『【〔(["
CLOSING = "”’）》〉」』】〕)]，、。：；！？,.:;!?%％"
UNITS_AFTER_NUMBER = "年月日号届期批次个项名所家条款季度"
LEANS_FORWARD = "与和及或对在向从为把"
SUFFIXES = "型性式化类级制者员"
# a school's or unit's name that the caller did not list: led by a place, ended by
# the kind of institution; kept whole where the line lengths allow (a soft rule)
INSTITUTION_RE = re.compile(
    r"(?:[\u4e00-\u9fff]{1,3}?[省市县区镇])+[\u4e00-\u9fff]{0,12}?"
    r"(?:学校|学院|中专|技校|中学|大学|局|委员会|办公室|人民政府|中心)"
)
NOT_A_NAME = ("关于", "同意", "批准", "加挂", "与", "和", "及", "对", "由", "在")
MIN_LINE = 3  # no widow of one or two characters
SHORT_LINE = 5  # a line under five characters is allowed, at a price


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=200000)
    return tokenizer


def char_width(ch: str) -> float:
    """Advance of a title character in em (Noto Serif CJK SC Bold, measured)."""
    if ch.isascii():
        if ch.isdigit():
            return 0.6
        if ch.isalpha():
            return 0.75
        return 0.35 if ch == " " else 0.5
    return 1.0


def width(text: str) -> float:
    return sum(char_width(ch) for ch in text)


def _spans(title: str, names) -> list[tuple[int, int]]:
    """Every occurrence of every protected name, as (start, end)."""
    spans = []
    for name in {n for n in names if n and len(n) >= 2}:
        start = title.find(name)
        while start != -1:
            spans.append((start, start + len(name)))
            start = title.find(name, start + 1)
    return spans


def _quoted(title: str) -> list[tuple[int, int]]:
    """The spans of “…” and （…）: names and notes that should stay on one line."""
    spans, stack = [], []
    pairs = {"“": "”", "（": "）", "《": "》", "(": ")"}
    for i, ch in enumerate(title):
        if ch in pairs:
            stack.append((i, pairs[ch]))
        elif stack and ch == stack[-1][1]:
            start, _close = stack.pop()
            spans.append((start, i + 1))
    return spans


def _institutions(title: str, allowed: list[int]) -> list[tuple[int, int]]:
    """Spans that look like names of units or schools, their start moved to a word
    boundary (the pattern may start inside the word before the place)."""
    spans = []
    for m in INSTITUTION_RE.finditer(title):
        start = min((c for c in [0, *allowed] if c >= m.start()), default=m.start())
        while title.startswith(NOT_A_NAME, start):
            start += next(len(w) for w in NOT_A_NAME if title.startswith(w, start))
        if start < m.end():
            spans.append((start, m.end()))
    return spans


def word_boundaries(title: str, names=()) -> set[int]:
    """Positions (0 < i < len) where a line may end: between two words of the segmenter,
    never inside a protected name."""
    spans = _spans(title, names)
    inside = set()
    for a, b in spans:
        inside.update(range(a + 1, b))
    # names are cut out before segmenting, so the segmenter never joins a name's edge
    # to its neighbour; the text between them is segmented piece by piece
    edges = sorted({0, len(title), *(a for a, _b in spans), *(b for _a, b in spans)})
    boundaries = set()
    for a, b in zip(edges, edges[1:], strict=False):
        if a in inside and b in inside:
            continue
        pos = a
        for word in _tokenizer().cut(title[a:b], HMM=True):
            pos += len(word)
            boundaries.add(pos)
        boundaries.add(a)
    allowed = set()
    for i in boundaries - inside:
        if not 0 < i < len(title):
            continue
        before, after = title[i - 1], title[i]
        if before in OPENING or after in CLOSING:
            continue
        if before.isdigit() and (after.isdigit() or after in UNITS_AFTER_NUMBER or after == "."):
            continue
        if before == "第" and (after.isdigit() or after in "一二三四五六七八九十"):
            continue
        allowed.add(i)
    return allowed


def _shape_penalty(widths: list[float]) -> float:
    s = max(widths) - min(widths)
    if len(widths) == 2 and widths[0] > widths[1]:
        s += 3  # the upright trapezoid first
    for k in range(1, len(widths) - 1):
        if widths[k] < widths[k - 1] and widths[k] < widths[k + 1]:
            s += 60  # hourglass: neither trapezoid nor diamond
    s += sum(2 * (SHORT_LINE - w) for w in widths if w < SHORT_LINE)
    return s


def title_lines(title: str, *, per_line: float = 20, names=()) -> list[str]:
    """The title's lines: at most ``per_line`` em wide, broken between words (never in
    a name of ``names``), shaped as a trapezoid or diamond. "\\n" in the title forces
    the breaks."""
    if "\n" in title:
        return [line for line in title.split("\n") if line]
    n = len(title)
    if width(title) <= per_line:
        return [title]
    allowed = sorted(word_boundaries(title, names))
    quoted = _quoted(title) + _institutions(title, allowed)
    spans = _spans(title, names)

    def joint(c: int) -> float:
        s = 0.0
        if any(title[:c].endswith(w) for w in BREAK_AFTER):
            s -= 3
        if any(title[c:].startswith(w) for w in BREAK_BEFORE):
            s -= 3
        if any(a == c or b == c for a, b in spans):
            s -= 2  # the edge of a name
        if title[c - 1] == "的":
            s += 8
        if title[c - 1] in LEANS_FORWARD:
            s += 4  # 与/和/对… belong with the words after them
        if title[c] in SUFFIXES:
            s += 15  # 产教融合 / 型企业
        if title[c - 1] in "，、；":
            s -= 3
        if any(a < c < b for a, b in quoted):
            s += 30  # a quoted or likely name, a bracketed note, split over two lines
        return s

    best, best_score = None, None
    minimum = math.ceil(width(title) / per_line)
    for count in (minimum, minimum + 1, minimum + 2):
        for cuts in _cuts(title, allowed, count, per_line):
            lines = [title[a:b] for a, b in zip((0, *cuts), (*cuts, n), strict=True)]
            score = sum(joint(c) for c in cuts) + _shape_penalty([width(x) for x in lines])
            score += 10 * (count - minimum)  # a line more only for a clearly better shape
            if best_score is None or score < best_score:
                best, best_score = lines, score
        if best is not None and count > minimum:
            break
    if best is None and names:  # a name longer than a line: words still kept whole
        return title_lines(title, per_line=per_line)
    if best is None:  # no word boundary fits (one very long word): break by width
        best, line = [], ""
        for ch in title:
            if width(line + ch) > per_line:
                best.append(line)
                line = ""
            line += ch
        best.append(line)
    return best


def _cuts(title: str, allowed: list[int], count: int, per_line: float):
    """Every choice of ``count - 1`` allowed breaks giving lines of MIN_LINE characters
    up to ``per_line`` em."""
    n = len(title)
    prefix = [0.0]
    for ch in title:
        prefix.append(prefix[-1] + char_width(ch))

    def rec(start: int, left: int):
        if left == 0:
            if n - start >= MIN_LINE and prefix[n] - prefix[start] <= per_line:
                yield ()
            return
        for c in allowed:
            if c - start < MIN_LINE:
                continue
            if prefix[c] - prefix[start] > per_line:
                break
            if prefix[n] - prefix[c] > left * per_line:
                continue
            for rest in rec(c, left - 1):
                yield (c, *rest)

    yield from rec(0, count - 1)
