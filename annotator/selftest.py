"""``annotator --self-test``: drive the real app once on scratch files and say whether it works.

Packaged builds (wheel, PyInstaller bundle) are smoke-tested with it: it starts the GUI, imports
the bundled sample article and a small saved news page into a temporary project, tags a sentence
through the main window (select in the reader, trigger the label's action), undoes and redoes the
tag, exports JSONL, reads the export back and reopens the project file. Settings, window state
and projects all live in a temporary folder, so the user's own profile is never touched.
Exit status 0 means every step passed; otherwise the failing step and its reason are printed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

SAMPLE_ARTICLE = "samples/putin-trump-call.txt"
ICON = "icons/news-annotator.svg"
SENTENCE = "Expect many tweets to follow both phone calls."
LABEL = "Speculation"
ANNOTATOR = "self-test"
EXPOSE_TIMEOUT_S = 10.0

# A saved news page: exercises the HTML extractor (trafilatura, lxml, justext and their data
# files), which is what a frozen bundle most often loses.
NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens after storm | Self-test Gazette</title>
<meta name="author" content="A. Reporter"><meta property="og:site_name" content="Self-test Gazette">
<meta property="article:published_time" content="2024-03-01T09:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Friday after a three-day closure caused by the storm, the port
authority said in a statement.</p>
<p>"We expect traffic to be back to normal by Monday," a spokeswoman told reporters at the quay,
adding that two cranes had been damaged.</p>
<p>Fishing crews said the closure had cost them a week of income and asked the council for help
with repairs to the breakwater.</p>
</article><footer>Copyright Self-test Gazette</footer></body></html>
"""
NEWS_PAGE_SENTENCE = "two cranes had been damaged"


class SelfTestFailure(Exception):
    """A step found the app not working; the message says what was expected."""


def _check(condition: object, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


def _write(stream: TextIO | None, text: str) -> None:
    # A windowed Windows build has no console: sys.stdout is None there.
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()


def _isolate(scratch: Path) -> None:
    """Point every place the app writes user state at ``scratch``, before Qt starts."""
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = scratch / variable.lower()
        folder.mkdir()
        os.environ[variable] = str(folder)
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        # No display to show a window on: the offscreen platform runs the same widgets.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


class _Run:
    """The state the steps share: scratch folder, application, project, window."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.app: Any = None
        self.settings: Any = None
        self.window: Any = None
        self.project_path = scratch / "self-test.annot"
        self.export_path = scratch / "export" / "self-test.jsonl"
        self.sample_text = ""
        self.sample_article_id = 0  # set by the project step
        self.qt_messages: list[str] = []

    # ---------------------------------------------------------------------------- steps
    def resources(self) -> str:
        from annotator.resources import resource_dir, resource_path

        sample = resource_path(SAMPLE_ARTICLE)
        _check(sample.is_file(), f"the sample article is missing: {sample}")
        _check(resource_path(ICON).is_file(), f"the icon is missing: {resource_path(ICON)}")
        self.sample_text = sample.read_text(encoding="utf-8")
        _check(SENTENCE in self.sample_text, "the sample article is not the expected text")
        return f"sample article and icon in {resource_dir()}"

    def application(self) -> str:
        from PySide6.QtCore import QCoreApplication, QSettings, QtMsgType, qInstallMessageHandler
        from PySide6.QtGui import QGuiApplication

        from annotator.app import create_application

        def collect(kind: QtMsgType, _context: object, message: str) -> None:
            if kind != QtMsgType.QtDebugMsg:
                self.qt_messages.append(f"{kind.name}: {message}")

        qInstallMessageHandler(collect)
        # QSettings() (window geometry) goes to an INI file in the scratch folder on every OS.
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(self.scratch / "qsettings")
        )
        self.app = create_application([sys.argv[0] if sys.argv else "annotator"])
        QCoreApplication.setOrganizationName("news-annotator-self-test")
        icon = self.app.windowIcon()
        _check(not icon.isNull(), "the application icon did not load")
        # Rendering the SVG needs Qt's SVG icon engine and image plugin in the build.
        image = icon.pixmap(32, 32).toImage()
        _check(
            not image.isNull() and image.pixelColor(16, 16).alpha() > 0,
            "the SVG application icon does not render (Qt's SVG plugins are missing?)",
        )
        return f"Qt {self._qt_version()} on the {QGuiApplication.platformName()} platform"

    def project(self) -> str:
        from annotator.formats.importer import import_paths
        from annotator.resources import resource_path
        from annotator.store import Project

        page = self.scratch / "harbour.html"
        page.write_text(NEWS_PAGE, encoding="utf-8")
        with Project.open(self.project_path) as project:
            sample = import_paths(project, [resource_path(SAMPLE_ARTICLE)], annotator=ANNOTATOR)
            _check(sample.articles_added == 1, f"sample import: {sample.describe()}")
            self.sample_article_id = sample.article_ids[0]
            html = import_paths(project, [page], annotator=ANNOTATOR)
            _check(html.articles_added == 1, f"saved page import: {html.describe()}")
            article = project.article(html.article_ids[0])
            _check(
                NEWS_PAGE_SENTENCE in article.text and article.source == "Self-test Gazette",
                f"the saved page was not extracted as expected: {article.text[:200]!r}",
            )
        return f"{self.project_path.name}: sample article and a saved news page imported"

    def window_opens(self) -> str:
        from annotator.settings import Settings
        from annotator.store import Project
        from annotator.ui.main_window import MainWindow

        scratch_settings = self.scratch / "settings.json"

        class ScratchSettings(Settings):
            """The app's settings record, saved in the scratch folder instead of the profile."""

            @classmethod
            def path(cls) -> Path:
                return scratch_settings

        self.settings = ScratchSettings(annotator=ANNOTATOR)
        self.window = MainWindow(Project.open(self.project_path), self.settings)
        self.window.show()
        self._wait(
            lambda: (
                self.window.windowHandle() is not None and self.window.windowHandle().isExposed()
            ),
            "the main window to be shown",
        )
        if self.window.article_id != self.sample_article_id:
            self.window.open_article(self.sample_article_id)
        _check(self.window.article_id == self.sample_article_id, "the sample article did not open")
        shown = self.window.reader.view.document().toRawText().replace("\u2029", "\n")
        _check(shown == self.sample_text, "the reader does not show the sample article's text")
        _check(scratch_settings.is_file(), "settings were not saved to the scratch folder")
        return f"main window shows {self.window.windowTitle()!r}"

    def tag(self) -> str:
        from PySide6.QtGui import QAction

        window = self.window
        label = next((lb for lb in window.session.labels() if lb.name == LABEL), None)
        if label is None:
            raise SelfTestFailure(f"the project has no {LABEL!r} label")
        start = self.sample_text.index(SENTENCE)
        window.reader.view.setFocus()
        window.reader.view.select_range(start, start + len(SENTENCE))
        _check(
            window.reader.view.selected_range() == (start, start + len(SENTENCE)),
            "selecting the sentence in the reader did not select it",
        )
        action = window.findChild(QAction, f"tag_{label.id}")
        _check(action is not None and action.isEnabled(), f"no enabled action tags as {LABEL}")
        action.trigger()
        self._process_events()
        spans = window.session.project.spans(self.sample_article_id)
        _check(len(spans) == 1, f"expected one span after tagging, found {len(spans)}")
        span = spans[0]
        _check(
            (span.start, span.end, span.text, span.label_id)
            == (start, start + len(SENTENCE), SENTENCE, label.id),
            f"the new span is {span.text!r} [{span.start}, {span.end}), not the selected sentence",
        )
        _check(span.id in window.reader.view.spans, "the reader does not highlight the new span")
        return f"{SENTENCE!r} tagged as {LABEL} at [{span.start}, {span.end})"

    def undo_redo(self) -> str:
        window = self.window
        project = window.session.project
        _check(window.undo_action.isEnabled(), "Undo is not enabled after tagging")
        window.undo_action.trigger()
        self._process_events()
        _check(project.spans(self.sample_article_id) == [], "Undo did not remove the span")
        _check(not window.reader.view.spans, "the reader still highlights the undone span")
        _check(window.redo_action.isEnabled(), "Redo is not enabled after Undo")
        window.redo_action.trigger()
        self._process_events()
        spans = project.spans(self.sample_article_id)
        _check([s.text for s in spans] == [SENTENCE], "Redo did not bring the span back")
        _check(window.reader.view.spans, "the reader does not highlight the redone span")
        return "the tag was undone and redone"

    def export(self) -> str:
        from annotator.formats.export import export_project
        from annotator.formats.importer import import_paths
        from annotator.store import Project

        report = export_project(self.window.session.project, "jsonl", self.export_path)
        _check(self.export_path.is_file(), f"the export wrote no file at {self.export_path}")
        records = [
            json.loads(line)
            for line in self.export_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        _check(len(records) == 2, f"expected 2 articles in the export, found {len(records)}")
        tagged = [r for r in records if r.get("spans")]
        _check(len(tagged) == 1 and len(tagged[0]["spans"]) == 1, "the export lost the span")
        record, span = tagged[0], tagged[0]["spans"][0]
        _check(
            span["text"] == SENTENCE
            and record["text"][span["start"] : span["end"]] == SENTENCE
            and span["label"] == LABEL,
            f"the exported span is {span!r}",
        )
        # The export reads back through the JSONL importer into a fresh project.
        with Project.open(self.scratch / "reimport.annot") as again:
            summary = import_paths(again, [self.export_path], annotator=ANNOTATOR)
            _check(summary.articles_added == 2, f"re-import: {summary.describe()}")
            texts = [s.text for article_id in summary.article_ids for s in again.spans(article_id)]
            _check(texts == [SENTENCE], f"re-imported spans: {texts!r}")
        written = report.describe().splitlines()[0].rstrip(".") if report.describe() else "written"
        return f"{written} to {self.export_path.name}; read back and re-imported"

    def reopen(self) -> str:
        from annotator.store import Project

        self.window.close()
        self._process_events()
        self.window = None
        with Project.open(self.project_path, create=False, read_only=True) as project:
            spans = project.spans(self.sample_article_id)
            _check([s.text for s in spans] == [SENTENCE], "the span was not saved in the file")
        return "the project file holds the span after the window closed"

    # -------------------------------------------------------------------------- helpers
    def _process_events(self) -> None:
        """Let the event loop run briefly (what is queued gets delivered, deferred deletes
        included), the way the running app would between two user actions."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(5, loop.quit)
        loop.exec()

    def _wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + EXPOSE_TIMEOUT_S
        while not condition():
            if time.monotonic() > deadline:
                raise SelfTestFailure(f"timed out waiting for {what}")
            self._process_events()
            time.sleep(0.01)

    @staticmethod
    def _qt_version() -> str:
        from PySide6.QtCore import qVersion

        return qVersion()

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window = None


STEPS: tuple[tuple[str, Callable[[_Run], str]], ...] = (
    ("resources", _Run.resources),
    ("application", _Run.application),
    ("project", _Run.project),
    ("main window", _Run.window_opens),
    ("tag", _Run.tag),
    ("undo/redo", _Run.undo_redo),
    ("export", _Run.export),
    ("reopen", _Run.reopen),
)


def run_self_test(out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run every step; 0 when all pass, 1 (with the failing step's reason) otherwise."""
    from annotator import __version__

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    began = time.monotonic()
    _write(out, f"News Annotator {__version__} self-test")
    with tempfile.TemporaryDirectory(
        prefix="news-annotator-self-test-", ignore_cleanup_errors=True
    ) as tmp:
        scratch = Path(tmp)
        _isolate(scratch)
        run = _Run(scratch)
        try:
            for name, step in STEPS:
                try:
                    detail = step(run)
                except SelfTestFailure as exc:
                    return _failed(out, err, name, str(exc), run)
                except Exception as exc:  # noqa: BLE001 - any crash is the finding
                    detail = "".join(traceback.format_exception(exc)).rstrip()
                    return _failed(out, err, name, detail, run)
                _write(out, f"ok    {name}: {detail}")
        finally:
            run.close()
    _write(out, f"self-test passed in {time.monotonic() - began:.1f} s")
    return 0


def _failed(out: TextIO | None, err: TextIO | None, step: str, reason: str, run: _Run) -> int:
    _write(out, f"FAIL  {step}")
    _write(err, f"annotator self-test failed at step '{step}': {reason}")
    if run.qt_messages:
        _write(err, "Qt messages:\n  " + "\n  ".join(run.qt_messages))
    return 1
