"""The command line: help and version without a display, and the README documents every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import __version__
from annotator.cli import SUBCOMMANDS, main

REPO = Path(__file__).resolve().parent.parent


def _headless_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return env


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["import", "--help"]])
def test_help_and_version_work_without_a_display(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", *args],
        capture_output=True,
        text=True,
        env=_headless_env(),
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    if args == ["--version"]:
        assert result.stdout.strip() == f"News Annotator {__version__}"
    else:
        assert "usage: annotator" in result.stdout
    assert "PySide6" not in result.stderr


def test_help_names_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_readme_documents_every_subcommand() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in SUBCOMMANDS:
        assert f"annotator {name}" in readme, f"README does not document 'annotator {name}'"


def test_readme_first_lines_give_install_and_test_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    head = "\n".join(readme[:8])
    assert "pip install -e ." in head and ".venv/bin/annotator" in head
    assert "pip install -e '.[test]'" in head and "pytest" in head
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line for line in readme[:8] if "[test]" in line).strip()
    assert test_command in ci
