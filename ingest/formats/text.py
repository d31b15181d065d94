"""Plain-text decoding with encoding detection for Chinese documents.

A strict UTF-8 try is not enough: Big5 bytes decode as GB18030 without a single error, only into rare
characters nobody writes. So every legacy Chinese encoding that decodes is scored by how ordinary its
characters are (the 3,755 first-level GB2312 characters and the 5,401 common Big5 characters count for it;
rare ideographs, bopomofo, kana, box drawing and control characters count against it), and the best wins.
charset-normalizer adds its own guess for the files that are not Chinese at all (UTF-16 without BOM, cp1252).
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ingest.errors import DocumentError

# GB18030 is a superset of GBK and GB2312; the Big5 family differ in their extensions, so try each. UTF-8
# competes too: a UTF-8 file with a few damaged bytes is still best read as UTF-8, with replacement marks.
CHINESE_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs", "utf-8")
# Encodings are scored on a prefix: 64 KB is tens of thousands of characters, plenty to tell them apart, and
# a 20 MB file costs no more than a small one.
SCORED_BYTES = 64 * 1024
SCORED_CHARS = 200_000
DETECTOR_BYTES = 256 * 1024
ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
# Real text scores near +1 (Chinese) or just below 0 (accented European text); random high bytes read as
# GB18030 score about -2.
MIN_PLAUSIBILITY = -1.5
COMMON_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》【】〔〕—…·　％＋－／０１２３４５６７８９")


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


def decode_text(raw: bytes) -> DecodedText:
    """Decode a text file, detecting its encoding. Raises DocumentError("binary") for non-text bytes."""
    bom_encoding = encoding_from_bom(raw)
    if bom_encoding:
        text = raw.decode(bom_encoding, errors="replace").lstrip("\ufeff")
        return checked(DecodedText(unify_newlines(text), bom_encoding.removesuffix("-sig")))
    utf16 = utf16_without_bom(raw)
    if utf16:
        return checked(DecodedText(unify_newlines(raw.decode(utf16, errors="replace")), utf16))
    if b"\x00" in raw[:DETECTOR_BYTES]:
        raise binary_error()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return checked(DecodedText(unify_newlines(text), "ascii" if raw.isascii() else "utf-8"))
    score, encoding = max(candidates(raw), key=lambda candidate: candidate[0])
    if score < MIN_PLAUSIBILITY:
        raise DocumentError(
            "no_text",
            "无法识别文件的文字编码，读出的内容是乱码。请用记事本或 WPS 打开后另存为 UTF-8 编码的 .txt 再导入。",
            "The text encoding could not be recognised; the content reads as garbage. Open the file in an "
            "editor and save it as UTF-8 .txt, then load it again.",
        )
    return checked(DecodedText(unify_newlines(raw.decode(encoding, errors="replace")), encoding))


def decode_with_declared(raw: bytes, declared: str | None) -> DecodedText:
    """Decode with an encoding a web server or HTML page declared, falling back to detection when it lies."""
    codec = codec_for_declared(declared)
    if codec:
        try:
            return DecodedText(unify_newlines(raw.decode(codec).lstrip("\ufeff")), codec)
        except UnicodeDecodeError:
            pass
    return decode_text(raw)


def codec_for_declared(declared: str | None) -> str | None:
    """Map a declared charset to the codec that reads it best (gb2312 pages are really GBK or GB18030)."""
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.strip().strip("\"'")).name
    except LookupError:
        return None
    if name in ("gb2312", "gbk", "hz"):
        return "gb18030"
    if name == "big5":
        return "cp950"
    return name


def encoding_from_bom(raw: bytes) -> str | None:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM shows NUL bytes in every other position (ASCII, punctuation, digits)."""
    sample = raw[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    # Chinese text in UTF-16 has few NULs (CJK code points have none), so also require a clean decode.
    for nuls, other, codec in ((odd_nuls, even_nuls, "utf-16-le"), (even_nuls, odd_nuls, "utf-16-be")):
        if nuls >= half * 0.2 and other == 0:
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def candidates(raw: bytes) -> list[tuple[float, str]]:
    """(score, encoding) for every encoding that could have produced these bytes, judged on a sample."""
    sample = raw[:SCORED_BYTES]
    if len(raw) > SCORED_BYTES and b"\n" in sample:
        # cut at a line end: 0x0A is never part of a multi-byte character in these encodings
        sample = sample[: sample.rindex(b"\n") + 1]
    names = list(CHINESE_ENCODINGS)
    guess = detector_guess(sample)
    if guess and guess not in names:
        names.append(guess)
    scored = []
    for name in names:
        try:
            text = sample.decode(name)
            errors = 0
        except UnicodeDecodeError:
            text = sample.decode(name, errors="replace")
            errors = text.count("\ufffd")
        scored.append((plausibility(text, errors), name))
    return scored


def detector_guess(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes  # only files that are not UTF-8 need it; keeps start-up fast

    best = from_bytes(raw[:DETECTOR_BYTES]).best()
    return best.encoding if best else None


def plausibility(text: str, errors: int) -> float:
    """Higher for text made of the characters people write; per character, so lengths compare."""
    sample = text[:SCORED_CHARS]
    common = common_chinese_characters()
    good = bad = 0.0
    for char in sample:
        if char.isascii():
            if char.isprintable() or char in ALLOWED_CONTROLS:
                continue
            bad += 5
        elif char in common:
            good += 1
        elif is_ideograph(char):
            bad += 3
        elif char in COMMON_PUNCTUATION:
            good += 0.5
        else:
            bad += suspicion(char)
    counted = max(1, sum(1 for char in sample if not char.isascii()))
    return (good - bad - 10 * errors) / counted


def suspicion(char: str) -> float:
    """How unlikely a non-ideograph character is in a Chinese document."""
    category = unicodedata.category(char)
    if char == "\ufffd" or category in ("Co", "Cn", "Cc", "Cs"):
        return 5
    code = ord(char)
    if 0x3100 <= code <= 0x312F or 0x3040 <= code <= 0x30FF or 0x2500 <= code <= 0x259F:
        return 2  # bopomofo, kana, box drawing: what GBK bytes turn into when read as Big5
    if 0x00C0 <= code <= 0x024F:
        return 0.5  # accented Latin letters: plausible in a European text, odd among Chinese
    return 1


def is_ideograph(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF


@lru_cache(maxsize=1)
def common_chinese_characters() -> frozenset[str]:
    """First-level GB2312 (simplified, rows 0xB0-0xD7) and the Big5 common block (traditional, 0xA440-0xC67E)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (lead, trail) > (0xC6, 0x7E):
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def checked(decoded: DecodedText) -> DecodedText:
    """Refuse text that is mostly control characters: a binary file that happened to decode."""
    sample = decoded.text[:SCORED_CHARS]
    controls = sum(
        1 for char in sample if unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS
    )
    if controls > max(2, len(sample) // 100):
        raise binary_error()
    return decoded


def unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def binary_error() -> DocumentError:
    return DocumentError(
        "binary",
        "这不是文本文件（内容是二进制数据），无法读取。请提供 .txt、.docx、.pdf 或 .html 格式的文件。",
        "This is not a text file (the content is binary). Provide a .txt, .docx, .pdf or .html file.",
    )
