"""Claim checking: the span attributes a Claim carries and their defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

CLAIM_LABEL = "Claim"
DEFAULT_VERDICTS: tuple[str, ...] = ("true", "mostly true", "misleading", "false", "unverifiable")
CLAIM_STATUSES: tuple[str, ...] = ("open", "checked")
# The span attributes of a claim, as JSONL carries them.
VERDICT, CHECKER, CLAIM_STATUS, EVIDENCE = "verdict", "checker", "claim_status", "evidence"


def encode_evidence(items: Sequence[str]) -> str:
    """Evidence (links to spans, URLs, free text) as a span attribute value: a JSON list."""
    return json.dumps([str(item) for item in items if str(item).strip()], ensure_ascii=False)


def evidence_of(attributes: Mapping[str, str]) -> list[str]:
    """The evidence items of a span's attributes: a JSON list of strings, or one plain string
    (an attribute typed by hand or imported from a tool that has no lists)."""
    raw = attributes.get(EVIDENCE, "")
    if not raw.strip():
        return []
    if raw.lstrip().startswith("["):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return [raw]
        if isinstance(parsed, list):
            return [str(item) for item in parsed]
    return [raw]


def claim_status_of(attributes: Mapping[str, str]) -> str:
    """A claim's status: 'checked' or 'open' (anything else, or nothing, counts as open)."""
    return "checked" if attributes.get(CLAIM_STATUS, "").strip() == "checked" else "open"


def span_link(article_id: int, start: int, end: int) -> str:
    """Evidence that points at a span of any article: ``span:ARTICLE:START-END``."""
    return f"span:{article_id}:{start}-{end}"


def parse_span_link(item: str) -> tuple[int, int, int] | None:
    """(article_id, start, end) of a :func:`span_link`, or None for other evidence."""
    if not item.startswith("span:"):
        return None
    try:
        article, rng = item[5:].split(":", 1)
        start, end = rng.split("-", 1)
        return int(article), int(start), int(end)
    except ValueError:
        return None
