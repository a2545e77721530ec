"""The main window's reading preferences, Help and Preferences, through real key presses."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from annotator.settings import Settings
from annotator.ui.actions import ACTIONS
from annotator.ui.help import ShortcutsWindow
from annotator.ui.layer_styles import LayerStyle
from annotator.ui.main_window import MainWindow
from annotator.ui.preferences import PreferencesDialog
from annotator.ui.reader import RelationMode
from annotator.ui.reading import system_font_scale


def press(qtbot, window: MainWindow, sequence: str) -> None:
    key = QKeySequence(sequence)[0]
    window.reader.view.setFocus()
    qtbot.keyClick(window.reader.view, key.key(), key.keyboardModifiers())


def test_f1_opens_the_shortcuts_window_listing_every_registered_action(
    qtbot, window: MainWindow
) -> None:
    press(qtbot, window, "F1")
    shortcuts = window.reading.shortcuts_window
    assert isinstance(shortcuts, ShortcutsWindow)
    qtbot.waitUntil(shortcuts.isVisible)
    assert shortcuts.windowTitle() == "Keyboard Shortcuts"
    rows = shortcuts.rows()
    titles = {row[1] for row in rows}
    assert {spec.title for spec in ACTIONS} <= titles
    assert {f"Tag as {lb.name}" for lb in window.session.labels() if lb.hotkey} <= titles
    assert "Compare with" in titles  # the review registry too
    undo = next(row for row in rows if row[1] == "Undo")
    assert undo[2].startswith(
        QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
    )
    help_menu = window.reading.help_menu
    assert [a.objectName() for a in help_menu.actions() if a.objectName()] == [
        "keyboard_shortcuts",
        "user_guide",
        "about",
    ]
    shortcuts.close()


def test_preferences_open_with_ctrl_comma_and_apply_at_once(qtbot, window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    press(qtbot, window, "Ctrl+,")
    dialog = window.reading.preferences_dialog
    assert isinstance(dialog, PreferencesDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Preferences"
    light_base = app.palette().color(QPalette.ColorRole.Base)
    try:
        dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
        # The theme changes at once, before OK: the palette and the reader's highlights.
        assert app.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.3
        qtbot.waitUntil(lambda: window.reader.view.highlighter.scheme.dark)
        dialog.spacing_box.setValue(1.9)
        dialog.size_box.setValue(16)
        dialog.assign_shortcut("find", "Ctrl+Shift+F")
        with qtbot.waitSignal(dialog.finished):
            dialog.accept()
        view = window.reader.view
        assert view.line_spacing == 1.9
        assert view.font().pointSizeF() == 16 * system_font_scale()
        assert window.named_actions["find"].shortcuts() == [QKeySequence("Ctrl+Shift+F")]
        saved = Settings.load()
        assert (saved.theme, saved.line_spacing, saved.font_size) == ("dark", 1.9, 16.0)
        assert saved.shortcuts == {"find": "Ctrl+Shift+F"}
    finally:
        window.reading.theme.apply("light")
    assert app.palette().color(QPalette.ColorRole.Base) == light_base


def test_suggestion_actions_are_registered_listed_and_their_keys_can_be_chosen(
    qtbot, window: MainWindow
) -> None:
    names = [f"suggest_{n}" for n in ("accept", "reject", "next", "previous")]
    names += ["suggest_accept_all", "suggest_reject_all"]
    menu = window.suggestions.menu
    for name in names:
        # One action: the one in the Suggestions menu is the registry's.
        assert window.named_actions[name] in menu.actions()
    press(qtbot, window, "F1")
    shortcuts = window.reading.shortcuts_window
    assert isinstance(shortcuts, ShortcutsWindow)
    qtbot.waitUntil(shortcuts.isVisible)
    rows = {row[1]: row for row in shortcuts.rows()}
    for title in ("Accept Suggestion", "Reject Suggestion", "Next Suggestion"):
        assert rows[title][0] == "Suggestions"
    assert rows["Accept Suggestion"][2] == "Enter (on a suggestion)"
    assert rows["Reject Suggestion"][2] == "Backspace (on a suggestion)"
    # The platform's dedicated keys (F14, a keyboard's Undo key) are no text for the analyst.
    assert rows["Undo"][2].split(", ")[0] == "Ctrl+Z"
    assert "F14" not in rows["Undo"][2] and ", Undo" not in rows["Undo"][2]
    shortcuts.close()

    dialog = window.reading.show_preferences()
    assert dialog.assign_shortcut("suggest_accept_all", "Ctrl+Alt+A")
    dialog.accept()
    assert window.named_actions["suggest_accept_all"].shortcuts() == [QKeySequence("Ctrl+Alt+A")]
    assert window.suggestions.actions["accept_all"] is window.named_actions["suggest_accept_all"]


def test_a_label_hotkey_is_refused_as_an_action_shortcut(qtbot, window: MainWindow) -> None:
    dialog = window.reading.show_preferences()
    assert not dialog.assign_shortcut("export", "1")
    quote = window.session.label_for_hotkey("1")
    assert f"Tag as {quote.name}" in dialog.shortcut_message.text()
    # and a review action's key
    assert not dialog.assign_shortcut("export", "F8")
    dialog.reject()


def test_relations_are_handed_to_the_reader_and_follow_the_toggle(
    qtbot, window: MainWindow
) -> None:
    from annotator.ui.commands import AddRelationCommand

    session = window.session
    article = window.article_id
    text = window.reader.view.text
    first = session.add_span(article, text.index("Peskov"), text.index("Peskov") + 6, 1)
    second = session.add_span(article, 0, 5, 2)
    relation = session.add_relation(first.id, second.id, "attributed_to")
    window.undo_stack.push(AddRelationCommand(session, relation))
    assert [r.id for r in window.reader.view.relations] == [relation.id]
    window.named_actions["show_all_relations"].setChecked(False)
    assert window.reader.view.relation_mode == RelationMode.SELECTED
    window.named_actions["show_all_relations"].setChecked(True)
    assert window.reader.view.relation_mode == RelationMode.ALL
    window.undo_stack.undo()
    assert window.reader.view.relations == ()


def test_other_layers_get_their_styles(qtbot, window: MainWindow) -> None:
    session = window.session
    session.project.add_span(window.article_id, 0, 5, 1, annotator="gold")
    session.project.add_span(window.article_id, 6, 8, 1, annotator="bob")
    window.open_article(window.article_id)
    view = window.reader.view
    assert view.layer_style("gold") is LayerStyle.GOLD
    assert view.layer_style("bob") is LayerStyle.OUTLINE
    assert view.layer_style(session.annotator) is LayerStyle.FILL


def test_f6_moves_the_focus_between_panels(qtbot, window: MainWindow) -> None:
    window.articles.view.setFocus()
    qtbot.waitUntil(window.articles.view.hasFocus)
    qtbot.keyClick(window.articles.view, Qt.Key.Key_F6)
    assert window.reader.view.hasFocus()
    qtbot.keyClick(window.reader.view, Qt.Key.Key_F6)
    assert window.spans.view.hasFocus()
    qtbot.keyClick(window.spans.view, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert window.reader.view.hasFocus()


def test_the_reading_text_follows_a_larger_system_font(qtbot, window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font = app.font()
    try:
        larger = app.font()
        larger.setPointSizeF(15)
        app.setFont(larger)
        assert system_font_scale() == 1.5
        window.reading.apply_reading_preferences()
        assert window.reader.view.font().pointSizeF() == 18  # 12 points at 1.5 times
    finally:
        app.setFont(font)
        window.reading.apply_reading_preferences()


def test_widgets_carry_accessible_names_and_the_reader_shows_focus(qtbot, window) -> None:
    for widget in (window.reader.view, window.reading.help_menu):
        assert widget.accessibleName() or widget.title()
    window.reader.view.setFocus()
    qtbot.waitUntil(window.reader.view.hasFocus)
    image = window.reader.view.viewport().grab().toImage()
    highlight = window.reader.view.palette().color(QPalette.ColorRole.Highlight)
    assert image.pixelColor(1, 10) == highlight


def test_layers_present_are_shown_by_default_and_toggled_in_the_layers_panel(
    qtbot, project_path, settings
) -> None:
    from annotator.store import Project

    with Project.open(project_path) as project:
        project.add_span(1, 0, 5, 1, annotator="bob")
        project.add_span(1, 6, 8, 2, annotator="gold")
    window = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        view = window.reader.view
        window.open_article(1)
        model = window.reading.layers_panel.model
        # The project's layers are read on a thread of their own; then all are shown.
        qtbot.waitUntil(lambda: model.names() == ["alice", "bob", "gold"])
        assert view.visible_annotators is None or {"bob", "gold"} <= view.visible_annotators
        assert {s.annotator for s in view.spans_at(1)} == {"bob"}
        assert window.reading.layers_dock.isVisible()
        legend = [model.index(r, 1).data() for r in range(3)]
        assert legend == [
            LayerStyle.FILL.description,
            LayerStyle.OUTLINE.description,
            LayerStyle.GOLD.description,
        ]
        model.setData(
            model.index(1, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
        )
        assert view.spans_at(1) == []
        assert model.shown() == {"gold"}
        model.setData(
            model.index(1, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
        assert {s.annotator for s in view.spans_at(1)} == {"bob"}
    finally:
        window.close()


def test_layers_of_other_articles_arrive_from_the_background_scan(
    qtbot, project_path, settings
) -> None:
    from annotator.core.model import SUGGESTION_ANNOTATOR
    from annotator.store import Project

    with Project.open(project_path) as project:
        project.add_span(3, 0, 5, 1, annotator="dana")  # not on the article opened first
        project.add_span(3, 6, 9, 1, annotator=SUGGESTION_ANNOTATOR)  # waiting for review
    window = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(window)
    window.show()
    try:
        model = window.reading.layers_panel.model
        qtbot.waitUntil(lambda: "dana" in model.names())
        assert SUGGESTION_ANNOTATOR not in model.names()  # an overlay of its own, no layer
        assert window.reader.view.layer_style("dana") is LayerStyle.OUTLINE
        visible = window.reader.view.visible_annotators
        assert visible is None or "dana" in visible
    finally:
        window.close()
