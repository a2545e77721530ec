"""PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void-returning call and
the interpreter aborts ("Fatal Python error: none_dealloc") after a few thousand calls
(PYSIDE-3474). pytest may even print "passed" and then exit 134, so the calls run in a child
process whose exit code and stderr are checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CALLS = 10_000
BAD_RELEASE = "6.12.0"

VOID_CALLS_SCRIPT = textwrap.dedent(
    f"""
    import json, sys
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

    app = QApplication([])
    label = QLabel()
    edit = QPlainTextEdit()
    edit.setPlainText("Putin called Trump 🇺🇸 on Tuesday.\\n" * 20)
    cursor = QTextCursor(edit.document())
    length = edit.document().characterCount() - 1

    drops = {{}}
    def measure(name, call):
        before = sys.getrefcount(None)
        for i in range({CALLS}):
            call(i)
        drops[name] = before - sys.getrefcount(None)

    measure("QLabel.setText", lambda i: label.setText("n" if i % 2 else "m"))
    measure("QTextCursor.setPosition", lambda i: cursor.setPosition(i % length))
    measure("QWidget.resize", lambda i: label.resize(100 + i % 50, 20))
    measure("QPlainTextEdit.setReadOnly", lambda i: edit.setReadOnly(bool(i % 2)))
    app.processEvents()
    print(json.dumps({{"drops": drops, "immortal_none": sys.getrefcount(None) > 2**30}}))
    sys.stdout.flush()
    """
)


def test_void_qt_calls_keep_none_alive() -> None:
    pytest.importorskip("PySide6.QtWidgets")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", VOID_CALLS_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    assert "none_dealloc" not in result.stderr
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["drops"]) == {
        "QLabel.setText",
        "QTextCursor.setPosition",
        "QWidget.resize",
        "QPlainTextEdit.setReadOnly",
    }
    if sys.version_info >= (3, 12):
        # None is immortal: its reference count is a huge constant that calls cannot move
        assert report["immortal_none"]
    # Other code may take or drop a handful of references meanwhile; the bug loses one per call.
    for name, drop in report["drops"].items():
        assert abs(drop) < 100, f"{name}: None lost {drop} references over {CALLS} calls"


def installed_pyside_version() -> str:
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    pyside = pytest.importorskip("PySide6")
    return str(pyside.__version__)


def test_installed_pyside_is_not_the_broken_release_on_old_python() -> None:
    version = installed_pyside_version()
    if sys.version_info < (3, 12):
        assert not version.startswith("6.12.0"), (
            f"PySide6 {version} on Python {sys.version.split()[0]} aborts the interpreter"
        )


def pyside_requirements() -> list[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [
        r
        for r in pyproject["project"]["dependencies"]
        if r.replace("_", "-")
        .lower()
        .startswith(
            ("pyside6-essentials", "pyside6 ", "pyside6>", "pyside6<", "pyside6=", "pyside6;")
        )
    ]
    assert requirements, "pyproject.toml declares no PySide6 dependency"
    return requirements


@pytest.mark.parametrize(
    ("python", "allows_bad_release"), [("3.11", False), ("3.12", True), ("3.13", True)]
)
def test_dependency_markers_exclude_the_broken_release_on_3_11(
    python: str, allows_bad_release: bool
) -> None:
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - packaging ships with pip's toolchain here
        Requirement = None  # noqa: N806
    requirements = pyside_requirements()
    if Requirement is None:  # pragma: no cover
        text = " ".join(requirements)
        assert "<6.12" in text.replace(" ", "") and "python_version < '3.12'" in text
        return
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    applying = [
        req
        for req in map(Requirement, requirements)
        if req.marker is None or req.marker.evaluate(environment)
    ]
    assert applying, f"no PySide6 requirement applies on Python {python}"
    allowed = all(req.specifier.contains(BAD_RELEASE, prereleases=True) for req in applying)
    assert allowed is allows_bad_release
    # and the pin does not shut out the good releases
    assert all(req.specifier.contains("6.11.3") for req in applying)
