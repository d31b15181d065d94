"""How `planbot serve` and its reply processes log: one handler on the root logger that never writes a secret.

Robot webhooks carry their secret in the URL (DingTalk `access_token=` and `sign=`, WeCom `key=`, Feishu the
last path segment), and httpx logs every request's URL at INFO. httpx is therefore held at WARNING, and every
line that still reaches the handler, traceback included, has such secrets and Slack tokens masked.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "***"
# loggers that write a request's whole URL at INFO
CHATTY_LOGGERS = ("httpx", "httpcore")

# access_token=, key=, sign=, client_secret=, api_key=, password=…
_SECRET_QUERY = re.compile(r"(?i)([?&;]\w*(?:token|key|sign|signature|secret|password|auth)=)[^&#\s'\"<>]+")
_SECRET_PATH = re.compile(r"(?i)(/open-apis/bot/v2/hook/|hooks\.slack\.com/services/)[^?#\s'\"<>]+")
_SLACK_TOKEN = re.compile(r"\b(xox[abprse]|xapp)-[A-Za-z0-9-]+")
_URL_PASSWORD = re.compile(r"(://[^/\s:@'\"]+:)[^@/\s'\"]+@")


def redact(text: str) -> str:
    """The text with query-string secrets, webhook path keys, Slack tokens and URL passwords masked."""
    text = _SECRET_QUERY.sub(rf"\1{MASK}", text)
    text = _SECRET_PATH.sub(rf"\1{MASK}", text)
    text = _SLACK_TOKEN.sub(rf"\1-{MASK}", text)
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's message and traceback before any formatter writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _PlanbotHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler configure_logging installed, so a second call replaces it instead of doubling lines."""


def configure_logging(level: int = logging.INFO, *, stream: TextIO | None = None) -> logging.Handler:
    """Log to `stream` (stderr) at `level` with secrets masked; returns the handler (tests remove it)."""
    root = logging.getLogger()
    for old in [handler for handler in root.handlers if isinstance(handler, _PlanbotHandler)]:
        root.removeHandler(old)
    handler = _PlanbotHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    return handler
