"""A small project that exercises every export: hard text, overlapping spans, relations, notes.

Built the same way every time, so exports of it can be compared with golden files byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.formats.importer import import_paths
from annotator.store import Project

UNICODE_TEXT = (
    "Fans waved 🇺🇸 flags 👍🏽 outside the café (cafe\u0301) at 5\u00a0pm.\n"
    "قال المتحدث إن الاتصال كان إيجابيا.\n"
    "“Expect many tweets to follow both phone calls,” Peskov said."
)
# Imported from a file with Windows line ends: stored with LF, offsets remapped.
CRLF_TEXT = (
    "Kremlin call\r\n“Getting along with Russia is a great thing,” Trump said.\r\n"
    "He added:\r\n“We will see.”"
)
PLAIN_TEXT = "Nothing about politics here.\n\nJust weather: sunny, 21\u00a0°C."
LS_EMOJI_TEXT = "🐱 Warning: This is a test text"  # Label Studio's own emoji test fixture


def _at(text: str, covered: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(covered, start + 1)
    return start, start + len(covered)


def build_corpus(project: Project, tmp: Path) -> dict[str, int]:
    """Fill ``project`` and return the ids of its articles by short name."""
    ids: dict[str, int] = {}
    # 1. CRLF-origin article, imported as JSONL with offsets into the CRLF text.
    quote = "“Getting along with Russia is a great thing,”"
    q_start, q_end = _at(CRLF_TEXT, quote)
    t_start, t_end = _at(CRLF_TEXT, "Trump")
    across = _at(CRLF_TEXT, "He added:\r\n“We will see.”")  # a span across a line break
    record = {
        "text": CRLF_TEXT,
        "title": "Kremlin call",
        "meta": {
            "source": "Reuters",
            "author": "A. Writer",
            "url": "https://example.com/kremlin",
            "published": "2017-01-28",
            "status": "done",
            "section": "World",
            "tags": ["russia", "usa"],
        },
        "spans": [
            {
                "start": q_start,
                "end": q_end,
                "label": "Quote",
                "annotator": "alice",
                "note": "first quote",
                "attributes": {"confidence": "high"},
            },
            {"start": t_start, "end": t_end, "label": "Source", "annotator": "alice"},
            {"start": across[0], "end": across[1], "label": "Speculation", "annotator": "alice"},
        ],
        "relations": [{"head": 0, "child": 1, "label": "attributed_to"}],
    }
    path = tmp / "crlf.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8", newline="")
    summary = import_paths(project, [path], annotator="alice")
    assert not summary.rejections, summary.describe()
    ids["crlf"] = summary.article_ids[0]

    # 2. Emoji, combining marks, NBSP, Arabic; overlapping and nested spans; two annotators.
    ids["unicode"] = _add(
        project,
        UNICODE_TEXT,
        title="Fans and flags",
        source="AP",
        status="in progress",
        meta={"lang": ["en", "ar"], "n": 2},
    )
    labels = {label.name: label.id for label in project.labels()}
    aid = ids["unicode"]

    def span(covered: str, label: str, annotator: str = "alice", nth: int = 0, **extra: Any) -> int:
        start, end = _at(UNICODE_TEXT, covered, nth)
        return project.add_span(aid, start, end, labels[label], annotator, **extra).id

    flags = span("🇺🇸 flags 👍🏽", "Claim", note="emoji 🇺🇸 in note")
    span("👍🏽", "Speculation", attributes={"tone": "ironic", "score": "0.5"})  # nested
    span("café (cafe\u0301)", "Claim", annotator="bob")  # combining mark
    span("5\u00a0pm", "Claim")  # NBSP inside
    arabic_quote = span("قال المتحدث إن الاتصال كان إيجابيا.", "Quote", note="Arabic")
    speaker = span("المتحدث", "Source")
    quote_id = span("“Expect many tweets to follow both phone calls,”", "Quote", annotator="bob")
    tweets = span("many tweets to follow both phone calls", "Speculation", annotator="bob")
    peskov = span("Peskov", "Source", annotator="bob")
    overlap = span("outside the café", "Claim", annotator="bob")  # overlaps "café (cafe…)"
    del flags, tweets, overlap
    project.add_relation(arabic_quote, speaker, "attributed_to", "alice")
    project.add_relation(quote_id, peskov, "attributed_to", "bob")
    project.add_relation(quote_id, peskov, "reported_by", "carol")  # relation by someone else

    # 3. An article with no spans at all.
    ids["plain"] = _add(
        project,
        PLAIN_TEXT,
        title="Weather",
        status="new",
        meta={"nested": {"a": [1, 2.5, None, True]}},
    )

    # 4. Label Studio's emoji fixture, to check offsets against Label Studio's own test.
    ids["ls"] = _add(project, LS_EMOJI_TEXT, title="LS emoji", status="done")
    start, end = _at(LS_EMOJI_TEXT, "test")
    project.add_span(ids["ls"], start, end, labels["Claim"], "alice")
    project.set_article_status(ids["ls"], "done")
    # Fixed span times (they travel in several formats), so exports are the same every time.
    with project.atomic():
        project.db.conn.execute(
            "UPDATE spans SET"
            " created_at = printf('2024-05-%02dT10:00:00.000+00:00', 1 + id % 28),"
            " updated_at = printf('2024-06-%02dT12:30:00.000+00:00', 1 + id % 28)"
        )
    return ids


def _add(project: Project, text: str, **fields: Any) -> int:
    from annotator.core.model import ArticleDraft

    article_id, added = project.add_article(ArticleDraft(text=text, **fields))
    assert added
    return article_id


def snapshot(project: Project, *, annotators: bool = True, notes: bool = True) -> list[Any]:
    """Everything an export should carry, independent of ids and timestamps."""
    labels = {label.id: label.name for label in project.labels()}
    articles = []
    for article_id in project.article_ids():
        article = project.article(article_id)
        spans = project.spans(article_id)

        def key(s: Any) -> tuple[Any, ...]:
            return (
                s.start,
                s.end,
                labels[s.label_id],
                s.text,
                s.annotator if annotators else "",
                s.note if notes else "",
                tuple(sorted(s.attributes.items())) if notes else (),
            )

        by_id = {s.id: key(s) for s in spans}
        articles.append(
            (
                article.content_hash,
                article.text,
                article.title,
                article.source,
                article.author,
                article.url,
                article.published,
                article.status,
                json.dumps(article.meta, sort_keys=True),
                sorted(by_id.values()),
                sorted(
                    (by_id[r.head_id], by_id[r.child_id], r.type, r.annotator if annotators else "")
                    for r in project.relations(article_id)
                ),
            )
        )
    return sorted(articles)


GOLDEN = Path(__file__).resolve().parent / "golden"


@contextmanager
def corpus_project(tmp_path: Path) -> Iterator[Project]:
    """The corpus project, open for writing (the ``source`` fixture of the export tests)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    with Project.open(folder / "source.annot") as project:
        build_corpus(project, folder)
        yield project


@contextmanager
def empty_project(tmp_path: Path) -> Iterator[Project]:
    """An empty project to import exports into (the ``fresh`` fixture)."""
    with Project.open(tmp_path / "fresh.annot") as project:
        yield project
