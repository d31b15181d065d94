"""Legacy .doc/.wps files (converted by LibreOffice or antiword when present) and format sniffing."""

from __future__ import annotations

import io
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from ingest.errors import DocumentError
from ingest.load import load_source
from tests.ingest.fixtures_load.builders import OLE_MAGIC, docx_bytes

LEGACY_BYTES = OLE_MAGIC + bytes(range(256)) * 8  # an OLE compound file header, as Word 97 and WPS write


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only the programs a test puts there: no LibreOffice, no antiword unless faked."""
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", str(directory))
    return directory


def fake_program(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\nimport sys, pathlib\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def write(tmp_path: Path, name: str, raw: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def refusal(source: str) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        load_source(source)
    return caught.value


@pytest.mark.parametrize(("name", "label"), [("notice.doc", "旧版 Word"), ("notice.wps", "WPS")])
def test_without_a_converter_the_message_says_how_to_convert(tmp_path, bin_dir, name, label):
    error = refusal(write(tmp_path, name, LEGACY_BYTES))
    assert error.code == "legacy_format"
    assert label in error.zh
    assert "另存为” .docx" in error.zh and "LibreOffice" in error.zh
    assert "Save As .docx" in error.en


def test_libreoffice_converts_to_docx_which_is_then_read(tmp_path, bin_dir):
    converted = tmp_path / "converted.docx"
    converted.write_bytes(
        docx_bytes(["区发展改革局牵头，会同各部门开展年度监测。", [["牵头单位", "区统计局"]]])
    )
    fake_program(
        bin_dir,
        "soffice",
        "args = sys.argv[1:]\n"
        "assert '--headless' in args and args[args.index('--convert-to') + 1] == 'docx'\n"
        "outdir = pathlib.Path(args[args.index('--outdir') + 1])\n"
        "outdir.mkdir(parents=True, exist_ok=True)\n"
        "source = pathlib.Path(args[-1])\n"
        f"(outdir / (source.stem + '.docx')).write_bytes(pathlib.Path({str(converted)!r}).read_bytes())\n",
    )
    loaded = load_source(write(tmp_path, "notice.wps", LEGACY_BYTES))
    assert loaded.format == "wps"
    assert loaded.text == "区发展改革局牵头，会同各部门开展年度监测。\n牵头单位：区统计局"


def test_antiword_reads_a_doc_when_libreoffice_is_missing(tmp_path, bin_dir):
    fake_program(bin_dir, "antiword", "sys.stdout.buffer.write('区财政局负责资金保障。\\n'.encode('utf-8'))")
    loaded = load_source(write(tmp_path, "notice.doc", LEGACY_BYTES))
    assert loaded.format == "doc"
    assert loaded.text == "区财政局负责资金保障。\n"


def test_antiword_does_not_read_wps(tmp_path, bin_dir):
    fake_program(bin_dir, "antiword", "print('never used')")
    assert refusal(write(tmp_path, "notice.wps", LEGACY_BYTES)).code == "legacy_format"


def test_a_failing_converter_is_reported_with_its_reason(tmp_path, bin_dir):
    fake_program(bin_dir, "soffice", "sys.stderr.write('source file could not be loaded'); sys.exit(1)")
    error = refusal(write(tmp_path, "notice.doc", LEGACY_BYTES))
    assert error.code == "legacy_format"
    assert "转换失败" in error.zh and "source file could not be loaded" in error.en


def test_rtf_goes_to_the_converter_too(tmp_path, bin_dir):
    assert refusal(write(tmp_path, "notice.rtf", b"{\\rtf1\\ansi \\f0 text}")).code == "legacy_format"


# --- sniffing: the bytes decide, the name only suggests -------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"\xff\xd8\xff\xe0" + bytes(range(256)),
        b"Rar!\x1a\x07\x00" + bytes(range(256)),
        b"\x1f\x8b\x08\x00" + bytes(range(256)),
    ],
)
def test_images_and_archives_are_unknown_formats(tmp_path, raw):
    error = refusal(write(tmp_path, "scan.jpg", raw))
    assert error.code == "unknown_format"
    assert error.zh.startswith("不支持的文件格式") and "Unsupported" in error.en


def test_a_word_name_on_plain_text_is_read_as_text(tmp_path):
    loaded = load_source(write(tmp_path, "notice.doc", "区发展改革局牵头。".encode("gbk")))
    assert loaded.format == "txt"
    assert loaded.text == "区发展改革局牵头。"


def test_a_wps_name_on_an_ole_file_stays_wps_and_a_doc_name_stays_doc(tmp_path, bin_dir):
    assert "WPS" in refusal(write(tmp_path, "a.wps", LEGACY_BYTES)).zh
    assert "旧版 Word" in refusal(write(tmp_path, "a.bin", LEGACY_BYTES)).zh


def test_an_old_spreadsheet_is_not_mistaken_for_a_word_file(tmp_path):
    # read as a spreadsheet (ingest.formats.spreadsheet), which these bytes are not: refused as damaged
    error = refusal(write(tmp_path, "indicators.xls", LEGACY_BYTES))
    assert error.code == "corrupt"
    assert "表格文件无法读取" in error.zh and ".xlsx" in error.zh


def test_a_damaged_ofd_file_is_refused_with_a_hint(tmp_path):
    # OFD files are read (ingest.formats.ofd); one whose XML is broken says how to get a readable copy
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
    error = refusal(write(tmp_path, "notice.ofd", buffer.getvalue()))
    assert error.code == "corrupt"
    assert "OFD" in error.zh and "PDF" in error.en
