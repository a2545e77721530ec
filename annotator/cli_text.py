"""What the command line prints, in one place: text and JSON made terminal-safe (what a file
holds is shown to the terminal, never obeyed), errors on standard error with their exit status,
and warnings."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotator.store import Project

# C0 controls but TAB and LF, DEL and the C1 controls: ESC [ ... or CSI (U+009B) from a label
# name or file name printed raw would be obeyed by the terminal (colours, cursor moves, titles).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with each control character shown as an escape (``\\x1b``), so that text read
    from a file is shown to the terminal, never obeyed by it. Tabs and line breaks stay."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def json_safe(text: str) -> str:
    """JSON text whose control characters are all ``\\u`` escapes (json.dumps leaves DEL and C1
    raw when ``ensure_ascii`` is off); outside strings JSON has none, so this stays valid."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_text(text: str) -> None:
    print(terminal_safe(text))


def print_json(obj: object) -> None:
    """One JSON object on one line, non-ASCII kept, control characters escaped."""
    print(json_safe(json.dumps(obj, ensure_ascii=False)))


def one_line(text: str) -> str:
    """``text`` with its runs of white space (line breaks too) as single spaces."""
    return " ".join(text.split()) if text.strip() else ""


def error(message: object) -> int:
    """Say ``message`` on standard error; the exit status of a command that did nothing."""
    print(f"annotator: {terminal_safe(str(message))}", file=sys.stderr)
    return 2


def warn_if_not_backed_up(project: Project) -> None:
    """Say on standard error when the project's backups failed (the work itself is saved)."""
    problem = project.backups.last_error if project.backups is not None else None
    if problem:
        print(
            f"annotator: warning: no backup of {terminal_safe(str(project.path))} was written: "
            f"{terminal_safe(problem)}",
            file=sys.stderr,
        )
