"""File ▸ Export…: format, filters, a preview of counts, a progress bar and what was lost."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import STATUSES
from annotator.formats.export import (
    ExportCancelled,
    ExportFilter,
    ExportReport,
    export_project,
)
from annotator.formats.registry import FORMATS, FormatSpec
from annotator.store import Project
from annotator.store.counts import export_counts
from annotator.ui.dialogs import color_icon, show_message
from annotator.ui.worker import Control, Worker, own_project

CSV_FORMATS = ("csv", "csv-articles")  # the formats with the CSV options
SCHEMES = ("IOB2", "IOB1", "BIOES")  # the conll format's tag schemes, the default first


class ExportDialog(QDialog):
    """Choose a format, a target and filters; the export runs when the dialog is accepted."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.project = project
        self.report: ExportReport | None = None

        self.format_box = QComboBox()
        for spec in FORMATS.values():
            if spec.writer is None:
                continue
            self.format_box.addItem(spec.name, spec.name)
            self.format_box.setItemData(
                self.format_box.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole
            )
        self.format_help = QLabel()
        self.format_help.setWordWrap(True)
        self.format_help.setTextFormat(Qt.TextFormat.PlainText)
        self.target = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target, 1)
        target_row.addWidget(browse)

        self.labels = QListWidget()
        self.labels.setMaximumHeight(110)
        for label in project.labels():
            item = QListWidgetItem(color_icon(label.color), label.name)
            item.setData(Qt.ItemDataRole.UserRole, label.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.labels.addItem(item)
        self.status_box = QComboBox()
        self.status_box.addItem("Any status", None)
        for status in STATUSES:
            self.status_box.addItem(status, status)
        self.annotator_box = QComboBox()
        self.annotator_box.addItem("Every annotator", None)
        for name in project.annotators():
            self.annotator_box.addItem(name, name)

        self.split_check = QCheckBox("Split by article into")
        self.split_text = QLineEdit("80/10/10")
        self.split_text.setMaximumWidth(100)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setPrefix("seed ")
        split_row = QHBoxLayout()
        split_row.addWidget(self.split_check)
        split_row.addWidget(self.split_text)
        split_row.addWidget(self.seed)
        split_row.addStretch(1)

        # Options of some formats, as the command line's --csv-raw, --csv-bom and --scheme.
        self.csv_raw = QCheckBox("Write cells starting with = + - @ as they are (no apostrophe)")
        self.csv_raw.setToolTip(
            "By default such cells get a leading apostrophe so spreadsheets do not run them as "
            "formulas; re-import restores them"
        )
        self.csv_bom = QCheckBox("Start with a UTF-8 byte-order mark (for Excel)")
        self.scheme_box = QComboBox()
        for scheme in SCHEMES:
            self.scheme_box.addItem(scheme, scheme)
        options = QVBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.csv_raw)
        options.addWidget(self.csv_bom)
        self.csv_options = QWidget()
        self.csv_options.setLayout(options)
        self.scheme_label = QLabel("Tag scheme:")

        self.preview = QLabel()
        self.preview.setTextFormat(Qt.TextFormat.PlainText)

        form = QFormLayout()
        form.addRow("Format:", self.format_box)
        form.addRow("", self.format_help)
        form.addRow("", self.csv_options)
        form.addRow(self.scheme_label, self.scheme_box)
        form.addRow("Export to:", target_row)
        form.addRow("Labels:", self.labels)
        form.addRow("Articles:", self.status_box)
        form.addRow("Spans by:", self.annotator_box)
        form.addRow("", split_row)
        form.addRow("", self.preview)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.run_export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        self.labels.itemChanged.connect(self._update_preview)
        self.status_box.currentIndexChanged.connect(self._update_preview)
        self.annotator_box.currentIndexChanged.connect(self._update_preview)
        self.target.textChanged.connect(self._update_buttons)
        self._on_format_changed()
        self.resize(560, 480)

    # ----------------------------------------------------------------------------- state
    @property
    def spec(self) -> FormatSpec:
        return FORMATS[self.format_box.currentData()]

    def export_filter(self) -> ExportFilter:
        checked = {
            self.labels.item(i).text()
            for i in range(self.labels.count())
            if self.labels.item(i).checkState() == Qt.CheckState.Checked
        }
        every = len(checked) == self.labels.count()
        return ExportFilter(
            labels=None if every else frozenset(checked),
            status=self.status_box.currentData(),
            annotator=self.annotator_box.currentData(),
        )

    def writer_options(self) -> dict[str, object]:
        """The chosen options of the current format, as ``export_project`` passes them on."""
        name = self.spec.name
        if name in CSV_FORMATS:
            return {"raw": self.csv_raw.isChecked(), "bom": self.csv_bom.isChecked()}
        if name == "conll":
            return {"scheme": self.scheme_box.currentData()}
        return {}

    def _checked_label_ids(self) -> list[int] | None:
        ids = [
            self.labels.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.labels.count())
            if self.labels.item(i).checkState() == Qt.CheckState.Checked
        ]
        return None if len(ids) == self.labels.count() else ids

    def _on_format_changed(self) -> None:
        spec = self.spec
        self.format_help.setText(spec.description + (" (writes a folder)" if spec.folder else ""))
        self.csv_options.setVisible(spec.name in CSV_FORMATS)
        self.scheme_label.setVisible(spec.name == "conll")
        self.scheme_box.setVisible(spec.name == "conll")
        current = self.target.text().strip()
        stem = self.project.path.with_suffix("")
        if not current:
            self.target.setText(
                str(
                    stem.with_name(stem.name + "-export")
                    if spec.folder
                    else stem.with_name(stem.name + "-export" + spec.suffix)
                )
            )
        else:
            path = Path(current)
            self.target.setText(
                str(path.with_suffix("") if spec.folder else path.with_suffix(spec.suffix))
            )
        self._update_preview()

    def _update_preview(self) -> None:
        articles, spans = export_counts(
            self.project,
            status=self.status_box.currentData(),
            label_ids=self._checked_label_ids(),
            annotator=self.annotator_box.currentData(),
        )
        self.preview.setText(f"{articles} article(s) and {spans} span(s) will be exported.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.target.text().strip())
        )

    def _browse(self) -> None:
        spec = self.spec
        if spec.folder:
            path = QFileDialog.getExistingDirectory(self, "Export to folder", self.target.text())
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export to file", self.target.text(), f"{spec.name} (*{spec.suffix})"
            )
        if path:
            self.target.setText(path)

    # ---------------------------------------------------------------------------- export
    def run_export(self) -> None:
        """Export on a worker thread (its own read-only connection) with a cancellable
        progress dialog; say what was written and lost, or why nothing was."""
        target = Path(self.target.text().strip()).expanduser()
        split = self.split_text.text().strip() if self.split_check.isChecked() else None
        path, fmt, chosen, seed, options = (
            self.project.path,
            self.spec.name,
            self.export_filter(),
            (self.seed.value()),
            self.writer_options(),
        )

        def operation(control: Control) -> ExportReport:
            with own_project(path, read_only=True) as project:
                return export_project(
                    project,
                    fmt,
                    target,
                    filter=chosen,
                    split=split,
                    seed=seed,
                    progress=lambda done, total: control.progress(done, total),
                    is_cancelled=control.cancelled,
                    writer_options=options,
                )

        worker: Worker[ExportReport] = Worker(operation, self)
        progress = QProgressDialog("Exporting…", "Cancel", 0, 0, self)
        progress.setWindowTitle("Export")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.canceled.connect(worker.cancel)

        def on_progress(done: int, total: int, _text: str) -> None:
            progress.setMaximum(total)
            progress.setValue(done)

        worker.progressed.connect(on_progress)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        try:
            self.report = worker.wait_for_end()
        except ExportCancelled:
            progress.close()
            show_message(
                self,
                QMessageBox.Icon.Information,
                "Export",
                "Export cancelled: nothing was written.",
            )
            return
        except Exception as exc:  # noqa: BLE001 - ExportError, ProjectError, OSError and the rest
            progress.close()
            show_message(
                self, QMessageBox.Icon.Critical, "Export failed", f"Nothing was written.\n\n{exc}"
            )
            return
        progress.close()
        box = QMessageBox(self)
        lost = [loss for loss in self.report.losses if loss.count]
        box.setIcon(QMessageBox.Icon.Warning if lost else QMessageBox.Icon.Information)
        box.setWindowTitle("Export finished")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.report.describe())
        box.exec()
        self.accept()
