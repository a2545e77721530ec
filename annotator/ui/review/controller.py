# Long module: one comparison's state (its layers, the adjudication plan, the current
# disagreement, the panel showing them) is read and changed by comparing, showing, navigating and
# adjudicating alike; split, each part would reach into the others' fields.
"""The Review menu and dock: compare colleagues' project files, agreement figures, adjudication.

Colleagues' files are only ever read, through :func:`annotator.review.compare.open_layer` (an
in-memory snapshot; nothing is written beside them). The comparison sets the analyst's own layer
(read from the open project) against each colleague's main layer; the reader draws colleague
spans as an overlay (:class:`annotator.ui.reader.OverlayMark`), never as spans of the project.
Adjudication (and merging, ui/review/merging.py) writes the open project only, each step one
transaction and one undo command. The controller talks to the window only through
:class:`~annotator.ui.review.host.ReviewHost`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox, QPushButton

from annotator.core.model import Span
from annotator.core.text import content_hash
from annotator.review.adjudicate import (
    DEFAULT_GOLD,
    Change,
    Decision,
    Plan,
    Progress,
    accept_agreements,
    build_plan,
    decide,
    decide_edited,
    decided_keys,
    decision,
    progress,
)
from annotator.review.agreement import (
    ArticleAgreement,
    ArticleLayers,
    Disagreement,
    PairFigures,
    compare,
)
from annotator.review.compare import (
    Comparison,
    Layer,
    compare_layers,
    load_layer,
    open_layer,
)
from annotator.review.merge import MergeResult
from annotator.review.report import render_html, write_csv, write_disagreements_csv
from annotator.store import PROJECT_SUFFIX, ProjectError
from annotator.store.errors import translated
from annotator.ui.review.actions import ACCEPT_SHORTCUT_LAYERS, build_review_actions
from annotator.ui.review.commands import (
    AdjudicationCommand,
    announce_change,
)
from annotator.ui.review.host import ReviewHost
from annotator.ui.review.merging import MergeFlow
from annotator.ui.review.models import kind_text, marks_text
from annotator.ui.review.overlay import LayerCue, label_color_lookup, layer_cues, overlay_marks
from annotator.ui.review.panel import SCOPE_ALL, ReviewPanel, mnemonic_safe
from annotator.ui.table_model import plain_tooltip
from annotator.ui.worker import Control, Worker, own_project

_T = TypeVar("_T")
PROJECT_FILTER = f"News Annotator projects (*{PROJECT_SUFFIX});;All files (*)"
REPORT_FILTERS = {
    "HTML page (*.html)": "html",
    "CSV table of figures (*.csv)": "csv",
    "CSV table of disagreements (*.csv)": "disagreements",
}


class ReviewController(QObject):
    """Owns the Review menu, the review dock and the comparison state for one main window."""

    comparison_changed = Signal()  # a comparison was opened, recomputed or closed
    current_changed = Signal(object)  # the current Disagreement, or None

    def __init__(self, host: ReviewHost) -> None:
        super().__init__(host.window)
        self.host = host
        window = host.window
        self.named_actions = build_review_actions(window)
        self.menu = window.menuBar().addMenu("&Review")
        self._fill_menu()
        for action in self.named_actions.values():
            window.addAction(action)  # shortcuts work with the menu closed and the panel hidden
        self.dock: QDockWidget | None = None
        self.panel: ReviewPanel | None = None
        self.colleagues: list[Layer] = []
        self.include_own = True
        self.own_annotator = ""
        self.comparison: Comparison | None = None
        self.plan: Plan | None = None
        self.plan_problem = ""
        self.gold = DEFAULT_GOLD
        self.cues: list[LayerCue] = []
        self.last_message: QMessageBox | None = None
        self._articles: dict[str, ArticleAgreement] = {}
        self._own_ids: set[int] = set()
        self._current_key: str | None = None
        self._article_key: str | None = None
        self._syncing = False
        self._refreshing = False
        self._extra_accept_buttons: list[QPushButton] = []
        self._recompare_timer = QTimer(self, singleShot=True, interval=400)
        self._recompare_timer.timeout.connect(self.refresh)
        self.merging = MergeFlow(host, self._notify, self)
        self.merging.changed.connect(self._on_merge_changed)
        self._connect_actions()
        host.workspace.project_opened.connect(self._on_window_project_opened)
        host.workspace.article_opened.connect(self._on_window_article_opened)
        self._update_actions()

    # ------------------------------------------------------------------------- building
    def _fill_menu(self) -> None:
        a = self.named_actions
        menu = self.menu
        menu.addActions([a["review_compare"], a["review_refresh"], a["review_close"]])
        menu.addSeparator()
        menu.addActions([a["review_next"], a["review_previous"]])
        menu.addSeparator()
        menu.addActions(
            [
                a["review_accept_1"],
                a["review_accept_2"],
                a["review_accept_3"],
                a["review_accept_all"],
                a["review_accept_neither"],
                a["review_accept_selection"],
                a["review_accept_agreements"],
            ]
        )
        menu.addSeparator()
        menu.addActions([a["review_merge"], a["review_save_report"]])
        menu.addSeparator()
        menu.addAction(a["review_show_panel"])

    def _connect_actions(self) -> None:
        a = self.named_actions
        a["review_compare"].triggered.connect(self._compare_dialog)
        a["review_refresh"].triggered.connect(self.refresh)
        a["review_close"].triggered.connect(self.close_comparison)
        a["review_next"].triggered.connect(lambda: self.step(1))
        a["review_previous"].triggered.connect(lambda: self.step(-1))
        for i in range(1, ACCEPT_SHORTCUT_LAYERS + 1):
            a[f"review_accept_{i}"].triggered.connect(lambda _=False, n=i: self._accept_nth(n))
        a["review_accept_all"].triggered.connect(self.accept_all_versions)
        a["review_accept_neither"].triggered.connect(self.accept_neither)
        a["review_accept_selection"].triggered.connect(lambda: self.accept_selection())
        a["review_accept_agreements"].triggered.connect(self.accept_agreements)
        a["review_merge"].triggered.connect(self.merging.merge_dialog)
        a["review_save_report"].triggered.connect(self._save_report_dialog)
        a["review_show_panel"].toggled.connect(self._on_show_panel_toggled)

    def _ensure_panel(self) -> ReviewPanel:
        if self.panel is not None:
            return self.panel
        window = self.host.window
        panel = ReviewPanel(self.named_actions)
        dock = QDockWidget("Review", window)
        dock.setObjectName("review_dock")
        dock.setWidget(panel)
        if not window.restoreDockWidget(dock):
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            window.resizeDocks([dock], [250], Qt.Orientation.Vertical)
        dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        panel.disagreement_view.selectionModel().currentRowChanged.connect(
            self._on_disagreement_row_changed
        )
        panel.scope_combo.currentIndexChanged.connect(self._show_figures)
        panel.measure_combo.currentIndexChanged.connect(self._show_pairwise)
        panel.gold_edit.editingFinished.connect(self._on_gold_edited)
        self.dock, self.panel = dock, panel
        return panel

    # ----------------------------------------------------------------------- comparing
    @Slot()
    def _compare_dialog(self) -> None:
        if self.host.project_path is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self.host.window,
            "Compare with colleagues' project files (read-only)",
            str(self.host.project_path.parent),
            PROJECT_FILTER,
        )
        if paths:
            self.compare_with([Path(p) for p in paths])

    def compare_with(self, paths: Sequence[str | Path]) -> Comparison | None:
        """Compare the open project's own layer with the main layer of each file, read-only.

        The analyst's own layer takes part unless it is empty and two or more files are
        compared (a reviewer comparing colleagues)."""
        window = self.host
        if window.session is None or not paths:
            return None
        project = window.session.project
        chosen = [Path(raw).expanduser().absolute() for raw in paths]
        for path in chosen:
            if _same_file(path, project.path):
                self._notify(
                    QMessageBox.Icon.Warning,
                    "Compare",
                    f"{path.name} is the open project itself: choose colleagues' files.",
                )
                return None
        own_annotator, own_path = window.session.annotator, project.path

        def operation(_control: Control) -> tuple[list[Layer], Layer]:
            layers = []
            for path in chosen:
                try:
                    layers.append(open_layer(path))
                except ProjectError as exc:
                    raise _Unreadable(path, exc) from exc
            with own_project(own_path, read_only=True) as own_project_file:
                return layers, load_layer(own_project_file, own_annotator)

        try:
            layers, own = self._run(operation)
        except _Unreadable as exc:
            self._notify(
                QMessageBox.Icon.Warning,
                "Compare",
                f"Cannot compare with {exc.path.name}.\n\n{exc.error}",
            )
            return None
        except ProjectError as exc:
            self._notify(QMessageBox.Icon.Warning, "Compare", str(exc))
            return None
        self.colleagues = layers
        self.own_annotator = own_annotator
        self.include_own = own.span_count > 0 or len(layers) == 1
        self._current_key = None
        self._ensure_panel()
        self.refresh()
        assert self.dock is not None
        self.dock.show()
        self.dock.raise_()
        if self.plan is not None and self.gold in project.annotators():
            self._show_gold_layer()
        return self.comparison

    @Slot()
    def refresh(self) -> None:
        """Read the own layer again and recompute figures, disagreements and the plan."""
        self._recompare_timer.stop()
        window = self.host
        if window.session is None or not self.colleagues or self.panel is None:
            return
        if self._refreshing:  # one at a time: come back when this one is done
            self._recompare_timer.start()
            return
        colleagues, include_own = list(self.colleagues), self.include_own
        own_annotator, gold, path = self.own_annotator, self.gold, window.session.project.path

        def operation(_control: Control) -> tuple[Layer | None, Comparison, Plan | None, str]:
            # Agreement figures and the adjudication plan, on a connection of their own.
            with own_project(path, read_only=True) as project:
                layers = list(colleagues)
                own = load_layer(project, own_annotator) if include_own else None
                if own is not None:
                    layers.insert(0, own)
                comparison = compare_layers(layers)
                try:
                    plan, problem = build_plan(project, comparison.layers, gold=gold), ""
                except ValueError as exc:
                    plan = None
                    problem = f"Adjudication is off: {exc}. Choose another gold layer name."
            return own, comparison, plan, problem

        self._refreshing = True
        try:
            own, comparison, self.plan, self.plan_problem = self._run(operation)
        except ProjectError as exc:
            self._notify(QMessageBox.Icon.Warning, "Compare", str(exc))
            return
        finally:
            self._refreshing = False
        self._own_ids = (
            {m.id for marks in own.spans.values() for m in marks if m.id is not None}
            if own is not None
            else set()
        )
        self.comparison = comparison
        self._articles = {a.key: a for a in comparison.agreement.articles}
        own_name = comparison.layers[0].name if own is not None else None
        self.cues = layer_cues([layer.name for layer in comparison.layers], own_name)
        self._update_overlay()
        self._fill_panel()
        self._update_actions()
        self.comparison_changed.emit()

    def _run(self, operation: Callable[[Control], _T]) -> _T:
        """Run ``operation`` on a worker thread and wait for it, the window staying alive."""
        worker: Worker[_T] = Worker(operation, self)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        return worker.wait_for_end()

    def close_comparison(self) -> None:
        """Forget the comparison (nothing to write: colleagues' files were never opened for it)."""
        self._recompare_timer.stop()
        self.colleagues = []
        self.comparison = None
        self.plan = None
        self._articles = {}
        self._own_ids = set()
        self._current_key = None
        self.cues = []
        if self.dock is not None:
            self.dock.hide()
        if self.host.article_id is not None:
            self.host.reader.set_overlay(())
        self._update_actions()
        self.comparison_changed.emit()

    @property
    def disagreements(self) -> list[Disagreement]:
        return [] if self.comparison is None else self.comparison.agreement.disagreements

    @property
    def layer_names(self) -> list[str]:
        return [] if self.comparison is None else [layer.name for layer in self.comparison.layers]

    # ------------------------------------------------------------------------ the panel
    def _fill_panel(self) -> None:
        assert self.panel is not None and self.comparison is not None
        panel = self.panel
        comparison = self.comparison
        agreement = comparison.agreement
        names = self.layer_names
        own = self.cues[0].name if self.cues and self.cues[0].own else None
        shared = len(comparison.alignment.shared)
        unshared = len(comparison.alignment.unshared)
        files = ", ".join(
            f"{layer.name} (you, {layer.source.name})"
            if layer.name == own
            else f"{layer.name} ({layer.source.name})"
            for layer in comparison.layers
        )
        lines = [
            f"Comparing {files}.",
            f"{shared} article{'s' if shared != 1 else ''} in every file (compared); "
            f"{unshared} only in some files (see Articles). "
            f"{len(agreement.disagreements)} disagreement"
            f"{'s' if len(agreement.disagreements) != 1 else ''}.",
        ]
        if not self.include_own:
            lines.append(f"Your layer ({self.own_annotator}) has no spans and is not compared.")
        if self.plan_problem:
            lines.append(self.plan_problem)
        elif self.plan is not None and self.plan.missing_articles:
            lines.append(
                f"{len(self.plan.missing_articles)} compared article(s) are not in this project: "
                "merge them (Review ▸ Merge from…) to adjudicate them."
            )
        issues = [
            f"{layer.source.name}: {issue}" for layer in comparison.layers for issue in layer.issues
        ]
        panel.summary_label.setText("\n".join(lines))
        panel.summary_label.setToolTip(plain_tooltip("\n".join(issues)) if issues else "")
        panel.legend.set_cues(self.cues, self.gold if self.plan is not None else None)

        titles = {}
        for layer in reversed(comparison.layers):
            for key, info in layer.articles.items():
                if info.title:
                    titles[key] = info.title
        workable = frozenset(self.plan.article_ids) if self.plan is not None else frozenset()
        panel.disagreement_model.set_disagreements(
            agreement.disagreements, names, titles, workable, self._decisions()
        )
        panel.fit_disagreement_columns(names)
        if self._current_key is not None:
            row = panel.disagreement_model.row_of(self._current_key)
            if row is None:
                self._current_key = None
            else:
                self._select_row(row)

        # Accept buttons: one per layer.
        for i in range(1, ACCEPT_SHORTCUT_LAYERS + 1):
            action = self.named_actions[f"review_accept_{i}"]
            if i <= len(names):
                action.setText(f"Accept {mnemonic_safe(names[i - 1])}")
                action.setToolTip(
                    plain_tooltip(f"Put {names[i - 1]}'s version into the gold layer (Alt+{i})")
                )
            else:
                action.setText(f"Accept Version {i}")
        extra = []
        for name in names[ACCEPT_SHORTCUT_LAYERS:]:
            button = QPushButton(f"Accept {mnemonic_safe(name)}")
            button.setToolTip(plain_tooltip(f"Put {name}'s version into the gold layer"))
            button.clicked.connect(lambda _=False, n=name: self.accept_layers([n]))
            extra.append(button)
        self._extra_accept_buttons = extra
        panel.set_accept_buttons(names[:ACCEPT_SHORTCUT_LAYERS], extra)
        self.named_actions["review_accept_all"].setText(
            "Accept &Both" if len(names) == 2 else "Accept &All"
        )
        panel.gold_edit.setText(self.gold)
        agreed = sum(len(keys) for keys in self.plan.agreements.values()) if self.plan else 0
        self.named_actions["review_accept_agreements"].setText(f"Accept All &Agreements ({agreed})")
        labels = [lb.name for lb in self.host.session.labels()] if self.host.session else []
        for name in agreement.labels:
            if name not in labels:
                labels.append(name)
        panel.set_edit_labels(labels)
        panel.set_figure_choices(shared, agreement.labels, pairwise=len(names) >= 3)
        self._show_figures()
        panel.set_unshared(shared, comparison.alignment.unshared)
        self._show_progress()
        self._show_current()

    def _decisions(self) -> dict[str, Decision]:
        if self.plan is None or self.host.session is None:
            return {}
        project = self.host.session.project
        decided = decided_keys(project, self.plan)
        found = {}
        for item in self.plan.items:
            if item.key in decided:
                taken = decision(project, self.plan, item)
                if taken is not None:
                    found[item.key] = taken
        return found

    def progress(self) -> Progress | None:
        if self.plan is None or self.host.session is None:
            return None
        return progress(self.host.session.project, self.plan)

    def _show_progress(self) -> None:
        if self.panel is None:
            return
        done = self.progress()
        bar = self.panel.progress_bar
        if done is None:
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setFormat("not adjudicating")
            return
        bar.setRange(0, max(done.total, 1))
        bar.setValue(done.decided)
        bar.setFormat(f"{done.decided} / {done.total} decided")
        bar.setToolTip(plain_tooltip(f"{done.decided} of {done.total} disagreements decided"))

    def _show_figures(self) -> None:
        panel = self.panel
        if panel is None or self.comparison is None:
            return
        agreement = self.comparison.agreement
        if panel.scope_combo.currentData() == SCOPE_ALL:
            panel.figures_model.set_figures(
                agreement.annotators, agreement.labels, agreement.by_label, agreement.overall
            )
        else:
            article = self._articles.get(self._article_key or "")
            if article is None:
                panel.figures_model.clear()
            else:
                panel.figures_model.set_figures(
                    agreement.annotators, agreement.labels, article.labels, article.overall
                )
        panel.figures_view.resizeColumnsToContents()
        self._show_pairwise()

    def _pairs(self) -> Sequence[PairFigures]:
        """The pairwise figures of the chosen scope."""
        assert self.comparison is not None and self.panel is not None
        agreement = self.comparison.agreement
        if self.panel.scope_combo.currentData() == SCOPE_ALL:
            return agreement.pairwise
        article = self._articles.get(self._article_key or "")
        if article is None:
            return ()
        layers = {layer.name: layer.spans.get(article.key, ()) for layer in self.comparison.layers}
        single = compare(
            [ArticleLayers(article.key, article.length, layers, article.title)],
            agreement.annotators,
            agreement.labels,
        )
        return single.pairwise

    def _show_pairwise(self) -> None:
        panel = self.panel
        if panel is None or self.comparison is None or len(self.layer_names) < 3:
            return
        measure, label = panel.measure_combo.currentData() or ("exact_f1", None)
        panel.pairwise_model.set_pairs(
            self.comparison.agreement.annotators,
            self._pairs(),
            measure,
            label,
        )
        panel.pairwise_view.resizeColumnsToContents()

    def _show_current(self) -> None:
        panel = self.panel
        if panel is None:
            return
        item = self.current_disagreement
        if item is None:
            total = len(self.disagreements)
            panel.current_label.setText(
                f"{total} disagreement{'s' if total != 1 else ''}. Press F8 for the first one."
                if total
                else "No disagreements: every file has the same spans."
            )
            return
        row = panel.disagreement_model.row_of(item.key) or 0
        lines = [
            f"{row + 1} of {len(self.disagreements)} · {kind_text(item)} · "
            f"characters {item.start}–{item.end}"
        ]
        if self.plan is not None and item.article not in self.plan.article_ids:
            lines.append("Not in your project: merge the article first.")
        else:
            taken = self._decisions().get(item.key) if self.plan is not None else None
            lines.append(
                "Not decided yet." if taken is None else "Decided: " + _decision_words(taken)
            )
        panel.current_label.setText("\n".join(lines))
        versions = [f"{name}: {marks_text(item.spans_of(name), 80)}" for name in self.layer_names]
        panel.current_label.setToolTip(plain_tooltip("\n".join(versions)))
        labels = [m.label for _name, marks in item.spans for m in marks]
        if labels and panel.edit_label_combo.findText(labels[0]) >= 0:
            panel.edit_label_combo.setCurrentText(labels[0])

    # ----------------------------------------------------------------------- the reader
    def _update_overlay(self) -> None:
        window = self.host
        if self.comparison is None or window.article_id is None or window.session is None:
            return
        key = content_hash(window.reader.text)
        self._article_key = key
        article = self._articles.get(key)
        colors = {label.name: label.color for label in window.session.labels()}
        marks = overlay_marks(
            key,
            self.comparison.layers,
            self.cues,
            article.disagreements if article is not None else (),
            label_color_lookup(colors),
        )
        window.reader.set_overlay(marks)

    @Slot(int)
    def _on_window_article_opened(self, _article_id: int) -> None:
        if self.comparison is None:
            return
        self._update_overlay()
        self._show_figures()

    @Slot(object)
    def _on_window_project_opened(self, _path: object) -> None:
        self.close_comparison()
        session = self.host.session
        if session is None:
            return
        session.span_added.connect(self._on_session_span_added)
        session.span_changed.connect(self._on_session_span_changed)
        session.span_removed.connect(self._on_session_span_removed)
        session.labels_changed.connect(self._on_session_labels_changed)
        self._update_actions()

    # The own layer is read from the open project: when the analyst changes it, the figures
    # follow (debounced, so a burst of edits costs one recomputation).
    def _on_session_span_added(self, span: Span) -> None:
        if (
            self.comparison is not None
            and self.include_own
            and span.annotator == self.own_annotator
        ):
            self._recompare_timer.start()

    def _on_session_span_changed(self, before: Span, after: Span) -> None:
        if (
            self.comparison is not None
            and self.include_own
            and self.own_annotator
            in (
                before.annotator,
                after.annotator,
            )
        ):
            self._recompare_timer.start()

    def _on_session_span_removed(self, span_id: int, _article_id: int) -> None:
        if self.comparison is not None and span_id in self._own_ids:
            self._recompare_timer.start()

    def _on_session_labels_changed(self) -> None:
        if self.comparison is not None and self.include_own:
            self._recompare_timer.start()

    # ----------------------------------------------------------------------- navigating
    @property
    def current_disagreement(self) -> Disagreement | None:
        if self._current_key is None or self.panel is None:
            return None
        row = self.panel.disagreement_model.row_of(self._current_key)
        return None if row is None else self.panel.disagreement_model.item(row)

    @property
    def current_row(self) -> int | None:
        if self._current_key is None or self.panel is None:
            return None
        return self.panel.disagreement_model.row_of(self._current_key)

    def step(self, delta: int) -> Disagreement | None:
        """Go to the next (``delta`` 1) or previous (-1) disagreement; from none, to the first
        one of the open article (or of the list)."""
        if self.panel is None or self.comparison is None:
            return None
        count = self.panel.disagreement_model.rowCount()
        if count == 0:
            self.host.post("No disagreements.", 3000)
            return None
        row = self.current_row
        if row is None:
            here = [
                i
                for i in range(count)
                if self.panel.disagreement_model.item(i).article == self._article_key  # type: ignore[union-attr]
            ]
            target = (
                (here[0] if delta > 0 else here[-1]) if here else (0 if delta > 0 else count - 1)
            )
        else:
            target = row + delta
            if not 0 <= target < count:
                self.host.post(
                    "That was the last disagreement." if delta > 0 else "That was the first one.",
                    3000,
                )
                return self.current_disagreement
        return self.go_to(target)

    def go_to(self, row: int) -> Disagreement | None:
        """Make a disagreement current: open its article and select its place in the reader."""
        if self.panel is None:
            return None
        item = self.panel.disagreement_model.item(row)
        if item is None:
            return None
        self._current_key = item.key
        self._select_row(row)
        window = self.host
        article_id = self._article_id_of(item.article)
        if article_id is None:
            window.post(
                "This article is not in your project: merge it (Review ▸ Merge from…) to see it.",
                6000,
            )
        else:
            if window.article_id != article_id:
                window.open_article(article_id)
            view = window.reader
            if item.end <= len(view.text):
                view.select_range(item.start, item.end)
                view.reveal_offset(item.start)
        self._show_current()
        self._update_actions()
        self.current_changed.emit(item)
        return item

    def _select_row(self, row: int) -> None:
        assert self.panel is not None
        view = self.panel.disagreement_view
        self._syncing = True
        try:
            view.selectRow(row)
            view.scrollTo(self.panel.disagreement_model.index(row, 0))
        finally:
            self._syncing = False

    def _on_disagreement_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._syncing and current.isValid():
            self.go_to(current.row())

    def _article_id_of(self, key: str) -> int | None:
        if self.plan is not None and key in self.plan.article_ids:
            return self.plan.article_ids[key]
        if self.host.session is None:
            return None
        return self.host.session.project.article_id_by_hash(key)

    # ---------------------------------------------------------------------- adjudicating
    def _workable(self, what: str) -> Disagreement | None:
        """The current disagreement when it can be decided; otherwise say why."""
        window = self.host
        if window.session is None or self.plan is None:
            window.post(f"{what}: {self.plan_problem or 'compare first.'}", 5000)
            return None
        if window.session.read_only:
            window.post(f"{what}: this project is open read-only.", 5000)
            return None
        item = self.current_disagreement
        if item is None:
            window.post(f"{what}: go to a disagreement first (F8).", 5000)
            return None
        if item.article not in self.plan.article_ids:
            window.post(f"{what}: this article is not in your project; merge it first.", 5000)
            return None
        return item

    def _accept_nth(self, number: int) -> None:
        names = self.layer_names
        if number <= len(names):
            self.accept_layers([names[number - 1]])

    def accept_layers(self, names: Sequence[str]) -> Change | None:
        """Settle the current disagreement with the versions of these layers (none: neither)."""
        item = self._workable("Accept")
        if item is None:
            return None
        plan = self.plan
        assert plan is not None
        if not names:
            text = "Accept neither version"
        elif len(names) == 1:
            text = f"Accept {names[0]}'s version"
        else:
            text = "Accept " + (" and ".join(names) if len(names) == 2 else "all versions")
        return self._decide(lambda project: decide(project, plan, item, list(names)), text)

    def accept_all_versions(self) -> Change | None:
        return self.accept_layers(self.layer_names)

    def accept_neither(self) -> Change | None:
        return self.accept_layers([])

    def accept_selection(self, label: str | None = None) -> Change | None:
        """Settle the current disagreement with the text selected in the reader, as ``label``
        (by default the label chosen in the panel)."""
        item = self._workable("Accept selection")
        if item is None:
            return None
        window = self.host
        if window.article_id != self._article_id_of(item.article):
            window.post(
                "Accept selection: the selection must be in the disagreement's article.", 5000
            )
            return None
        selected = window.reader.selected_range()
        if selected is None:
            window.post(
                "Accept selection: select the text of the edited span in the reader first.", 5000
            )
            return None
        assert self.panel is not None and self.plan is not None
        name = (label or self.panel.edit_label_combo.currentText()).strip()
        if not name:
            window.post("Accept selection: choose a label.", 5000)
            return None
        plan = self.plan
        spans = [(selected[0], selected[1], name)]
        return self._decide(
            lambda project: decide_edited(project, plan, item, spans), "Accept edited span"
        )

    def _decide(self, step: Callable[..., Change], text: str) -> Change | None:
        session = self.host.session
        assert session is not None
        project = session.project
        try:
            # One user action, one transaction; a disk that is full, a file locked by another
            # program or gone is said in words, never left to the excepthook.
            with translated(project.path), project.atomic():
                change = step(project)
        except (ProjectError, ValueError) as exc:
            self._notify(QMessageBox.Icon.Warning, "Adjudicate", str(exc))
            return None
        announce_change(session, change)
        self._show_gold_layer()
        self.host.undo_stack.push(
            AdjudicationCommand(session, change, text, self._on_adjudication_changed)
        )
        self._on_adjudication_changed()
        if self.panel is not None and self.panel.advance_check.isChecked():
            row = self.current_row
            if row is not None and row + 1 < self.panel.disagreement_model.rowCount():
                self.go_to(row + 1)
        return change

    def accept_agreements(self) -> Change | None:
        """Put every span all layers agree on into the gold layer: one step, one undo."""
        window = self.host
        if window.session is None or self.plan is None:
            window.post(f"Accept agreements: {self.plan_problem or 'compare first.'}", 5000)
            return None
        if window.session.read_only:
            window.post("Accept agreements: the project is read-only.", 5000)
            return None
        session = window.session
        plan = self.plan
        try:
            with translated(session.project.path), session.project.atomic():
                change = accept_agreements(session.project, plan)
        except ProjectError as exc:
            self._notify(QMessageBox.Icon.Warning, "Accept agreements", str(exc))
            return None
        if not change.created:
            window.post(f"Every agreed span is in the {plan.gold} layer already.", 5000)
            return change
        announce_change(session, change)
        self._show_gold_layer()
        count = len(change.created)
        window.undo_stack.push(
            AdjudicationCommand(
                session,
                change,
                f"Accept {count} agreed span{'s' if count != 1 else ''}",
                self._on_adjudication_changed,
            )
        )
        self._on_adjudication_changed()
        window.post(
            f"{count} agreed span{'s' if count != 1 else ''} added to the {plan.gold} layer.", 5000
        )
        return change

    def _on_adjudication_changed(self) -> None:
        if self.panel is None or self.comparison is None:
            return
        self.panel.disagreement_model.set_decisions(self._decisions())
        self._show_progress()
        self._show_current()

    def _show_gold_layer(self) -> None:
        """Turn the gold layer on in the reader (an annotator layer of the open project)."""
        window = self.host
        visible = window.reader.visible_annotators
        if visible is None or self.gold in visible:
            return
        window.set_layer_visible(self.gold, True)

    def _on_gold_edited(self) -> None:
        assert self.panel is not None
        name = self.panel.gold_edit.text().strip() or DEFAULT_GOLD
        if name != self.gold:
            self.gold = name
            self.refresh()

    # --------------------------------------------------------------------------- merging
    def merge_from(self, path: str | Path, as_name: str | None = None) -> MergeResult | None:
        """Merge a colleague's file into the open project as their layer (one undo step)."""
        return self.merging.merge_from(path, as_name)

    def _on_merge_changed(self) -> None:
        if self.comparison is not None:
            self.refresh()  # merged articles may be adjudicable now (or no longer)

    # --------------------------------------------------------------------------- report
    @Slot()
    def _save_report_dialog(self) -> None:
        window = self.host
        if self.comparison is None or window.project_path is None:
            return
        suggestion = window.project_path.with_name(window.project_path.stem + " agreement.html")
        path_text, chosen = QFileDialog.getSaveFileName(
            window.window, "Save agreement report", str(suggestion), ";;".join(REPORT_FILTERS)
        )
        if not path_text:
            return
        kind = REPORT_FILTERS.get(chosen)
        path = Path(path_text)
        if not path.suffix:
            path = path.with_suffix(".html" if kind in (None, "html") else ".csv")
        self.save_report(path, kind)

    def save_report(self, path: str | Path, kind: str | None = None) -> bool:
        """Write the report: ``kind`` "html", "csv" (figures) or "disagreements" (CSV); by
        default from the file's suffix."""
        if self.comparison is None:
            return False
        path = Path(path)
        if kind is None:
            kind = "csv" if path.suffix.lower() == ".csv" else "html"
        try:
            if kind == "html":
                where = self.host.project_path
                title = f"Agreement report: {where.stem}" if where else "Agreement report"
                path.write_text(render_html(self.comparison, title=title), encoding="utf-8")
            else:
                with path.open("w", encoding="utf-8", newline="") as stream:
                    if kind == "disagreements":
                        write_disagreements_csv(self.comparison, stream)
                    else:
                        write_csv(self.comparison, stream)
        except OSError as exc:
            self._notify(
                QMessageBox.Icon.Critical,
                "Save agreement report",
                f"The report could not be written:\n{exc}",
            )
            return False
        self.host.post(f"Agreement report saved to {path}", 6000)
        return True

    # ---------------------------------------------------------------------------- state
    def _update_actions(self) -> None:
        a = self.named_actions
        session = self.host.session
        compared = self.comparison is not None
        editable = session is not None and not session.read_only
        adjudicable = compared and editable and self.plan is not None
        count = len(self.layer_names)
        rows = len(self.disagreements)
        a["review_compare"].setEnabled(session is not None)
        for name in ("review_refresh", "review_close", "review_save_report"):
            a[name].setEnabled(compared)
        a["review_show_panel"].setEnabled(self.dock is not None)
        a["review_next"].setEnabled(compared and rows > 0)
        a["review_previous"].setEnabled(compared and rows > 0)
        for i in range(1, ACCEPT_SHORTCUT_LAYERS + 1):
            a[f"review_accept_{i}"].setEnabled(adjudicable and i <= count)
            a[f"review_accept_{i}"].setVisible(not compared or i <= count)
        for name in ("review_accept_all", "review_accept_neither", "review_accept_selection"):
            a[name].setEnabled(adjudicable)
        a["review_accept_agreements"].setEnabled(
            adjudicable and bool(self.plan and self.plan.agreements)
        )
        for button in self._extra_accept_buttons:
            button.setEnabled(adjudicable)
        a["review_merge"].setEnabled(editable)

    @Slot(bool)
    def _on_dock_visibility_changed(self, visible: bool) -> None:
        action = self.named_actions["review_show_panel"]
        action.blockSignals(True)
        action.setChecked(visible)
        action.blockSignals(False)

    @Slot(bool)
    def _on_show_panel_toggled(self, on: bool) -> None:
        if self.dock is not None:
            self.dock.setVisible(on)

    def _notify(self, icon: QMessageBox.Icon, title: str, text: str, details: str = "") -> None:
        """A message that shows every string literally and does not block (window-modal)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.host.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if details and details != text:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        box.destroyed.connect(lambda _=None: self._forget_message(box))

    def _forget_message(self, box: QMessageBox) -> None:
        if self.last_message is box:
            self.last_message = None


class _Unreadable(Exception):
    """A colleague's file that cannot be compared."""

    def __init__(self, path: Path, error: ProjectError) -> None:
        super().__init__(str(error))
        self.path = path
        self.error = error


def _decision_words(taken: Decision) -> str:
    if taken.accepted is None:
        return "edited span(s)"
    if not taken.accepted:
        return "neither"
    return " + ".join(taken.accepted)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
