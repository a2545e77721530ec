"""File ▸ Import…: the files or folders, their format (detected or chosen), and the import run on
a worker thread with its own database connection, showing real progress and cancellable.

:class:`ImportDialog` collects what to import: files and folders, and a format from the same
list the command line's ``annotator import --format`` offers (:func:`import_formats`), or
"detect from the files" (:func:`annotator.formats.detect.detect_format`). It starts in the
folder the analyst last imported from.

:class:`ImportRun` runs :func:`annotator.formats.importer.import_paths` on a ``QThread``: the
worker opens the project a second time (without the write lock, which the window holds) and
reports progress by signals: files done for several files; for one file or folder, records
read against the lines counted beforehand for a line-based file (JSONL, CSV, CoNLL), and
otherwise what the reader tells (bytes of a streamed Label Studio JSON file, records of a
.spacy file, a JSON-MIN file, a Hugging Face or Parquet folder, files of an XMI, WebAnno TSV or
brat folder), so the bar moves within one file. Cancel stops between two records; the batch is
rolled back, nothing is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.formats.detect import detect_format
from annotator.formats.importer import ImportSummary, import_paths
from annotator.formats.registry import FORMATS, import_formats
from annotator.ui.worker import Control, own_project

DETECT = "detect"
_LINE_SUFFIXES = frozenset({".jsonl", ".csv", ".conll", ".txt", ".md"})
_COUNT_CHUNK = 1 << 20
_EMIT_EVERY = 0.05  # seconds between progress signals: the bar moves, the GUI is not flooded


def count_lines(path: Path, is_cancelled: Callable[[], bool] = lambda: False) -> int:
    """Line breaks in a file, a chunk at a time (a 100 MB file in a fraction of a second)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(_COUNT_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if is_cancelled():
                break
    return lines + (last != b"\n")


def resolve_format(paths: Sequence[Path], chosen: str) -> tuple[str | None, str]:
    """The format to import ``paths`` as (None: each file by its suffix), and what to tell the
    analyst; raises ValueError when detection finds different formats."""
    if chosen != DETECT:
        return chosen, f"as {chosen}"
    found = {path: detect_format(path) for path in paths}
    kinds = {fmt for fmt in found.values()}
    if len(kinds) > 1:
        named = ", ".join(sorted(k or "plain articles" for k in kinds))
        raise ValueError(
            f"These are in different formats ({named}): import them one format at a time, "
            "or choose one format."
        )
    fmt = next(iter(kinds), None)
    if fmt is None:
        return None, "detected: articles (text, HTML, JSONL, CSV) by their suffix"
    return fmt, f"detected: {fmt}"


class ImportDialog(QDialog):
    """Choose files or folders and their format; ``paths`` and ``format`` hold the choice."""

    def __init__(self, start_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.setMinimumWidth(560)
        self.start_folder = start_folder
        self.paths: list[Path] = []
        self.format: str | None = None

        self.list = QListWidget()
        self.list.setAccessibleName("Files and folders to import")
        add_files = QPushButton("Add &files…")
        add_folder = QPushButton("Add f&older…")
        remove = QPushButton("&Remove")
        add_files.clicked.connect(self._on_add_files_clicked)
        add_folder.clicked.connect(self._on_add_folder_clicked)
        remove.clicked.connect(self._on_remove_clicked)
        buttons_row = QHBoxLayout()
        for button in (add_files, add_folder, remove):
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)

        self.format_box = QComboBox()
        self.format_box.addItem("Detect from the files", DETECT)
        for spec in import_formats():
            self.format_box.addItem(spec.name, spec.name)
            self.format_box.setItemData(
                self.format_box.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole
            )
        self.format_box.currentIndexChanged.connect(self._on_format_box_changed)
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        self.detected.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        form.addRow("&Format:", self.format_box)
        form.addRow("", self.detected)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Files and folders:"))
        layout.addWidget(self.list)
        layout.addLayout(buttons_row)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update()

    # ------------------------------------------------------------------------ choosing
    def add_paths(self, paths: Sequence[Path]) -> None:
        for path in paths:
            if path not in self.paths:
                self.paths.append(path)
                self.list.addItem(str(path))
        if paths:
            self.start_folder = paths[0].parent
        self._update()

    def choose_format(self, name: str) -> None:
        index = self.format_box.findData(name)
        if index >= 0:
            self.format_box.setCurrentIndex(index)

    @Slot()
    def _on_add_files_clicked(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Import files", str(self.start_folder))
        self.add_paths([Path(n) for n in names])

    @Slot()
    def _on_add_folder_clicked(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Import a folder", str(self.start_folder))
        if name:
            self.add_paths([Path(name)])

    @Slot()
    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            del self.paths[row]
        self._update()

    @Slot(int)
    def _on_format_box_changed(self, _index: int) -> None:
        self._update()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if not self.paths:
            self.detected.setText("Add the files or folders to import.")
            ok.setEnabled(False)
            return
        try:
            self.format, said = resolve_format(self.paths, self.format_box.currentData())
        except ValueError as exc:
            self.detected.setText(str(exc))
            ok.setEnabled(False)
            return
        spec = FORMATS.get(self.format) if self.format else None
        self.detected.setText(said + (f" — {spec.description}" if spec else ""))
        ok.setEnabled(True)


def import_operation(
    project_path: Path,
    paths: Sequence[Path],
    *,
    annotator: str,
    format: str | None,
    csv_text_column: str = "text",
) -> Callable[[Control], ImportSummary]:
    """The import of ``paths`` into the project at ``project_path``, to run on a
    :class:`~annotator.ui.worker.Worker`, reporting progress through its control."""
    files = list(paths)
    first = files[0] if len(files) == 1 else None
    single = (
        first
        if first is not None
        and first.is_file()
        and (first.suffix.lower() in _LINE_SUFFIXES or format == "conll")
        else None
    )
    # One file or folder that is not read by lines: its reader tells how far it is.
    told = first if first is not None and single is None else None

    def operation(control: Control) -> ImportSummary:
        last = [0.0]

        def report(done: int, total: int, text: str, *, force: bool = False) -> None:
            now = time.monotonic()
            if force or now - last[0] >= _EMIT_EVERY:
                last[0] = now
                control.progress(done, total, text)

        records = [0]
        total = 0
        if single is not None:
            report(0, 0, f"Counting the records of {single.name}…", force=True)
            total = count_lines(single, control.cancelled)

        def is_cancelled() -> bool:
            # Called between files and between records: counts the records read.
            if single is not None:
                records[0] += 1
                report(
                    min(records[0], total),
                    total,
                    f"Importing {single.name}: {records[0]:,} of about {total:,} records",
                )
            return control.cancelled()

        def progress(done: int, total_files: int, current: str) -> None:
            if single is None and told is None:
                report(
                    done,
                    total_files,
                    f"Importing {Path(current).name} ({done + 1} of {total_files})…",
                )

        def within(done: int, total: int) -> None:
            if told is not None:
                report(done, total, f"Importing {told.name}: {100 * done // max(total, 1)}%…")

        with own_project(project_path) as project:
            return import_paths(
                project,
                files,
                annotator=annotator,
                csv_text_column=csv_text_column,
                progress=progress,
                is_cancelled=is_cancelled,
                format=format,
                within=within,
            )

    return operation
