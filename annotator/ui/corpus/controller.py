"""Wires the corpus panels into a main window: the Corpus menu, the Search, Claims, Attribution,
Statistics and Guidelines docks, tag-all-occurrences, and document labels in the header.

The controller talks to the window through a narrow interface: its ``session`` and
``undo_stack``, ``open_article()``, the reader pane, the ``project_opened`` and
``article_opened`` signals, and the actions of the registry (``ui/actions.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox, QToolButton

from annotator.core.attribution import NAMED
from annotator.core.model import Span
from annotator.core.schema import attribute_problems
from annotator.store import ProjectError
from annotator.store.doc_labels import doc_fields, doc_labels, set_doc_labels
from annotator.store.filters import ArticleFilter
from annotator.store.occurrences import Occurrence
from annotator.store.schema_defs import attribute_defs
from annotator.store.schema_file import SchemaFileError, import_schema, write_schema
from annotator.store.search import NOTE, TEXT, SearchHit, SearchQueryError
from annotator.store.sources import QuoteRef
from annotator.ui.commands import AddSpanCommand, UpdateSpanCommand
from annotator.ui.corpus.attribution_view import AttributionView
from annotator.ui.corpus.claims_view import ClaimsView
from annotator.ui.corpus.dashboard import StatsDashboard
from annotator.ui.corpus.doc_labels_bar import DocLabelsBar
from annotator.ui.corpus.filter_bar import ArticleFilterBar
from annotator.ui.corpus.guidelines import GuidelinesPanel
from annotator.ui.corpus.search_panel import SearchPanel
from annotator.ui.corpus.tag_all import TagAllDialog

if TYPE_CHECKING:
    from annotator.store.claims import ClaimRow
    from annotator.ui.session import ProjectSession


class SetDocLabelsCommand(QUndoCommand):
    """One field of an article's document labels, set (already applied when pushed)."""

    def __init__(
        self,
        controller: CorpusController,
        article_id: int,
        name: str,
        before: list[str],
        after: list[str],
    ) -> None:
        super().__init__(f"Set {name} to {', '.join(after) or 'nothing'}")
        self.controller, self.article_id, self.name = controller, article_id, name
        self.before, self.after = before, after
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.controller.store_doc_labels(self.article_id, self.name, self.after)

    def undo(self) -> None:
        self.controller.store_doc_labels(self.article_id, self.name, self.before)


class CorpusController(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.article_id: int | None = None
        a = window.named_actions
        self.search_panel = SearchPanel()
        self.claims_view = ClaimsView()
        self.attribution_view = AttributionView()
        self.dashboard = StatsDashboard()
        self.guidelines = GuidelinesPanel()
        self.docks: dict[str, QDockWidget] = {}
        for name, title, widget, area in (
            ("search", "Search", self.search_panel, Qt.DockWidgetArea.BottomDockWidgetArea),
            ("claims", "Claims", self.claims_view, Qt.DockWidgetArea.BottomDockWidgetArea),
            (
                "attribution",
                "Attribution",
                self.attribution_view,
                Qt.DockWidgetArea.BottomDockWidgetArea,
            ),
            ("statistics", "Statistics", self.dashboard, Qt.DockWidgetArea.BottomDockWidgetArea),
            ("guidelines", "Guidelines", self.guidelines, Qt.DockWidgetArea.RightDockWidgetArea),
        ):
            dock = QDockWidget(title, window)
            dock.setObjectName(f"{name}_dock")
            dock.setWidget(widget)
            window.addDockWidget(area, dock)
            dock.hide()
            self.docks[name] = dock
        bottom = [self.docks[n] for n in ("search", "claims", "attribution", "statistics")]
        for other in bottom[1:]:
            window.tabifyDockWidget(bottom[0], other)
        self.doc_bar = DocLabelsBar()
        window.reader.layout().insertWidget(1, self.doc_bar)
        # Filters of the article list, folded under a button above the list.
        self.filter_bar = ArticleFilterBar()
        self.filter_bar.setVisible(False)
        self.filter_button = QToolButton()
        self.filter_button.setText("Filters")
        self.filter_button.setCheckable(True)
        self.filter_button.setArrowType(Qt.ArrowType.RightArrow)
        self.filter_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.filter_button.toggled.connect(self._on_filter_button_toggled)
        list_layout = window.articles_dock.widget().layout()
        list_layout.insertWidget(2, self.filter_button)
        list_layout.insertWidget(3, self.filter_bar)

        self.menu = window.menuBar().addMenu("C&orpus")
        names = (
            "search_corpus find_next_hit find_previous_hit | tag_all_occurrences | show_claims "
            "show_attribution show_statistics show_guidelines | import_schema export_schema"
        )
        for name in names.split():
            if name == "|":
                self.menu.addSeparator()
            else:
                self.menu.addAction(a[name])
                window.addAction(a[name])
        a["search_corpus"].triggered.connect(self.show_search)
        a["find_next_hit"].triggered.connect(lambda: self.step_hit(1))
        a["find_previous_hit"].triggered.connect(lambda: self.step_hit(-1))
        a["tag_all_occurrences"].triggered.connect(self.tag_all_occurrences)
        a["show_claims"].triggered.connect(lambda: self.show_dock("claims"))
        a["show_attribution"].triggered.connect(lambda: self.show_dock("attribution"))
        a["show_statistics"].triggered.connect(lambda: self.show_dock("statistics"))
        a["show_guidelines"].triggered.connect(lambda: self.show_dock("guidelines"))
        a["import_schema"].triggered.connect(self._import_schema_dialog)
        a["export_schema"].triggered.connect(self._export_schema_dialog)

        self.search_panel.hit_activated.connect(self._on_search_panel_hit_activated)
        self.search_panel.message.connect(self._show_message)
        self.dashboard.message.connect(self._show_message)
        self.claims_view.claim_activated.connect(self._on_claims_view_claim_activated)
        self.claims_view.update_requested.connect(self._on_claims_view_update_requested)
        self.attribution_view.quote_activated.connect(self._on_attribution_view_quote_activated)
        self.attribution_view.named_requested.connect(self._on_attribution_view_named_requested)
        self.doc_bar.values_edited.connect(self._on_doc_bar_values_edited)
        self.filter_bar.filter_changed.connect(self._on_filter_bar_filter_changed)
        self.search_panel.searched.connect(self.filter_bar.set_query)
        for dock in self.docks.values():
            dock.visibilityChanged.connect(self._schedule_refresh)
        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh_visible)
        window.project_opened.connect(self._on_window_project_opened)
        window.article_opened.connect(self._on_window_article_opened)

    # ---------------------------------------------------------------------------- project
    @property
    def session(self) -> ProjectSession | None:
        """The window's session: an article of a new project opens before the window says the
        project opened, so the controller never keeps a session of its own."""
        session: ProjectSession | None = self.window.session
        return session

    @Slot(object)
    def _on_window_project_opened(self, _path: object) -> None:
        session = self.window.session
        project = session.project if session is not None else None
        self.search_panel.set_project(project)
        # The corpus-wide panels read the whole corpus: none of that may hold up the window
        # (100,000 articles hold about a million claims). They are read when on screen, once
        # the window is up (the refresh timer), and whenever they are shown.
        self.claims_view.set_project(project, load=False)
        self.attribution_view.set_project(project, load=False)
        self.dashboard.set_project(project, load=False)
        self.guidelines.set_project(project)
        self.doc_bar.set_fields(doc_fields(project) if project is not None else [])
        self.filter_bar.set_project(project)
        if self.filter_button.isChecked():
            self._on_filter_bar_filter_changed(self.filter_bar.current_filter())
        if session is None:
            return
        for signal in (
            session.span_added,
            session.span_removed,
            session.span_changed,
            session.relation_added,
            session.relation_removed,
            session.article_changed,
        ):
            signal.connect(self._schedule_refresh)
        session.labels_changed.connect(self._on_session_labels_changed)
        if self.window.article_id is not None:
            self._on_window_article_opened(self.window.article_id)
        self._schedule_refresh()

    # ----------------------------------------------------------------------------- filters
    @Slot(bool)
    def _on_filter_button_toggled(self, on: bool) -> None:
        self.filter_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.filter_bar.setVisible(on)
        if on:
            self.filter_bar.refresh_choices()
        # Folded away, the filters stop filtering: the list shows what its own box asks for.
        self._on_filter_bar_filter_changed(self.filter_bar.current_filter() if on else None)

    @Slot(object)
    def _on_filter_bar_filter_changed(self, article_filter: ArticleFilter | None) -> None:
        model = getattr(self.window, "article_model", None)
        if model is None or self.session is None:
            return
        try:
            model.set_corpus_filter(article_filter)
        except (SearchQueryError, ProjectError) as exc:
            self.filter_bar.count_label.setText(str(exc))
            return
        total = self.session.project.counts()["articles"]
        self.filter_bar.show_counts(model.total, total)
        self.window.articles.count_label.setText(f"{model.total} of {total} articles")

    @Slot()
    def _on_session_labels_changed(self) -> None:
        self.filter_bar.refresh_choices()
        self.search_panel.refresh_choices()
        self.guidelines.refresh()
        self._schedule_refresh()

    @Slot()
    def _schedule_refresh(self, *_args: object) -> None:
        self._refresh_timer.start()

    def refresh_visible(self) -> None:
        """Re-read the panels on screen (hidden ones are read when they are shown)."""
        if self.session is None:
            return
        if self.docks["claims"].isVisible():
            self.claims_view.reload()
        if self.docks["attribution"].isVisible():
            self.attribution_view.reload()
        if self.docks["statistics"].isVisible():
            self.dashboard.refresh()

    @Slot(int)
    def _on_window_article_opened(self, article_id: int) -> None:
        self.article_id = article_id
        self.attribution_view.set_article(article_id, load=self.docks["attribution"].isVisible())
        if self.session is not None:
            self.doc_bar.set_values(doc_labels(self.session.project, article_id))

    def show_dock(self, name: str) -> None:
        dock = self.docks[name]
        dock.show()
        dock.raise_()
        self.refresh_visible()

    def _show_message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)

    # ----------------------------------------------------------------------------- search
    @Slot()
    def show_search(self) -> None:
        self.show_dock("search")
        self.search_panel.query_edit.setFocus()
        self.search_panel.query_edit.selectAll()

    def go_to(self, article_id: int, start: int, end: int) -> None:
        """Open an article, scroll to [start, end) and select it."""
        if self.window.article_id != article_id:
            self.window.open_article(article_id, position=start)
        if self.window.article_id != article_id:
            return  # the window could not open it (and said why)
        view = self.window.reader.view
        view.select_range(start, end)
        view.reveal_offset(start)

    @Slot(object)
    def _on_search_panel_hit_activated(self, hit: SearchHit) -> None:
        if hit.where == TEXT:
            self.go_to(hit.article_id, hit.start, hit.end)
            return
        if hit.where == NOTE and hit.span_id is not None and self.session is not None:
            # A hit in a note: the span that carries the note, selected.
            try:
                span = self.session.project.span(hit.span_id)
            except ProjectError:
                span = None
            if span is not None:
                self.go_to(span.article_id, span.start, span.end)
                if self.window.article_id == span.article_id:
                    self.window.reader.view.set_current_span(span.id)
                return
        # A hit in the title: the article, from its top.
        if self.window.article_id != hit.article_id:
            self.window.open_article(hit.article_id, position=0)

    def step_hit(self, direction: int) -> None:
        if self.search_panel.model.rowCount() == 0:
            self._show_message("No search results: search in context (Corpus menu) first.")
            return
        self.search_panel.step(direction)

    # ------------------------------------------------------------------------------ claims
    @Slot(object)
    def _on_claims_view_claim_activated(self, claim: ClaimRow) -> None:
        self.go_to(claim.article_id, claim.start, claim.end)

    @Slot(int, object)
    def _on_claims_view_update_requested(self, span_id: int, attributes: dict[str, str]) -> None:
        self.update_attributes([(span_id, attributes)], "Check claim")
        self.claims_view.reload()

    def update_attributes(self, changes: list[tuple[int, dict[str, str]]], text: str) -> bool:
        """Set the attributes of spans as one undo step; False (and a message) on a refusal."""
        session = self.session
        if session is None or session.read_only:
            self._show_message("The project is open read-only.")
            return False
        stack = self.window.undo_stack
        stack.beginMacro(text)
        done = 0
        try:
            for span_id, attributes in changes:
                before = session.project.span(span_id)
                after = session.update_span(span_id, attributes=attributes)
                stack.push(UpdateSpanCommand(session, before, after, text))
                done += 1
        except ProjectError as exc:
            stack.endMacro()
            if done:
                stack.undo()
            QMessageBox.warning(self.window, text, exc.message)
            return False
        stack.endMacro()
        return True

    # ------------------------------------------------------------------------- attribution
    @Slot(object)
    def _on_attribution_view_quote_activated(self, quote: QuoteRef) -> None:
        self.go_to(quote.article_id, quote.start, quote.end)

    @Slot(object, object)
    def _on_attribution_view_named_requested(self, span_ids: list[int], value: object) -> None:
        if self.session is None:
            return
        changes = []
        for span_id in span_ids:
            attributes = dict(self.session.project.span(span_id).attributes)
            if value is None:
                attributes.pop(NAMED, None)
            else:
                attributes[NAMED] = "true" if value else "false"
            changes.append((span_id, attributes))
        word = {True: "named", False: "anonymous", None: "guessed"}[value]  # type: ignore[index]
        if self.update_attributes(changes, f"Mark source {word}"):
            self.attribution_view.reload()

    def attribute_refusal(self, span: Span, changes: dict[str, object]) -> str | None:
        """Why an edit's attributes break the (new) label's attribute definitions, or None."""
        if self.session is None or not ({"attributes", "label_id"} & set(changes)):
            return None
        label_id = int(changes.get("label_id", span.label_id))  # type: ignore[call-overload]
        attributes = changes.get("attributes", span.attributes)
        if not isinstance(attributes, dict):
            return None
        problems = attribute_problems(attribute_defs(self.session.project, label_id), attributes)
        if not problems:
            return None
        label = self.session.label(label_id).name
        return f"The attributes of a {label} span are not valid:\n" + "\n".join(problems)

    # ---------------------------------------------------------------------------- tag all
    def current_span(self) -> Span | None:
        span_id = self.window.reader.view.current_span_id
        if span_id is None or self.session is None:
            return None
        try:
            return self.session.project.span(span_id)
        except ProjectError:
            return None

    def tag_all_dialog(self, span: Span) -> TagAllDialog:
        assert self.session is not None
        label = self.session.label(span.label_id)
        return TagAllDialog(
            self.session.project,
            span.text,
            span.label_id,
            label.name,
            span.article_id,
            exclude=(span.article_id, span.start, span.end),
            parent=self.window,
        )

    @Slot()
    def tag_all_occurrences(self) -> None:
        span = self.current_span()
        if span is None:
            self._show_message("Select a span first: its text is what is looked for.")
            return
        if self.session is None or self.session.read_only:
            self._show_message("The project is open read-only.")
            return
        dialog = self.tag_all_dialog(span)
        if dialog.exec() == TagAllDialog.DialogCode.Accepted:
            self.apply_occurrences(span.label_id, dialog.checked())

    def apply_occurrences(self, label_id: int, chosen: list[Occurrence]) -> int:
        """Tag the chosen occurrences as one undo step; the number tagged."""
        session = self.session
        if session is None or not chosen:
            return 0
        label = session.label(label_id).name
        stack = self.window.undo_stack
        stack.beginMacro(f"Tag {len(chosen)} occurrence(s) of “{chosen[0].text}” as {label}")
        done = 0
        try:
            for occ in chosen:
                span = session.add_span(occ.article_id, occ.start, occ.end, label_id)
                stack.push(AddSpanCommand(session, span))
                done += 1
        except ProjectError as exc:
            stack.endMacro()
            if done:
                stack.undo()
            QMessageBox.warning(self.window, "Tag All Occurrences", exc.message)
            return 0
        stack.endMacro()
        self._show_message(f"Tagged {done} occurrence(s) as {label}.")
        return done

    # ------------------------------------------------------------------------ doc labels
    @Slot(str, object)
    def _on_doc_bar_values_edited(self, name: str, values: list[str]) -> None:
        session, article_id = self.session, self.window.article_id
        if session is None or article_id is None:
            return
        try:
            before = set_doc_labels(session.project, article_id, {name: values})[name]
        except ProjectError as exc:
            self._show_message(exc.message)
            self.doc_bar.set_values(doc_labels(session.project, article_id))
            return
        if before != sorted(set(values)) and before != values:
            self.window.undo_stack.push(SetDocLabelsCommand(self, article_id, name, before, values))

    def store_doc_labels(self, article_id: int, name: str, values: list[str]) -> None:
        if self.session is None:
            return
        set_doc_labels(self.session.project, article_id, {name: values})
        if self.window.article_id == article_id:
            self.doc_bar.set_values(doc_labels(self.session.project, article_id))

    # ----------------------------------------------------------------------------- schema
    def import_schema_file(self, path: Path) -> bool:
        if self.session is None:
            return False
        try:
            result = import_schema(self.session.project, path)
        except SchemaFileError as exc:
            QMessageBox.warning(
                self.window,
                "Import Label Schema",
                "Nothing was changed:\n" + "\n".join(exc.problems[:20]),
            )
            return False
        except ProjectError as exc:
            QMessageBox.warning(self.window, "Import Label Schema", str(exc))
            return False
        self.session.labels_replaced()
        self.doc_bar.set_fields(doc_fields(self.session.project))
        if self.window.article_id is not None:
            self.doc_bar.set_values(doc_labels(self.session.project, self.window.article_id))
        self.claims_view.set_project(self.session.project)
        self._show_message(result.describe())
        return True

    def _import_schema_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import Label Schema", "", "Schema (*.json)"
        )
        if path:
            self.import_schema_file(Path(path))

    def _export_schema_dialog(self) -> None:
        if self.session is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export Label Schema", "schema.json", "Schema (*.json)"
        )
        if not path:
            return
        try:
            write_schema(self.session.project, Path(path))
        except ProjectError as exc:
            QMessageBox.warning(self.window, "Export Label Schema", str(exc))
            return
        self._show_message(f"Schema written to {Path(path).name}.")
