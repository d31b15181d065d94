"""Parse an untrusted document in a child process with memory and CPU limits.

The readers in ingest.formats refuse what they can recognise as hostile (zip directories that promise
gigabytes, absurd paragraph and page counts), but a PDF stream that inflates to a gigabyte, or XML that is
slow in a way nobody foresaw, is only stopped by the operating system. So the loading layer runs the reader in
a fresh interpreter (`python -m ingest.parse_sandbox`) that first lowers its own RLIMIT_AS and RLIMIT_CPU,
then reads the document's bytes from stdin and writes the text, or the refusal, as JSON to stdout. A child that
runs out of memory, of CPU time or of wall-clock time is a refusal, never a crash of the bot or the CLI.

A fresh interpreter rather than fork: the bot server has threads, and a forked child could inherit a lock held
by one of them. Starting Python with the readers costs about 0.1 s, small beside parsing a PDF or a .docx.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

from ingest.errors import DocumentError

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ParseLimits:
    memory_bytes: int = 600 * MB  # address space of the child, the interpreter and the readers included
    cpu_seconds: int = 10
    wall_seconds: float = 10.0
    # LibreOffice converts .doc/.wps; its cold start alone can take several seconds on a busy server.
    legacy_wall_seconds: float = 60.0


DEFAULT_PARSE_LIMITS = ParseLimits()
# The child reports on stdout; these exit codes say why it stopped without a report.
EXIT_OUT_OF_MEMORY = 3


def parse_in_child(
    raw: bytes, format_name: str, content_type: str | None, *, limits: ParseLimits = DEFAULT_PARSE_LIMITS
) -> tuple[str, str | None]:
    """(text, encoding) of a document read by ingest.load.read_binary_format under `limits`.

    Raises the reader's own DocumentError, or DocumentError("too_complex") when the child ran out of memory,
    CPU or time.
    """
    command = [
        sys.executable,
        "-I",  # isolated: a folder named `ingest` in the current directory is not imported in place of ours
        "-m",
        "ingest.parse_sandbox",
        format_name,
        content_type or "",
        str(limits.memory_bytes),
        str(limits.cpu_seconds),
    ]
    wall = limits.legacy_wall_seconds if format_name in ("doc", "wps", "rtf") else limits.wall_seconds
    # A session of its own, so that a timeout ends the converter a legacy reader may have started too.
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # pdfminer and LibreOffice chatter the user cannot act on
        start_new_session=True,
    ) as child:
        try:
            report, _ = child.communicate(raw, timeout=wall)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise too_complex_error(f"{wall:g} 秒内未能读完", f"not read within {wall:g} s") from None
    return outcome(report, child.returncode, limits)


def outcome(report: bytes, returncode: int, limits: ParseLimits) -> tuple[str, str | None]:
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL:
        # SIGXCPU at the soft CPU limit; SIGKILL at the hard one, or from the kernel when memory ran out.
        raise too_complex_error(
            f"读取用时超过 {limits.cpu_seconds} 秒", f"reading took over {limits.cpu_seconds} s of CPU time"
        )
    if returncode == EXIT_OUT_OF_MEMORY:
        raise too_complex_error(
            f"读取所需内存超过 {limits.memory_bytes // MB} MB",
            f"reading needed over {limits.memory_bytes // MB} MB",
        )
    try:
        message = json.loads(report)
    except ValueError:
        message = None
    if returncode != 0 or not isinstance(message, dict):
        raise too_complex_error(
            f"读取程序异常退出（{returncode}）", f"the reader stopped with status {returncode}"
        )
    if "error" in message:
        error = message["error"]
        raise DocumentError(error["code"], error["zh"], error["en"])
    return message["text"], message["encoding"]


def too_complex_error(reason_zh: str, reason_en: str) -> DocumentError:
    return DocumentError(
        "too_complex",
        f"文件过于复杂，{reason_zh}，已停止读取。请拆分为较小的文件，或另存为 .docx / .txt 后再导入；"
        "如文件来源不明，请勿再试。",
        f"The document is too complex: {reason_en}, so reading stopped. Split it into smaller files, or save "
        "it as .docx / .txt and load that; if you do not know where it came from, do not retry.",
    )


def lower_own_limits(memory_bytes: int, cpu_seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would otherwise dump a core file
    # Only the soft address limit is lowered: a LibreOffice converter started by the legacy reader raises its
    # own back (it maps a gigabyte of libraries) and is bounded by CPU and wall-clock time instead.
    _, hard_memory = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard_memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
    # A reply process of `planbot serve` runs at SCHED_IDLE (bot.after_ack), which this child inherits: on a
    # busy server it would then get no CPU at all and miss its wall-clock limit. SCHED_OTHER at the same nice
    # value is allowed to any process, and still yields to the serving process.
    if hasattr(os, "SCHED_IDLE") and os.sched_getscheduler(0) == os.SCHED_IDLE:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))


def child_main(argv: list[str]) -> int:
    format_name, content_type, memory_bytes, cpu_seconds = argv
    lower_own_limits(int(memory_bytes), int(cpu_seconds))
    raw = sys.stdin.buffer.read()
    try:
        from ingest.load import read_binary_format

        text, encoding = read_binary_format(raw, format_name, content_type or None)
        message: dict[str, object] = {"text": text, "encoding": encoding}
    except MemoryError:
        return EXIT_OUT_OF_MEMORY
    except DocumentError as error:
        message = {"error": {"code": error.code, "zh": error.zh, "en": error.en}}
    try:
        sys.stdout.buffer.write(json.dumps(message, ensure_ascii=False).encode("utf-8"))
    except MemoryError:
        return EXIT_OUT_OF_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
