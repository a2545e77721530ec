"""The worker helper: long work on its own thread and connection, progress and result by
signals, cancellable; and the window's long operations really run there."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project, ProjectError
from annotator.ui.worker import Control, Worker, own_project


def test_the_operation_runs_on_another_thread_and_reports_progress_then_its_result(qtbot):
    seen: dict[str, int] = {}

    def operation(control: Control) -> str:
        seen["thread"] = threading.get_ident()
        for done in range(3):
            control.progress(done, 3, f"step {done}")
        return "done"

    worker: Worker[str] = Worker(operation)
    steps: list[tuple[int, int, str]] = []
    worker.progressed.connect(lambda d, t, what: steps.append((d, t, what)))
    with qtbot.waitSignal(worker.succeeded) as got:
        worker.start()
    worker.wait()
    assert got.args == ["done"]
    assert seen["thread"] != threading.get_ident()
    assert steps == [(0, 3, "step 0"), (1, 3, "step 1"), (2, 3, "step 2")]
    assert worker.result == "done" and worker.error is None


def test_a_failure_arrives_as_a_signal_and_from_wait_for_end(qtbot):
    def operation(_control: Control) -> None:
        raise ProjectError("x.annot", "is damaged")

    worker: Worker[None] = Worker(operation)
    failures: list[BaseException] = []
    worker.failed.connect(failures.append)
    worker.start()
    with pytest.raises(ProjectError, match="is damaged"):
        worker.wait_for_end()
    assert [str(f) for f in failures] == ["x.annot: is damaged"]  # delivered before the return


def test_cancelling_stops_the_operation_at_its_next_check(qtbot):
    started = threading.Event()
    checks: list[bool] = []

    def operation(control: Control) -> int:
        started.set()
        while not control.cancelled():
            checks.append(False)
            threading.Event().wait(0.005)
        return len(checks)

    worker: Worker[int] = Worker(operation)
    worker.start()
    assert started.wait(10)
    worker.cancel()
    assert worker.wait_for_end() == len(checks)
    assert worker.is_cancelled()


def test_own_project_is_a_second_connection_made_on_the_worker_thread(qtbot, tmp_path: Path):
    path = tmp_path / "p.annot"
    with Project.open(path) as project:  # the window's connection: holds the write lock
        article_id, _ = project.add_article(ArticleDraft(text="Written by the window."))

        def operation(_control: Control) -> int:
            with own_project(path) as mine:
                assert mine.db.conn is not project.db.conn
                new_id, _ = mine.add_article(ArticleDraft(text="Written by the worker."))
                return new_id

        worker: Worker[int] = Worker(operation)
        worker.start()
        new_id = worker.wait_for_end()
        # committed on the worker's connection, seen at once on the window's
        assert project.article_text(new_id) == "Written by the worker."
        assert project.has_article(article_id)


def test_the_window_imports_on_a_worker_thread(qtbot, window, tmp_path: Path, monkeypatch):
    import annotator.ui.import_dialog as imports

    threads: list[int] = []
    real = imports.import_paths

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "import_paths", spy)
    text = tmp_path / "new.txt"
    text.write_text("A new article, imported off the GUI thread.\n", encoding="utf-8")
    summary = window.import_paths([text])
    assert summary is not None and summary.articles_added == 1
    assert threads and threads[0] != threading.get_ident()
    assert window.article_model.row_of(summary.article_ids[0]) is not None
