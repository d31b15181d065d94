"""Waiting for a `planbot serve` child process to say it is ready, without sleeping."""

from __future__ import annotations

import selectors
import subprocess


def wait_for_output(server: subprocess.Popen[str], marker: str, *, timeout: float, what: str) -> None:
    """Read the server's output until a line contains `marker`; fail if it stays silent or exits first."""
    waiting = selectors.DefaultSelector()
    waiting.register(server.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
    line = ""
    while marker not in line:
        assert waiting.select(timeout=timeout), f"planbot serve did not {what}"
        line = server.stdout.readline()  # type: ignore[union-attr]
        assert line, "planbot serve exited early"
