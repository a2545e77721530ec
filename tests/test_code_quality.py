"""The code is kept to its tools: layer contracts (import-linter), strict types over the whole
package (mypy), the formatter and the linter (ruff), run here so that the test command checks
them; and nothing pumps the event loop by hand.

Each tool runs from the environment running the tests (the ``test`` extra installs them); a
tool that is not installed skips its test, saying so.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "annotator"


def tool(name: str) -> str:
    """The tool's executable beside this Python, else on PATH; skip when there is none."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: pip install -e '.[test]' installs it")
    return found


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=600, env=env, check=False
    )


def test_layer_contracts_hold() -> None:
    """ui above review and formats, above store, above core; no Qt below the UI; no cycles."""
    result = run(tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_whole_package_type_checks_strictly() -> None:
    result = run(tool("mypy"))  # pyproject.toml: packages = ["annotator"], strict
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted() -> None:
    result = run(tool("ruff"), "format", "--check", "annotator", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_passes_the_linter() -> None:
    result = run(tool("ruff"), "check", "annotator", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_pumps_the_event_loop_by_hand() -> None:
    """Long work runs on a worker (annotator/ui/worker.py); processEvents is never called."""
    calls = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "processEvents"
    ]
    assert calls == []


def test_package_init_files_only_re_export() -> None:
    """An ``__init__.py`` holds imports, ``__all__`` (``__version__`` for the package) and its
    docstring, nothing else."""
    offenders = []
    for path in sorted(PACKAGE.rglob("__init__.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # the docstring
            if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] in (
                ["__all__"],
                ["__version__"],
            ):
                continue
            offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []
