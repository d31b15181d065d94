"""The progress chart that goes with the coordinators' weekly digest.

The digest text is the delivery (sent exactly once); the chart is an attachment made when the digest goes out,
from the ledger as it stands then. A chart that cannot be drawn or uploaded never holds the digest back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

COORDINATORS_DIGEST = "digest:coordinators:"


def coordinators_jurisdiction(delivery_key: str) -> tuple[bool, str | None]:
    """(is it a coordinators' digest, the jurisdiction it covers). A hashed subject covers all of them."""
    parts = delivery_key.split("|")
    subject = parts[1] if len(parts) > 1 else ""
    if not subject.startswith(COORDINATORS_DIGEST):
        return False, None
    name = subject[len(COORDINATORS_DIGEST) :]
    return True, None if not name or name.startswith("#") else name


def digest_chart_attachment(
    session_factory: Callable[[], Any], *, clock: Callable[[], datetime], timezone: str
) -> Callable[[str], tuple[str, bytes, str] | None]:
    """A function from a delivery key to (file name, PNG, title) for coordinators' digests, else None."""

    def attachment_for(delivery_key: str) -> tuple[str, bytes, str] | None:
        is_digest, jurisdiction = coordinators_jurisdiction(delivery_key)
        if not is_digest:
            return None
        from handlers.report_chart import ChartSubjectNotFound, department_status_png

        today = clock().astimezone(ZoneInfo(timezone)).date()
        try:
            with session_factory() as session:
                # the digest counts confirmed tasks (its snapshot leaves the 待核对 out): the chart beside it too
                png = department_status_png(
                    session=session, jurisdiction=jurisdiction, today=today, confirmed_only=True
                )
        except ChartSubjectNotFound:
            return None
        place = jurisdiction or "全部辖区"
        return f"planbot-进度-{today.isoformat()}.png", png, f"{place} 各单位任务进度（{today.isoformat()}）"

    return attachment_for
