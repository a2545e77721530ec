"""The project file: real SQLite files on tmp_path, checked through the API and a second
connection that sees only what was committed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.model import (
    DEFAULT_LABELS,
    LABEL_PALETTE,
    ArticleDraft,
    LabelSnapshot,
    LabelSpec,
    SpanSnapshot,
)
from annotator.core.text import canonicalize, content_hash
from annotator.store import (
    PROJECT_SUFFIX,
    Project,
    ProjectEmpty,
    ProjectError,
    ReadOnlyError,
)
from annotator.store.schema import APPLICATION_ID, KNOWN_MIGRATIONS, MIGRATION_SET

EMOJI_TEXT = (
    "Flag 🇺🇸 first. Then 👍🏽 «Expect many tweets», said e\u0301ditor\u00a0X.\n"
    "مرحبا بالعالم 👨\u200d👩\u200d👧 the end."
)


# ------------------------------------------------------------------------------- helpers
@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / f"analyst{PROJECT_SUFFIX}"


@pytest.fixture
def project(path: Path) -> Iterator[Project]:
    with Project.open(path) as opened:
        yield opened


@pytest.fixture
def peek(path: Path, project: Project) -> Iterator[sqlite3.Connection]:
    """A second, independent connection to the project file."""
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dir_listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def label_id(project: Project, name: str) -> int:
    label = project.label_by_name(name)
    assert label is not None
    return label.id


def add(project: Project, text: str, **fields: object) -> int:
    article_id, new = project.add_article(ArticleDraft(text, **fields))  # type: ignore[arg-type]
    assert new
    return article_id


def scalar(conn: sqlite3.Connection, sql: str, *params: object) -> object:
    return conn.execute(sql, params).fetchone()[0]


def open_fds_on(path: Path) -> list[str]:
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        pytest.skip("needs /proc to list open files")
    targets = []
    for fd in os.listdir(fd_dir):
        try:
            targets.append(os.readlink(fd_dir / fd))
        except OSError:
            continue
    return [t for t in targets if t.startswith(str(path))]


# ------------------------------------------------------------------------------ creation
def test_new_project_has_the_default_labels(project: Project) -> None:
    labels = project.labels()
    assert [lb.name for lb in labels] == ["Quote", "Source", "Claim", "Speculation"]
    assert [lb.hotkey for lb in labels] == ["1", "2", "3", "4"]
    assert [lb.position for lb in labels] == [0, 1, 2, 3]
    assert [(lb.color, lb.description) for lb in labels] == [
        (spec.color, spec.description) for spec in DEFAULT_LABELS
    ]
    assert project.counts() == {"articles": 0, "spans": 0, "relations": 0, "labels": 4}
    assert project.info("created_at")


def test_file_is_marked_as_a_news_annotator_project(path: Path, peek: sqlite3.Connection) -> None:
    assert scalar(peek, "PRAGMA application_id") == APPLICATION_ID
    assert path.read_bytes()[68:72] == b"NANT"


def test_schema_is_recorded_as_migrations(project: Project, peek: sqlite3.Connection) -> None:
    rows = peek.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()
    assert rows == [(MIGRATION_SET, name) for name in project.schema_version()]
    assert set(project.schema_version()) == KNOWN_MIGRATIONS
    assert "0001_initial" in project.schema_version()


def test_wal_and_foreign_keys(project: Project, peek: sqlite3.Connection) -> None:
    assert scalar(peek, "PRAGMA journal_mode") == "wal"
    assert scalar(project.db.conn, "PRAGMA foreign_keys") == 1
    with pytest.raises(sqlite3.IntegrityError):
        project.db.conn.execute(
            'INSERT INTO spans(article_id, start, "end", label_id, text, created_at, updated_at)'
            " VALUES (999, 0, 1, 1, 'x', '', '')"
        )
    project.db.conn.rollback()


def test_reopen_keeps_everything(path: Path) -> None:
    with Project.open(path) as project:
        article_id = add(project, EMOJI_TEXT, title="Call", source="Wire", meta={"k": "v"})
        quote = project.add_span(article_id, 0, 4, label_id(project, "Quote"), "ann", note="n")
        source = project.add_span(
            article_id, 5, 7, label_id(project, "Source"), "ann", attributes={"a": "b"}
        )
        rel = project.add_relation(quote.id, source.id, "attributed_to", "ann")
        extra = project.add_label(LabelSpec("Opinion", "#123456", "5", "d"))
        project.set_article_status(article_id, "done")
        before = (
            project.article(article_id),
            project.spans(article_id),
            project.relations(article_id),
            project.labels(),
            project.schema_version(),
        )
    with Project.open(path) as project:
        after = (
            project.article(article_id),
            project.spans(article_id),
            project.relations(article_id),
            project.labels(),
            project.schema_version(),
        )
        # reopening neither adds the default labels again nor re-runs migrations
        assert project.counts() == {"articles": 1, "spans": 2, "relations": 1, "labels": 5}
    assert after == before
    assert before[1][1].attributes == {"a": "b"} and before[0].meta == {"k": "v"}
    assert rel in after[2] and extra in after[3]


def test_close_twice_is_harmless(path: Path) -> None:
    project = Project.open(path)
    project.close()
    project.close()
    with Project.open(path) as again:
        again.close()


# ------------------------------------------------------------------------------ articles
def test_add_article_deduplicates_by_content_hash(project: Project) -> None:
    text = canonicalize("Same text\r\nagain").text
    first, new = project.add_article(ArticleDraft(text, title="One"))
    assert new
    second, new = project.add_article(ArticleDraft(text, title="Another title", source="x"))
    assert (second, new) == (first, False)
    assert project.article(first).title == "One"
    other, new = project.add_article(ArticleDraft(text + " ", title="Two"))
    assert new and other != first
    assert project.article(first).content_hash == content_hash(text)
    assert project.article_id_by_hash(content_hash(text)) == first
    assert project.article_id_by_hash(content_hash("never stored")) is None
    assert project.article_count() == 2


def test_add_article_stores_every_field(project: Project) -> None:
    draft = ArticleDraft(
        EMOJI_TEXT,
        title="T",
        source="S",
        author="A",
        url="https://x",
        published="2019-07-04",
        status="done",
        meta={"lang": "en", "ünï": [1, 2]},
    )
    article = project.article(
        add(
            project,
            draft.text,
            **{
                k: getattr(draft, k)
                for k in ("title", "source", "author", "url", "published", "status", "meta")
            },
        )
    )
    assert (article.text, article.title, article.source) == (EMOJI_TEXT, "T", "S")
    assert article.author == "A"
    assert (article.url, article.published, article.status) == ("https://x", "2019-07-04", "done")
    assert article.meta == {"lang": "en", "ünï": [1, 2]}
    assert article.imported_at
    assert project.article_text(article.id) == EMOJI_TEXT
    assert project.article_summary(article.id).length == len(EMOJI_TEXT)


@pytest.mark.parametrize(
    "draft",
    [ArticleDraft("x", status="archived"), ArticleDraft("before\x00after")],
    ids=["bad-status", "nul"],
)
def test_add_article_refuses_bad_drafts(project: Project, draft: ArticleDraft) -> None:
    with pytest.raises(ProjectError):
        project.add_article(draft)
    assert project.article_count() == 0


def test_missing_article_is_a_project_error(project: Project) -> None:
    for call in (project.article, project.article_text, project.article_summary):
        with pytest.raises(ProjectError, match="no article 42"):
            call(42)


# --------------------------------------------------------------------------------- spans
def test_spans_with_emoji_offsets_store_the_covered_text(
    project: Project, peek: sqlite3.Connection
) -> None:
    article_id = add(project, EMOJI_TEXT)
    quote = label_id(project, "Quote")
    for piece in [
        "🇺🇸",
        "👍🏽 «Expect many tweets»",
        "e\u0301ditor\u00a0X",
        "مرحبا",
        "👨\u200d👩\u200d👧 the end.",
    ]:
        start = EMOJI_TEXT.index(piece)
        span = project.add_span(article_id, start, start + len(piece), quote, "ann")
        assert span.text == piece
        stored = peek.execute('SELECT start, "end", text FROM spans WHERE id = ?', (span.id,))
        assert stored.fetchone() == (start, start + len(piece), piece)


def test_every_span_of_an_emoji_text_covers_the_python_slice(project: Project) -> None:
    text = "a🇺🇸b👍🏽ce\u0301\u00a0مر\n𝒳"
    article_id = add(project, text)
    quote = label_id(project, "Quote")
    with project.atomic():
        for start in range(len(text)):
            for end in range(start + 1, len(text) + 1):
                project.add_span(article_id, start, end, quote, "ann")
    spans = project.spans(article_id)
    assert len(spans) == len(text) * (len(text) + 1) // 2
    assert all(span.text == text[span.start : span.end] for span in spans)


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 3), (0, 0), (5, 5), (6, 4), (0, 10_000), (len(EMOJI_TEXT), len(EMOJI_TEXT) + 1)],
)
def test_add_span_refuses_empty_or_outside_spans(
    project: Project, peek: sqlite3.Connection, start: int, end: int
) -> None:
    article_id = add(project, EMOJI_TEXT)
    with pytest.raises(ProjectError, match="outside"):
        project.add_span(article_id, start, end, label_id(project, "Quote"), "ann")
    assert scalar(peek, "SELECT count(*) FROM spans") == 0
    assert project.article_summary(article_id).status == "new"


def test_add_span_refuses_unknown_article_or_label(project: Project) -> None:
    article_id = add(project, EMOJI_TEXT)
    with pytest.raises(ProjectError, match="no article"):
        project.add_span(article_id + 1, 0, 2, label_id(project, "Quote"), "ann")
    with pytest.raises(ProjectError, match="no label"):
        project.add_span(article_id, 0, 2, 999, "ann")
    assert project.counts()["spans"] == 0
    assert project.article_summary(article_id).status == "new"
    assert not project.db.conn.in_transaction


def test_update_span_recomputes_the_covered_text(project: Project) -> None:
    article_id = add(project, EMOJI_TEXT)
    span = project.add_span(article_id, 0, 4, label_id(project, "Quote"), "ann")
    assert span.text == "Flag"
    before, after = project.update_span(span.id, end=7)
    assert before == span
    assert after.text == "Flag 🇺🇸" == project.span(span.id).text
    _, after = project.update_span(span.id, start=5)
    assert (after.start, after.end, after.text) == (5, 7, "🇺🇸")
    _, after = project.update_span(
        span.id, label_id=label_id(project, "Claim"), note="why", attributes={"x": "y"}
    )
    assert after.label_id == label_id(project, "Claim")
    assert (after.note, after.attributes) == ("why", {"x": "y"})
    assert after.created_at == span.created_at and after.updated_at >= span.updated_at


def test_update_span_refuses_bad_changes_and_changes_nothing(project: Project) -> None:
    article_id = add(project, EMOJI_TEXT)
    span = project.add_span(article_id, 0, 4, label_id(project, "Quote"), "ann")
    with pytest.raises(ProjectError):
        project.update_span(span.id, start=4)
    with pytest.raises(ProjectError):
        project.update_span(span.id, end=len(EMOJI_TEXT) + 1)
    with pytest.raises(ProjectError):
        project.update_span(span.id, label_id=999)
    with pytest.raises(ValueError):
        project.update_span(span.id, text="forged")
    with pytest.raises(ProjectError):
        project.update_span(12345, end=2)
    assert project.span(span.id) == span


def test_spans_are_ordered_and_filtered_by_annotator(project: Project) -> None:
    article_id = add(project, "one two three four")
    quote = label_id(project, "Quote")
    c = project.add_span(article_id, 4, 7, quote, "bob")
    a = project.add_span(article_id, 0, 3, quote, "ann")
    b = project.add_span(article_id, 0, 7, quote, "ann")
    assert [s.id for s in project.spans(article_id)] == [b.id, a.id, c.id]
    assert [s.id for s in project.spans(article_id, ["bob"])] == [c.id]
    assert project.spans(article_id, []) == []
    assert project.annotators() == ["ann", "bob"] == project.annotators(article_id)
    assert project.has_span(article_id, 0, 3, quote, "ann")
    assert not project.has_span(article_id, 0, 3, quote, "bob")


def make_linked_spans(project: Project) -> tuple[int, list[int], list[int]]:
    """An article with three spans of different labels linked in a triangle."""
    article_id = add(project, "Putin told Trump the call went well, Peskov said.")
    quote, source, claim = (label_id(project, n) for n in ("Quote", "Source", "Claim"))
    s1 = project.add_span(article_id, 0, 5, source, "ann").id
    s2 = project.add_span(article_id, 11, 16, quote, "ann").id
    s3 = project.add_span(article_id, 17, 35, claim, "ann").id
    r1 = project.add_relation(s2, s1, "attributed_to", "ann").id
    r2 = project.add_relation(s3, s2, "supports", "ann").id
    r3 = project.add_relation(s1, s3, "mentions", "ann").id
    return article_id, [s1, s2, s3], [r1, r2, r3]


def test_delete_span_takes_its_relations_and_restore_brings_them_back(
    project: Project, peek: sqlite3.Connection
) -> None:
    article_id, (s1, s2, s3), (r1, r2, r3) = make_linked_spans(project)
    spans_before, relations_before = project.spans(article_id), project.relations(article_id)
    snapshot = project.delete_span(s2)
    assert snapshot.span == next(s for s in spans_before if s.id == s2)
    assert [r.id for r in snapshot.relations] == [r1, r2]
    assert [r.id for r in project.relations(article_id)] == [r3]
    touching = "SELECT count(*) FROM relations WHERE head_id = ? OR child_id = ?"
    assert scalar(peek, touching, s2, s2) == 0
    with pytest.raises(ProjectError):
        project.span(s2)
    restored = project.restore_span(snapshot)
    assert restored == snapshot.span
    assert project.spans(article_id) == spans_before
    assert project.relations(article_id) == relations_before


def test_relations_are_validated(project: Project) -> None:
    article_id, (s1, s2, _), _ = make_linked_spans(project)
    other = add(project, "Another article entirely.")
    s4 = project.add_span(other, 0, 7, label_id(project, "Quote"), "ann").id
    count = project.counts()["relations"]
    for head, child, rel_type in [(s1, s4, "x"), (s1, s1, "x"), (s1, s2, "  "), (s1, 999, "x")]:
        with pytest.raises(ProjectError):
            project.add_relation(head, child, rel_type, "ann")
    assert project.counts()["relations"] == count
    rel = project.add_relation(s1, s2, " trimmed ", "ann")
    assert rel.type == "trimmed" and rel.article_id == article_id
    assert project.has_relation(s1, s2, "trimmed")
    assert project.delete_relation(rel.id) == rel
    assert not project.has_relation(s1, s2, "trimmed")
    assert project.restore_relation(rel) == rel


# -------------------------------------------------------------------------------- labels
def test_delete_label_and_restore_label(project: Project, peek: sqlite3.Connection) -> None:
    article_id, (s1, s2, s3), _ = make_linked_spans(project)
    quote = label_id(project, "Quote")
    extra = project.add_span(article_id, 37, 43, quote, "bob").id
    labels_before = project.labels()
    spans_before, relations_before = project.spans(article_id), project.relations(article_id)
    assert project.label_usage(quote) == 2

    snapshot = project.delete_label(quote)
    assert snapshot.label == next(lb for lb in labels_before if lb.id == quote)
    assert sorted(s.span.id for s in snapshot.spans) == sorted([s2, extra])
    assert project.label_by_name("Quote") is None
    assert project.label_usage(quote) == 0
    assert [s.id for s in project.spans(article_id)] == [s1, s3]
    # relations touching a Quote span went too, even those from spans of other labels
    assert [(r.head_id, r.child_id) for r in project.relations(article_id)] == [(s1, s3)]
    assert scalar(peek, "SELECT count(*) FROM labels WHERE id = ?", quote) == 0

    restored = project.restore_label(snapshot)
    assert restored == snapshot.label
    assert project.labels() == labels_before  # same ids, names and positions for every label
    assert project.spans(article_id) == spans_before
    assert project.relations(article_id) == relations_before


def test_restore_label_after_its_place_was_taken_keeps_the_order(project: Project) -> None:
    names_before = [lb.name for lb in project.labels()]
    snapshot = project.delete_label(label_id(project, "Source"))
    project.reorder_labels([label_id(project, n) for n in ("Quote", "Claim", "Speculation")])
    project.restore_label(snapshot)
    assert [lb.name for lb in project.labels()] == names_before
    assert project.label(snapshot.label.id).position == snapshot.label.position


def test_label_rename_to_an_existing_name_is_refused(project: Project) -> None:
    source = label_id(project, "Source")
    before = project.labels()
    with pytest.raises(ProjectError, match="already has a label named 'Quote'"):
        project.update_label(source, name="Quote")
    with pytest.raises(ProjectError):
        project.update_label(source, name="   ")
    with pytest.raises(ProjectError):
        project.add_label(LabelSpec(" Claim ", "#000000"))
    with pytest.raises(ValueError):
        project.update_label(source, position=7)
    assert project.labels() == before
    old, new = project.update_label(source, name="  Source ", color="#010203", hotkey="9")
    assert old == before[1]
    assert (new.name, new.color, new.hotkey, new.position) == ("Source", "#010203", "9", 1)
    _, new = project.update_label(source, name="Attribution")
    assert project.label_by_name("Attribution") == new


def test_ensure_label(project: Project) -> None:
    assert project.ensure_label("Quote").id == label_id(project, "Quote")
    label = project.ensure_label("Opinion")
    assert (label.hotkey, label.color, label.position) == ("5", LABEL_PALETTE[4], 4)
    assert project.ensure_label("Opinion") == label
    assert project.counts()["labels"] == 5


def test_reorder_labels(project: Project) -> None:
    ids = [lb.id for lb in project.labels()]
    new_order = [ids[3], ids[1], ids[0], ids[2]]
    assert project.reorder_labels(new_order) == ids
    assert [lb.id for lb in project.labels()] == new_order
    assert [lb.position for lb in project.labels()] == [0, 1, 2, 3]
    for bad in (
        [ids[0], ids[1], ids[2]],
        [*ids, 99],
        [ids[0], ids[0], ids[1], ids[2]],
        [ids[0], ids[1], ids[2], 99],
    ):
        with pytest.raises(ProjectError):
            project.reorder_labels(bad)
    assert [lb.id for lb in project.labels()] == new_order


def test_label_usage(project: Project) -> None:
    a = add(project, "first article text")
    b = add(project, "second article text")
    quote, claim = label_id(project, "Quote"), label_id(project, "Claim")
    for article_id in (a, b):
        project.add_span(article_id, 0, 5, quote, "ann")
    project.add_span(b, 6, 13, quote, "bob")
    assert project.label_usage(quote) == 3
    assert project.label_usage(claim) == 0
    assert project.label_usage(999) == 0


# ------------------------------------------------------------------- article list queries
@pytest.fixture
def corpus(project: Project) -> dict[str, int]:
    """Eight articles with varied titles, statuses and span counts."""
    rows = [
        ("banana split", "Trump called Putin on Tuesday.", "new", 0),
        ("Apple pie", "Putin said the talks were constructive.", "done", 2),
        ("cherry tart", "Trumpet players gathered in Vienna.", "in progress", 1),
        ("Date loaf", "The Kremlin declined to comment.", "new", 3),
        ("elderflower", "Analysts expect many tweets.", "done", 0),
        ("Fig roll", "Nothing about politics here.", "in progress", 0),
        ("grape", "Trump and Putin spoke for an hour.", "new", 1),
        ("Honey cake", "Putin Putin Putin", "done", 0),
    ]
    ids: dict[str, int] = {}
    quote, claim = label_id(project, "Quote"), label_id(project, "Claim")
    for title, text, status, n_spans in rows:
        article_id = add(project, text, title=title)
        ids[title] = article_id
        for i in range(n_spans):
            project.add_span(article_id, i, i + 3, quote if i % 2 == 0 else claim, "ann")
        project.set_article_status(article_id, status)
    return ids


def titles(project: Project, **kwargs: object) -> list[str]:
    return [s.title for s in project.article_summaries(limit=1000, **kwargs)]  # type: ignore[arg-type]


def test_article_summaries_pages(project: Project, corpus: dict[str, int]) -> None:
    everything = project.article_summaries(limit=1000)
    assert [s.id for s in everything] == sorted(corpus.values())
    pages = [project.article_summaries(offset, 3) for offset in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 2, 0]
    assert [s for page in pages for s in page] == everything
    first = everything[1]
    assert (first.title, first.status, first.span_count, first.length) == (
        "Apple pie",
        "done",
        2,
        len("Putin said the talks were constructive."),
    )
    assert project.article_count() == 8


def test_article_summaries_sort(project: Project, corpus: dict[str, int]) -> None:
    by_title = sorted(corpus, key=str.lower)
    assert titles(project, order_by="title") == by_title
    assert titles(project, order_by="title", descending=True) == by_title[::-1]
    assert titles(project, order_by="status") == [
        "banana split",
        "Date loaf",
        "grape",
        "cherry tart",
        "Fig roll",
        "Apple pie",
        "elderflower",
        "Honey cake",
    ]
    assert titles(project, order_by="spans", descending=True)[:2] == ["Date loaf", "Apple pie"]
    spans = [s.span_count for s in project.article_summaries(limit=100, order_by="spans")]
    assert spans == sorted(spans)
    lengths = [s.length for s in project.article_summaries(limit=100, order_by="length")]
    assert lengths == sorted(lengths)
    # an unknown key is never spliced into the SQL: it sorts by id
    assert titles(project, order_by="id; DROP TABLE articles") == list(corpus)
    assert project.article_count() == 8


def test_article_search_matches_word_prefixes(project: Project, corpus: dict[str, int]) -> None:
    assert titles(project, search="trump") == ["banana split", "cherry tart", "grape"]
    assert titles(project, search="Trump Putin") == ["banana split", "grape"]
    assert titles(project, search="put spo") == ["grape"]
    assert titles(project, search="kreml") == ["Date loaf"]
    assert titles(project, search="cake") == ["Honey cake"]  # titles are indexed too
    assert titles(project, search="  ") == list(corpus)
    assert titles(project, search="zebra") == []
    for query, expected in [("trump", 3), ("Trump Putin", 2), ("zebra", 0), ("", 8)]:
        assert project.article_count(search=query) == expected


def test_article_label_filter(project: Project, corpus: dict[str, int]) -> None:
    quote, claim = label_id(project, "Quote"), label_id(project, "Claim")
    assert titles(project, label_id=quote) == ["Apple pie", "cherry tart", "Date loaf", "grape"]
    assert titles(project, label_id=claim) == ["Apple pie", "Date loaf"]
    assert titles(project, label_id=claim, search="putin") == ["Apple pie"]
    assert project.article_count(label_id=quote) == 4
    assert project.article_count(label_id=claim, search="kremlin") == 1
    assert project.article_count(label_id=label_id(project, "Speculation")) == 0


def test_set_article_status(project: Project, peek: sqlite3.Connection) -> None:
    article_id = add(project, "Some text")
    assert project.set_article_status(article_id, "done") == "new"
    assert project.set_article_status(article_id, "in progress") == "done"
    with pytest.raises(ProjectError, match="unknown article status"):
        project.set_article_status(article_id, "finished")
    with pytest.raises(ProjectError):
        project.set_article_status(article_id + 1, "done")
    assert scalar(peek, "SELECT status FROM articles WHERE id = ?", article_id) == "in progress"


def test_first_span_moves_a_new_article_to_in_progress(project: Project) -> None:
    fresh, finished = add(project, "fresh article"), add(project, "finished article")
    project.set_article_status(finished, "done")
    quote = label_id(project, "Quote")
    project.add_span(fresh, 0, 5, quote, "ann")
    project.add_span(finished, 0, 5, quote, "ann")
    assert project.article_summary(fresh).status == "in progress"
    assert project.article_summary(finished).status == "done"
    project.set_article_status(fresh, "new")
    project.add_span(fresh, 6, 13, quote, "ann")
    assert project.article_summary(fresh).status == "in progress"


# ----------------------------------------------------------------------------- read-only
def test_read_only_refuses_every_write_and_leaves_the_file_alone(path: Path) -> None:
    with Project.open(path) as project:
        article_id, (s1, s2, _), (r1, _, _) = make_linked_spans(project)
    digest = file_digest(path)
    ro = Project.open(path, read_only=True)
    quote = label_id(ro, "Quote")
    writes: list[Callable[[], object]] = [
        lambda: ro.add_article(ArticleDraft("new text")),
        lambda: ro.add_span(article_id, 0, 3, quote, "ann"),
        lambda: ro.update_span(s1, end=3),
        lambda: ro.delete_span(s1),
        lambda: ro.restore_span(SpanSnapshot(ro.span(s1), ())),
        lambda: ro.restore_relation(ro.relation(r1)),
        lambda: ro.restore_label(LabelSnapshot(ro.label(quote), ())),
        lambda: ro.add_relation(s1, s2, "x", "ann"),
        lambda: ro.delete_relation(r1),
        lambda: ro.add_label(LabelSpec("New", "#000000")),
        lambda: ro.ensure_label("New"),
        lambda: ro.update_label(quote, name="Q"),
        lambda: ro.reorder_labels([lb.id for lb in ro.labels()][::-1]),
        lambda: ro.delete_label(quote),
        lambda: ro.set_article_status(article_id, "done"),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyError):
            write()
    with pytest.raises(ReadOnlyError), ro.atomic():
        pass
    assert ro.counts() == {"articles": 1, "spans": 3, "relations": 3, "labels": 4}
    assert ro.article_count(search="putin") == 1
    ro.close()
    assert file_digest(path) == digest


def test_read_only_error_is_a_project_error() -> None:
    assert issubclass(ReadOnlyError, ProjectError)


# -------------------------------------------------------------------------- refused files
def make_foreign_app_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes(body) VALUES ('keep me')")
    conn.commit()
    conn.close()


def make_plain_db_with_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO articles(text) VALUES ('not ours')")
    conn.commit()
    conn.close()


def make_text_file(path: Path) -> None:
    path.write_text("These are my notes, not a database.\n" * 10)


def make_short_file(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00 but cut short")


def make_damaged_db(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "x" * 50_000)
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xde\xad\xbe\xef" * 1024  # scribble over the second page
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (make_text_file, "not a SQLite database"),
        (make_short_file, "not a SQLite database"),
        (make_foreign_app_db, "another application"),
        (make_plain_db_with_tables, "another application"),
        (make_damaged_db, "damaged"),
    ],
    ids=["text-file", "short-file", "other-app-id", "app-id-0-with-tables", "damaged"],
)
def test_files_that_are_not_projects_are_refused_untouched(
    tmp_path: Path, make: Callable[[Path], None], message: str, read_only: bool
) -> None:
    path = tmp_path / "not-mine.annot"
    make(path)
    digest, listing = file_digest(path), dir_listing(tmp_path)
    with pytest.raises(ProjectError, match=message) as caught:
        Project.open(path, read_only=read_only)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert not isinstance(caught.value, ReadOnlyError)
    assert file_digest(path) == digest
    added = set(dir_listing(tmp_path)) - set(listing)
    if read_only and make is make_damaged_db:
        # SQLite itself: a read-only connection to a WAL file must create the -shm (and an empty
        # -wal) and may not delete them again. The database file itself stays untouched.
        assert added <= {f"{path.name}-wal", f"{path.name}-shm"}
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    else:
        assert added == set()
    assert open_fds_on(path) == []  # the refused file is not left open


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.annot"
    folder.mkdir()
    for read_only in (False, True):
        with pytest.raises(ProjectError, match="folder") as caught:
            Project.open(folder, read_only=read_only)
        assert str(folder) in str(caught.value)
    assert dir_listing(folder) == []


def test_a_missing_file_is_refused_without_create(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "missing.annot"
    for kwargs in ({"create": False}, {"read_only": True}):
        with pytest.raises(ProjectError, match="does not exist") as caught:
            Project.open(path, **kwargs)  # type: ignore[arg-type]
        assert caught.value.path == path
    assert not path.parent.exists()


def test_missing_file_and_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "new.annot"
    with Project.open(path) as project:
        assert project.counts()["labels"] == 4
    assert path.is_file()


def test_an_empty_file_is_refused_not_silently_made_a_new_project(tmp_path: Path) -> None:
    """A 0-byte .annot is an emptied project (failed sync, interrupted copy), never a new one."""
    path = tmp_path / "empty.annot"
    path.write_bytes(b"")
    for kwargs in ({}, {"read_only": True}):
        with pytest.raises(ProjectEmpty, match=r"empty \(0 bytes\)"):
            Project.open(path, **kwargs)  # type: ignore[arg-type]
    assert path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.annot"]


def test_an_empty_sqlite_database_is_not_a_project_read_only(tmp_path: Path) -> None:
    path = tmp_path / "blank.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")  # writes a header, no tables
    conn.close()
    digest = file_digest(path)
    with pytest.raises(ProjectError, match="not a News Annotator project"):
        Project.open(path, read_only=True)
    assert file_digest(path) == digest


def test_a_project_from_a_newer_version(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "written by an older release")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES (?, ?, ?)",
        (MIGRATION_SET, "9999_from_the_future", "2099-01-01"),
    )
    conn.commit()
    conn.close()
    digest = file_digest(path)
    with pytest.raises(ProjectError, match="newer version") as caught:
        Project.open(path)
    assert open_fds_on(path) == []
    assert not isinstance(caught.value, ReadOnlyError)
    assert str(path) in str(caught.value)
    assert file_digest(path) == digest
    with Project.open(path, read_only=True) as ro:
        assert ro.counts()["articles"] == 1
        assert "9999_from_the_future" in ro.schema_version()
        with pytest.raises(ReadOnlyError):
            ro.add_article(ArticleDraft("more"))
    assert file_digest(path) == digest


# ---------------------------------------------------------------------------------- copies
def test_copy_to_writes_a_self_contained_rollback_journal_file(
    tmp_path: Path, path: Path, project: Project
) -> None:
    article_id, (s1, _, _), _ = make_linked_spans(project)
    # these last writes sit in the WAL, not yet in the main file
    project.add_label(LabelSpec("Opinion", "#123456"))
    project.add_span(article_id, 6, 10, label_id(project, "Opinion"), "ann")
    assert Path(f"{path}-wal").stat().st_size > 0
    target = tmp_path / "copies" / "for-colleague.annot"
    target.parent.mkdir()
    project.copy_to(target)
    assert dir_listing(target.parent) == ["for-colleague.annot"]
    header = target.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # legacy (rollback journal) read/write versions
    assert header[68:72] == b"NANT"
    # the file alone carries everything: move it away from any sidecar files
    moved = tmp_path / "elsewhere.annot"
    target.rename(moved)
    conn = sqlite3.connect(moved)
    assert scalar(conn, "PRAGMA journal_mode") == "delete"
    conn.close()
    with Project.open(moved, read_only=True) as copy:
        assert copy.counts() == project.counts()
        assert copy.labels() == project.labels()
        assert copy.spans(article_id) == project.spans(article_id)
        assert copy.article_count(search="putin") == 1
    # the source stays open and writable
    project.update_span(s1, end=3)
    assert project.span(s1).text == "Put"


def test_copy_to_replaces_an_old_copy_and_refuses_the_project_itself(
    tmp_path: Path, path: Path, project: Project
) -> None:
    target = tmp_path / "copy.annot"
    target.write_text("an old file in the way")
    add(project, "only article")
    project.copy_to(target)
    with Project.open(target, read_only=True) as copy:
        assert copy.counts()["articles"] == 1
    with pytest.raises(ProjectError, match="itself"):
        project.copy_to(path)
    with pytest.raises(ProjectError):
        project.copy_to(tmp_path / "no" / "such" / "folder" / "x.annot")
    assert not list((tmp_path).glob("*.part"))


# -------------------------------------------------------------------------- transactions
def test_each_write_is_committed_when_the_call_returns(
    project: Project, peek: sqlite3.Connection
) -> None:
    def seen(sql: str, *params: object) -> object:
        return scalar(peek, sql, *params)

    article_id = add(project, "Putin told Trump the call went well.")
    assert seen("SELECT count(*) FROM articles") == 1
    quote = label_id(project, "Quote")
    span = project.add_span(article_id, 0, 5, quote, "ann")
    assert seen("SELECT text FROM spans WHERE id = ?", span.id) == "Putin"
    assert seen("SELECT status FROM articles WHERE id = ?", article_id) == "in progress"
    other = project.add_span(article_id, 11, 16, quote, "ann")
    project.update_span(span.id, end=4)
    assert seen('SELECT "end" FROM spans WHERE id = ?', span.id) == 4
    rel = project.add_relation(span.id, other.id, "attributed_to", "ann")
    assert seen("SELECT count(*) FROM relations") == 1
    project.delete_relation(rel.id)
    assert seen("SELECT count(*) FROM relations") == 0
    project.restore_relation(rel)
    assert seen("SELECT count(*) FROM relations") == 1
    snapshot = project.delete_span(span.id)
    assert seen("SELECT count(*) FROM spans") == 1
    assert seen("SELECT count(*) FROM relations") == 0
    project.restore_span(snapshot)
    assert seen("SELECT count(*) FROM spans") == 2
    label = project.add_label(LabelSpec("Opinion", "#000000"))
    assert seen("SELECT count(*) FROM labels") == 5
    project.update_label(label.id, name="View")
    assert seen("SELECT name FROM labels WHERE id = ?", label.id) == "View"
    project.reorder_labels([lb.id for lb in project.labels()][::-1])
    assert seen("SELECT position FROM labels WHERE id = ?", label.id) == 0
    project.set_article_status(article_id, "done")
    assert seen("SELECT status FROM articles WHERE id = ?", article_id) == "done"
    label_snapshot = project.delete_label(quote)
    assert seen("SELECT count(*) FROM spans") == 0
    project.restore_label(label_snapshot)
    assert seen("SELECT count(*) FROM spans") == 2
    assert not project.db.conn.in_transaction


def test_atomic_rolls_everything_back_on_an_exception(
    project: Project, peek: sqlite3.Connection
) -> None:
    article_id = add(project, "Committed before the batch.")
    before = project.counts(), project.labels(), project.article_summary(article_id)
    with pytest.raises(RuntimeError, match="boom"), project.atomic():
        new_id = add(project, "Added inside the batch.")
        project.add_span(article_id, 0, 9, label_id(project, "Quote"), "ann")
        project.add_span(new_id, 0, 5, project.add_label(LabelSpec("Tmp", "#000000")).id, "ann")
        project.reorder_labels([lb.id for lb in project.labels()][::-1])
        # the batch is not visible from outside while it runs
        assert scalar(peek, "SELECT count(*) FROM articles") == 1
        raise RuntimeError("boom")
    assert (project.counts(), project.labels(), project.article_summary(article_id)) == before
    assert scalar(peek, "SELECT count(*) FROM spans") == 0
    assert not project.db.conn.in_transaction


def test_atomic_commits_once_and_nests(project: Project, peek: sqlite3.Connection) -> None:
    with project.atomic():
        keep = add(project, "kept")
        # a refused record inside a batch leaves the batch usable
        with pytest.raises(ProjectError):
            project.add_span(keep, 0, 99, label_id(project, "Quote"), "ann")
        with pytest.raises(KeyError), project.atomic():
            add(project, "rolled back with the inner block")
            raise KeyError("inner")
        project.add_span(keep, 0, 4, label_id(project, "Quote"), "ann")
        assert scalar(peek, "SELECT count(*) FROM articles") == 0
    assert scalar(peek, "SELECT count(*) FROM articles") == 1
    assert scalar(peek, "SELECT count(*) FROM spans") == 1
    assert project.article_id_by_hash(content_hash("rolled back with the inner block")) is None


# ------------------------------------------------------------------------- hostile input
HOSTILE = [
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "Robert'); DROP TABLE spans;--",
    "NEAR(putin trump, 2)",
    "title:putin",
    "putin OR trump",
    "NOT putin",
    "*",
    "-",
    "^putin",
    '"',
    '""',
    "(",
    "a\x00b",
    "%_%",
    "\\",
    "put\ud800in",  # a lone surrogate cannot even be encoded
]


@pytest.mark.parametrize("search", HOSTILE)
def test_search_text_is_only_ever_data(
    project: Project, corpus: dict[str, int], search: str
) -> None:
    before = project.counts()
    summaries = project.article_summaries(limit=100, search=search)
    assert project.article_count(search=search) == len(summaries)
    assert project.counts() == before
    assert project.article_count() == 8


def test_search_operators_are_words_not_syntax(project: Project, corpus: dict[str, int]) -> None:
    # "OR" is a word that must occur, not an operator widening the match
    assert titles(project, search="putin OR trump") == []
    assert titles(project, search="putin or") == []
    assert titles(project, search="Robert');") == []
    robert = add(project, "Robert'); DROP TABLE spans;-- was his name", title="Bobby")
    assert titles(project, search="Robert'); DROP") == ["Bobby"]
    assert titles(project, search='"robert"') == ["Bobby"]
    assert project.article_text(robert).startswith("Robert'); DROP TABLE")


@pytest.mark.parametrize("name", [*HOSTILE[:6], "Quote'--", 'x"y', "🇺🇸 label"])
def test_label_names_are_only_ever_data(project: Project, name: str) -> None:
    label = project.add_label(LabelSpec(name, "#000000", "", name))
    assert project.label_by_name(name.strip()) == label
    assert label.description == name
    _, renamed = project.update_label(label.id, name=name + "2", description="'; --")
    assert renamed.name == name.strip() + "2" and renamed.description == "'; --"
    assert project.counts()["labels"] == 5
    assert [lb.name for lb in project.labels()][:4] == ["Quote", "Source", "Claim", "Speculation"]


def test_garbage_json_in_a_colleagues_file_reads_as_empty(tmp_path: Path) -> None:
    """Attributes and metadata are JSON the app wrote; a tampered file must not crash a read."""
    import sqlite3

    path = tmp_path / "tampered.annot"
    with Project.open(path) as project:
        article_id, _ = project.add_article(ArticleDraft(text="Peskov said so.", title="t"))
        span = project.add_span(article_id, 0, 6, project.labels()[0].id, "bob")
    conn = sqlite3.connect(path)
    deep = "[" * 100_000 + "]" * 100_000
    conn.execute("UPDATE spans SET attributes = ? WHERE id = ?", (deep, span.id))
    conn.execute("UPDATE articles SET meta = ? WHERE id = ?", ("{not json", article_id))
    conn.commit()
    conn.close()
    with Project.open(path, read_only=True) as project:
        assert project.span(span.id).attributes == {}
        assert project.article(article_id).meta == {}
        assert project.db.conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
