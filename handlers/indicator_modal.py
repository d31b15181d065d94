"""The 报送指标数值 modal: year, value and note for one indicator, opened from the `/plan 指标` list."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.slack_text import escape, short
from storage.indicators import IndicatorRow

ACTION_REPORT = "indicator_report"  # the 报送数值 button; its value is the /plan text that does the same
REPORT_CALLBACK = "indicator_report_modal"
YEAR_BLOCK, VALUE_BLOCK, NOTE_BLOCK = "year", "value", "note"
NOTE_LIMIT = 2000
_BUTTON_ID = re.compile(r"^指标\s+#?(\d{1,18})\b")
_CHANNEL_ID = re.compile(r"[CDG][A-Z0-9]{1,30}")


def button_command(indicator_id: int) -> str:
    """The button's value: also what the console shows, and what a person could type instead."""
    return f"指标 {indicator_id} 年份 数值"


def indicator_id_of(value: str) -> int | None:
    found = _BUTTON_ID.match(value or "")
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class ReportForm:
    year: int
    value: str
    note: str


def report_modal(row: IndicatorRow, *, year: int, channel_id: str | None) -> dict[str, Any]:
    indicator = row.indicator
    unit = f"（{indicator.unit}）" if indicator.unit else ""
    reported = "；".join(f"{y}：{v.value}" for y, v in row.values.items()) or "尚无"
    return {
        "type": "modal",
        "callback_id": REPORT_CALLBACK,
        "title": {"type": "plain_text", "text": "报送指标数值"},
        "submit": {"type": "plain_text", "text": "提交"},
        "close": {"type": "plain_text", "text": "取消"},
        "private_metadata": json.dumps({"indicator_id": indicator.id, "channel_id": channel_id}),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (
                        f"*#{indicator.id} {escape(short(indicator.name, 150))}{escape(unit)}*\n"
                        f"{indicator.base_year or '—'}年 {escape(indicator.base_value or '—')} → "
                        f"{indicator.target_year or '—'}年 {escape(indicator.target_value or '—')}"
                        f"　{escape(indicator.attribute or '')}\n已报送：{escape(reported)}"
                    ),
                },
            },
            _input(YEAR_BLOCK, "年份 / Year", initial=str(year)),
            _input(VALUE_BLOCK, f"数值 / Value{unit}"),
            _input(NOTE_BLOCK, "说明、来源 / Note or source", optional=True, multiline=True),
        ],
    }


def _input(
    block: str, label: str, *, initial: str | None = None, optional: bool = False, multiline: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial is not None:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": block,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def read_form(view: dict[str, Any]) -> ReportForm | dict[str, str]:
    """The submission's values, or {block: message} for Slack to show beside each field."""
    values = (view.get("state") or {}).get("values") or {}

    def text(block: str) -> str:
        return str(((values.get(block) or {}).get("value") or {}).get("value") or "").strip()

    errors: dict[str, str] = {}
    year = text(YEAR_BLOCK).rstrip("年")
    if not re.fullmatch(r"\d{4}", year):
        errors[YEAR_BLOCK] = "请填写四位年份，如 2026 / Enter a year such as 2026"
    value = text(VALUE_BLOCK)
    if not value:
        errors[VALUE_BLOCK] = "请填写数值 / Enter the value"
    elif len(value) > 100:
        errors[VALUE_BLOCK] = "数值最多 100 字 / At most 100 characters"
    note = text(NOTE_BLOCK)
    if len(note) > NOTE_LIMIT:
        errors[NOTE_BLOCK] = f"说明最多 {NOTE_LIMIT} 字 / At most {NOTE_LIMIT} characters"
    if errors:
        return errors
    return ReportForm(year=int(year), value=value, note=note)


def form_metadata(raw: object) -> tuple[int, str | None] | None:
    """(indicator id, channel id) from private_metadata, or None when it is not what report_modal wrote."""
    try:
        decoded = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(decoded, dict):
        return None
    indicator_id, channel_id = decoded.get("indicator_id"), decoded.get("channel_id")
    if not isinstance(indicator_id, int) or isinstance(indicator_id, bool) or not 0 < indicator_id < 2**62:
        return None
    if channel_id is not None and not (isinstance(channel_id, str) and _CHANNEL_ID.fullmatch(channel_id)):
        return None
    return indicator_id, channel_id
