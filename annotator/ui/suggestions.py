"""Suggestions in the reader: the ``suggestions`` layer drawn as dashed outlines over the current
article, accepted into the analyst's layer or rejected from the keyboard (one undo step each), and
the menu that runs the suggester (see :mod:`annotator.ui.suggestion_runs`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeyEvent, QUndoCommand
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QProgressDialog

from annotator.core.model import SUGGESTION_ANNOTATOR, Span, SpanSnapshot
from annotator.store.suggestions import (
    WRITE_ERRORS,
    forget_rejection,
    remember_rejection,
    set_span_owner,
    suggestion_spans,
)
from annotator.ui.actions import build_actions, spec_of
from annotator.ui.colors import label_qcolor
from annotator.ui.dialogs import show_message
from annotator.ui.reader import OverlayMark
from annotator.ui.suggestion_runs import SuggestionRunner
from annotator.ui.worker import Worker

if TYPE_CHECKING:
    from annotator.suggest.run import RunSummary
    from annotator.ui.controllers.workspace import Workspace
    from annotator.ui.reader import ReaderView
    from annotator.ui.session import ProjectSession

_ACCEPT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_REJECT_KEYS = (Qt.Key.Key_Backspace,)
_STEP_KEYS = {Qt.Key.Key_BracketRight: 1, Qt.Key.Key_BracketLeft: -1}


class _Moved(QUndoCommand):
    """Accepting (into the analyst's layer, perhaps relabelled) or rejecting suggestions: one
    undo step however many. The change is made before the command is pushed."""

    def __init__(
        self,
        controller: SuggestionController,
        text: str,
        accepted: list[tuple[Span, Span]],
        rejected: list[Span],
    ) -> None:
        super().__init__(text)
        self.controller = controller
        self.accepted = accepted  # (before, after)
        self.rejected = rejected
        self._applied = True

    def undo(self) -> None:
        c = self.controller
        for before, _after in reversed(self.accepted):
            c.return_to_suggestions(before)
        for span in reversed(self.rejected):
            c.unreject(span)
        c.refresh()

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        c = self.controller
        for before, _after in self.accepted:
            c.move_to_analyst(before, self._label_of(before))
        for span in self.rejected:
            c.reject_now(span)
        c.refresh()

    def _label_of(self, before: Span) -> int:
        return next(after.label_id for b, after in self.accepted if b.id == before.id)


class SuggestionController(QObject):
    """Owns the Suggestions menu and the suggestions of the article on display."""

    suggestions_changed = Signal()

    def __init__(
        self,
        workspace: Workspace,
        reader: ReaderView,
        window: QMainWindow,
        listed_article_ids: Callable[[], Iterable[int]],
    ) -> None:
        super().__init__(window)
        self.workspace = workspace
        self.window = window  # parent of dialogs and the menu; watched for closing
        self.view = reader
        self._listed_article_ids = listed_article_ids
        self.spans: list[Span] = []
        self.current: int | None = None  # index into spans
        self.runner = SuggestionRunner(window)
        self.runner.completed.connect(self._on_runner_completed)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.running_changed.connect(self._update_actions)
        self.last_summary: RunSummary | None = None
        self.last_error = ""
        self._marks: tuple[OverlayMark, ...] = ()
        self._snapshots: dict[int, SpanSnapshot] = {}
        self.actions = self._build_actions()
        self.menu = self._build_menu()
        window.installEventFilter(self)  # to stop a run before the window closes its project
        reader.installEventFilter(self)
        reader.viewport().installEventFilter(self)
        workspace.project_opened.connect(self._on_workspace_project_opened)
        workspace.article_opened.connect(self._on_workspace_article_opened)
        workspace.actions_stale.connect(self._update_actions)
        self._update_actions()

    # ----------------------------------------------------------------------------- parts
    @property
    def session(self) -> ProjectSession | None:
        return self.workspace.session

    def _build_actions(self) -> dict[str, QAction]:
        # Declared in the window's action registry (ui/actions.py, "suggest_" + name), so the
        # cheat sheet and Preferences list them and their shortcuts can be chosen.
        names = ["run_article", "run_listed", "run_all", "accept", "reject"]
        names += ["next", "previous", "accept_all", "reject_all"]
        registry: dict[str, QAction] = getattr(self.window, "named_actions", {})
        actions = {}
        for name in names:
            action = registry.get(f"suggest_{name}")
            if action is None:
                spec = spec_of(f"suggest_{name}")
                action = build_actions(self.window, (spec,))[spec.name]
            actions[name] = action
        actions["run_article"].triggered.connect(self.run_for_article)
        actions["run_listed"].triggered.connect(self.run_for_listed)
        actions["run_all"].triggered.connect(self.run_for_project)
        actions["accept"].triggered.connect(lambda: self.accept_current())
        actions["reject"].triggered.connect(self.reject_current)
        actions["next"].triggered.connect(lambda: self.step(1))
        actions["previous"].triggered.connect(lambda: self.step(-1))
        actions["accept_all"].triggered.connect(self.accept_all)
        actions["reject_all"].triggered.connect(self.reject_all)
        return actions

    def _build_menu(self) -> QMenu:
        a = self.actions
        bar = self.window.menuBar()
        menu = QMenu("S&uggestions", bar)
        # Before Help, which stays last.
        help_menu = next((m for m in bar.actions() if m.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, menu)
        else:
            bar.addMenu(menu)
        menu.addActions([a["run_article"], a["run_listed"], a["run_all"]])
        menu.addSeparator()
        menu.addActions([a["next"], a["previous"], a["accept"], a["reject"]])
        menu.addSeparator()
        menu.addActions([a["accept_all"], a["reject_all"]])
        return menu

    def _update_actions(self) -> None:
        writable = self.session is not None and not self.session.read_only
        has_article = writable and self.workspace.article_id is not None
        idle = self.runner.worker is None
        self.actions["run_article"].setEnabled(has_article and idle)
        self.actions["run_listed"].setEnabled(writable and idle)
        self.actions["run_all"].setEnabled(writable and idle)
        for name in ("next", "previous", "accept_all", "reject_all"):
            self.actions[name].setEnabled(writable and bool(self.spans))
        for name in ("accept", "reject"):
            self.actions[name].setEnabled(writable and self.current is not None)

    # ----------------------------------------------------------------------- the layer
    @Slot(object)
    def _on_workspace_project_opened(self, _path: object) -> None:
        self.spans, self.current = [], None
        self._draw()

    @Slot(int)
    def _on_workspace_article_opened(self, _article_id: int) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read the open article's suggestions again and draw them."""
        session, article_id = self.session, self.workspace.article_id
        current = self.spans[self.current] if self.current is not None else None
        if session is None or article_id is None or self.workspace.project is None:
            self.spans = []
        else:
            self.spans = sorted(
                suggestion_spans(session.project, article_id), key=lambda s: (s.start, -s.end)
            )
        self.current = None
        if current is not None:
            self.current = next(
                (i for i, s in enumerate(self.spans) if s.start >= current.start), None
            )
        self._draw()
        self.suggestions_changed.emit()

    def _draw(self) -> None:
        session = self.session
        mine = []
        for i, span in enumerate(self.spans):
            try:
                label = session.label(span.label_id) if session is not None else None
            except KeyError:
                label = None
            color = label_qcolor(label.color if label is not None else "#888888")
            name = label.name if label is not None else "?"
            style = Qt.PenStyle.SolidLine if i == self.current else Qt.PenStyle.DashLine
            mine.append(
                OverlayMark(
                    span.start,
                    span.end,
                    color,
                    style,
                    tip=f"Suggested {name} (Enter accepts, Backspace rejects)",
                    outline=True,
                )
            )
        others = [m for m in self.view.overlay if m not in self._marks]
        self._marks = tuple(mine)
        self.view.set_overlay([*others, *mine])
        self._update_actions()

    def current_span(self) -> Span | None:
        return self.spans[self.current] if self.current is not None else None

    def select(self, index: int | None) -> None:
        self.current = index
        if index is not None:
            self.view.reveal_offset(self.spans[index].start)
        self._draw()

    def step(self, direction: int) -> None:
        """Make the next (1) or previous (-1) suggestion current, wrapping round."""
        if not self.spans:
            return
        if self.current is None:
            self.select(0 if direction > 0 else len(self.spans) - 1)
        else:
            self.select((self.current + direction) % len(self.spans))

    def suggestion_at(self, offset: int) -> int | None:
        inside = [i for i, s in enumerate(self.spans) if s.start <= offset < s.end]
        return min(inside, key=lambda i: self.spans[i].end - self.spans[i].start, default=None)

    # ---------------------------------------------------------------- accept and reject
    def _guard(self) -> bool:
        session = self.session
        return session is not None and not session.read_only

    def move_to_analyst(self, span: Span, label_id: int) -> Span:
        session = self.session
        assert session is not None
        before, after = set_span_owner(session.project, span.id, session.annotator, label_id)
        session.span_added.emit(after)
        for relation in session.project.relations(after.article_id):
            if relation.annotator == session.annotator and span.id in (
                relation.head_id,
                relation.child_id,
            ):
                session.relation_added.emit(relation)
        session.article_changed.emit(after.article_id)
        return after

    def return_to_suggestions(self, before: Span) -> None:
        session = self.session
        assert session is not None
        set_span_owner(session.project, before.id, SUGGESTION_ANNOTATOR, before.label_id)
        session.span_removed.emit(before.id, before.article_id)
        session.article_changed.emit(before.article_id)

    def reject_now(self, span: Span) -> None:
        session = self.session
        assert session is not None
        label = session.label(span.label_id).name
        with session.project.atomic():
            remember_rejection(session.project, span, label, session.annotator)
            self._snapshots[span.id] = session.project.delete_span(span.id)
        session.article_changed.emit(span.article_id)

    def unreject(self, span: Span) -> None:
        session = self.session
        assert session is not None
        snapshot = self._snapshots.pop(span.id)
        with session.project.atomic():
            session.project.restore_span(snapshot)
            forget_rejection(session.project, span, session.label(span.label_id).name)
        session.article_changed.emit(span.article_id)

    def _apply(
        self, text: str, accept: Sequence[Span], label_id: int | None, reject: Sequence[Span]
    ) -> bool:
        """Accept and reject in one undo step; on a store error nothing is changed and the
        analyst is told."""
        session = self.session
        if session is None or (not accept and not reject):
            return False
        accepted: list[tuple[Span, Span]] = []
        try:
            with session.project.atomic():
                for span in accept:
                    after = self.move_to_analyst(
                        span, label_id if label_id is not None else span.label_id
                    )
                    accepted.append((span, after))
                for span in reject:
                    self.reject_now(span)
        except WRITE_ERRORS as exc:
            for before, _after in accepted:
                session.span_removed.emit(before.id, before.article_id)
            self.refresh()
            self.last_error = str(exc)
            show_message(
                self.window,
                QMessageBox.Icon.Critical,
                "Suggestions",
                f"Nothing was changed.\n\n{exc}",
            )
            return False
        self.workspace.undo_stack.push(_Moved(self, text, accepted, list(reject)))
        self.refresh()
        return True

    def accept_current(self, label_id: int | None = None) -> bool:
        span = self.current_span()
        if span is None or not self._guard():
            return False
        index = self.current
        done = self._apply("Accept suggestion", [span], label_id, [])
        if done and self.spans and index is not None:
            self.select(min(index, len(self.spans) - 1))
        return done

    def reject_current(self) -> bool:
        span = self.current_span()
        if span is None or not self._guard():
            return False
        index = self.current
        done = self._apply("Reject suggestion", [], None, [span])
        if done and self.spans and index is not None:
            self.select(min(index, len(self.spans) - 1))
        return done

    def accept_all(self) -> bool:
        if not self._guard():
            return False
        count = len(self.spans)
        return self._apply(f"Accept {count} suggestion(s)", list(self.spans), None, [])

    def reject_all(self) -> bool:
        if not self._guard():
            return False
        count = len(self.spans)
        return self._apply(f"Reject {count} suggestion(s)", [], None, list(self.spans))

    # --------------------------------------------------------------------- keyboard
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.Close and watched is self.window:
            self.stop()
            return False
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
            event, QKeyEvent
        ):
            handler = self._key_handler(event)
            if handler is None:
                return False
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the key comes to the reader as a key press, not a shortcut
                return True
            handler()
            return True
        if kind == QEvent.Type.MouseButtonRelease and watched is self.view.viewport():
            position = event.position().toPoint() if hasattr(event, "position") else None
            offset = self.view.offset_at(position) if position is not None else None
            if offset is not None and not self.view.textCursor().hasSelection():
                hit = self.suggestion_at(offset)
                if hit != self.current and (hit is not None or self.current is not None):
                    self.current = hit
                    self._draw()
        return False

    def _key_handler(self, event: QKeyEvent) -> Callable[[], object] | None:
        chords = (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if event.modifiers() & chords:
            return None
        key = event.key()
        if key in _STEP_KEYS and self.spans:
            return lambda: self.step(_STEP_KEYS[Qt.Key(key)])
        if self.current is None or self.session is None:
            return None
        if key in _ACCEPT_KEYS:
            return lambda: self.accept_current()
        if key in _REJECT_KEYS:
            return self.reject_current
        if key == Qt.Key.Key_Escape:
            return lambda: self.select(None)
        text = event.text()
        if text and not self.view.textCursor().hasSelection():
            label = self.session.label_for_hotkey(text)
            if label is not None:
                return lambda: self.accept_current(label.id)
        return None

    # ------------------------------------------------------------------------- running
    def run_for_article(self) -> None:
        if self.workspace.article_id is not None:
            self._start([self.workspace.article_id], "this article")

    def run_for_listed(self) -> None:
        ids = list(self._listed_article_ids())
        self._start(ids, f"{len(ids)} listed article(s)")

    def run_for_project(self) -> None:
        self._start(None, "the whole project")

    def _start(self, article_ids: Sequence[int] | None, what: str) -> None:
        session = self.session
        if session is None or session.read_only:
            return
        self.runner.start(session.project.path, article_ids, what)

    @property
    def run(self) -> Worker[RunSummary] | None:
        """The run under way, if any."""
        return self.runner.worker

    @property
    def progress(self) -> QProgressDialog | None:
        return self.runner.progress

    @Slot(object)
    def _on_runner_completed(self, summary: RunSummary) -> None:
        if self.workspace.project is None:
            return  # stopped as the window closed: nothing left to show it in
        self.last_summary = summary
        self.workspace.post(f"Suggestions: {summary.describe()}", 10000)
        if self.session is not None:
            self.session._reload_labels()  # the run may have made the labels it needed
            self.session.labels_changed.emit()
            self.session.articles_added.emit()  # the article list reads its counts again
        self.refresh()

    @Slot(str)
    def _on_runner_failed(self, message: str) -> None:
        self.last_error = message

    def wait(self) -> None:
        """Block until a run ends (tests)."""
        self.runner.wait()

    def stop(self) -> None:
        """Cancel a run and wait for it (the window is closing)."""
        self.runner.stop()
