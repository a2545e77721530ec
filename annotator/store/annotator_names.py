"""The annotators of a project file, read on a connection of their own (for a background
thread: a large project holds hundreds of thousands of spans)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def annotators_in_file(path: Path) -> list[str]:
    """Every annotator with a span in the project at ``path``, sorted; empty when the file
    cannot be read now (opening it again says why)."""
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute("SELECT DISTINCT annotator FROM spans ORDER BY annotator").fetchall()
        return [str(row[0]) for row in rows]
    except sqlite3.Error:
        return []
    finally:
        conn.close()
