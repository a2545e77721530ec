"""Review ▸ on the real main window: compare with colleagues' files (read-only), agreement figures,
disagreement navigation, adjudication into a gold layer with undo, merge, reports."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel

from annotator.core.model import ArticleDraft
from annotator.review.adjudicate import build_plan, progress
from annotator.review.agreement import Kind
from annotator.review.compare import compare_layers, load_layer, open_layer
from annotator.store import Project
from annotator.ui.main_window import MainWindow
from annotator.ui.review import ReviewController, dialogs
from annotator.ui.review.models import format_figure
from tests.ui.conftest import MIXED_TEXT

SECOND = "Second article.\nIt has two lines."
THIRD = "Third article text here."
BOB_ONLY = "An article only bob imported, about harbours."
EVIL = "<img src=x onerror=alert(1)>"

Spec = tuple[int, str, str]  # (article index, words, label)

ALICE: list[Spec] = [
    (0, "Peskov", "Source"),
    (0, "we will see", "Quote"),
    (0, "Expect many tweets", "Claim"),
    (1, "It has two lines", "Speculation"),
]
BOB: list[Spec] = [
    (0, "Peskov", "Source"),
    (0, "we will see", "Claim"),  # same span, another label
    (0, "Expect many tweets to follow", "Claim"),  # other boundaries
    (0, "Flags", "Source"),  # only bob
]
CAROL: list[Spec] = [
    (1, "Peskov", "Source"),
    (1, "we will see", "Quote"),
    (1, "Expect many tweets", "Claim"),
    (0, "Second article", "Claim"),
]


def place(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def build(
    path: Path,
    annotator: str,
    texts: Sequence[str],
    spans: Sequence[Spec],
    titles: Sequence[str] | None = None,
) -> list[int]:
    """A project file with these articles and one annotator's spans, closed again."""
    names = titles or [f"{annotator} {i}" for i in range(len(texts))]
    with Project.open(path) as project:
        ids = [
            project.add_article(ArticleDraft(text, title=title))[0]
            for text, title in zip(texts, names, strict=True)
        ]
        for article, words, label_name in spans:
            label = project.label_by_name(label_name) or project.ensure_label(label_name)
            start, end = place(texts[article], words)
            project.add_span(ids[article], start, end, label.id, annotator)
    return ids


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """Every entry of a folder with its bytes' sha256 and its modification time."""
    result = {}
    for name in sorted(os.listdir(folder)):
        entry = folder / name
        digest = hashlib.sha256(entry.read_bytes()).hexdigest() if entry.is_file() else "<dir>"
        result[name] = (digest, entry.stat().st_mtime_ns)
    return result


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """The window's project: the conftest's three articles, with alice's own spans."""
    path = tmp_path / "project.annot"
    build(path, "alice", [MIXED_TEXT, SECOND, THIRD], ALICE, ["Mixed scripts", "Second", "Third"])
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    build(folder / "bob.annot", "bob", [MIXED_TEXT, SECOND, BOB_ONLY], BOB)
    build(folder / "carol.annot", "carol", [SECOND, MIXED_TEXT, THIRD], CAROL)
    return folder


def review_of(window: MainWindow) -> ReviewController:
    return window.review


def compare_via_menu(window: MainWindow, monkeypatch, paths: Sequence[Path]) -> ReviewController:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], "")
    )
    window.review.named_actions["review_compare"].trigger()
    assert window.review.comparison is not None
    return window.review


def gold_spans(window: MainWindow) -> list[tuple[int, int, int, int, str]]:
    project = window.session.project
    names = {label.id: label.name for label in project.labels()}
    return sorted(
        (s.id, s.article_id, s.start, s.end, names[s.label_id])
        for article_id in project.article_ids()
        for s in project.spans(article_id, ["gold"])
    )


def core_comparison(window: MainWindow, paths: Sequence[Path]):
    layers = [load_layer(window.session.project, "alice")] + [open_layer(p) for p in paths]
    return compare_layers(layers)


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    window.reader.view.setFocus()
    qtbot.keyClick(window.reader.view, key, modifier)


# ---------------------------------------------------------------------------- comparing
def test_compare_with_one_colleague_counts_shared_and_lists_the_others(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    panel = review.panel
    assert review.dock.isVisible()
    assert review.layer_names == ["alice", "bob"]
    summary = panel.summary_label.text()
    assert "Comparing alice (you, project.annot), bob (bob.annot)." in summary
    assert "2 articles in every file (compared); 2 only in some files" in summary
    unshared = {
        panel.unshared_model.data(panel.unshared_model.index(row, 0)): panel.unshared_model.data(
            panel.unshared_model.index(row, 1)
        )
        for row in range(panel.unshared_model.rowCount())
    }
    assert unshared == {"Third": "alice", "bob 2": "bob"}
    core = core_comparison(window, [inbox / "bob.annot"])
    assert len(core.alignment.shared) == 2
    kinds = [
        panel.disagreement_model.item(r).kind for r in range(panel.disagreement_model.rowCount())
    ]
    assert kinds == [d.kind for d in core.agreement.disagreements]
    assert kinds == [Kind.ONLY, Kind.LABEL, Kind.BOUNDARY, Kind.ONLY]
    texts = [
        panel.disagreement_model.data(panel.disagreement_model.index(r, 1))
        for r in range(panel.disagreement_model.rowCount())
    ]
    assert texts == ["only in bob", "different labels", "different boundaries", "only in alice"]


def figures_shown(model) -> dict[str, list[object]]:
    return {
        model.data(model.index(row, 0)): [
            model.data(model.index(row, col), Qt.ItemDataRole.UserRole)
            for col in range(1, model.columnCount())
        ]
        for row in range(model.rowCount())
    }


def test_figures_shown_equal_those_of_the_review_core(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    panel = review.panel
    agreement = core_comparison(window, [inbox / "bob.annot"]).agreement
    model = panel.figures_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Label",
        "Exact F1",
        "Overlap F1",
        "Cohen's κ",
        "Krippendorff's α",
        "Spans alice",
        "Spans bob",
    ]
    panel.scope_combo.setCurrentIndex(panel.scope_combo.findData("all"))
    shown = figures_shown(model)
    for label in agreement.labels:
        f = agreement.by_label[label]
        assert shown[label] == [
            f.exact_f1,
            f.overlap_f1,
            f.kappa,
            f.alpha,
            f.spans["alice"],
            f.spans["bob"],
        ]
        row = list(shown).index(label)
        for col, value in ((1, f.exact_f1), (3, f.kappa), (4, f.alpha)):
            assert model.data(model.index(row, col)) == format_figure(value)
    overall = agreement.overall
    assert shown["All labels"] == [
        overall.exact_f1,
        overall.overlap_f1,
        None,
        None,
        overall.spans["alice"],
        overall.spans["bob"],
    ]
    # Undefined figures say so: nobody used Speculation on the shared articles but alice.
    speculation = list(shown).index("Speculation")
    assert agreement.by_label["Speculation"].exact_f1 == 0.0
    assert model.data(model.index(speculation, 1)) == "0.000"
    # The open article's own figures.
    panel.scope_combo.setCurrentIndex(panel.scope_combo.findData("article"))
    article = agreement.articles[0]
    assert window.reader.view.text == MIXED_TEXT
    shown = figures_shown(model)
    for label in agreement.labels:
        f = article.labels[label]
        assert shown[label][:4] == [f.exact_f1, f.overlap_f1, f.kappa, f.alpha]
    window.open_article(window.session.project.article_ids()[1])
    shown = figures_shown(model)
    second = agreement.articles[1]
    assert shown["Quote"][:4] == [None, None, None, None]  # nobody tagged a quote there
    assert model.data(model.index(list(shown).index("Quote"), 1)) == "n/a"
    assert shown["Speculation"][:2] == [second.labels["Speculation"].exact_f1, 0.0]


def test_compare_with_two_colleagues_adds_pairwise_matrix_fleiss_and_alpha(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    paths = [inbox / "bob.annot", inbox / "carol.annot"]
    review = compare_via_menu(window, monkeypatch, paths)
    panel = review.panel
    agreement = core_comparison(window, paths).agreement
    assert review.layer_names == ["alice", "bob", "carol"]
    # bob lacks the third article; bob's own article is in no other file.
    assert "2 articles in every file (compared); 2 only in some files" in panel.summary_label.text()
    holders = [
        panel.unshared_model.data(panel.unshared_model.index(row, 1))
        for row in range(panel.unshared_model.rowCount())
    ]
    assert holders == ["alice, carol", "bob"]
    assert not panel.pairwise_box.isHidden()
    model = panel.figures_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[3:6] == ["Mean Cohen's κ", "Fleiss' κ", "Krippendorff's α"]
    panel.scope_combo.setCurrentIndex(panel.scope_combo.findData("all"))
    shown = figures_shown(model)
    for label in agreement.labels:
        f = agreement.by_label[label]
        assert shown[label][:5] == [f.exact_f1, f.overlap_f1, f.kappa, f.fleiss_kappa, f.alpha]
        assert shown[label][5:] == [f.spans["alice"], f.spans["bob"], f.spans["carol"]]
    pairwise = panel.pairwise_model
    names = agreement.annotators
    for measure_index in range(panel.measure_combo.count()):
        panel.measure_combo.setCurrentIndex(measure_index)
        measure, label = panel.measure_combo.currentData()
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                value = pairwise.data(pairwise.index(i, j), Qt.ItemDataRole.UserRole)
                if i == j:
                    assert pairwise.data(pairwise.index(i, j)) == "—"
                    continue
                pair = agreement.pair(a, b)
                expected = (
                    getattr(pair, measure)
                    if label is None
                    else getattr(pair.labels[label], measure)
                )
                assert value == expected
                assert pairwise.data(pairwise.index(i, j)) == format_figure(expected)


def test_own_layer_left_out_when_empty_and_two_colleagues_compared(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    window.session.annotator = "reviewer"  # nobody's spans: a reviewer adjudicating colleagues
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot", inbox / "carol.annot"])
    assert review.layer_names == ["bob", "carol"]
    assert (
        "Your layer (reviewer) has no spans and is not compared."
        in review.panel.summary_label.text()
    )
    assert all(not cue.own for cue in review.cues)


def test_comparing_with_the_open_project_itself_is_refused(
    window: MainWindow, project_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(project_path)], ""))
    window.review.named_actions["review_compare"].trigger()
    assert window.review.comparison is None
    assert "open project itself" in window.review.last_message.text()


def test_a_file_that_is_no_project_is_refused_naming_it(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    bogus = tmp_path / "notes.annot"
    bogus.write_text("not a database", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(bogus)], ""))
    window.review.named_actions["review_compare"].trigger()
    assert window.review.comparison is None
    assert "notes.annot" in window.review.last_message.text()


# ------------------------------------------------------------- colleagues' files untouched
def test_colleague_files_are_left_byte_for_byte_also_a_wal_file_in_use(
    window: MainWindow, inbox: Path, tmp_path: Path, monkeypatch, qtbot
) -> None:
    carol = inbox / "carol.annot"
    writer = Project.open(carol)  # carol's app is still running: committed content in -wal
    try:
        quote = writer.label_by_name("Quote")
        mixed = writer.article_ids()[1]
        start, end = place(MIXED_TEXT, "thumbs")
        writer.add_span(mixed, start, end, quote.id, "carol")
        assert (inbox / "carol.annot-wal").stat().st_size > 0
        assert (inbox / "bob.annot").read_bytes()[18:20] == b"\x02\x02"  # WAL mode, closed
        before = fingerprint(inbox)
        review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot", carol])
        # The uncheckpointed span in carol's -wal is seen.
        assert any(
            m.text == "thumbs" for marks in review.colleagues[1].spans.values() for m in marks
        )
        press(qtbot, window, Qt.Key.Key_F8)
        review.accept_layers(["bob"])
        review.accept_agreements()
        review.refresh()
        assert review.save_report(tmp_path / "report.html")
        assert review.save_report(tmp_path / "report.csv")
        monkeypatch.setattr(dialogs, "ask_layer_name", lambda *a, **k: "bob")
        monkeypatch.setattr(
            QFileDialog, "getOpenFileName", lambda *a, **k: (str(inbox / "bob.annot"), "")
        )
        review.named_actions["review_merge"].trigger()
        window.undo_action.trigger()
        review.close_comparison()
        assert fingerprint(inbox) == before
    finally:
        writer.close()


# ------------------------------------------------------------------------- navigating
def test_f8_and_shift_f8_walk_the_disagreements_and_select_them_in_the_reader(
    qtbot, window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    view = window.reader.view
    ids = window.session.project.article_ids()
    expected = [
        (ids[0], place(MIXED_TEXT, "Flags")),
        (ids[0], place(MIXED_TEXT, "we will see")),
        (ids[0], (MIXED_TEXT.index("Expect"), place(MIXED_TEXT, "to follow")[1])),
        (ids[1], place(SECOND, "It has two lines")),
    ]
    for row, (article_id, extent) in enumerate(expected):
        press(qtbot, window, Qt.Key.Key_F8)
        assert review.current_row == row
        assert window.article_id == article_id
        assert view.selected_range() == extent
        assert review.panel.disagreement_view.currentIndex().row() == row
        assert review.current_disagreement.start == extent[0]
    press(qtbot, window, Qt.Key.Key_F8)  # past the last one: stays
    assert review.current_row == 3
    press(qtbot, window, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert review.current_row == 2
    assert window.article_id == ids[0]
    assert view.selected_range() == expected[2][1]
    # A click in the list goes there too.
    review.panel.disagreement_view.setCurrentIndex(review.panel.disagreement_model.index(0, 1))
    assert review.current_row == 0
    assert view.selected_range() == expected[0][1]


def test_reader_overlay_shows_colleague_layers_and_kinds_for_the_open_article(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot", inbox / "carol.annot"])
    view = window.reader.view
    lines = [(m.start, m.end, m.lane, m.style, m.tip) for m in view.overlay if m.lane is not None]
    cues = {cue.name: cue for cue in review.cues}
    assert cues["alice"].own and not cues["bob"].own
    assert cues["bob"].lane != cues["carol"].lane and cues["bob"].style != cues["carol"].style
    start, end = place(MIXED_TEXT, "Flags")
    assert (start, end, cues["bob"].lane, cues["bob"].style, "bob: Source") in lines
    start, end = place(MIXED_TEXT, "we will see")
    assert (start, end, cues["carol"].lane, cues["carol"].style, "carol: Quote") in lines
    assert not any("alice" in tip for *_rest, tip in lines)  # own spans are the highlights
    bars = sorted((m.start, m.tip) for m in view.overlay if m.lane is None)
    article = review.comparison.agreement.articles[0]
    assert len(bars) == len(article.disagreements)
    assert view.overlay_at(place(MIXED_TEXT, "Flags")[0])
    legend = dict(review.panel.legend.entries())
    assert legend["alice (you)"].startswith("highlighted")
    assert legend["bob"] == cues["bob"].description
    assert legend["carol"] == cues["carol"].description
    assert "gold" in legend
    # Another article: its own marks; the overlay never enters the span index.
    window.open_article(window.session.project.article_ids()[1])
    assert all(m.end <= len(SECOND) for m in view.overlay)
    assert all(span.annotator == "alice" for span in view.spans.values())
    review.close_comparison()
    assert view.overlay == ()


# ----------------------------------------------------------------------- adjudicating
@pytest.fixture
def adjudicating(window: MainWindow, inbox: Path, monkeypatch) -> Iterator[ReviewController]:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    review.panel.advance_check.setChecked(False)
    yield review


def label_place(window: MainWindow, row: int) -> tuple[int, int]:
    item = window.review.panel.disagreement_model.item(row)
    return item.start, item.end


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ((Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier), [("we will see", "Quote")]),
        ((Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier), [("we will see", "Claim")]),
        (
            (Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier),
            [("we will see", "Claim"), ("we will see", "Quote")],
        ),
        ((Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier), []),
    ],
    ids=["accept-alice", "accept-bob", "accept-both", "accept-neither"],
)
def test_accepting_a_version_builds_gold_spans_and_undo_redo_restore_exactly(
    qtbot, window: MainWindow, adjudicating: ReviewController, keys, expected
) -> None:
    review = adjudicating
    review.go_to(1)  # "we will see": Quote for alice, Claim for bob
    article_id = window.session.project.article_ids()[0]
    before = gold_spans(window)
    steps = window.undo_stack.count()
    press(qtbot, window, *keys)
    after = gold_spans(window)
    words = [(MIXED_TEXT[s:e], label) for _id, a, s, e, label in after if a == article_id]
    assert sorted(words) == sorted(expected)
    assert window.undo_stack.count() == steps + 1
    assert progress(window.session.project, review.plan).decided == 1
    assert review.panel.progress_bar.value() == 1
    model = review.panel.disagreement_model
    assert model.data(model.index(1, model.decision_column)).startswith("✓")
    assert model.data(model.index(0, model.decision_column)) == ""
    # The gold spans show in the reader and the span panel (the gold layer is turned on).
    for span_id, *_rest in after:
        assert span_id in window.reader.view.spans
        assert window.span_model.row_of(span_id) is not None
    window.undo_action.trigger()
    assert gold_spans(window) == before
    assert progress(window.session.project, review.plan).decided == 0
    assert review.panel.progress_bar.value() == 0
    assert all(span_id not in window.reader.view.spans for span_id, *_ in after)
    window.redo_action.trigger()
    assert gold_spans(window) == after  # the same ids again
    assert progress(window.session.project, review.plan).decided == 1


def test_accepting_the_selection_as_an_edited_span(
    qtbot, window: MainWindow, adjudicating: ReviewController
) -> None:
    review = adjudicating
    review.go_to(2)  # "Expect many tweets" vs "Expect many tweets to follow"
    view = window.reader.view
    assert view.selected_range() == label_place(window, 2)
    start, end = place(MIXED_TEXT, "many tweets")
    view.select_range(start, end)
    review.panel.edit_label_combo.setCurrentText("Speculation")
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    assert [(s, e, label) for _id, _a, s, e, label in gold_spans(window)] == [
        (start, end, "Speculation")
    ]
    assert "Decided: edited" in review.panel.current_label.text()
    window.undo_action.trigger()
    assert gold_spans(window) == []
    window.redo_action.trigger()
    assert [(s, e) for _id, _a, s, e, _l in gold_spans(window)] == [(start, end)]
    # Deciding again replaces the earlier decision: one undo step brings it back.
    edited = gold_spans(window)
    press(qtbot, window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert [(s, e, lb) for _i, _a, s, e, lb in gold_spans(window)] == [
        (*label_place(window, 2), "Claim")
    ]
    window.undo_action.trigger()
    assert gold_spans(window) == edited


def test_accepting_without_a_selection_or_decision_says_why(
    window: MainWindow, adjudicating: ReviewController
) -> None:
    assert adjudicating.accept_layers(["alice"]) is None  # no current disagreement
    assert "go to a disagreement first" in window.statusBar().currentMessage()
    adjudicating.go_to(0)
    cursor = window.reader.view.textCursor()
    cursor.clearSelection()
    window.reader.view.setTextCursor(cursor)
    assert adjudicating.accept_selection() is None
    assert "select the text" in window.statusBar().currentMessage()
    assert gold_spans(window) == []


def test_deciding_moves_on_to_the_next_disagreement(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    review.go_to(0)
    review.accept_neither()
    assert review.current_row == 1
    assert window.reader.view.selected_range() == place(MIXED_TEXT, "we will see")


def test_accepting_all_agreements_is_one_undo_step(
    window: MainWindow, adjudicating: ReviewController
) -> None:
    steps = window.undo_stack.count()
    adjudicating.named_actions["review_accept_agreements"].trigger()
    assert [(MIXED_TEXT[s:e], lb) for _i, _a, s, e, lb in gold_spans(window)] == [
        ("Peskov", "Source")
    ]
    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == "Accept 1 agreed span"
    # Nothing more to add: no second step.
    adjudicating.accept_agreements()
    assert window.undo_stack.count() == steps + 1
    window.undo_action.trigger()
    assert gold_spans(window) == []
    window.redo_action.trigger()
    assert len(gold_spans(window)) == 1


def test_adjudicating_while_another_program_locks_the_file_is_said_and_changes_nothing(
    window: MainWindow, adjudicating: ReviewController
) -> None:
    """Before: sqlite3.OperationalError ('database is locked') went to the excepthook."""
    steps = window.undo_stack.count()
    window.project.db.conn.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(window.project.path)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        assert adjudicating.accept_agreements() is None
    finally:
        other.rollback()
        other.close()
    assert "locked" in adjudicating.last_message.text().lower()
    assert window.undo_stack.count() == steps
    assert gold_spans(window) == []
    # Once the lock is gone the same action works: nothing was left half done.
    adjudicating.accept_agreements()
    assert len(gold_spans(window)) == 1 and window.undo_stack.count() == steps + 1


def test_a_gold_decision_creating_a_label_reloads_labels_and_undo_drops_it(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    build(folder / "dave.annot", "dave", [MIXED_TEXT], [(0, "Flags", "Rumour")])
    review = compare_via_menu(window, monkeypatch, [folder / "dave.annot"])
    row = next(
        r
        for r in range(review.panel.disagreement_model.rowCount())
        if review.panel.disagreement_model.item(r).spans_of("dave")
    )
    review.go_to(row)
    review.accept_layers(["dave"])
    names = [label.name for label in window.session.labels()]
    assert "Rumour" in names
    assert window.tag_menu.actions()[-1].text().startswith("Rumour")
    window.undo_action.trigger()
    assert "Rumour" not in [label.name for label in window.session.labels()]
    window.redo_action.trigger()
    assert "Rumour" in [label.name for label in window.session.labels()]
    assert [lb for *_x, lb in gold_spans(window)] == ["Rumour"]


def test_own_edits_update_the_comparison(
    qtbot, window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    assert len(review.disagreements) == 4
    start, end = place(MIXED_TEXT, "Flags")
    source = window.session.project.label_by_name("Source")
    window.session.add_span(window.article_id, start, end, source.id)  # now alice agrees
    qtbot.waitUntil(lambda: len(review.disagreements) == 3)
    # Gold spans are not the own layer: deciding does not recompute.
    with qtbot.assertNotEmitted(review.comparison_changed, wait=500):
        review.go_to(0)
        review.accept_layers(["alice"])


def test_gold_name_can_be_changed_and_must_differ_from_the_layers(
    window: MainWindow, adjudicating: ReviewController
) -> None:
    panel = adjudicating.panel
    panel.gold_edit.setText("bob")
    panel.gold_edit.editingFinished.emit()
    assert adjudicating.plan is None
    assert "Adjudication is off" in panel.summary_label.text()
    assert not adjudicating.named_actions["review_accept_1"].isEnabled()
    panel.gold_edit.setText("final")
    panel.gold_edit.editingFinished.emit()
    assert adjudicating.plan.gold == "final"
    adjudicating.go_to(0)
    adjudicating.accept_layers(["bob"])
    assert window.session.project.spans(window.article_id, ["final"])


# ---------------------------------------------------------------------------- merging
def test_merge_from_a_colleague_and_undo(window: MainWindow, inbox: Path, monkeypatch) -> None:
    project = window.session.project
    articles_before = window.article_model.rowCount()
    asked = []

    def ask(parent, file_name, main, suggestion, problem=""):
        asked.append((file_name, main, suggestion, problem))
        return suggestion

    monkeypatch.setattr(dialogs, "ask_layer_name", ask)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(inbox / "bob.annot"), "")
    )
    posted: list[str] = []
    workspace = window.review.merging.host.workspace
    post = workspace.post
    monkeypatch.setattr(
        workspace, "post", lambda text, timeout=0: (posted.append(text), post(text, timeout))
    )
    steps = window.undo_stack.count()
    window.review.named_actions["review_merge"].trigger()
    assert "Merging bob.annot: 4 of 4 spans…" in posted  # progress on the status line
    assert asked == [("bob.annot", "bob", "bob", "")]
    assert window.undo_stack.count() == steps + 1
    assert "Merged bob.annot" in window.review.last_message.text()
    bob_spans = [s for a in project.article_ids() for s in project.spans(a, ["bob"])]
    assert len(bob_spans) == 4
    assert window.article_model.rowCount() == articles_before + 1  # bob's own article
    assert "bob" in window.reader.view.visible_annotators  # the merged layer is shown
    assert any(s.annotator == "bob" for s in window.reader.view.spans.values())
    window.undo_action.trigger()
    assert [s for a in project.article_ids() for s in project.spans(a, ["bob"])] == []
    assert window.article_model.rowCount() == articles_before
    window.redo_action.trigger()
    assert len([s for a in project.article_ids() for s in project.spans(a, ["bob"])]) == 4
    assert window.article_model.rowCount() == articles_before + 1


def test_merge_under_the_projects_own_name_is_asked_again(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "home"
    folder.mkdir()
    build(folder / "alice-at-home.annot", "alice", [MIXED_TEXT], [(0, "Flags", "Source")])
    answers = iter(["alice", "alice at home"])
    asked = []

    def ask(parent, file_name, main, suggestion, problem=""):
        asked.append((suggestion, problem))
        return next(answers)

    monkeypatch.setattr(dialogs, "ask_layer_name", ask)
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        lambda *a, **k: (str(folder / "alice-at-home.annot"), ""),
    )
    window.review.named_actions["review_merge"].trigger()
    assert asked[0] == ("alice", "")
    assert asked[1][0] == "alice (alice-at-home)"
    assert "already has its own layer 'alice'" in asked[1][1]
    project = window.session.project
    assert len(project.spans(project.article_ids()[0], ["alice at home"])) == 1


def test_merging_while_comparing_keeps_the_comparison_current(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    window.session.annotator = "reviewer"
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot", inbox / "carol.annot"])
    # bob's own article is not in the project: not adjudicable until merged.
    assert review.plan is not None
    review.merge_from(inbox / "bob.annot")
    assert review.comparison is not None
    assert review.layer_names == ["bob", "carol"]


# ----------------------------------------------------------------------------- reports
def test_save_report_as_html_and_csv(
    window: MainWindow, inbox: Path, tmp_path: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    target = tmp_path / "out"
    target.mkdir()
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(target / "agreement"), "HTML page (*.html)"),
    )
    review.named_actions["review_save_report"].trigger()
    page = (target / "agreement.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Agreement report: project" in page
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(target / "figures.csv"), "CSV table of figures (*.csv)"),
    )
    review.named_actions["review_save_report"].trigger()
    with (target / "figures.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    agreement = review.comparison.agreement
    overall = [r for r in rows if r["scope"] == "all" and r["label"] in agreement.labels]
    assert {r["label"] for r in overall} == set(agreement.labels)
    for row in overall:
        f = agreement.by_label[row["label"]]
        assert row["exact_f1"] == ("" if f.exact_f1 is None else repr(f.exact_f1))
        assert row["kappa"] == ("" if f.kappa is None else repr(f.kappa))
        assert row["spans alice"] == str(f.spans["alice"])
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(target / "places.csv"), "CSV table of disagreements (*.csv)"),
    )
    review.named_actions["review_save_report"].trigger()
    with (target / "places.csv").open(encoding="utf-8", newline="") as stream:
        places = list(csv.DictReader(stream))
    assert [p["kind"] for p in places] == [d.kind.value for d in agreement.disagreements]


# ------------------------------------------------------------------ user text as text
def test_user_strings_are_shown_as_plain_text_everywhere(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    name = "<b>mallory</b> & co"
    build(folder / "m.annot", name, [MIXED_TEXT], [(0, "Flags", EVIL), (0, "Peskov", "Source")])
    review = compare_via_menu(window, monkeypatch, [folder / "m.annot"])
    panel = review.panel
    for label in panel.findChildren(QLabel):
        if label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    assert name in panel.summary_label.text()
    assert (name, review.cues[1].description) in panel.legend.entries()
    model = panel.disagreement_model
    row = next(r for r in range(model.rowCount()) if model.item(r).spans_of(name))
    column = model.annotator_column(name)
    assert EVIL in model.data(model.index(row, column))
    tip = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<qt>") and "&lt;img src=x onerror=alert(1)&gt;" in tip
    assert "<img" not in tip and "<b>mallory" not in tip
    figures = panel.figures_model
    labels = [figures.data(figures.index(r, 0)) for r in range(figures.rowCount())]
    assert EVIL in labels
    assert "<img" not in figures.data(
        figures.index(labels.index(EVIL), 0), Qt.ItemDataRole.ToolTipRole
    )
    # Buttons and menu entries: "&" is not a mnemonic, the name reads as typed.
    assert review.named_actions["review_accept_2"].text() == "Accept <b>mallory</b> && co"
    assert "<b>mallory" not in review.named_actions["review_accept_2"].toolTip().replace("&lt;", "")
    # The reader's tooltip over the colleague's span.
    view = window.reader.view
    marks = view.overlay_at(place(MIXED_TEXT, "Flags")[0])
    html = view.tooltip_html([], marks)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "&lt;b&gt;mallory&lt;/b&gt; &amp; co" in html
    # The saved report escapes it too.
    assert review.save_report(tmp_path / "evil.html")
    page = (tmp_path / "evil.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img" not in page


# ----------------------------------------------------------------------------- models
def test_review_models_pass_the_qt_model_tester(
    qtmodeltester, window: MainWindow, inbox: Path, monkeypatch
) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot", inbox / "carol.annot"])
    panel = review.panel
    review.go_to(0)
    review.accept_layers(["bob"])
    for scope in ("article", "all"):
        panel.scope_combo.setCurrentIndex(panel.scope_combo.findData(scope))
        qtmodeltester.check(panel.figures_model)
        qtmodeltester.check(panel.pairwise_model)
    qtmodeltester.check(panel.disagreement_model)
    qtmodeltester.check(panel.unshared_model)
    panel.figures_model.clear()
    qtmodeltester.check(panel.figures_model)


def test_plan_matches_the_review_core(window: MainWindow, inbox: Path, monkeypatch) -> None:
    review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
    layers = [load_layer(window.session.project, "alice"), open_layer(inbox / "bob.annot")]
    plan = build_plan(window.session.project, layers)
    assert [item.key for item in review.plan.items] == [item.key for item in plan.items]
    assert review.panel.progress_bar.maximum() == len(plan.items)


def test_a_fourth_layer_gets_a_button_of_its_own(
    window: MainWindow, inbox: Path, monkeypatch
) -> None:
    build(inbox / "dave.annot", "dave", [MIXED_TEXT, SECOND], [(0, "thumbs", "Quote")])
    paths = [inbox / "bob.annot", inbox / "carol.annot", inbox / "dave.annot"]
    review = compare_via_menu(window, monkeypatch, paths)
    assert review.layer_names == ["alice", "bob", "carol", "dave"]
    buttons = review.panel.accept_buttons
    assert [b.text() for b in buttons] == [
        "Accept alice",
        "Accept bob",
        "Accept carol",
        "Accept dave",
    ]
    row = next(
        r
        for r in range(review.panel.disagreement_model.rowCount())
        if review.panel.disagreement_model.item(r).spans_of("dave")
    )
    review.go_to(row)
    review.panel.advance_check.setChecked(False)
    buttons[3].click()
    assert [(MIXED_TEXT[s:e], lb) for _i, _a, s, e, lb in gold_spans(window)] == [
        ("thumbs", "Quote")
    ]


def test_a_read_only_project_can_be_compared_but_not_adjudicated(
    qtbot, inbox: Path, project_path: Path, settings, monkeypatch
) -> None:
    window = MainWindow(Project.open(project_path, read_only=True), settings)
    qtbot.addWidget(window)
    try:
        review = compare_via_menu(window, monkeypatch, [inbox / "bob.annot"])
        assert len(review.disagreements) == 4
        review.go_to(0)
        assert not review.named_actions["review_accept_1"].isEnabled()
        assert not review.named_actions["review_merge"].isEnabled()
        assert review.accept_layers(["bob"]) is None
        assert "read-only" in window.statusBar().currentMessage()
        assert window.undo_stack.count() == 0
    finally:
        window.close()
