"""Saved web pages: trafilatura finds the article body and its metadata; nothing is fetched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.core.model import ArticleDraft
from annotator.core.text import canonicalize
from annotator.formats.decode import DecodeError, bom_encoding, decode_bytes
from annotator.formats.limits import MAX_PAGE_BYTES, TooLarge, read_bounded
from annotator.formats.records import (
    ArticleRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    text_problem,
    title_from_text,
)

_PARAGRAPH_BREAK = re.compile(r"\n+")
_EXTRA_FIELDS = ("description", "sitename", "hostname", "language", "categories", "tags")


def read_html_path(path: Path, options: ReadOptions) -> ReadResult:
    """:func:`read_html` over a file, refused unread above :data:`MAX_PAGE_BYTES`."""
    try:
        data = read_bounded(
            path, MAX_PAGE_BYTES, "saved page", "save the page as HTML only, without its images"
        )
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    yield from read_html(data, encoding=options.encoding)


def read_html(data: bytes, *, encoding: str | None = None) -> ReadResult:
    """Yield the article a saved .html/.htm page holds, or why none was found."""
    if not data.strip():
        yield RecordError(None, "file is empty")
        return
    try:
        decoded = decode_bytes(data, encoding=encoding)
    except DecodeError as exc:
        if exc.binary or encoding:
            yield RecordError(None, exc.message)
            return
        decoded = None  # an encoding we do not detect; the page's <meta charset> may name it
    # Raw bytes let trafilatura honour <meta charset>; text only where the bytes would mislead it.
    page: bytes | str = data
    if decoded is not None and (encoding or bom_encoding(data) is not None):
        page = decoded
    try:
        document = _extract(page)
    except Exception as exc:  # noqa: BLE001 - trafilatura raises many kinds; the file is the problem
        yield RecordError(None, f"the page could not be read: {exc}")
        return
    body = getattr(document, "text", None) if document is not None else None
    if not body or not body.strip():
        yield RecordError(None, "no article text found in the page")
        return
    # trafilatura puts one paragraph on each line; a blank line between them reads like the page.
    text = _PARAGRAPH_BREAK.sub("\n\n", canonicalize(body).text.strip("\n"))
    problem = text_problem(text)
    if problem is not None:
        yield RecordError(None, problem)
        return
    yield ArticleRecord(
        ArticleDraft(
            text=text,
            title=_field(document, "title") or title_from_text(text),
            source=_field(document, "sitename") or _field(document, "hostname"),
            author=_field(document, "author"),
            url=_field(document, "url"),
            published=_field(document, "date"),
            meta=_extra_meta(document),
        )
    )


def _extract(page: bytes | str) -> Any:
    # Imported here: trafilatura takes about a second to import and most imports need no HTML.
    from trafilatura import bare_extraction

    return bare_extraction(
        page,
        with_metadata=True,
        include_comments=False,  # reader comments are not part of the article
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )


def _field(document: Any, name: str) -> str:
    value = getattr(document, name, None)
    return value.strip() if isinstance(value, str) else ""


def _extra_meta(document: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for name in _EXTRA_FIELDS:
        value = getattr(document, name, None)
        if isinstance(value, str) and value.strip():
            meta[name] = value.strip()
        elif isinstance(value, list) and value:
            meta[name] = [str(v) for v in value]
    return meta
