"""Review ▸ Merge from…: a colleague's project file merged into the open project as their
layer, one transaction and one undo step; the merged layers are shown in the reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.review.compare import main_annotator
from annotator.review.merge import LayerClashError, MergeResult, merge_file
from annotator.store import PROJECT_SUFFIX, ProjectError
from annotator.store.layers import annotator_span_counts
from annotator.store.readonly import open_read_only
from annotator.ui.review import dialogs
from annotator.ui.review.commands import MergeCommand, announce_merge
from annotator.ui.review.host import ReviewHost
from annotator.ui.worker import Control, Worker, own_project

PROJECT_FILTER = f"News Annotator projects (*{PROJECT_SUFFIX});;All files (*)"
Notify = Callable[[QMessageBox.Icon, str, str, str], None]


class MergeFlow(QObject):
    """Merging colleagues' files into the open project, and undoing a merge."""

    changed = Signal()  # a merge was made or undone: what was compared may differ now

    def __init__(self, host: ReviewHost, notify: Notify, parent: QObject) -> None:
        super().__init__(parent)
        self.host = host
        self._notify = notify

    @Slot()
    def merge_dialog(self) -> None:
        host = self.host
        if host.session is None or host.project_path is None:
            return
        if host.session.read_only:
            host.post("Merge: this project is open read-only.", 5000)
            return
        path_text, _ = QFileDialog.getOpenFileName(
            host.window,
            "Merge from a colleague's project file",
            str(host.project_path.parent),
            PROJECT_FILTER,
        )
        if not path_text:
            return
        path = Path(path_text)
        try:
            with open_read_only(path) as source:
                main = main_annotator(annotator_span_counts(source))
        except ProjectError as exc:
            self._notify(
                QMessageBox.Icon.Warning, "Merge", f"Cannot merge {path.name}.\n\n{exc}", ""
            )
            return
        suggestion, problem = main, ""
        while True:
            name = dialogs.ask_layer_name(host.window, path.name, main, suggestion, problem)
            if name is None:
                return
            try:
                self.merge_from(path, as_name=None if name == main else name)
            except LayerClashError as exc:
                suggestion, problem = f"{exc.layer} ({path.stem})", exc.message
                continue
            return

    def merge_from(self, path: str | Path, as_name: str | None = None) -> MergeResult | None:
        """Merge a colleague's file into the open project as their layer (one undo step).
        Raises :class:`LayerClashError` when the layer name is the project's own."""
        host = self.host
        if host.session is None:
            return None
        session = host.session
        path = Path(path).expanduser().absolute()
        target = session.project.path

        def operation(control: Control) -> MergeResult:
            def report(done: int, total: int) -> None:
                control.progress(done, total, path.name)

            with own_project(target) as project, project.atomic():
                return merge_file(project, path, as_name=as_name, progress=report)

        worker: Worker[MergeResult] = Worker(operation, self)
        worker.progressed.connect(self._on_worker_progressed)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        try:
            result = worker.wait_for_end()
        except LayerClashError:
            raise
        except ProjectError as exc:
            self._notify(QMessageBox.Icon.Warning, "Merge", f"Nothing was merged.\n\n{exc}", "")
            return None
        summary = result.describe()
        if not result.changed:
            host.post(summary.splitlines()[0], 8000)
            self._notify(QMessageBox.Icon.Information, "Merge", "Nothing new to merge.", summary)
            return result
        announce_merge(session, result)
        host.undo_stack.push(
            MergeCommand(
                session,
                path,
                as_name,
                result,
                self._on_merge_changed,
                self._on_merge_failed,
                self._before_merge_undone,
            )
        )
        self._on_merge_changed(result, False)
        host.post(summary.splitlines()[0], 10000)
        self._notify(QMessageBox.Icon.Information, "Merged", summary.splitlines()[0], summary)
        return result

    @Slot(int, int, str)
    def _on_worker_progressed(self, done: int, total: int, name: str) -> None:
        self.host.post(f"Merging {name}: {done:,} of {total:,} spans…")

    def _before_merge_undone(self, result: MergeResult) -> None:
        """Leave an article the undo is about to remove."""
        host = self.host
        if host.article_id is None or host.article_id not in result.articles_added:
            return
        for article_id in host.listed_article_ids():
            if article_id not in result.articles_added:
                host.open_article(article_id)
                return

    def _on_merge_changed(self, result: MergeResult, undone: bool) -> None:
        if not undone:
            for name in result.layers.values():
                self._show_layer(name)
        self.changed.emit()
        if undone:
            self.host.post(f"Merge of {result.source.name} undone.", 5000)

    def _show_layer(self, name: str) -> None:
        visible = self.host.reader.visible_annotators
        if visible is not None and name not in visible:
            self.host.set_layer_visible(name, True)

    def _on_merge_failed(self, message: str) -> None:
        self._notify(QMessageBox.Icon.Warning, "Merge", message, "")
