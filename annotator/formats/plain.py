"""Plain-text and Markdown articles: the whole file is the text, its first line the title."""

from __future__ import annotations

from pathlib import Path

from annotator.core.model import ArticleDraft
from annotator.core.text import canonicalize
from annotator.formats.limits import (
    MAX_ARTICLE_BYTES,
    MAX_ARTICLE_FILE_BYTES,
    TooLarge,
    megabytes,
    read_bounded,
)
from annotator.formats.records import (
    ArticleRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    decoded_file,
    text_problem,
    title_from_text,
)


def read_plain_path(path: Path, options: ReadOptions) -> ReadResult:
    """:func:`read_plain` over a file, refused unread above :data:`MAX_ARTICLE_FILE_BYTES`."""
    try:
        data = read_bounded(
            path,
            MAX_ARTICLE_FILE_BYTES,
            f".txt or .md file ({megabytes(MAX_ARTICLE_BYTES)} per article)",
        )
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    yield from read_plain(data, encoding=options.encoding, markdown=path.suffix.lower() == ".md")


def read_plain(data: bytes, *, encoding: str | None = None, markdown: bool = False) -> ReadResult:
    """Yield the one article a .txt or .md file holds, or why it cannot be imported."""
    raw = decoded_file(data, encoding)
    if isinstance(raw, RecordError):
        yield raw
        return
    text = canonicalize(raw).text
    if not text.strip():
        yield RecordError(None, "file is empty")
        return
    problem = text_problem(text)
    if problem is not None:
        yield RecordError(None, problem)
        return
    title = title_from_text(text)
    if markdown:
        title = title.lstrip("#").strip() or title
    yield ArticleRecord(ArticleDraft(text=text, title=title))
