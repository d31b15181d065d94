"""Legacy Word (.doc, .rtf) and WPS (.wps) files, which government sites still publish.

Nothing in Python reads them well, so they are converted by a program when one is installed: LibreOffice
(`soffice --headless --convert-to docx`, reads .doc, .wps and .rtf) or antiword (.doc only, prints text).
Without either, the refusal says how to convert the file by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.errors import DocumentError
from ingest.formats.docx import docx_text

CONVERT_TIMEOUT_SECONDS = 120
LIBREOFFICE_NAMES = ("soffice", "libreoffice")


def legacy_text(raw: bytes, *, format_name: str) -> str:
    """Text of a .doc/.wps file through LibreOffice or antiword. Raises DocumentError("legacy_format")."""
    libreoffice = next((found for name in LIBREOFFICE_NAMES if (found := shutil.which(name))), None)
    if libreoffice:
        return docx_text(convert_with_libreoffice(libreoffice, raw, format_name))
    antiword = shutil.which("antiword")
    if antiword and format_name == "doc":
        return text_with_antiword(antiword, raw)
    raise legacy_error(format_name, "")


def convert_with_libreoffice(program: str, raw: bytes, format_name: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="planbot-convert-") as workdir:
        source = Path(workdir) / f"document.{format_name}"
        source.write_bytes(raw)
        outdir = Path(workdir) / "out"
        # A private profile directory: a desktop LibreOffice already running would otherwise swallow the call.
        profile = Path(workdir) / "profile"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(outdir),
            str(source),
        ]
        run_converter(command, format_name)
        converted = outdir / "document.docx"
        if not converted.is_file():
            raise legacy_error(format_name, "LibreOffice produced no .docx")
        return converted.read_bytes()


def text_with_antiword(program: str, raw: bytes) -> str:
    with tempfile.TemporaryDirectory(prefix="planbot-convert-") as workdir:
        source = Path(workdir) / "document.doc"
        source.write_bytes(raw)
        completed = run_converter([program, "-m", "UTF-8.txt", "-w", "0", str(source)], "doc")
        return completed.stdout.decode("utf-8", errors="replace")


def run_converter(command: list[str], format_name: str) -> subprocess.CompletedProcess[bytes]:
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            timeout=CONVERT_TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "HOME": os.environ.get("HOME", tempfile.gettempdir())},
            preexec_fn=restore_address_space,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise legacy_error(format_name, f"{Path(command[0]).name}: {error}") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", errors="replace").strip()[:200]
        raise legacy_error(format_name, f"{Path(command[0]).name} exited {completed.returncode}: {detail}")
    return completed


def restore_address_space() -> None:
    """Give the converter back the address space that ingest.parse_sandbox took from the reading process.

    LibreOffice maps about a gigabyte of libraries and would not start under the reader's limit; the
    converter is a separate program, bounded by the inherited CPU limit and the sandbox's wall-clock limit.
    Runs in the forked converter before exec (the reading process has a single thread).
    """
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def legacy_error(format_name: str, reason: str) -> DocumentError:
    kind = "WPS" if format_name == "wps" else "旧版 Word"
    failed_zh = f"转换失败（{reason}）。" if reason else "本机未安装 LibreOffice 或 antiword，无法自动转换。"
    failed_en = (
        f"Conversion failed ({reason})." if reason else "Neither LibreOffice nor antiword is installed."
    )
    return DocumentError(
        "legacy_format",
        f"这是{kind}文件（.{format_name}），{failed_zh}请用 WPS 或 Word 打开，“另存为” .docx 格式后再导入；"
        "或安装 LibreOffice 后重试。",
        f"This is a legacy {'WPS' if format_name == 'wps' else 'Word'} file (.{format_name}). {failed_en} Open it in "
        "WPS or Word and use Save As .docx, then load that file; or install LibreOffice and try again.",
    )
