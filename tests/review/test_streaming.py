"""Comparing files an article at a time gives exactly what comparing loaded layers gives: the
same figures, disagreements, issues and alignment, on seeded random projects with emoji,
combining marks, CRLF, NBSP and right-to-left text, repeated texts, damaged rows and files read
in place rather than from a snapshot."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import annotator.store.readonly as readonly
from annotator.core.model import ArticleDraft
from annotator.review.compare import Comparison, compare_layers, open_layers
from annotator.review.streaming import compare_files
from annotator.store import Project, ProjectError
from annotator.store.layers import insert_spans
from annotator.store.rows import SpanCopy
from tests.review.conftest import fingerprint

PIECES = (
    "Putin said",
    "the talks were “useful”",
    "🇺🇸",
    "👍🏽",
    "e\u0301ditor",
    "\u00a0X",
    "\r\n",
    "قال المتحدث",
    "«Expect many tweets»",
    "markets fell",
    "\u200d",
)
LABELS = ("Quote", "Source", "Claim", "Speculation", "Opinion")


def random_text(rng: random.Random) -> str:
    return " ".join(rng.choice(PIECES) for _ in range(rng.randint(3, 40)))


def random_spans(rng: random.Random, length: int) -> list[tuple[int, int, str]]:
    spans = []
    for _ in range(rng.randint(0, 12)):
        start = rng.randrange(length)
        end = min(length, start + rng.randint(1, 30))
        spans.append((start, end, rng.choice(LABELS)))
    return spans


def colleague_version(
    rng: random.Random, spans: list[tuple[int, int, str]], length: int
) -> list[tuple[int, int, str]]:
    out = []
    for start, end, label in spans:
        roll = rng.random()
        if roll < 0.15:
            continue  # missed
        if roll < 0.35:
            start = max(0, min(end - 1, start + rng.randint(-3, 3)))
            end = min(length, max(start + 1, end + rng.randint(-3, 3)))
        elif roll < 0.45:
            label = rng.choice(LABELS)
        out.append((start, end, label))
        if rng.random() < 0.05:
            out.append((start, end, label))  # the same span twice
    if rng.random() < 0.3:
        out.extend(random_spans(rng, length)[:2])
    return out


def build_files(folder: Path, seed: int, count: int = 3) -> list[Path]:
    """``count`` colleagues' files over mostly the same articles, in different orders, with
    texts repeated within a file, articles only some files hold, labels made in other orders,
    a second annotator here and there, and damaged rows."""
    rng = random.Random(seed)
    texts = [random_text(rng) for _ in range(30)]
    texts.append(texts[3])  # the same text twice in every file
    base = [random_spans(rng, len(text)) for text in texts]
    paths = []
    for n in range(count):
        path = folder / f"analyst{n}.annot"
        order = list(range(len(texts)))
        rng.shuffle(order)
        order = [i for i in order if not (i == 7 + n)]  # each file lacks one article
        with Project.open(path) as project:
            labels = list(LABELS)
            rng.shuffle(labels)
            label_ids = {name: project.ensure_label(name).id for name in labels}
            ids = {}
            for i in order:
                ids[i] = project.add_article(ArticleDraft(texts[i], title=f"{n}-{i}"))[0]
            copies = []
            for i in order:
                spans = base[i] if n == 0 else colleague_version(rng, base[i], len(texts[i]))
                for start, end, label in spans:
                    who = f"analyst{n}" if rng.random() > 0.1 else "second"
                    text = texts[i][start:end]
                    copies.append(
                        SpanCopy(ids[i], start, end, label_ids[label], text, who, "", {}, "", "")
                    )
            span_ids = insert_spans(project, copies)
        damage(path, span_ids, rng)
        paths.append(path)
    return paths


def damage(path: Path, span_ids: list[int], rng: random.Random) -> None:
    """A span past its article's end, one whose label row is gone, one whose article is gone,
    a stale content hash."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    first, second, third = rng.sample(span_ids, 3)
    conn.execute('UPDATE spans SET "end" = 100000 WHERE id = ?', (first,))
    ghost = conn.execute("SELECT max(id) + 1 FROM labels").fetchone()[0]
    conn.execute("UPDATE spans SET label_id = ? WHERE id = ?", (ghost, second))
    conn.execute("UPDATE spans SET article_id = 99999 WHERE id = ?", (third,))
    conn.execute("UPDATE articles SET content_hash = 'stale' WHERE id = 2")
    conn.commit()
    conn.close()


def assert_same(streamed: Comparison, loaded: Comparison, *, kept: bool) -> None:
    for mine, theirs in zip(streamed.layers, loaded.layers, strict=True):
        assert (mine.name, mine.annotator, mine.source) == (
            theirs.name,
            theirs.annotator,
            theirs.source,
        )
        assert mine.articles == theirs.articles
        assert mine.other_annotators == theirs.other_annotators
        assert mine.issues == theirs.issues
        assert mine.labels == theirs.labels
    assert streamed.alignment == loaded.alignment
    a, b = streamed.agreement, loaded.agreement
    assert (a.annotators, a.labels) == (b.annotators, b.labels)
    assert a.by_label == b.by_label
    assert a.overall == b.overall
    assert a.pairwise == b.pairwise
    assert a.article_count == b.article_count == len(b.articles)
    assert a.disagreement_counts == b.disagreement_counts
    assert sum(b.disagreement_counts.values()) == len(b.disagreements)
    if kept:
        assert a.articles == b.articles
    else:
        assert a.articles == ()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("files", [2, 3])
def test_article_at_a_time_equals_loaded_layers(tmp_path: Path, seed: int, files: int) -> None:
    paths = build_files(tmp_path, seed, files)
    loaded = compare_layers(open_layers(paths))
    assert loaded.agreement.article_count > 20
    assert any(layer.issues for layer in loaded.layers)
    assert loaded.agreement.disagreements
    assert_same(compare_files(paths), loaded, kept=True)
    assert_same(compare_files(paths, keep_articles=False), loaded, kept=False)
    only = ["Source", "Quote", "Unused"]
    loaded_only = compare_layers(open_layers(paths), only)
    assert_same(compare_files(paths, only), loaded_only, kept=True)
    assert_same(compare_files(paths, only, keep_articles=False), loaded_only, kept=False)


def test_files_read_in_place_give_the_same_figures_and_stay_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = build_files(tmp_path, 11, 2)
    expected = compare_layers(open_layers(paths))
    before = fingerprint(tmp_path)
    monkeypatch.setattr(readonly, "SNAPSHOT_LIMIT", 0)  # every file counts as large
    assert_same(compare_files(paths), expected, kept=True)
    assert_same(compare_layers(open_layers(paths)), expected, kept=True)
    assert fingerprint(tmp_path) == before


def test_a_large_file_with_wal_content_is_read_from_a_private_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = build_files(tmp_path, 5, 2)
    expected = compare_layers(open_layers(paths))
    monkeypatch.setattr(readonly, "SNAPSHOT_LIMIT", 0)
    # The colleague's app is still running and has just added an article: committed, in the WAL.
    running = Project.open(paths[1])
    try:
        running.db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        running.add_article(ArticleDraft("Only in the WAL so far.", title="late"))
        assert Path(f"{paths[1]}-wal").stat().st_size > 0
        before = fingerprint(tmp_path)
        comparison = compare_files(paths)
        assert fingerprint(tmp_path) == before
    finally:
        running.close()
    assert comparison.agreement.by_label == expected.agreement.by_label
    late = [info.title for info, _ in comparison.alignment.unshared]
    assert "late" in late


def test_a_file_written_while_read_in_place_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = build_files(tmp_path, 3, 2)
    monkeypatch.setattr(readonly, "SNAPSHOT_LIMIT", 0)
    with readonly.open_read_only(paths[1]) as project:
        readonly.check_unchanged(project)  # nothing happened yet
        with Project.open(paths[1]) as writer:
            writer.add_article(ArticleDraft("Written meanwhile.", title="meanwhile"))
        with pytest.raises(ProjectError, match="changed while it was being read"):
            readonly.check_unchanged(project)
