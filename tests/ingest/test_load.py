"""Loading plain-text files: every encoding Chinese plan documents come in, and every refusal."""

from __future__ import annotations

import codecs
import hashlib
import pathlib
from pathlib import Path

import opencc
import pytest

from ingest.errors import DocumentError
from ingest.load import load_source

SIMPLIFIED = (
    "区发展改革局牵头，会同区财政局、区统计局等部门，建立规划实施年度监测制度，"
    "每年第一季度向区政府报告上一年度规划执行情况。\n各功能区、各镇（街道）要细化落实本规划确定的重点任务。\n"
)
TRADITIONAL = opencc.OpenCC("s2t").convert(SIMPLIFIED)
# Characters written the same in both scripts, so the sentence exists in Big5 and in GB2312 alike.
SHARED_SCRIPT = "各方要依法加快工作，提高效率，在年中完成。\n"


def write(tmp_path: Path, name: str, raw: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def refusal(source: str, **options: object) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        load_source(source, **options)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize(
    ("text", "codec", "reported"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (TRADITIONAL, "utf-8", "utf-8"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (TRADITIONAL, "gbk", "gb18030"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED + "㐀䶵\n", "gb18030", "gb18030"),  # CJK extension A: GB18030 only, not GBK
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL + "碁銹裏\n", "cp950", "cp950"),  # characters in Microsoft's Big5 extension only
        (SHARED_SCRIPT, "big5", "big5"),
        (SHARED_SCRIPT, "gb2312", "gb18030"),
    ],
)
def test_text_in_every_chinese_encoding_reads_back_exactly(tmp_path, text, codec, reported):
    raw = text.encode(codec)
    loaded = load_source(write(tmp_path, "plan.txt", raw))
    assert loaded.text == text
    assert loaded.encoding == reported
    assert loaded.format == "txt"
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()


def test_big5_bytes_are_not_taken_for_gb18030_although_they_decode_without_error(tmp_path):
    raw = TRADITIONAL.encode("big5")
    raw.decode("gb18030")  # the trap: no error, only rare characters
    assert load_source(write(tmp_path, "plan.txt", raw)).text == TRADITIONAL


def test_short_snippets_are_detected_too(tmp_path):
    assert load_source(write(tmp_path, "a.txt", "區政府牽頭".encode("big5"))).text == "區政府牽頭"
    assert load_source(write(tmp_path, "b.txt", "区政府牵头".encode("gbk"))).text == "区政府牵头"


@pytest.mark.parametrize("codec", ["gb18030", "big5"])
def test_whole_seed_documents_in_legacy_encodings_read_back(tmp_path, seeds_dir, codec):
    for seed in sorted(seeds_dir.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        if codec == "big5":
            text = opencc.OpenCC("s2t").convert(text)
        raw = text.encode(codec, errors="ignore")
        expected = raw.decode(codec).replace("\r\n", "\n")
        assert load_source(write(tmp_path, seed.name, raw)).text == expected, seed.name


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "big5"])
def test_a_few_damaged_bytes_do_not_change_the_encoding(tmp_path, codec):
    text = (TRADITIONAL if codec == "big5" else SIMPLIFIED) * 3
    raw = text.encode(codec)
    middle = len(raw) // 2 - len(raw) // 2 % 2
    damaged = raw[:middle] + b"\xff" + raw[middle:]
    loaded = load_source(write(tmp_path, "plan.txt", damaged))
    assert loaded.encoding == {"utf-8": "utf-8", "gbk": "gb18030", "big5": "big5"}[codec]
    assert 1 <= loaded.text.count("\ufffd") <= 3  # the bad byte, and at most the character it split
    assert loaded.text[:40] == text[:40]


def test_utf8_with_bom_drops_the_bom(tmp_path):
    loaded = load_source(write(tmp_path, "plan.txt", codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8")))
    assert loaded.text == SIMPLIFIED
    assert loaded.encoding == "utf-8"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path, codec):
    text = "第十五章 规划实施保障\n2025 年底前完成。\n"
    loaded = load_source(write(tmp_path, "plan.txt", text.encode(codec)))
    assert loaded.text == text


def test_windows_line_ends_become_newlines(tmp_path):
    raw = SIMPLIFIED.replace("\n", "\r\n").encode("gbk")
    assert load_source(write(tmp_path, "plan.txt", raw)).text == SIMPLIFIED


def test_sha256_is_of_the_original_bytes_not_of_the_text(tmp_path):
    raw = codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8")
    loaded = load_source(write(tmp_path, "plan.txt", raw))
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()
    assert loaded.sha256 != hashlib.sha256(loaded.text.encode("utf-8")).hexdigest()


def test_a_file_without_extension_that_holds_text_is_read_as_text(tmp_path):
    assert load_source(write(tmp_path, "README", SIMPLIFIED.encode("gbk"))).format == "txt"


# --- refusals -------------------------------------------------------------------------------------------


def test_missing_file_is_refused_as_not_found(tmp_path):
    error = refusal(str(tmp_path / "absent.txt"))
    assert error.code == "not_found"
    assert error.zh.startswith("找不到文件")
    assert "not found" in error.en


def test_a_directory_is_not_a_document(tmp_path):
    assert refusal(str(tmp_path)).code == "not_found"


@pytest.mark.parametrize("raw", [b"", b"   \n\r\n\t  ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n \n"])
def test_empty_documents_are_refused(tmp_path, raw):
    error = refusal(write(tmp_path, "empty.txt", raw))
    assert error.code == "empty"
    assert "空" in error.zh and "empty" in error.en


def test_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: a large size on disk costs nothing
        handle.truncate(50 * 1024 * 1024)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened although it is over the limit")

    monkeypatch.setattr(pathlib.Path, "open", no_reading)
    monkeypatch.setattr(pathlib.Path, "read_bytes", no_reading)
    error = refusal(str(path), max_bytes=20 * 1024 * 1024)
    assert error.code == "too_large"
    assert "大小上限" in error.zh and "PLANBOT_MAX_DOCUMENT_MB" in error.en


def test_exactly_at_the_size_limit_is_accepted(tmp_path):
    raw = SIMPLIFIED.encode("utf-8")
    assert load_source(write(tmp_path, "plan.txt", raw), max_bytes=len(raw)).text == SIMPLIFIED
    assert refusal(write(tmp_path, "plan2.txt", raw), max_bytes=len(raw) - 1).code == "too_large"


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 4,  # NUL and every control byte
        b"\x00\x01\x02\x03" * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(200),
    ],
)
def test_binary_content_is_refused(tmp_path, raw):
    error = refusal(write(tmp_path, "plan.txt", raw))
    assert error.code in ("binary", "unknown_format")
    assert error.zh and error.en


def test_control_characters_without_nul_are_binary(tmp_path):
    raw = ("规划" + "\x01\x02\x03\x04\x05\x06" * 20).encode("utf-8")
    assert refusal(write(tmp_path, "plan.txt", raw)).code == "binary"


def test_random_high_bytes_are_not_passed_off_as_chinese(tmp_path):
    # A GB18030 decode of these succeeds, but it is a stream of rare characters: no encoding fits.
    raw = bytes((index * 131 + 17) % 128 + 128 for index in range(3000))
    assert refusal(write(tmp_path, "plan.txt", raw)).code == "no_text"


def test_text_without_letters_is_not_recognisable(tmp_path):
    raw = ("。，、——……" * 50 + "\n" + "12345 67890 " * 20).encode("utf-8")
    error = refusal(write(tmp_path, "plan.txt", raw))
    assert error.code == "no_text"
    assert error.zh.startswith("文件中没有可识别的文字")


def test_refusal_messages_put_chinese_first(tmp_path):
    error = refusal(str(tmp_path / "absent.txt"))
    assert str(error).index(error.zh) < str(error).index(error.en)
