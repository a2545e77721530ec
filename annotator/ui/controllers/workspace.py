"""What the main window's controllers share, and the only way they reach one another's state:
the open project's session, the article on screen, the undo stack with its Undo/Redo actions,
the settings, and the status line. Controllers hold a :class:`Workspace`, never the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QUndoStack

from annotator.settings import Settings
from annotator.store import Project
from annotator.ui.commands import redo_step, undo_step
from annotator.ui.session import ProjectSession


class Workspace(QObject):
    """The state of one main window that more than one controller reads."""

    session_changed = Signal(object)  # the new ProjectSession, once a project is shown
    project_closing = Signal()  # the shown project is about to close (save what belongs to it)
    project_opened = Signal(object)  # the Path of a project now shown and ready
    article_opened = Signal(int)  # an article is on screen
    status_posted = Signal(str, int)  # text for the status line, and for how long (ms; 0: keep)
    actions_stale = Signal()  # what can be done changed: controllers enable their actions

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session: ProjectSession | None = None
        self.article_id: int | None = None
        self.article_text = ""
        self.undo_stack = QUndoStack(self)
        self.undo_action: QAction | None = None
        self.redo_action: QAction | None = None

    # ---------------------------------------------------------------------------- state
    @property
    def project(self) -> Project | None:
        return self.session.project if self.session is not None else None

    @property
    def editable(self) -> bool:
        return self.session is not None and not self.session.read_only

    def set_session(self, session: ProjectSession | None) -> None:
        self.session = session
        self.article_id = None
        self.article_text = ""
        if session is not None:
            self.session_changed.emit(session)

    def guard(self, what: str) -> bool:
        """True when the project can be edited; otherwise says why on the status line."""
        if self.session is None:
            return False
        if self.session.read_only:
            self.post(f"{what}: this project is open read-only.", 5000)
            return False
        return True

    def post(self, text: str, timeout: int = 0) -> None:
        """Show ``text`` on the status line (``timeout`` ms; 0 keeps it)."""
        self.status_posted.emit(text, timeout)

    def refresh_actions(self) -> None:
        self.actions_stale.emit()

    # ---------------------------------------------------------------------------- history
    def bind_history(self, undo: QAction, redo: QAction) -> None:
        """Make ``undo`` and ``redo`` (Edit ▸ Undo, Redo) work the undo stack."""
        # Undo and redo run in one transaction each, so a step made of several store calls
        # (an edit that also removes links, a bulk accept) is undone whole or not at all.
        self.undo_action, self.redo_action = undo, redo
        stack = self.undo_stack
        undo.setEnabled(False)
        undo.triggered.connect(self.undo)
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.undoTextChanged.connect(lambda text: undo.setText(f"&Undo {text}".strip()))
        redo.setEnabled(False)
        redo.triggered.connect(self.redo)
        stack.canRedoChanged.connect(redo.setEnabled)
        stack.redoTextChanged.connect(lambda text: redo.setText(f"&Redo {text}".strip()))
        stack.indexChanged.connect(self.refresh_actions)

    def undo(self) -> None:
        if self.session is not None:
            undo_step(self.undo_stack, self.session)

    def redo(self) -> None:
        if self.session is not None:
            redo_step(self.undo_stack, self.session)
