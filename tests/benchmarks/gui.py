"""GUI scenarios, each run in a process of its own through the real MainWindow (offscreen).

``python -m tests.benchmarks.gui SCENARIO JSON_ARGS`` prints one JSON line: the samples in
milliseconds per measured step and the process's peak resident memory. Every step is timed from
the user's action (a keystroke, a click's slot, a scroll-bar move) until the widget that shows
the result has been repainted, pumping the event loop as the app's own loop would; edits are
also checked to be committed, through a second SQLite connection.

The settings (analyst name, reading place) and the backups live in the profile the parent
points XDG_CONFIG_HOME / XDG_DATA_HOME at; nothing touches the user's own profile.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt, QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

TIMEOUT = 30.0
STATUS_COLUMN = 3  # the article list's Status column (ArticleListModel.STATUS)


def _quiet(kind: QtMsgType, _context: object, message: str) -> None:
    if "This plugin does not support" not in message:
        print(message, file=sys.stderr)


class PaintWatch(QObject):
    """Counts paint events of one widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def until_painted(app: QApplication, watch: PaintWatch, before: int) -> None:
    """Pump events until the watched widget has been painted since ``before`` was read.

    The paint event is counted as it arrives; processEvents() returns once the whole repaint of
    the window (every dirty widget, in one backing-store pass) is done.
    """
    deadline = time.perf_counter() + TIMEOUT
    while watch.count == before:
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("no repaint")


def timed(app: QApplication, watch: PaintWatch, action: Any, check: Any = None) -> float:
    before = watch.count
    start = time.perf_counter()
    action()
    until_painted(app, watch, before)
    if check is not None:
        check()
    return (time.perf_counter() - start) * 1000


def settle(app: QApplication, window: Any, seconds: float = 0.3) -> None:
    """Let pending work finish: the background span check and queued events."""
    deadline = time.perf_counter() + TIMEOUT
    checks = getattr(getattr(window, "projects", None), "_span_checks", None)
    while checks and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def open_window(path: Path) -> tuple[QApplication, Any, float]:
    """What run_gui does for a project given on the command line, timed until first paint."""
    start = time.perf_counter()
    from annotator.app import create_application
    from annotator.settings import Settings
    from annotator.store import Project
    from annotator.ui.main_window import MainWindow

    app = create_application()
    qInstallMessageHandler(_quiet)
    settings = Settings.load()
    project = Project.open(path)
    window = MainWindow(project, settings)
    window.resize(1280, 820)
    watch = PaintWatch(window.reader.view.viewport())
    window.show()
    until_painted(app, watch, 0)
    seconds = time.perf_counter() - start
    window.activateWindow()
    deadline = time.perf_counter() + TIMEOUT
    while not window.isActiveWindow() and time.perf_counter() < deadline:
        app.processEvents()
    return app, window, seconds


def reader_ids(path: Path) -> dict[str, Any]:
    """The long article and the typical rich ones (about 50 spans), read before timing."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        big = conn.execute(
            "SELECT a.id FROM articles a ORDER BY length(a.text) DESC LIMIT 1"
        ).fetchone()[0]
        rich = [
            row[0]
            for row in conn.execute(
                "SELECT article_id FROM spans GROUP BY article_id"
                " HAVING count(*) BETWEEN 45 AND 60 ORDER BY article_id LIMIT 40"
            )
        ]
        small = conn.execute("SELECT min(id) FROM articles").fetchone()[0]
    finally:
        conn.close()
    return {"big": big, "rich": rich, "small": small}


# ------------------------------------------------------------------------------- scenarios
def scenario_open_article(args: dict[str, Any]) -> dict[str, Any]:
    path = Path(args["project"])
    ids = reader_ids(path)
    app, window, _ = open_window(path)
    settle(app, window)
    watch = PaintWatch(window.reader.view.viewport())
    samples, cpu = [], []
    for _ in range(args["reps"]):
        window.open_article(ids["small"])
        settle(app, window, 0.1)
        started = time.process_time()
        samples.append(timed(app, watch, lambda: window.open_article(ids["big"])))
        cpu.append((time.process_time() - started) * 1000)
        assert window.article_id == ids["big"]
        settle(app, window, 0.1)
    spans = len(window.span_model.spans())
    window.close()
    # CPU time of this process: what opening costs, however busy the machine is.
    return {
        "open": samples,
        "open_cpu": cpu,
        "spans": spans,
        "chars": len(window.workspace.article_text),
    }


def _word_ranges(text: str, first: int, count: int) -> list[tuple[int, int]]:
    """``count`` ranges of a few words each in the text from ``first`` on."""
    ranges = []
    at = first
    while len(ranges) < count:
        start = text.find(" ", at) + 1
        end = text.find(" ", start + 25)
        if start <= 0 or end < 0:
            at = first
            continue
        if "\n" not in text[start:end]:
            ranges.append((start, end))
        at = end + 40
        if at > first + 2500:
            at = first + len(ranges) % 7
    return ranges


def scenario_edit(args: dict[str, Any]) -> dict[str, Any]:
    """Add a span with its label's key, relabel it with another key, delete it with Del."""
    path = Path(args["project"])
    ids = reader_ids(path)
    app, window, _ = open_window(path)
    window.open_article(ids["big"])
    settle(app, window)
    view = window.reader.view
    watch = PaintWatch(view.viewport())
    session = window.session
    first_label = session.label_for_hotkey("1")
    second_label = session.label_for_hotkey("2")
    check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    text = window.workspace.article_text
    ranges = _word_ranges(text, view.first_visible_offset(), args["reps"])
    adds, relabels, deletes = [], [], []
    for start, end in ranges:
        view.select_range(start, end)
        app.processEvents()

        def added() -> None:
            span_id = view.current_span_id
            row = check.execute("SELECT label_id FROM spans WHERE id = ?", (span_id,)).fetchone()
            assert row == (first_label.id,), row

        adds.append(timed(app, watch, lambda: QTest.keyClick(view, Qt.Key.Key_1), added))

        def relabelled() -> None:
            row = check.execute(
                "SELECT label_id FROM spans WHERE id = ?", (view.current_span_id,)
            ).fetchone()
            assert row == (second_label.id,), row

        relabels.append(timed(app, watch, lambda: QTest.keyClick(view, Qt.Key.Key_2), relabelled))

        def deleted(span_id: int | None = view.current_span_id) -> None:
            row = check.execute("SELECT 1 FROM spans WHERE id = ?", (span_id,)).fetchone()
            assert row is None
            assert span_id not in view.spans

        deletes.append(timed(app, watch, lambda: QTest.keyClick(view, Qt.Key.Key_Delete), deleted))
    check.close()
    window.close()
    return {"add": adds, "relabel": relabels, "delete": deletes}


def scenario_scroll(args: dict[str, Any]) -> dict[str, Any]:
    path = Path(args["project"])
    ids = reader_ids(path)
    app, window, _ = open_window(path)
    window.open_article(ids["big"])
    settle(app, window)
    view = window.reader.view
    watch = PaintWatch(view.viewport())
    bar = view.verticalScrollBar()
    frames = []
    for _ in range(args["reps"]):
        if bar.value() + bar.pageStep() > bar.maximum():
            bar.setValue(0)
            settle(app, window, 0.05)
        frames.append(timed(app, watch, lambda: bar.setValue(bar.value() + bar.pageStep())))
    window.close()
    return {"scroll": frames}


def scenario_switch(args: dict[str, Any]) -> dict[str, Any]:
    path = Path(args["project"])
    ids = reader_ids(path)
    rich = ids["rich"]
    app, window, _ = open_window(path)
    settle(app, window)
    watch = PaintWatch(window.reader.view.viewport())
    step = window.named_actions["next_article"]
    samples = []
    i = 0
    while len(samples) < args["reps"]:
        # Runs of consecutive typical articles: open one, then step to the next with Ctrl+PgDn.
        if i + 1 >= len(rich):
            i = 0
        if rich[i + 1] != rich[i] + 1:
            i += 1
            continue
        window.open_article(rich[i])
        settle(app, window, 0.05)
        samples.append(timed(app, watch, step.trigger))
        assert window.article_id == rich[i + 1], (window.article_id, rich[i + 1])
        i += 1
    window.close()
    return {"switch": samples}


def scenario_project_open(args: dict[str, Any]) -> dict[str, Any]:
    """Open the big project in a window, then use its list a little; resident memory."""
    path = Path(args["project"])
    app, window, seconds = open_window(path)
    settle(app, window)
    rss_open = _rss_now()
    window.articles.view.sortByColumn(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
    window.articles.view.scrollToBottom()
    settle(app, window, 0.2)
    window.close()
    return {"open_s": [seconds], "rss_after_open_mb": rss_open}


def scenario_article_list(args: dict[str, Any]) -> dict[str, Any]:
    path = Path(args["project"])
    app, window, seconds = open_window(path)
    settle(app, window)
    view = window.articles.view
    watch = PaintWatch(view.viewport())
    model = window.article_model
    reps = args["reps"]
    opens = [timed(app, watch, model.reload) for _ in range(reps)]
    sorts = []
    for i in range(reps):
        order = Qt.SortOrder.AscendingOrder if i % 2 == 0 else Qt.SortOrder.DescendingOrder
        sorts.append(timed(app, watch, lambda o=order: view.sortByColumn(STATUS_COLUMN, o)))
    combo = window.articles.label_filter
    filters = []
    labels = list(range(1, combo.count()))
    for i in range(reps):
        index = labels[i % len(labels)]
        filters.append(timed(app, watch, lambda x=index: combo.setCurrentIndex(x)))
        assert model.total > 0
        combo.setCurrentIndex(0)
        settle(app, window, 0.02)
    window.close()
    return {"window_open_s": [seconds], "list_open": opens, "sort": sorts, "filter": filters}


SEARCHES = ("sanctions", "Reykjavík", "tourists capital", "Kraków", "brea", "petition 12,000")


def scenario_search(args: dict[str, Any]) -> dict[str, Any]:
    path = Path(args["project"])
    app, window, seconds = open_window(path)
    settle(app, window)
    view = window.articles.view
    watch = PaintWatch(view.viewport())
    box = window.articles.search_box
    samples = []
    hits = {}
    for i in range(args["reps"]):
        term = SEARCHES[i % len(SEARCHES)]

        def search(term: str = term) -> None:
            box.setText(term)
            # The typing pause the box waits for (its debounce timer) is the user's, not ours.
            window.articles.search_timer.stop()
            window.articles.apply_filter()

        samples.append(timed(app, watch, search))
        hits[term] = window.article_model.total
        box.clear()
        window.articles.search_timer.stop()
        window.articles.apply_filter()
        settle(app, window, 0.02)
    window.close()
    return {"window_open_s": [seconds], "search": samples, "hits": hits}


def _rss_now() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


SCENARIOS = {
    "open_article": scenario_open_article,
    "edit": scenario_edit,
    "scroll": scenario_scroll,
    "switch": scenario_switch,
    "project_open": scenario_project_open,
    "article_list": scenario_article_list,
    "search": scenario_search,
}


def main(argv: list[str]) -> int:
    name, raw = argv
    result = SCENARIOS[name](json.loads(raw))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Qt's teardown: it is not what a user waits for


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
