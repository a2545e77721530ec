"""Text the command line prints: what a file holds is shown to the terminal, never obeyed."""

from __future__ import annotations

import re
import sys

# C0 controls but TAB and LF, DEL and the C1 controls: ESC [ ... or CSI (U+009B) from a label
# name or file name printed raw would be obeyed by the terminal (colours, cursor moves, titles).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with each control character shown as an escape (``\\x1b``), so that text read
    from a file is shown to the terminal, never obeyed by it. Tabs and line breaks stay."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _json_safe(text: str) -> str:
    """JSON text whose control characters are all ``\\u`` escapes (json.dumps leaves DEL and C1
    raw when ``ensure_ascii`` is off); outside strings JSON has none, so this stays valid."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _print(text: str) -> None:
    print(terminal_safe(text))


def _error(message: object) -> int:
    print(f"annotator: {terminal_safe(str(message))}", file=sys.stderr)
    return 2
