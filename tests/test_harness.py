"""The test harness itself: a forgotten modal dialog fails its test instead of hanging the run,
and window settings (QSettings) live in each test's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from tests.conftest import MODAL_CALLS


@pytest.mark.parametrize(
    "call",
    [
        lambda: QMessageBox.warning(None, "Title", "Text"),
        lambda: QMessageBox(QMessageBox.Icon.Information, "Title", "Text").exec(),
        lambda: QDialog().exec(),
        lambda: QFileDialog.getOpenFileName(None, "Open"),
        lambda: QInputDialog.getText(None, "Name", "Name:"),
    ],
    ids=["static-warning", "message-exec", "dialog-exec", "file-dialog", "input"],
)
def test_a_blocking_dialog_fails_the_test(qapp: object, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(pytest.fail.Exception, match="would wait for a person"):
        call()


def test_a_test_may_stub_a_dialog_itself(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert QMessageBox.question(None, "Sure?", "Really?") == QMessageBox.StandardButton.Yes


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
