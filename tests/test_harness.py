"""The test harness itself: a forgotten modal dialog fails its test instead of hanging the run,
and window settings (QSettings) live in each test's own folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMenu, QMessageBox

from tests.conftest import MODAL_CALLS, REPO


@pytest.mark.parametrize(
    "call",
    [
        lambda: QMessageBox.warning(None, "Title", "Text"),
        lambda: QMessageBox(QMessageBox.Icon.Information, "Title", "Text").exec(),
        lambda: QDialog().exec(),
        lambda: QFileDialog.getOpenFileName(None, "Open"),
        lambda: QInputDialog.getText(None, "Name", "Name:"),
        lambda: QDialog().exec_(),
        lambda: QMenu().exec(),
        lambda: QMenu().exec(QPoint(10, 10)),
        lambda: QMenu().exec_(QPoint(10, 10)),
        lambda: QMenu.exec([QAction("Copy")], QPoint(10, 10)),
    ],
    ids=[
        "static-warning",
        "message-exec",
        "dialog-exec",
        "file-dialog",
        "input",
        "dialog-exec_",
        "menu-exec",
        "menu-exec-at",
        "menu-exec_",
        "menu-static-exec",
    ],
)
def test_a_blocking_dialog_fails_the_test(qapp: object, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(pytest.fail.Exception, match="would wait for a person"):
        call()


def test_a_test_may_stub_a_dialog_itself(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert QMessageBox.question(None, "Sure?", "Really?") == QMessageBox.StandardButton.Yes


INNER_TEST = """
from PySide6.QtWidgets import QMenu

from tests.conftest import _no_blocking_dialogs  # noqa: F401  (the autouse guard)


def test_forgets_to_stub_a_context_menu(qapp):
    menu = QMenu()
    menu.addAction("Copy")
    menu.exec()
"""


def test_a_forgotten_popup_menu_fails_its_run_instead_of_hanging(tmp_path: Path) -> None:
    """A whole pytest run whose test reaches QMenu.exec() ends, with that test failed."""
    (tmp_path / "test_inner.py").write_text(INNER_TEST, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_inner.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,  # a hung menu would wait for ever; the guard ends it at once
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed" in run.stdout
    assert "QMenu.exec() would wait for a person" in run.stdout


def test_a_test_may_stub_a_popup_menu_itself(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = QAction("Copy")

    class ChoosingMenu(QMenu):
        def exec(self, *at: object) -> QAction:  # type: ignore[override]
            return chosen

    assert ChoosingMenu().exec() is chosen  # a subclass's own exec is its own
    with pytest.raises(pytest.fail.Exception, match="would wait for a person"):
        QMenu().exec()
    monkeypatch.setattr(QMenu, "exec", lambda menu, *at: chosen)
    assert QMenu().exec(QPoint(1, 1)) is chosen


def test_every_guarded_call_exists_in_this_qt() -> None:
    from PySide6 import QtWidgets

    missing = [
        f"{cls}.{call}"
        for cls, calls in MODAL_CALLS.items()
        for call in calls
        if not hasattr(getattr(QtWidgets, cls), call)
    ]
    assert missing == []


def test_qsettings_live_in_this_tests_folder(qapp: object, _isolated_dirs: Path) -> None:
    QCoreApplication.setOrganizationName("news-annotator-tests")
    settings = QSettings()
    settings.setValue("main_window/geometry", b"abc")
    settings.sync()
    assert Path(settings.fileName()).is_relative_to(_isolated_dirs)
    assert Path(settings.fileName()).exists()
