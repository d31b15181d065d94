"""The one error type the ingest pipeline raises for documents it cannot read.

Every refusal carries a Chinese message first and an English one after, and a stable code, so the CLI, the
Slack adapter and the tests can all say the same thing without parsing text.
"""

from __future__ import annotations


class DocumentError(Exception):
    """A document was refused; nothing from it may be stored."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        self.code = code
        self.zh = zh
        self.en = en
        super().__init__(f"{zh}\n{en}")

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"
