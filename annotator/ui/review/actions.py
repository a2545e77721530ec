"""The Review menu's actions, declared once with their text and default shortcut.

Kept apart from :mod:`annotator.ui.actions` (the main window's registry) because the review
package owns them; tests/ui/test_review_actions.py checks that no shortcut here clashes with one
there, with undo/redo, or with a label hotkey.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from annotator.ui.actions import ActionSpec, build_actions

# How many layers get an "accept this version" shortcut (Alt+1 …); more layers get buttons only.
ACCEPT_SHORTCUT_LAYERS = 3

REVIEW_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "review_compare",
        "&Compare with…",
        "Ctrl+Shift+R",
        "Compare your spans with colleagues' project files (their files are only read)",
    ),
    ActionSpec(
        "review_refresh",
        "Re&fresh Comparison",
        None,
        "Read your spans again and recompute the figures",
    ),
    ActionSpec("review_close", "C&lose Comparison", None, "Stop reviewing and hide the panel"),
    ActionSpec(
        "review_next",
        "&Next Disagreement",
        "F8",
        "Go to the next place where the annotators differ",
    ),
    ActionSpec(
        "review_previous",
        "&Previous Disagreement",
        "Shift+F8",
        "Go to the previous place where the annotators differ",
    ),
    ActionSpec(
        "review_accept_1", "Accept Version &1", "Alt+1", "Put this version into the gold layer"
    ),
    ActionSpec(
        "review_accept_2", "Accept Version &2", "Alt+2", "Put this version into the gold layer"
    ),
    ActionSpec(
        "review_accept_3", "Accept Version &3", "Alt+3", "Put this version into the gold layer"
    ),
    ActionSpec(
        "review_accept_all",
        "Accept &Both",
        "Alt+B",
        "Put every version of this disagreement into the gold layer",
    ),
    ActionSpec(
        "review_accept_neither",
        "Accept N&either",
        "Alt+N",
        "Settle this disagreement with no gold span",
    ),
    ActionSpec(
        "review_accept_selection",
        "Accept &Selection as Edited",
        "Alt+Return",
        "Settle this disagreement with the text selected in the reader, as the chosen label",
    ),
    ActionSpec(
        "review_accept_agreements",
        "Accept All &Agreements",
        None,
        "Put every span all annotators agree on into the gold layer (one undo step)",
    ),
    ActionSpec(
        "review_merge",
        "&Merge from…",
        None,
        "Copy a colleague's spans, links and notes into this project as their own layer",
    ),
    ActionSpec(
        "review_show_panel",
        "Show Review &Panel",
        None,
        "Show or hide the review panel",
        checkable=True,
    ),
    ActionSpec(
        "review_save_report",
        "Save Agreement &Report…",
        None,
        "Save the agreement figures and disagreements as an HTML page or a CSV table",
    ),
)


def build_review_actions(parent: QWidget) -> dict[str, QAction]:
    """Create the QActions of :data:`REVIEW_ACTIONS`, parented to ``parent``."""
    return build_actions(parent, REVIEW_ACTIONS)
