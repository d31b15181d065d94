"""Raw document text -> clean simplified text, with a map back to the original.

What is removed and why:
- Traditional characters are converted with OpenCC (t2s), so one alias table and one set of rules serve both.
- Pinyin annotations such as 區(qū) come from web pages that ruby-annotate rare characters; they break words.
  Only parentheses holding lower-case latin with a tone mark are pinyin: （PPP） and (GDP) stay.
- [bookmark: …] tags, page-number lines (—41—, 第3页), advertising lines at the top of re-posted documents and
  page headers repeated on every page are noise that would end up inside evidence sentences.
- Hard line breaks inside a sentence (PDF and Word exports wrap lines) are joined, so a sentence is one line.

Mojibake such as `?。H` (a GBK byte pair read as something else) is flagged, never repaired by guessing, and the
sentence splitter refuses to end a sentence at a `。` that belongs to such a span.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from ingest.table_rows import bare_cell_lines

PINYIN = re.compile(r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]+\)")
BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
INLINE_NOISE = re.compile(f"{PINYIN.pattern}|{BOOKMARK.pattern}")
PAGE_NUMBER_LINE = re.compile(
    r"^(?:[—\-－–―_\s]*\d{1,4}[—\-－–―_\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
    r"|[-—]\s*[IVXLC]+\s*[-—])$"
)
AD_MARKERS = re.compile(
    r"仅供学习|禁止外传|订阅|会员|QQ群|公众号|扫码|扫一扫|倒卖|免费赠送|版权所有|转载请|责任编辑|打印本页|关闭窗口"
    r"|分享到|【\s*大\s*中\s*小\s*】|字号[:：]|网站地图|浏览次数|阅读次数|Copyright|copyright|ICP备|网安备"
)
MOJIBAKE = re.compile(r"\?[。、，!！A-Za-zà-ǜ^)\]]{1,4}|�+")
HEADING_START = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[篇章节部分]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d+[.．、](?!\d)|\d{1,2}[.．](?=\d{1,2}月)|专栏\s*\d+|附件\s*\d*)"
)
TITLE_ENDING = re.compile(
    r"(?:讲话|规划|纲要|计划|意见|方案|通知|报告|决定|办法|解读|说明|要点|清单|实施方案|通报|条例|规定|细则|纪要|批复"
    r"|[分解推进安排情况任务清单一览]表|任务分解|责任分工|任务分工|工作安排|时间安排|若干措施)(?:[（(][^）)]{0,12}[）)])?[”》」]?$"
)
HAN_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
MAX_WARNINGS = 20  # a badly converted file would otherwise list thousands
SENTENCE_END = "。！？!?；;：:…"
SOFT_BREAK_END = "，、（(“《—"


@dataclass(slots=True)
class NormalizedText:
    """Normalized text plus the offsets needed to cite the original."""

    text: str
    # sorted starts of copied runs: normalized offset -> original offset
    run_starts: list[int] = field(default_factory=list)
    run_sources: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mojibake_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        """Plans are written in Chinese: a text with fewer than ten Chinese characters is not one."""
        return sum(1 for _ in islice(HAN_CHARACTER.finditer(self.text), 10)) == 10

    def to_source(self, offset: int) -> int:
        """Original offset of the normalized character at `offset`."""
        if not self.run_starts:
            return offset
        index = bisect_right(self.run_starts, offset) - 1
        if index < 0:
            return self.run_sources[0]
        return self.run_sources[index] + (offset - self.run_starts[index])


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified, converting only the lines that need it.

    The converter is slow (pure Python, about a second per megabyte). A line that GB 2312 can encode holds
    simplified characters only, so most lines of a mainland document are passed through untouched."""
    if _simplified_already(text):
        return text
    lines = text.split("\n")
    return "\n".join(line if _simplified_already(line) else _converter().convert(line) for line in lines)


def _simplified_already(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(slots=True)
class _Line:
    text: str
    source_start: int
    runs: list[tuple[int, int]]  # (offset in line, offset in source) at each place the copy jumps


def normalize(raw: str) -> NormalizedText:
    """Clean `raw` (any script, any noise) into simplified text whose sentences sit on one line each."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    converted = to_simplified(raw)
    if len(converted) != len(
        raw
    ):  # t2s maps characters one to one; a phrase rule that does not is undone here
        converted = "".join(to_simplified(ch) if len(to_simplified(ch)) == 1 else ch for ch in raw)
    lines = _split_lines(_unflatten(converted))
    # a table pasted one cell per line: each cell is marked as the cell of a table (" |"), as web pages render
    # them, so that the cells are neither joined nor dropped as page numbers or repeated headers
    for index in bare_cell_lines([line.text for line in lines]):
        lines[index].text += " |"
    lines = _drop_noise_lines(lines)
    return _join_lines(lines)


# a web page flattened into one line keeps its items apart by spaces: "…通知如下。 一、督办事项 1.建立…"
INLINE_ITEM = re.compile(
    r"(?<=[。；;）)！？\u4e00-\u9fff])[ \u3000\t]+(?=(?:\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]{1,3}[）)]))"
)
FLATTENED_LINE = 120  # characters: a line this long that holds spaced items is a page run together


def _unflatten(text: str) -> str:
    """Put each spaced item of a flattened page on a line of its own. A space becomes the line break, so
    every offset into the original text stays where it was."""
    if "\n" in text and max(len(line) for line in text.split("\n")) < FLATTENED_LINE:
        return text
    return "\n".join(
        INLINE_ITEM.sub(lambda match: "\n" + match.group()[1:], line) if len(line) >= FLATTENED_LINE else line
        for line in text.split("\n")
    )


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    position = 0
    for piece in text.split("\n"):
        start = position
        position += len(piece) + 1
        cleaned, runs = _strip_inline_noise(piece, start)
        stripped = cleaned.strip()
        if not stripped:
            continue
        lead = len(cleaned) - len(cleaned.lstrip())
        runs = _shift_runs(runs, lead)
        lines.append(_Line(stripped, start + lead, runs))
    return lines


def _strip_inline_noise(line: str, source_start: int) -> tuple[str, list[tuple[int, int]]]:
    if "(" not in line and "[" not in line:
        return line, [(0, source_start)]
    parts: list[str] = []
    runs: list[tuple[int, int]] = []
    kept = 0
    cursor = 0
    for match in INLINE_NOISE.finditer(line):
        if match.start() > cursor:
            runs.append((kept, source_start + cursor))
            parts.append(line[cursor : match.start()])
            kept += match.start() - cursor
        cursor = match.end()
    if cursor < len(line):
        runs.append((kept, source_start + cursor))
        parts.append(line[cursor:])
    return "".join(parts), runs or [(0, source_start)]


def _shift_runs(runs: list[tuple[int, int]], lead: int) -> list[tuple[int, int]]:
    """Re-base runs after `lead` characters were stripped from the front of a line."""
    if not lead:
        return runs
    shifted: list[tuple[int, int]] = []
    for index, (line_offset, source_offset) in enumerate(runs):
        end = runs[index + 1][0] if index + 1 < len(runs) else None
        if end is not None and end <= lead:
            continue
        if line_offset < lead:
            shifted.append((0, source_offset + (lead - line_offset)))
        else:
            shifted.append((line_offset - lead, source_offset))
    return shifted or [(0, runs[0][1] + lead)]


def _drop_noise_lines(lines: list[_Line]) -> list[_Line]:
    texts = [line.text for line in lines]
    repeated = {
        text
        for text, count in Counter(texts).items()
        if count >= 3
        and len(text) <= 30
        and not HEADING_START.match(text)
        and text[-1] not in SENTENCE_END
        and "：" not in text
        and ":" not in text  # 牵头单位：区发改局 repeats in division plans and is content, not a page header
        and not text.rstrip().endswith("|")  # a table cell (城管局 |) repeats row after row
    }
    top_ad_end = _top_advertising_block_end(texts)
    kept: list[_Line] = []
    for index, line in enumerate(lines):
        text = line.text
        if text.endswith(" |"):
            kept.append(line)  # a table cell: never noise
            continue
        if index < top_ad_end or text in repeated or PAGE_NUMBER_LINE.match(text):
            continue
        if len(text) <= 60 and AD_MARKERS.search(text) and not _reads_as_content(text):
            continue
        kept.append(line)
    return kept


def _top_advertising_block_end(texts: list[str]) -> int:
    """Re-posted documents often open with a block of short promotional lines before the real title."""
    last_ad = -1
    for index, text in enumerate(texts[:15]):
        if len(text) > 60:
            break
        if AD_MARKERS.search(text) and not _reads_as_content(text):
            last_ad = index
    return last_ad + 1


# "区工商联要组织会员企业…。" holds an advertising word but is a duty: a sentence with a duty word is content
CONTENT_SENTENCE = re.compile(r"(?:要|应当?|须|负责|牵头|配合|完成|推进|开展|组织|建立|开通)[^。]*[。；;]\s*$")


# the label of a form's field at a line's start: 承办单位：, 办结时限：, 督办事项：
FIELD_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[：:](?!\s*$)")


def _reads_as_content(text: str) -> bool:
    return bool(CONTENT_SENTENCE.search(text))


def _ends_paragraph(current: str, following: str) -> bool:
    if "\t" in current or "\t" in following:
        return True
    if FIELD_LABEL.match(following):
        return True  # 督办事项：… / 承办单位：… / 办结时限：…: each field of a form is a line of its own
    if following.rstrip().endswith(("：", ":")) and len(following) <= 60:
        return True  # the addressees of a notice (县直各部门、各乡镇：) open a paragraph of their own
    if current.count("|") >= 2 or following.count("|") >= 2 or current.rstrip().endswith("|") or following.rstrip().endswith("|"):
        return True  # a table row (a | b | c), or one cell of a table laid out one cell per line

    if HEADING_START.match(following):
        return True
    last = current[-1]
    if last in SENTENCE_END or (last in "”」』）)】" and len(current) < 20):
        return True
    if last in SOFT_BREAK_END:
        return False
    if HEADING_START.match(current) and len(current) <= 40:
        return True
    if TITLE_ENDING.search(current) and len(current) <= 130:
        return True
    # a short line with no closing punctuation is a title or a heading, not a wrapped sentence
    return len(current) < 20


def _join_lines(lines: list[_Line]) -> NormalizedText:
    pieces: list[str] = []
    run_starts: list[int] = []
    run_sources: list[int] = []
    length = 0
    for index, line in enumerate(lines):
        if index and _ends_paragraph(lines[index - 1].text, line.text):
            pieces.append("\n")
            length += 1
        for line_offset, source_offset in line.runs:
            run_starts.append(length + line_offset)
            run_sources.append(source_offset)
        pieces.append(line.text)
        length += len(line.text)
    text = "".join(pieces)
    normalized = NormalizedText(text=text, run_starts=run_starts, run_sources=run_sources)
    line_number, counted_to = 1, 0
    for match in MOJIBAKE.finditer(text):
        if match.group().startswith("?") and not _between_cjk(text, match.start(), match.end()):
            continue
        normalized.mojibake_spans.append((match.start(), match.end()))
        if len(normalized.warnings) < MAX_WARNINGS:
            line_number += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            normalized.warnings.append(
                f"第{line_number}行疑似乱码 / possible mojibake at line {line_number}: {match.group()!r}"
            )
    return normalized


def _between_cjk(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    return "\u4e00" <= before <= "\u9fff" or start == 0 or before in "（("
