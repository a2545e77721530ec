"""``annotator --self-test`` drives the real app on scratch files and reports honestly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run_self_test(home: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(QT_QPA_PLATFORM="offscreen", **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--self-test", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )


def test_self_test_passes_and_leaves_the_profile_alone(_isolated_dirs):
    home = _isolated_dirs
    result = _run_self_test(home)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for step in (
        "resources",
        "application",
        "project",
        "main window",
        "tag",
        "undo/redo",
        "export",
        "reopen",
    ):
        assert any(line.startswith(f"ok    {step}:") for line in lines), result.stdout
    assert lines[-1].startswith("self-test passed")
    # The user's config, data, state and cache folders (here: this test's) stay untouched.
    assert [p for p in home.rglob("*") if p.is_file()] == []


def test_a_broken_app_fails_with_the_step_and_reason(_isolated_dirs, tmp_path):
    # Hide the bundled sample article: what a packaging mistake would do.
    shadow = tmp_path / "shadow"
    (shadow / "annotator").mkdir(parents=True)
    (shadow / "sitecustomize.py").write_text(
        "import annotator.resources as r\n"
        "from pathlib import Path\n"
        f"r.resource_dir = lambda: Path({str(tmp_path / 'nowhere')!r})\n"
        "r.resource_path = lambda rel: r.resource_dir() / rel\n"
    )
    result = _run_self_test(_isolated_dirs, PYTHONPATH=f"{shadow}{os.pathsep}{REPO}")
    assert result.returncode == 1
    assert "FAIL  resources" in result.stdout
    assert "the sample article is missing" in result.stderr


@pytest.mark.parametrize("args", [["--help"]])
def test_help_mentions_the_self_test(args, capsys):
    from annotator.cli import main

    with pytest.raises(SystemExit):
        main(args)
    assert "--self-test" in capsys.readouterr().out
