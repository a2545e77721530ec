"""Preferences, the keyboard cheat sheet and the user guide, driven through their widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from annotator.core.model import Label
from annotator.resources import resource_path
from annotator.settings import Settings
from annotator.ui.actions import (
    ACTIONS,
    CATEGORIES,
    build_actions,
    connect_handlers,
    default_keys,
    shortcut_conflicts,
)
from annotator.ui.help import USER_GUIDE, ShortcutsWindow, UserGuideWindow, shortcut_rows
from annotator.ui.preferences import PreferencesDialog


def test_every_action_is_in_exactly_one_menu_and_has_help_text() -> None:
    names = [spec.name for spec in ACTIONS]
    in_menus = [name for menu in CATEGORIES.values() for name in menu]
    assert sorted(in_menus) == sorted(names)
    assert all(spec.tip for spec in ACTIONS), [s.name for s in ACTIONS if not s.tip]
    assert {"undo", "redo", "preferences", "keyboard_shortcuts"} <= set(names)


def test_default_shortcuts_clash_nowhere() -> None:
    assignments = {spec.name: default_keys(spec) for spec in ACTIONS}
    assert shortcut_conflicts(assignments, {f"label {n}": str(n) for n in range(1, 10)}) == []
    assert QKeySequence("Ctrl+,") in assignments["preferences"]
    assert QKeySequence("F1") in assignments["keyboard_shortcuts"]
    assert QKeySequence("Ctrl+Y") in assignments["redo"]


def test_handlers_connect_by_name(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    actions = build_actions(parent, shortcuts={"find": "Ctrl+Shift+F", "quit": ""})
    assert actions["find"].shortcuts() == [QKeySequence("Ctrl+Shift+F")]
    assert actions["quit"].shortcuts() == []
    called: list[object] = []
    connect_handlers(
        actions,
        {"find": lambda: called.append("find"), "show_all_layers": called.append},
    )
    actions["find"].trigger()
    actions["show_all_layers"].trigger()
    assert called == ["find", True]


def test_shortcuts_window_lists_every_registered_action(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    actions = build_actions(parent, shortcuts={"find": "Ctrl+Shift+F"})
    labels = [Label(1, "Quote", "#e69f00", "1"), Label(2, "Source", "#0072b2", "2")]
    window = ShortcutsWindow(shortcut_rows(actions, labels=labels), parent)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "Keyboard Shortcuts"
    rows = window.rows()
    listed = {row[1] for row in rows}
    assert {spec.title for spec in ACTIONS} <= listed
    assert ("Labels", "Tag as Quote", "1") in [row[:3] for row in rows]
    find = next(row for row in rows if row[1] == "Find Articles")
    assert find[2] == QKeySequence("Ctrl+Shift+F").toString(QKeySequence.SequenceFormat.NativeText)

    window.search.setText("redo")
    assert [row[1] for row in window.rows()] == ["Redo"]


def test_user_guide_is_bundled_and_opens_offline(qtbot) -> None:
    assert resource_path(USER_GUIDE).is_file()
    window = UserGuideWindow()
    qtbot.addWidget(window)
    text = window.browser.toPlainText()
    assert "User Guide" in text and "Relations" in text


def make_preferences(qtbot, **kwargs: object) -> PreferencesDialog:
    dialog = PreferencesDialog(
        Settings(annotator="ana", theme="light"),
        reserved={"Tag as Quote": "1", "Tag as Source": "2"},
        **kwargs,  # type: ignore[arg-type]
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_preferences_window_edits_a_copy_applied_on_ok(qtbot) -> None:
    dialog = make_preferences(qtbot)
    assert dialog.windowTitle() == "Preferences"
    dialog.size_box.setValue(15)
    dialog.spacing_box.setValue(1.8)
    dialog.annotator_edit.setText("Ana Ö")
    dialog.interval_box.setValue(5)
    dialog.keep_box.setValue(25)
    dialog.folder_edit.setText("/srv/projects")
    dialog.relation_box.setCurrentIndex(dialog.relation_box.findData("selected"))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted
    settings = Settings()
    dialog.values.apply_to(settings)
    assert (settings.font_size, settings.line_spacing, settings.annotator) == (15, 1.8, "Ana Ö")
    assert (settings.backup_interval_minutes, settings.backup_keep) == (5, 25)
    assert settings.default_project_folder == "/srv/projects"
    assert settings.relation_mode == "selected"


def test_theme_is_previewed_at_once_and_restored_on_cancel(qtbot) -> None:
    dialog = make_preferences(qtbot)
    with qtbot.waitSignal(dialog.theme_previewed) as blocker:
        dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    assert blocker.args == ["dark"]
    with qtbot.waitSignal(dialog.theme_previewed) as blocker:
        dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert blocker.args == ["light"]


def test_a_conflicting_shortcut_is_refused_with_a_message(qtbot) -> None:
    dialog = make_preferences(qtbot)
    dialog.tabs.setCurrentIndex(2)
    dialog.select_action("export")
    dialog.key_edit.setKeySequence(QKeySequence("Ctrl+F"))  # Find Articles has it
    set_button = next(
        b
        for b in dialog.findChildren(type(dialog.buttons.button(dialog.buttons.StandardButton.Ok)))
        if b.text() == "S&et"
    )
    qtbot.mouseClick(set_button, Qt.MouseButton.LeftButton)
    assert "Find Articles" in dialog.shortcut_message.text()
    assert "already" in dialog.shortcut_message.text()
    assert "export" not in dialog.values.shortcuts

    # A label's hotkey is taken too.
    assert not dialog.assign_shortcut("export", "2")
    assert "Tag as Source" in dialog.shortcut_message.text()

    # A free key is accepted and shown in the list.
    assert dialog.assign_shortcut("export", "Ctrl+Shift+E")
    assert dialog.values.shortcuts["export"] == "Ctrl+Shift+E"
    row = next(
        r
        for r in range(dialog.shortcut_model.rowCount())
        if dialog.shortcut_model.item(r, 1).text() == "Export"
    )
    assert dialog.shortcut_model.item(row, 2).text() == QKeySequence("Ctrl+Shift+E").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    # Then Find can take Ctrl+E? No: Export's old default is free again, Find may take it.
    assert dialog.assign_shortcut("find", "Ctrl+E")
    assert dialog.reset_shortcut("export") is False  # its default now belongs to Find
    assert dialog.reset_shortcut("find")


def test_app_palette_is_untouched_by_preferences_alone(qtbot) -> None:
    app = QApplication.instance()
    assert app is not None
    before = app.palette().color(app.palette().ColorRole.Base)
    dialog = make_preferences(qtbot)
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    # The dialog only asks; the window applies the theme (see the window tests).
    assert app.palette().color(app.palette().ColorRole.Base) == before
