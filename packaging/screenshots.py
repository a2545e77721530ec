"""Take the README's screenshots from the real app, on scratch files, under a virtual X server.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python packaging/screenshots.py [OUT_DIR]

Writes main-window.png, annotating.png, editing-a-span.png and exporting.png to docs/screenshots/
(or OUT_DIR).
The window is driven through its own actions, as in ``annotator --self-test``; settings and the
project live in a temporary folder. Look at every picture before committing it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1280, 800)

# (label, text to tag) in the sample article, in reading order.
SPANS = [
    ("Source", "the Kremlin"),
    ("Source", "presidential spokesman Dmitry Peskov"),
    (
        "Quote",
        "This is the first telephone contact since President Trump took office, so one "
        "should hardly expect that this phone call will involve substantive discussions "
        "across the whole range of issues. We'll see, let's be patient.",
    ),
    (
        "Claim",
        "Trump has said in the past that, as part of the rapprochement he is seeking with "
        "Russia, he is prepared to review the sanctions that Washington imposed on Russia "
        "over its 2014 annexation of Ukraine's Crimea Peninsula.",
    ),
    (
        "Speculation",
        "Such a move is likely to face resistance from both domestic and foreign politicians",
    ),
    (
        "Speculation",
        "If Putin and Trump can establish a rapport, it could pave the way for deals "
        "on Ukraine and Syria",
    ),
]
SELECTION = (
    "Presidents Vladimir Putin and Donald Trump will have their first official discussions since "
    "the inauguration in a phone call planned for Saturday"
)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="news-annotator-screenshots-") as scratch:
        try:
            return take_screenshots(out, Path(scratch))
        finally:
            shutil.rmtree(documents_folder().parent, ignore_errors=True)


def take_screenshots(out: Path, scratch: Path) -> int:
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(scratch / variable.lower())

    from PySide6.QtCore import QCoreApplication, QPoint, QTimer
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication

    from annotator.app import create_application
    from annotator.formats.importer import import_paths
    from annotator.resources import resource_path
    from annotator.selftest import NEWS_PAGE
    from annotator.settings import Settings
    from annotator.store import Project
    from annotator.ui.main_window import MainWindow

    app = create_application(sys.argv[:1])
    QCoreApplication.setOrganizationName("news-annotator-screenshots")
    project_path = documents_folder(fresh=True) / "Election coverage.annot"
    page = scratch / "harbour.html"
    page.write_text(NEWS_PAGE, encoding="utf-8")
    with Project.open(project_path) as project:
        import_paths(project, [page], annotator="maria")
        sample = import_paths(
            project, [resource_path("samples/putin-trump-call.txt")], annotator="maria"
        )
    article_id = sample.article_ids[0]
    text = resource_path("samples/putin-trump-call.txt").read_text(encoding="utf-8")

    window = MainWindow(Project.open(project_path), Settings(annotator="maria"))
    window.resize(*WINDOW_SIZE)
    window.move(40, 40)
    window.show()
    settle(app, 0.5)
    window.open_article(article_id)
    labels = {label.name: label for label in window.session.labels()}
    spans = {}
    for name, words in SPANS:
        start = text.index(words)
        window.reader.view.select_range(start, start + len(words))
        window.findChild(QAction, f"tag_{labels[name].id}").trigger()
        spans[words] = window.session.project.spans(article_id)[-1]
        settle(app, 0.05)
    # Link the quote to its source, the way Ctrl+K and a click do.
    quote = next(
        s for s in window.session.project.spans(article_id) if s.label_id == labels["Quote"].id
    )
    peskov = next(s for s in window.session.project.spans(article_id) if "Peskov" in s.text)
    window.reader.view.set_current_span(quote.id)
    window.actions["link_span"].trigger()
    window.reader.view.span_clicked.emit(peskov.id)
    window.reader.view.set_current_span(None)
    window.reader.view.scroll_to_offset(0)
    window.statusBar().clearMessage()
    settle(app, 0.5)
    grab(app, window, out / "main-window.png")

    # Annotating: a sentence selected, the Tag as menu open beside it.
    start = text.index(SELECTION)
    window.reader.view.select_range(start, start + len(SELECTION))
    window.reader.view.setFocus()
    settle(app, 0.3)
    rect = window.reader.view.cursorRect()
    window.tag_menu.popup(
        window.reader.view.viewport().mapToGlobal(rect.bottomRight() + QPoint(8, 8))
    )
    settle(app, 0.5)
    grab(app, window, out / "annotating.png")
    window.tag_menu.hide()

    # Editing a span: the quote selected and its editor open (what Enter does).
    cursor = window.reader.view.textCursor()
    cursor.clearSelection()
    window.reader.view.setTextCursor(cursor)
    window.reader.view.set_current_span(quote.id)
    settle(app, 0.3)

    def grab_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        settle(app, 0.5)
        grab(app, window, out / "editing-a-span.png")
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(800, grab_dialog)
    window.actions["edit_span"].trigger()

    # Exporting: File > Export..., when the window has it.
    if "export" in window.actions:
        window.reader.view.set_current_span(None)
        window.actions["export"].trigger()
        settle(app, 0.8)
        grab(app, window, out / "exporting.png")
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            dialog.reject()
    window.close()
    return 0


def documents_folder(*, fresh: bool = False) -> Path:
    """A short, plausible folder for the project: the export dialog shows its path in full."""
    home = Path(tempfile.gettempdir()) / "maria"
    sentinel = home / ".news-annotator-screenshots"
    if home.exists() and not sentinel.exists():
        raise SystemExit(f"{home} exists and is not from this script; move it away")
    if fresh:
        shutil.rmtree(home, ignore_errors=True)
        (home / "Documents").mkdir(parents=True)
        sentinel.touch()
    return home / "Documents"


def settle(app: object, seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def grab(app: object, window: object, path: Path) -> None:
    """The screen where the window is (menus and dialogs included), cropped to the window."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    geometry = window.frameGeometry()  # type: ignore[attr-defined]
    picture = screen.grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
    if picture.isNull() or not picture.save(str(path), "PNG"):
        raise SystemExit(f"could not save {path}")
    print(f"wrote {path} ({picture.width()}x{picture.height()})")


if __name__ == "__main__":
    sys.exit(main())
