"""Shortcuts: the Review menu's actions clash with no other action, undo/redo or label hotkey."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence

from annotator.ui.actions import ACTIONS
from annotator.ui.main_window import MainWindow
from annotator.ui.review.actions import REVIEW_ACTIONS


def _keys(shortcut: str | QKeySequence.StandardKey) -> list[QKeySequence]:
    if isinstance(shortcut, QKeySequence.StandardKey):
        return list(QKeySequence.keyBindings(shortcut))
    return [QKeySequence(shortcut)]


def test_no_two_declared_actions_share_a_shortcut(window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for spec in (*ACTIONS, *REVIEW_ACTIONS):
        if spec.shortcut is None:
            continue
        for key in _keys(spec.shortcut):
            text = key.toString()
            assert text not in seen, f"{spec.name} and {seen[text]} share {text}"
            seen[text] = spec.name
    # Undo and redo are declared with the others; all their keys (Ctrl+Y too) are theirs.
    for action in (window.undo_action, window.redo_action):
        for key in action.shortcuts():
            assert seen.get(key.toString(), action.objectName()) == action.objectName()
    hotkeys = {label.hotkey for label in window.session.labels() if label.hotkey}
    assert not hotkeys & set(seen)
    assert {spec.name for spec in REVIEW_ACTIONS} == set(window.review.named_actions)


def test_every_live_action_of_the_window_has_its_own_shortcut(window: MainWindow) -> None:
    """What the user can actually press: every action the window holds, label tags included."""
    owners: dict[str, QAction] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString()
            if not text:
                continue
            other = owners.setdefault(text, action)
            assert other is action, f"{action.text()!r} and {other.text()!r} share {text}"
    for text in ("F8", "Shift+F8", "Alt+1", "Alt+2", "Alt+3", "Alt+B", "Alt+N", "Alt+Return"):
        assert owners[text].objectName().startswith("review_"), text
    # undo and redo are live actions of the window too, with every key they answer to
    assert owners["Ctrl+Z"] is window.undo_action
    assert owners["Ctrl+Y"] is window.redo_action and owners["Ctrl+Shift+Z"] is window.redo_action
    labels = window.session.labels()
    assert labels and all(
        owners[label.hotkey].objectName() == f"tag_{label.id}" for label in labels if label.hotkey
    )


def test_review_menu_lists_its_actions(window: MainWindow) -> None:
    menu = window.review.menu
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names[:3] == ["review_compare", "review_refresh", "review_close"]
    assert {"review_next", "review_previous", "review_merge", "review_save_report"} <= set(names)
    assert menu.title() == "&Review"


def test_readme_documents_the_review_keys_and_shows_the_panel() -> None:
    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for keys in (
        "<kbd>F8</kbd>",
        "<kbd>Shift</kbd>+<kbd>F8</kbd>",
        "<kbd>Alt</kbd>+<kbd>1</kbd>",
        "<kbd>Alt</kbd>+<kbd>B</kbd>",
        "<kbd>Alt</kbd>+<kbd>N</kbd>",
        "<kbd>Alt</kbd>+<kbd>Enter</kbd>",
        "<kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>R</kbd>",
    ):
        assert keys in readme, keys
    shortcuts = {spec.shortcut for spec in REVIEW_ACTIONS if spec.shortcut}
    assert shortcuts == {
        "Ctrl+Shift+R",
        "F8",
        "Shift+F8",
        "Alt+1",
        "Alt+2",
        "Alt+3",
        "Alt+B",
        "Alt+N",
        "Alt+Return",
    }
    assert "(docs/screenshots/reviewing.png)" in readme
    assert (repo / "docs" / "screenshots" / "reviewing.png").is_file()
