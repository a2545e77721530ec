"""Running the suggester from the window: over one article, the listed ones or the whole
project, on a worker thread with a connection of its own, with a progress dialog and Cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressDialog

from annotator.ui.dialogs import show_message
from annotator.ui.worker import Control, Worker, own_project

if TYPE_CHECKING:
    from annotator.suggest.run import RunSummary


def suggest_operation(
    path: Path, article_ids: Sequence[int] | None
) -> Callable[[Control], RunSummary]:
    """The run as a worker operation: the articles done when it is cancelled keep their
    suggestions, the others are untouched."""
    ids = list(article_ids) if article_ids is not None else None

    def operation(control: Control) -> RunSummary:
        from annotator.suggest.run import suggest_project

        with own_project(path) as project:
            return suggest_project(
                project,
                article_ids=ids,
                progress=lambda done, total: control.progress(done, total),
                cancelled=control.cancelled,
            )

    return operation


class SuggestionRunner(QObject):
    """One run at a time; :attr:`completed` carries its summary, :attr:`failed` its error in
    words (the analyst has been told), :attr:`running_changed` when one starts or ends."""

    completed = Signal(object)  # RunSummary
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window  # parent of the progress dialog and messages
        self.worker: Worker[RunSummary] | None = None
        self.progress: QProgressDialog | None = None

    def start(self, path: Path, article_ids: Sequence[int] | None, what: str) -> bool:
        if self.worker is not None:
            return False
        worker: Worker[RunSummary] = Worker(suggest_operation(path, article_ids), self)
        dialog = QProgressDialog(f"Suggesting in {what}…", "Cancel", 0, 0, self.window)
        dialog.setWindowTitle("Suggestions")
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(worker.cancel)
        worker.progressed.connect(self._on_worker_progressed)
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.finished.connect(self._on_worker_finished)
        self.worker, self.progress = worker, dialog
        self.running_changed.emit(True)
        worker.start()
        return True

    @Slot(int, int, str)
    def _on_worker_progressed(self, done: int, total: int, _text: str) -> None:
        if self.worker is not None and self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    @Slot(object)
    def _on_worker_succeeded(self, summary: RunSummary) -> None:
        if self.worker is not None:
            self.completed.emit(summary)

    @Slot(object)
    def _on_worker_failed(self, exc: BaseException) -> None:
        if self.worker is None:
            return
        message = str(exc) or type(exc).__name__
        show_message(
            self.window,
            QMessageBox.Icon.Critical,
            "Suggestions",
            f"The suggester stopped; the articles done before keep their suggestions.\n\n{message}",
        )
        self.failed.emit(message)

    @Slot()
    def _on_worker_finished(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
        if self.worker is not None:
            self.worker.deleteLater()
        self.worker, self.progress = None, None
        self.running_changed.emit(False)

    def wait(self) -> None:
        """Block until a run ends (tests)."""
        if self.worker is not None:
            self.worker.wait()

    def stop(self) -> None:
        """Cancel a run, wait for it and drop its pending results (the window is closing)."""
        worker = self.worker
        if worker is None:
            return
        worker.cancel()
        worker.wait()
        for signal in (worker.progressed, worker.succeeded, worker.failed, worker.finished):
            signal.disconnect()
        self._on_worker_finished()
