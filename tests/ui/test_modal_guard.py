"""The guard against blocking calls covers the product's own popup menus."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from annotator.ui.main_window import MainWindow


def test_a_context_menu_in_the_reader_fails_the_test(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The product's own popup menu (right click in the text) is caught, raised in a slot."""
    view = window.reader.view
    with qtbot.captureExceptions() as raised:
        view.customContextMenuRequested.emit(QPoint(5, 5))
    assert [str(error) for _kind, error, _trace in raised] == [
        "QMenu.exec() would wait for a person and hang the run: stub it in this test "
        "(monkeypatch) or open it without blocking (.open(); .popup() for a menu)"
    ]
