"""Every fixed action of the main window, declared once: name, text, default shortcut, help
text and the menu it belongs to. Menus, the keyboard cheat sheet and Preferences all read this
registry; handlers are connected by action name (see :func:`connect_handlers`).

Label hotkeys (1–9 by default) are data of the project and are bound separately; a test checks
that no two actions here share a shortcut and that none takes a label hotkey. The analyst may
change any shortcut in Preferences; :func:`shortcut_conflicts` refuses clashes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey
Shortcut = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    shortcut: Shortcut | None = None
    tip: str = ""  # the help text: status bar, tooltip, cheat sheet, Preferences
    checkable: bool = False
    extra_shortcuts: tuple[str, ...] = ()  # further keys doing the same (e.g. Ctrl+Y for redo)
    # Keys that do it where it applies without being a shortcut of the window (e.g. Enter on a
    # selected suggestion): listed in the cheat sheet beside any shortcut chosen.
    context_keys: str = ""

    @property
    def title(self) -> str:
        """The text without its mnemonic marker and ellipsis, for lists."""
        return self.text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


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
    ActionSpec("quit", "&Quit", Key.Quit, "Close the project and leave News Annotator"),
    # Edit
    ActionSpec("undo", "&Undo", Key.Undo, "Undo the last change"),
    ActionSpec(
        "redo",
        "&Redo",
        Key.Redo,
        "Redo the change last undone",
        extra_shortcuts=("Ctrl+Shift+Z", "Ctrl+Y"),
    ),
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
    ActionSpec(
        "relation_types",
        "Relation &Types…",
        None,
        "Add, rename or remove the relation types of this project",
    ),
    ActionSpec(
        "preferences",
        "&Preferences…",
        "Ctrl+,",
        "Font, line spacing, theme, your name, folders, backups and keyboard shortcuts",
    ),
    # Corpus (annotator/ui/corpus)
    ActionSpec(
        "search_corpus",
        "&Search in Context…",
        "Ctrl+Alt+F",
        "Search every article and list each hit in its context",
    ),
    ActionSpec("find_next_hit", "Next &Hit", Key.FindNext, "Go to the next search hit"),
    ActionSpec("find_previous_hit", "Previous Hi&t", Key.FindPrevious, "Go to the previous hit"),
    ActionSpec(
        "tag_all_occurrences",
        "Tag All &Occurrences…",
        "Ctrl+Shift+T",
        "Tag the other places the selected span's text occurs, in this article or the corpus",
    ),
    ActionSpec("show_claims", "&Claims", None, "Every claim of the corpus with its verdict"),
    ActionSpec("show_attribution", "&Attribution", None, "Who is quoted, named or anonymous"),
    ActionSpec("show_statistics", "S&tatistics", None, "Charts of spans and progress"),
    ActionSpec("show_guidelines", "&Guidelines", None, "Labels with their descriptions"),
    ActionSpec("import_schema", "&Import Label Schema…", None, "Apply a team's schema file"),
    ActionSpec("export_schema", "&Export Label Schema…", None, "Write the label schema to a file"),
    # Span
    ActionSpec("edit_span", "&Edit Span…", "Return", "Edit label, boundaries, note and attributes"),
    ActionSpec("delete_span", "&Delete Span", Key.Delete, "Delete the selected span"),
    ActionSpec(
        "span_to_selection",
        "Set Span to Se&lection",
        "Ctrl+B",
        "Move the selected span's boundaries to the selected text",
    ),
    ActionSpec(
        "extend_start", "Extend Start by a Word", "Alt+Left", "Move the span's start a word left"
    ),
    ActionSpec(
        "shrink_start", "Shrink Start by a Word", "Alt+Right", "Move the span's start a word right"
    ),
    ActionSpec(
        "shrink_end", "Shrink End by a Word", "Alt+Shift+Left", "Move the span's end a word left"
    ),
    ActionSpec(
        "extend_end", "Extend End by a Word", "Alt+Shift+Right", "Move the span's end a word right"
    ),
    ActionSpec(
        "link_span",
        "&Link to Source…",
        "Ctrl+K",
        "Link the selected span (e.g. a Quote) to the span it is attributed to",
    ),
    ActionSpec("next_span", "&Next Span", "]", "Select the next span"),
    ActionSpec("previous_span", "&Previous Span", "[", "Select the previous span"),
    ActionSpec("clear_span", "Clear Span Selection", "Esc", "Deselect the span; cancel linking"),
    # Article
    ActionSpec("next_article", "&Next Article", "Ctrl+PgDown", "Open the next article in the list"),
    ActionSpec(
        "previous_article",
        "&Previous Article",
        "Ctrl+PgUp",
        "Open the previous article in the list",
    ),
    ActionSpec("status_new", "Mark as &New", "Ctrl+Alt+1", "Set the article's status to new"),
    ActionSpec(
        "status_in_progress",
        "Mark as &In Progress",
        "Ctrl+Alt+2",
        "Set the article's status to in progress",
    ),
    ActionSpec("status_done", "Mark as &Done", "Ctrl+Alt+3", "Set the article's status to done"),
    # View
    ActionSpec("zoom_in", "Zoom &In", Key.ZoomIn, "Larger text"),
    ActionSpec("zoom_out", "Zoom &Out", Key.ZoomOut, "Smaller text"),
    ActionSpec("zoom_reset", "&Actual Size", "Ctrl+0", "Text at the size set in Preferences"),
    ActionSpec(
        "show_all_layers",
        "Show &All Annotators",
        "Ctrl+Shift+A",
        "Show every annotator's spans, not just yours",
        checkable=True,
    ),
    ActionSpec(
        "show_all_relations",
        "Draw All &Relations",
        "Ctrl+Alt+R",
        "Draw every relation on screen as an arc; off: only the selected span's",
        checkable=True,
    ),
    ActionSpec("next_pane", "Next &Pane", "F6", "Move the keyboard focus to the next panel"),
    ActionSpec(
        "previous_pane",
        "Previous Pa&ne",
        "Shift+F6",
        "Move the keyboard focus to the previous panel",
    ),
    # Suggestions (annotator/ui/suggestions.py): the keys on a selected suggestion are the
    # reader's own, so by default none of these takes a window shortcut.
    ActionSpec(
        "suggest_run_article",
        "Suggest in This &Article",
        None,
        "Propose spans for the open article",
    ),
    ActionSpec(
        "suggest_run_listed",
        "Suggest in &Listed Articles",
        None,
        "Propose spans for the articles listed",
    ),
    ActionSpec(
        "suggest_run_all", "Suggest in &Whole Project", None, "Propose spans for every article"
    ),
    ActionSpec(
        "suggest_next",
        "&Next Suggestion",
        None,
        "Select the next suggestion of the article",
        context_keys="] (suggestions shown)",
    ),
    ActionSpec(
        "suggest_previous",
        "&Previous Suggestion",
        None,
        "Select the previous suggestion of the article",
        context_keys="[ (suggestions shown)",
    ),
    ActionSpec(
        "suggest_accept",
        "A&ccept Suggestion",
        None,
        "Make the selected suggestion your span; a label key accepts it as that label",
        context_keys="Enter (on a suggestion)",
    ),
    ActionSpec(
        "suggest_reject",
        "&Reject Suggestion",
        None,
        "Drop the selected suggestion; it will not be proposed again",
        context_keys="Backspace (on a suggestion)",
    ),
    ActionSpec(
        "suggest_accept_all",
        "Accept All in This Article",
        None,
        "Make every suggestion of the article your span",
    ),
    ActionSpec(
        "suggest_reject_all",
        "Reject All in This Article",
        None,
        "Drop every suggestion of the article",
    ),
    # Help
    ActionSpec(
        "keyboard_shortcuts",
        "&Keyboard Shortcuts",
        Key.HelpContents,
        "Every action with its keyboard shortcut",
    ),
    ActionSpec("user_guide", "&User Guide", None, "How to read, tag, link, review and export"),
    ActionSpec("about", "&About News Annotator", None, "Version, licence and credits"),
)

# The menu each action belongs to, for the cheat sheet and Preferences (menus say it again
# by where they add the action).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "File": (
        "new_project",
        "open_project",
        "save_copy",
        "restore_backup",
        "import_files",
        "import_folder",
        "export",
        "quit",
    ),
    "Edit": (
        "undo",
        "redo",
        "find",
        "manage_labels",
        "relation_types",
        "snap_to_words",
        "set_annotator",
        "preferences",
    ),
    "Span": (
        "edit_span",
        "delete_span",
        "span_to_selection",
        "extend_start",
        "shrink_start",
        "shrink_end",
        "extend_end",
        "link_span",
        "next_span",
        "previous_span",
        "clear_span",
    ),
    "Article": (
        "next_article",
        "previous_article",
        "status_new",
        "status_in_progress",
        "status_done",
    ),
    "View": (
        "zoom_in",
        "zoom_out",
        "zoom_reset",
        "show_all_layers",
        "show_all_relations",
        "next_pane",
        "previous_pane",
    ),
    "Corpus": (
        "search_corpus",
        "find_next_hit",
        "find_previous_hit",
        "tag_all_occurrences",
        "show_claims",
        "show_attribution",
        "show_statistics",
        "show_guidelines",
        "import_schema",
        "export_schema",
    ),
    "Suggestions": (
        "suggest_run_article",
        "suggest_run_listed",
        "suggest_run_all",
        "suggest_next",
        "suggest_previous",
        "suggest_accept",
        "suggest_reject",
        "suggest_accept_all",
        "suggest_reject_all",
    ),
    "Help": ("keyboard_shortcuts", "user_guide", "about"),
}


def spec_of(name: str, specs: Sequence[ActionSpec] = ACTIONS) -> ActionSpec:
    for spec in specs:
        if spec.name == name:
            return spec
    raise KeyError(name)


def category_of(name: str) -> str:
    return next((menu for menu, names in CATEGORIES.items() if name in names), "Other")


def default_keys(spec: ActionSpec) -> list[QKeySequence]:
    """The shortcuts an action has unless the analyst changed them (platform keys included)."""
    keys: list[QKeySequence] = []
    if isinstance(spec.shortcut, QKeySequence.StandardKey):
        keys.extend(QKeySequence.keyBindings(spec.shortcut))
    elif spec.shortcut:
        keys.append(QKeySequence(spec.shortcut))
    for extra in spec.extra_shortcuts:
        sequence = QKeySequence(extra)
        if sequence not in keys:
            keys.append(sequence)
    return [k for k in keys if not k.isEmpty()]


def keys_for(spec: ActionSpec, overrides: Mapping[str, str]) -> list[QKeySequence]:
    """An action's shortcuts: the analyst's choice (empty: none) or the defaults."""
    if spec.name in overrides:
        chosen = QKeySequence(overrides[spec.name])
        return [] if chosen.isEmpty() else [chosen]
    return default_keys(spec)


def typeable(key: QKeySequence) -> bool:
    """Whether a key sequence can be typed on an ordinary keyboard: not one of the dedicated
    keys (Undo, Find, Help, F13 to F35 …) that the platform adds to its standard bindings."""
    combos: Any = key  # indexable, though the stubs do not say so
    for i in range(key.count()):
        code = combos[i].key().value
        if code >= Qt.Key.Key_F13.value and code < Qt.Key.Key_unknown.value:
            return False
    return True


def shortcut_text(keys: Iterable[QKeySequence]) -> str:
    """Shortcuts as the platform writes them, e.g. "Ctrl+Shift+Z, Ctrl+Y", leaving out the
    dedicated keys of a few keyboards (see :func:`typeable`) unless there is nothing else."""
    keys = list(keys)
    shown = [k for k in keys if typeable(k)] or keys
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in shown)


def shortcut_conflicts(
    assignments: Mapping[str, Sequence[QKeySequence]],
    reserved: Mapping[str, str] = {},  # noqa: B006 (read only)
) -> list[tuple[str, str, str]]:
    """Every key sequence used twice: (key, first user, second user), users being action
    names or the ``reserved`` owners (e.g. label hotkeys, "Tag as Quote")."""
    owner: dict[str, str] = {}
    conflicts: list[tuple[str, str, str]] = []
    for name, text in reserved.items():
        owner[QKeySequence(text).toString(QKeySequence.SequenceFormat.PortableText)] = name
    for name, keys in assignments.items():
        for key in keys:
            portable = key.toString(QKeySequence.SequenceFormat.PortableText)
            if not portable:
                continue
            if portable in owner and owner[portable] != name:
                conflicts.append((portable, owner[portable], name))
            else:
                owner[portable] = name
    return conflicts


def connect_handlers(
    actions: Mapping[str, QAction], handlers: Mapping[str, Callable[..., object]]
) -> None:
    """Connect each named action to its handler: ``triggered`` for plain actions, ``toggled``
    (with the new state) for checkable ones."""
    for name, handler in handlers.items():
        action = actions[name]  # KeyError: a handler for an action never declared
        if action.isCheckable():
            action.toggled.connect(handler)
        else:
            action.triggered.connect(lambda _checked=False, h=handler: h())


def build_actions(
    parent: QWidget,
    specs: tuple[ActionSpec, ...] = ACTIONS,
    shortcuts: Mapping[str, str] | None = None,
) -> dict[str, QAction]:
    """Create the QActions of ``specs`` (the window's :data:`ACTIONS`), parented to ``parent``,
    with the analyst's ``shortcuts`` (action name -> key sequence) over the defaults."""
    overrides = shortcuts or {}
    actions: dict[str, QAction] = {}
    for spec in specs:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.name)
        action.setShortcuts(keys_for(spec, overrides))
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        action.setCheckable(spec.checkable)
        actions[spec.name] = action
    return actions


def apply_shortcuts(
    actions: Mapping[str, QAction],
    shortcuts: Mapping[str, str],
    specs: Sequence[ActionSpec] = ACTIONS,
) -> None:
    """Give built actions the analyst's shortcuts (defaults where none is chosen)."""
    for spec in specs:
        action = actions.get(spec.name)
        if action is not None:
            action.setShortcuts(keys_for(spec, shortcuts))
