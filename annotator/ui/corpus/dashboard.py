"""The statistics dashboard: spans per label, annotator, outlet and over publication date, and
progress by status, each drawn by matplotlib on a Qt canvas and exportable as PNG, SVG and CSV."""

from __future__ import annotations

import warnings
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.formats.stats_export import CHARTS, build_chart, write_chart_csv
from annotator.store import Project
from annotator.store.stats import CorpusStats, corpus_stats


class StatsDashboard(QWidget):
    """One tab per chart; Refresh recounts, the export buttons save the current chart."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.stats: CorpusStats | None = None
        self.tabs = QTabWidget()
        self.canvases: dict[str, object] = {}
        self.summary = QLabel()
        self.refresh_button = QPushButton("Refresh")
        self.png_button = QPushButton("Export PNG…")
        self.svg_button = QPushButton("Export SVG…")
        self.csv_button = QPushButton("Export CSV…")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        for button in (self.refresh_button, self.png_button, self.svg_button, self.csv_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bar)
        self.refresh_button.clicked.connect(self.refresh)
        self.png_button.clicked.connect(lambda: self._export_dialog("png"))
        self.svg_button.clicked.connect(lambda: self._export_dialog("svg"))
        self.csv_button.clicked.connect(lambda: self._export_dialog("csv"))
        self.set_project(None)

    def _build_charts(self) -> None:
        """The chart canvases, made when first drawn: matplotlib takes a second to load, which
        no window that never shows its statistics should wait for."""
        if self.tabs.count():
            return
        try:
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure
        except ImportError:
            self.tabs.addTab(
                QLabel("Charts need matplotlib: pip install 'news-annotator[stats]'"), "Charts"
            )
            return

        class Canvas(FigureCanvasQTAgg):
            def draw(self) -> None:
                # A dock squeezed to nothing leaves no room to lay the chart out: it is
                # drawn as it fits, without matplotlib's warning.
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "constrained_layout not applied")
                    super().draw()  # type: ignore[no-untyped-call]

        for name, (title, *_rest) in CHARTS.items():
            canvas = Canvas(Figure(figsize=(6, 3.5), layout="constrained"))  # type: ignore[no-untyped-call]
            canvas.setObjectName(f"chart_{name}")
            self.canvases[name] = canvas
            self.tabs.addTab(canvas, title.replace("Spans ", "").capitalize())

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        """Chart ``project``; with ``load`` False only forget the last project's numbers, and
        count at the next :meth:`refresh` (a hidden dashboard counts nothing)."""
        self.project = project
        if load:
            self.refresh()
        else:
            self.stats = None
            self.summary.clear()

    @Slot()
    def refresh(self) -> None:
        """Count again and redraw every chart."""
        enabled = self.project is not None
        for button in (self.png_button, self.svg_button, self.csv_button, self.refresh_button):
            button.setEnabled(enabled)
        if self.project is None:
            self.stats = None
            self.summary.clear()
            return
        self.stats = corpus_stats(self.project)
        self._build_charts()
        spans = sum(count for _, count in self.stats.spans_per_label)
        articles = sum(count for _, count in self.stats.articles_per_status)
        done = dict(self.stats.articles_per_status).get("done", 0)
        self.summary.setText(
            f"{spans} span(s) in {articles} article(s); {done} done "
            f"({(100 * done / articles) if articles else 0:.0f}%)"
        )
        for name, canvas in self.canvases.items():
            build_chart(self.stats, name, canvas.figure)  # type: ignore[attr-defined]
            canvas.draw_idle()  # type: ignore[attr-defined]

    def current_chart(self) -> str:
        names = list(CHARTS)
        index = self.tabs.currentIndex()
        return names[index] if 0 <= index < len(names) else names[0]

    def export(self, kind: str, path: Path, chart: str | None = None) -> None:
        """Save a chart (the current one unless named) as PNG or SVG, or its numbers as CSV."""
        if self.stats is None:
            raise ValueError("no project")
        chart = chart or self.current_chart()
        if kind == "csv":
            write_chart_csv(self.stats, chart, path)
        else:
            canvas = self.canvases[chart]
            canvas.figure.savefig(path, format=kind, dpi=100)  # type: ignore[attr-defined]

    def _export_dialog(self, kind: str) -> None:
        chart = self.current_chart()
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {kind.upper()}", f"{chart}.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if not path:
            return
        try:
            self.export(kind, Path(path), chart)
        except (OSError, ValueError) as exc:
            self.message.emit(f"Could not export: {exc}")
            return
        self.message.emit(f"Exported {Path(path).name}.")
