"""Text on its way into Slack mrkdwn, and Slack's text on its way in.

Slack reads `<…>` as markup: `<!channel>` pings a whole channel, `<@U123>` pings a person and
`<https://evil|ok>` shows a link under a harmless label. A plan's text, a unit's name or a user's note must
therefore reach Slack with `& < >` escaped. Every renderer escapes through `escape` and shortens through
`clip`, which counts the escaped characters (Slack's limits apply to the text it receives) and never cuts an
entity in half. Slack escapes the same three characters in what people type, so the adapter `unescape`s
incoming text: the core holds plain text, and only the way out to Slack is markup.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


def escape(text: object) -> str:
    """Plain text as Slack mrkdwn that shows it as written."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaped text (what a person typed) as plain text; `&amp;` goes last so `&amp;lt;` stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(markup: str, limit: int) -> str:
    """Already-escaped text cut to at most `limit` characters, ending in … when cut, never inside `&amp;`."""
    if len(markup) <= limit:
        return markup
    cut = markup[: max(0, limit - len(ELLIPSIS))]
    cut = _ENTITY_TAIL.sub("", cut)
    return cut + ELLIPSIS


def short(text: str, limit: int) -> str:
    """Plain text escaped, then cut to `limit` characters of markup."""
    return clip(escape(text), limit)
