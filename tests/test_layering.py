"""The layers hold: everything but the UI imports without Qt, and no SQL lives in the UI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "annotator"
QT_FREE_PACKAGES = (
    "annotator.core",
    "annotator.store",
    "annotator.formats",
    "annotator.review",
    "annotator.suggest",
)
QT_FREE_MODULES = (
    "annotator",
    "annotator.settings",
    "annotator.cli",
    "annotator.cli_corpus",
    "annotator.cli_exchange",
    "annotator.cli_review",
    "annotator.cli_text",
)

# Runs in a fresh interpreter: a meta-path finder in front of every other refuses Qt.
BLOCKED_QT_SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.abc, json, pkgutil, sys

    sys.path.insert(0, sys.argv[1])
    BLOCKED = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")

    class NoQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"Qt is blocked in this layer: {name}")
            return None

    sys.meta_path.insert(0, NoQt())
    try:
        import PySide6  # noqa: F401
    except ImportError:
        pass
    else:
        sys.exit("the blocker does not work")

    imported = []
    def load(name):
        importlib.import_module(name)
        imported.append(name)

    for package in json.loads(sys.argv[2]):
        load(package)
        module = sys.modules[package]
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            load(info.name)
    for name in json.loads(sys.argv[3]):
        load(name)

    # the command line parses without a display or Qt
    from annotator import cli
    for argv in (["--version"], ["--help"], ["import", "--help"]):
        try:
            cli.main(argv)
        except SystemExit as exc:
            assert exc.code == 0, (argv, exc.code)

    leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    print(json.dumps({"imported": imported, "leaked": leaked}))
    """
)


def run_without_qt() -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCKED_QT_SCRIPT,
            str(REPO),
            json.dumps(QT_FREE_PACKAGES),
            json.dumps(QT_FREE_MODULES),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_non_ui_layers_import_with_qt_blocked() -> None:
    report = run_without_qt()
    assert report["leaked"] == []
    imported = set(report["imported"])
    # every module file of the Qt-free packages was really imported
    on_disk = {
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for package in QT_FREE_PACKAGES
        for path in (REPO / package.replace(".", "/")).rglob("*.py")
    }
    assert on_disk <= imported, sorted(on_disk - imported)
    assert {"annotator.store.project", "annotator.core.text", "annotator.cli"} <= imported


# Statements the store alone may run: anything that talks to SQLite directly.
SQL_PATTERNS = {
    "execute(": re.compile(r"\bexecute(many|script)?\("),
    "SELECT ": re.compile(r"\bSELECT\s"),
    "INSERT INTO": re.compile(r"\bINSERT\s+(OR\s+\w+\s+)?INTO\b"),
    "UPDATE ... SET": re.compile(r"\bUPDATE\s+\w+\s+SET\b"),
    "DELETE FROM": re.compile(r"\bDELETE\s+FROM\b"),
    "import sqlite3/sqlite_utils": re.compile(
        r"^\s*(import|from)\s+(sqlite3|sqlite_utils)\b", re.M
    ),
    ".db.": re.compile(r"\.db\.(conn|execute|query|table|\[)|\._conn\b"),
}


# Everything above the store: the UI, formats, review, the command line and the app's wiring.
SQL_FREE = ("ui", "formats", "review")
SQL_FREE_MODULES = ("app.py", "cli*.py", "selftest.py")


def sql_free_sources() -> list[Path]:
    files = [path for package in SQL_FREE for path in sorted((PACKAGE / package).rglob("*.py"))]
    return files + [path for pattern in SQL_FREE_MODULES for path in sorted(PACKAGE.glob(pattern))]


@pytest.mark.parametrize("pattern", SQL_PATTERNS, ids=list(SQL_PATTERNS))
def test_no_sql_above_the_store(pattern: str) -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in sql_free_sources()
        for text in [path.read_text(encoding="utf-8")]
        for match in SQL_PATTERNS[pattern].finditer(text)
    ]
    assert offenders == [], f"SQL ({pattern}) outside annotator/store: {offenders}"


def test_sql_detector_catches_sql() -> None:
    sample = 'rows = project.db.conn.execute("SELECT id FROM spans")\nimport sqlite3\n'
    hits = [name for name, rx in SQL_PATTERNS.items() if rx.search(sample)]
    assert {"execute(", "SELECT ", "import sqlite3/sqlite_utils", ".db."} <= set(hits)
    assert not any(rx.search('label = QLabel("Select a project")') for rx in SQL_PATTERNS.values())
