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


# A module over this many lines states why at its top, in a comment line starting with the
# marker below within its first few lines; otherwise it is split along its seams.
LONG_MODULE_LINES = 500
LONG_MODULE_MARKER = "# Long module:"
LONG_MODULE_MARKER_WITHIN = 15

# Long modules that are being split. Remove a module's entry when it is split (or states its
# reason at its top); the test below fails for an entry that no longer needs to be here.
BEING_SPLIT: set[str] = set()


def long_module_reason(path: Path) -> str | None:
    """The reason a module states at its top for being long, or None."""
    head = path.read_text("utf-8").splitlines()[:LONG_MODULE_MARKER_WITHIN]
    for line in head:
        if line.startswith(LONG_MODULE_MARKER):
            return line.removeprefix(LONG_MODULE_MARKER).strip() or None
    return None


def long_modules() -> dict[str, int]:
    """Every module of the package over the limit that states no reason, with its length."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = len(path.read_text("utf-8").splitlines())
        if lines > LONG_MODULE_LINES and long_module_reason(path) is None:
            found[path.relative_to(REPO).as_posix()] = lines
    return found


def test_no_module_is_long_without_a_reason_at_its_top() -> None:
    """One room per concern: a module over 500 lines is split, or says at its top why not."""
    unexplained = {name: n for name, n in long_modules().items() if name not in BEING_SPLIT}
    assert unexplained == {}, (
        f"split these modules, or state the reason at the top ('{LONG_MODULE_MARKER} ...' "
        f"within the first {LONG_MODULE_MARKER_WITHIN} lines): {unexplained}"
    )


def test_the_list_of_modules_being_split_holds_only_long_ones() -> None:
    stale = sorted(BEING_SPLIT - set(long_modules()))
    assert stale == [], f"these are split (or explained) now: remove them from BEING_SPLIT: {stale}"


def test_the_long_module_check_reads_the_marker(tmp_path: Path) -> None:
    explained = tmp_path / "explained.py"
    explained.write_text(
        '"""A table."""\n\n# Long module: one table of data, read top to bottom.\n'
    )
    empty = tmp_path / "empty.py"
    empty.write_text('"""A table."""\n# Long module:\n')
    late = tmp_path / "late.py"
    late.write_text("\n" * LONG_MODULE_MARKER_WITHIN + "# Long module: too far down.\n")
    assert long_module_reason(explained) == "one table of data, read top to bottom."
    assert long_module_reason(empty) is None
    assert long_module_reason(late) is None
