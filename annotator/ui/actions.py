"""Every fixed action of the main window, declared once with its text and default shortcut.

Label hotkeys (1–9 by default) are data of the project and are bound separately; a test checks
that no two actions here share a shortcut and that none takes a label hotkey.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    shortcut: str | QKeySequence.StandardKey | None = None
    tip: str = ""
    checkable: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("new_project", "&New Project…", Key.New, "Create an empty project file"),
    ActionSpec("open_project", "&Open Project…", Key.Open, "Open a project file"),
    ActionSpec(
        "save_copy",
        "Save a &Copy…",
        "Ctrl+Shift+S",
        "Write a self-contained copy of the project, e.g. to send to a colleague",
    ),
    ActionSpec(
        "restore_backup",
        "Restore from &Backup…",
        None,
        "Replace the project with one of its automatic backups",
    ),
    ActionSpec(
        "import_files", "&Import Files…", "Ctrl+I", "Import .txt, .md, .html, .jsonl or .csv files"
    ),
    ActionSpec(
        "import_folder",
        "Import &Folder…",
        "Ctrl+Shift+I",
        "Import every supported file in a folder and its subfolders",
    ),
    ActionSpec(
        "export",
        "&Export…",
        "Ctrl+E",
        "Export labeled data as JSONL, doccano, brat, CoNLL, CSV, Label Studio or Parquet",
    ),
    ActionSpec("quit", "&Quit", Key.Quit),
    # Edit
    ActionSpec(
        "manage_labels", "&Labels…", "Ctrl+L", "Add, rename, recolour, reorder or delete labels"
    ),
    ActionSpec("set_annotator", "Analyst &Name…", None, "The name recorded on your spans"),
    ActionSpec(
        "snap_to_words",
        "&Snap Selection to Words",
        "Ctrl+W",
        "Grow selections so they never cut a word",
        checkable=True,
    ),
    ActionSpec("find", "&Find Articles", Key.Find, "Search the text and titles of all articles"),
    # Span
    ActionSpec("edit_span", "&Edit Span…", "Return", "Edit label, boundaries, note and attributes"),
    ActionSpec("delete_span", "&Delete Span", Key.Delete, "Delete the selected span"),
    ActionSpec(
        "span_to_selection",
        "Set Span to Se&lection",
        "Ctrl+B",
        "Move the selected span's boundaries to the selected text",
    ),
    ActionSpec("extend_start", "Extend Start by a Word", "Alt+Left"),
    ActionSpec("shrink_start", "Shrink Start by a Word", "Alt+Right"),
    ActionSpec("shrink_end", "Shrink End by a Word", "Alt+Shift+Left"),
    ActionSpec("extend_end", "Extend End by a Word", "Alt+Shift+Right"),
    ActionSpec(
        "link_span",
        "&Link to Source…",
        "Ctrl+K",
        "Link the selected span (e.g. a Quote) to the span it is attributed to",
    ),
    ActionSpec("next_span", "&Next Span", "]", "Select the next span"),
    ActionSpec("previous_span", "&Previous Span", "[", "Select the previous span"),
    ActionSpec("clear_span", "Clear Span Selection", "Esc"),
    # Article
    ActionSpec("next_article", "&Next Article", "Ctrl+PgDown", "Open the next article in the list"),
    ActionSpec(
        "previous_article",
        "&Previous Article",
        "Ctrl+PgUp",
        "Open the previous article in the list",
    ),
    ActionSpec("status_new", "Mark as &New", "Ctrl+Alt+1"),
    ActionSpec("status_in_progress", "Mark as &In Progress", "Ctrl+Alt+2"),
    ActionSpec("status_done", "Mark as &Done", "Ctrl+Alt+3"),
    # View
    ActionSpec("zoom_in", "Zoom &In", Key.ZoomIn),
    ActionSpec("zoom_out", "Zoom &Out", Key.ZoomOut),
    ActionSpec("zoom_reset", "&Actual Size", "Ctrl+0"),
    ActionSpec(
        "show_all_layers",
        "Show &All Annotators",
        "Ctrl+Shift+A",
        "Show every annotator's spans, not just yours",
        checkable=True,
    ),
)


def build_actions(parent: QWidget, specs: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QAction]:
    """Create the QActions of ``specs`` (the window's :data:`ACTIONS`), parented to ``parent``."""
    actions: dict[str, QAction] = {}
    for spec in specs:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.name)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        action.setCheckable(spec.checkable)
        actions[spec.name] = action
    return actions
