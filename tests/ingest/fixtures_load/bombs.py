"""Decompression bombs, built in a fraction of a second: small files that inflate to a gigabyte.

Compressing a gigabyte would take seconds, so the deflate stream is assembled instead: after a full flush a
deflate compressor forgets everything it has seen, so the bytes it emits for one megabyte of filler are valid
again after themselves. Repeating them N times gives a stream that inflates to N megabytes, with the correct
checksums, so every reader sees a genuine file.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable

from tests.ingest.fixtures_load.builders import docx_bytes

MB = 1024 * 1024
EMPTY_PARAGRAPHS = b"<w:p/>" * (MB // 6)  # just under 1 MB of Word paragraphs with nothing in them


def repeated_deflate(
    head: bytes, filler: bytes, repeats: int, tail: bytes, *, wbits: int
) -> tuple[bytes, int]:
    """A deflate stream of head + filler * repeats + tail, and that content's length.

    wbits=-15 gives raw deflate (zip entries), 15 the zlib wrapper (PDF FlateDecode).
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(filler) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    if wbits > 0:  # the zlib trailer holds the Adler-32 of the content, which the repeats change
        checksum = zlib.adler32(head)
        for _ in range(repeats):
            checksum = zlib.adler32(filler, checksum)
        end = end[:-4] + struct.pack(">I", zlib.adler32(tail, checksum))
    return start + segment * repeats + end, len(head) + len(filler) * repeats + len(tail)


def crc_of(head: bytes, filler: bytes, repeats: int, tail: bytes) -> int:
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(filler, crc)
    return zlib.crc32(tail, crc)


def zip_of(entries: Iterable[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated entries (name, deflated bytes, crc32, unpacked size)."""
    out = io.BytesIO()
    directory = []
    for name, deflated, crc, size in entries:
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0)
        )
        out.write(encoded + deflated)
        directory.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(deflated),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(b"".join(directory))
    count = len(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, out.tell() - start, start, 0))
    return out.getvalue()


def docx_with_body(filler: bytes, repeats: int) -> bytes:
    """A genuine .docx whose body is `filler` repeated; every other part is python-docx's own."""
    template = zipfile.ZipFile(io.BytesIO(docx_bytes(["区发展改革局牵头。"])))
    entries = []
    for name in template.namelist():
        content = template.read(name)
        if name == "word/document.xml":
            head, _, _ = content.partition(b"<w:body>")
            head += b"<w:body>"
            tail = b"</w:body></w:document>"
            deflated, size = repeated_deflate(head, filler, repeats, tail, wbits=-15)
            entries.append((name, deflated, crc_of(head, filler, repeats, tail), size))
        else:
            deflated, size = repeated_deflate(content, b"", 0, b"", wbits=-15)
            entries.append((name, deflated, zlib.crc32(content), size))
    return zip_of(entries)


def pdf_with_inflating_page(megabytes: int) -> bytes:
    """A one-page PDF whose content stream is `megabytes` MB of spaces once inflated (spaces are valid there)."""
    filler = b" " * MB
    stream, _ = repeated_deflate(b"BT ", filler, megabytes, b" ET", wbits=15)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
    }
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(
        b"%010d 00000 n \n" % offsets[n] for n in range(1, 5)
    )
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
