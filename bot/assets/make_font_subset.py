"""Rebuild PlanbotCJKSans-Regular.otf: Noto Sans SC cut down to what Chinese plans are written in.

    python bot/assets/make_font_subset.py /path/to/NotoSansSC-Regular.otf

The source is Noto Sans SC 2.004 (SIL OFL 1.1; e.g. the `pylopdf-fonts-zh-cn` wheel on PyPI ships it). The
subset keeps ASCII, the CJK and full-width punctuation, circled numbers and arrows, and every character of
GB 2312 (6,763 hanzi: the set government documents are typeset in), which is 1.5 MB instead of 8 MB. It is
renamed, since the OFL asks modified versions not to pass for the original, and "Noto" is a trademark.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Planbot CJK Sans"
OUTPUT = Path(__file__).resolve().parent / "PlanbotCJKSans-Regular.otf"
EXTRA_RANGES = (
    (0x0020, 0x007F),  # ASCII
    (0x00B7, 0x00B8),  # middle dot
    (0x2010, 0x2070),  # dashes, quotes, ellipsis, ‰
    (0x2190, 0x2200),  # arrows
    (0x2460, 0x2500),  # ①②③
    (0x25A0, 0x2600),  # ■●▲
    (0x3000, 0x3040),  # 、。《》【】〔〕
    (0xFF00, 0xFFF0),  # full-width forms
)


def gb2312_characters() -> set[str]:
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def wanted_codepoints() -> list[int]:
    points = {ord(character) for character in gb2312_characters()}
    for first, last in EXTRA_RANGES:
        points.update(range(first, last))
    return sorted(points)


def rename(font: TTFont) -> None:
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
        elif record.nameID == 3:
            record.string = f"{FAMILY.replace(' ', '')}-Regular;subset of Noto Sans SC 2.004"


def main(source: str) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    rename(font)
    font.save(OUTPUT)
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
