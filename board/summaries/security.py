"""The only HTML anyone writes: a summary's narrative. Everything else a person types is
plain text, escaped when shown."""

from __future__ import annotations

import re

import bleach

_CODE_BLOCKS = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
ALLOWED_TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "h3", "blockquote"]


def sanitize_html(text: str) -> str:
    """A narrative, cleaned: light formatting, no scripts, no attributes, no links to
    elsewhere. A script's or a style's content goes with it (bleach would keep it as
    text)."""
    text = _CODE_BLOCKS.sub("", text or "")
    return bleach.clean(text, tags=ALLOWED_TAGS, attributes={}, strip=True).strip()
