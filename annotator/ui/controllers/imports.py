"""Getting articles in and out: File ▸ Import (files, a folder, or files dropped on the window,
in any format the command line imports, detected or chosen in the import dialog) with its
summary, and File ▸ Export."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from annotator.formats.csv_articles import csv_columns
from annotator.formats.importer import ImportCancelled, ImportSummary
from annotator.formats.registry import import_formats
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.dialogs import show_message
from annotator.ui.export_dialog import ExportDialog
from annotator.ui.import_dialog import DETECT, ImportDialog, import_operation, resolve_format
from annotator.ui.worker import Worker


def _import_filter() -> str:
    """The file chooser's filter: article files and every importable format's files."""
    suffixes = [".txt", ".md", ".html", ".htm", ".jsonl", ".json", ".csv"]
    for spec in import_formats():
        suffixes.extend(s for s in spec.suffixes if s not in suffixes)
    suffixes.extend(s for s in (".spacy", ".xmi", ".tsv", ".ann") if s not in suffixes)
    return "Articles and annotations (" + " ".join(f"*{s}" for s in suffixes) + ");;All files (*)"


IMPORT_FILTER = _import_filter()


class ImportController(QObject):
    """Owns importing into and exporting from the open project."""

    def __init__(
        self, workspace: Workspace, window: QWidget, open_article: Callable[[int], None]
    ) -> None:
        super().__init__(window)
        self.workspace = workspace
        self._window = window  # parent of the dialogs
        self._open_article = open_article
        self._import_actions: list[QAction] = []
        self.last_summary: ImportSummary | None = None  # of the last import that finished

    def bind_actions(self, actions: Mapping[str, QAction]) -> None:
        """Connect File ▸ Import Files, Import Folder and Export to this controller."""
        actions["import_files"].triggered.connect(self.import_files_dialog)
        actions["import_folder"].triggered.connect(self.import_folder_dialog)
        actions["export"].triggered.connect(self.show_export_dialog)
        self._import_actions = [actions["import_files"], actions["import_folder"]]
        self.workspace.actions_stale.connect(self.update_actions)

    def update_actions(self) -> None:
        for action in self._import_actions:
            action.setEnabled(self.workspace.editable)

    # ----------------------------------------------------------------------- import
    @Slot()
    def import_files_dialog(self) -> ImportDialog | None:
        paths, _ = QFileDialog.getOpenFileNames(
            self._window, "Import articles", str(self.start_folder()), IMPORT_FILTER
        )
        if not paths:
            return None
        return self.choose_format([Path(p) for p in paths])

    @Slot()
    def import_folder_dialog(self) -> ImportDialog | None:
        path = QFileDialog.getExistingDirectory(
            self._window, "Import a folder", str(self.start_folder())
        )
        if not path:
            return None
        return self.choose_format([Path(path)])

    def start_folder(self) -> Path:
        """Where the import choosers open: the folder of the last import, else home."""
        last = self.workspace.settings.last_import_folder
        if last and Path(last).is_dir():
            return Path(last)
        return Path.home()

    def choose_format(self, paths: Sequence[Path]) -> ImportDialog:
        """The import dialog for these paths, their format detected or chosen; its Import
        button starts the import."""
        dialog = ImportDialog(self.start_folder(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.add_paths(list(paths))
        dialog.accepted.connect(
            lambda: self.start_import(dialog.paths, format=dialog.format_box.currentData())
        )
        dialog.open()
        return dialog

    def _remember_folder(self, paths: Sequence[Path]) -> None:
        if not paths:
            return
        settings = self.workspace.settings
        settings.last_import_folder = str(Path(paths[0]).parent)
        with contextlib.suppress(OSError):  # where the next import starts: not worth an error
            settings.save()

    def start_import(
        self, paths: Sequence[Path], *, format: str = DETECT
    ) -> Worker[ImportSummary] | None:
        """Import on a worker thread, with a cancellable progress dialog; the batch is all or
        nothing. The result arrives in :meth:`_on_import_succeeded` (or ``_failed``)."""
        session = self.workspace.session
        assert session is not None
        if session.read_only:
            show_message(
                self._window,
                QMessageBox.Icon.Information,
                "Import",
                "This project is open read-only.",
            )
            return None
        try:
            chosen, _said = resolve_format(list(paths), format)
        except ValueError as exc:
            show_message(self._window, QMessageBox.Icon.Information, "Import", str(exc))
            return None
        text_column = self.choose_csv_text_column(paths) if chosen in (None, "csv") else "text"
        if text_column is None:
            return None
        self._remember_folder(paths)
        operation = import_operation(
            session.project.path,
            list(paths),
            annotator=session.annotator,
            format=chosen,
            csv_text_column=text_column,
        )
        worker: Worker[ImportSummary] = Worker(operation, self)
        dialog = QProgressDialog("Importing…", "Cancel", 0, 0, self._window)
        dialog.setWindowTitle("Import")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.canceled.connect(worker.cancel)

        def on_progress(done: int, total: int, text: str) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(text)

        worker.progressed.connect(on_progress)
        worker.succeeded.connect(self._on_import_succeeded)
        worker.failed.connect(self._on_import_failed)
        worker.finished.connect(dialog.reset)
        worker.finished.connect(dialog.deleteLater)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        return worker

    def import_paths(self, paths: Sequence[Path], *, format: str = DETECT) -> ImportSummary | None:
        """Import and wait for the result (the window stays responsive meanwhile)."""
        self.last_summary = None
        worker = self.start_import(paths, format=format)
        if worker is None:
            return None
        with contextlib.suppress(Exception):  # reported by _on_import_failed
            worker.wait_for_end()
        return self.last_summary

    def _on_import_succeeded(self, summary: ImportSummary) -> None:
        self.last_summary = summary
        session = self.workspace.session
        if session is None:
            return
        session.articles_added.emit()
        session.labels_replaced()
        if summary.article_ids:
            self._open_article(summary.article_ids[0])
        self.show_summary(summary)

    def _on_import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ImportCancelled):
            self.workspace.post("Import cancelled: nothing was imported.", 8000)
            return
        show_message(
            self._window,
            QMessageBox.Icon.Critical,
            "Import failed",
            f"Nothing was imported.\n\n{exc}",
        )

    def choose_csv_text_column(self, paths: Sequence[Path]) -> str | None:
        """The CSV column holding article text: "text", or the one the user picks."""
        for path in paths:
            if path.suffix.lower() != ".csv" or not path.is_file():
                continue
            columns = csv_columns(path)
            if not columns or any(c.casefold() == "text" for c in columns):
                continue
            column, ok = QInputDialog.getItem(
                self._window,
                "Which column holds the article text?",
                f"{path.name} has no “text” column. Choose the column with the article text:",
                columns,
                0,
                False,
            )
            return column if ok else None
        return "text"

    def show_summary(self, summary: ImportSummary) -> None:
        text = summary.describe()
        self.workspace.post(text.splitlines()[0], 10000)
        if summary.rejections or summary.notes:
            box = QMessageBox(self._window)
            box.setIcon(
                QMessageBox.Icon.Warning if summary.rejections else QMessageBox.Icon.Information
            )
            box.setWindowTitle(
                "Import finished with rejections" if summary.rejections else "Import finished"
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(text.splitlines()[0])
            details = [f"rejected: {r}" for r in summary.rejections]
            details += [f"note: {n}" for n in summary.notes]
            box.setDetailedText("\n".join(details))
            box.open()

    # ----------------------------------------------------------------------- export
    def show_export_dialog(self) -> ExportDialog | None:
        project = self.workspace.project
        if project is None:
            return None
        dialog = ExportDialog(project, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
