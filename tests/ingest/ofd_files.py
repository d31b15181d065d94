"""Build OFD files for tests: a zip of OFD.xml, Document.xml and one Content.xml per page (invented text)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
SIZE = 4.2  # glyph size in mm: a line of 40 glyphs is 168 mm wide


def make_ofd(pages: list[list[str]], *, title: str = "") -> bytes:
    """Each page's lines top to bottom, one TextObject per line, glyphs SIZE apart."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = f"<ofd:DocInfo><ofd:Title>{escape(title)}</ofd:Title></ofd:DocInfo>" if title else ""
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD">'
            f"<ofd:DocBody>{info}<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        entries = "".join(
            f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages))
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:Pages>{entries}</ofd:Pages>'
            "</ofd:Document>",
        )
        for number, lines in enumerate(pages):
            objects = []
            for index, line in enumerate(lines):
                top = 30 + index * 8
                deltas = " ".join([str(SIZE)] * (len(line) - 1))
                # written in reverse order: the reader must sort by position, not trust the file's order
                objects.insert(
                    0,
                    f'<ofd:TextObject ID="{index + 10}" Boundary="20 {top} 170 8" Font="3" Size="{SIZE}">'
                    f'<ofd:TextCode X="0" Y="6" DeltaX="{deltas}">{escape(line)}</ofd:TextCode>'
                    "</ofd:TextObject>",
                )
            archive.writestr(
                f"Doc_0/Pages/Page_{number}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content><ofd:Layer ID="2">'
                + "".join(objects)
                + "</ofd:Layer></ofd:Content></ofd:Page>",
            )
    return buffer.getvalue()
