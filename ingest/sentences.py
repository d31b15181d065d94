"""Splitting a line into sentences: the unit of evidence.

A sentence ends at 。！？ or the line end, except inside brackets, before a closing quote, after the `?` of a
mojibake span (`?。`), and where a bracketed role note follows its 。 (…完成投资。（区发改局牵头）).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

SENTENCE_END = "。！？!?"
OPENERS = "（(《“‘【[「"
CLOSERS = "）)》”’】]」"
# no sentence in a real plan runs this long; a longer one is a conversion accident, and every later step is
# linear in its length per clause
MAX_SENTENCE = 600


@dataclass(slots=True)
class Sentence:
    start: int  # offset in the normalized text
    text: str
    line_start: int


NESTED = r"(?:[^（()）]|[（(][^（()）]{0,12}[）)])"
ROLE_NOTE = re.compile(
    rf"\s*[（(]{NESTED}{{0,80}}(?:牵头|配合|负责|责任|单位|部门){NESTED}{{0,80}}[）)][。；;]?"
)


ROLE_NOTE_AT_END = re.compile(ROLE_NOTE.pattern + r"\s*$")


def _attached_note_end(line: str, end: int) -> int | None:
    """Where a sentence really ends: a note such as （区发改局牵头） after its 。 belongs to it.

    Returns None when the terminator at `end - 1` is inside a quotation that goes on."""
    if end < len(line) and line[end] in "”’」":
        return None
    note = ROLE_NOTE.match(line, end)
    return note.end() if note else end


# "；二是…", "；（3）…": the next item of an enumeration written as one sentence (一是…；二是…；三是…)
NEXT_ITEM = re.compile(
    r"[；;](?=\s*(?:[二三四五六七八九十]+是|其次|再次|最后|[（(]\d{1,2}[）)]|\d{1,2}[．.、](?!\d)|[（(][二三四五六七八九十]+[）)]))"
)


def split_sentences(line: str, line_start: int) -> Iterator[Sentence]:
    """Sentences of one line; a run-on of more than MAX_SENTENCE characters is cut at clause breaks.

    The items of an enumeration inside one sentence (一是…；二是…) are sentences of their own: each names its
    own unit and deadline, and read as one they would share them all."""
    for whole in _sentences(line, line_start):
        yield from _cut_long(_items(whole))


def _items(sentence: Sentence) -> list[Sentence]:
    text, items, start = sentence.text, [], 0
    depth, scanned = 0, 0  # bracket depth, counted once over the text however many items it has
    for match in NEXT_ITEM.finditer(text):
        stretch = text[scanned : match.start()]
        depth += sum(stretch.count(c) for c in OPENERS) - sum(stretch.count(c) for c in CLOSERS)
        scanned = match.start()
        if depth > 0:
            continue  # inside brackets or quotes
        items.append(Sentence(sentence.start + start, text[start : match.end()], sentence.line_start))
        start = match.end()
    items.append(Sentence(sentence.start + start, text[start:], sentence.line_start))
    return [item for item in items if item.text.strip()]


def _cut_long(sentences: list[Sentence]) -> Iterator[Sentence]:
    for sentence in sentences:
        if len(sentence.text) <= MAX_SENTENCE:
            yield sentence
            continue
        text, offset = sentence.text, 0
        while len(text) - offset > MAX_SENTENCE:
            limit = offset + MAX_SENTENCE
            cut = max(text.rfind(mark, offset, limit) for mark in "；;，,、") + 1
            cut = cut if cut > offset else limit
            yield Sentence(sentence.start + offset, text[offset:cut], sentence.line_start)
            offset = cut
        if offset < len(text):
            yield Sentence(sentence.start + offset, text[offset:], sentence.line_start)


def _sentences(line: str, line_start: int) -> Iterator[Sentence]:
    """Sentences end at 。！？ or the line end; a 。 right after a ? is mojibake (`?。`), not an end."""
    start = 0
    depth = 0
    for index, char in enumerate(line):
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(0, depth - 1)
        elif char in SENTENCE_END and depth == 0:
            if index and line[index - 1] == "?":
                continue
            end = _attached_note_end(line, index + 1)
            if end is None:
                continue
            yield Sentence(line_start + start, line[start:end], line_start)
            start = end
            while start < len(line) and line[start] in " \u3000\t":
                start += 1
    if start < len(line) and line[start:].strip():
        yield Sentence(line_start + start, line[start:].rstrip(), line_start)
