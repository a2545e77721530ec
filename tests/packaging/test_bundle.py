"""The PyInstaller bundle builds, starts without Python and passes its self-test.

Opt-in, because the build takes a minute or more (about 70 s here, 45 s of it PyInstaller; the
first run also fills build/bundle-venv):

    ANNOTATOR_BUNDLE_TEST=1 .venv/bin/python -m pytest -m bundle tests/packaging/test_bundle.py
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Qt and the HTML import take about 150 MB; spaCy with numpy and blis (the suggester's tokenizer
# and matcher) adds about 100 MB (a stripped Linux bundle measured 256 MB).
MAX_BUNDLE_MB = 280

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.skipif(
        os.environ.get("ANNOTATOR_BUNDLE_TEST") != "1",
        reason="builds the PyInstaller bundle (over a minute): set ANNOTATOR_BUNDLE_TEST=1",
    ),
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="the test reads a Linux bundle"
    ),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("bundle-dist")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "packaging" / "build_bundle.py"),
            "--dist",
            str(dist),
            "--no-archive",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )
    # build_bundle.py runs the bundle's own --self-test and fails when it fails.
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert "self-test passed" in result.stdout
    return dist / "news-annotator"


def test_bundle_is_small_and_leaves_out_unused_qt(bundle):
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb < MAX_BUNDLE_MB, f"{size_mb:.0f} MB"
    unused = re.compile(r"libQt6(Qml|Quick|Pdf|WebEngine|Multimedia|3D|VirtualKeyboard)|qgtk3")
    assert [p.name for p in files if unused.search(p.name)] == []


def test_bundle_runs_from_anywhere_without_the_checkout(bundle, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    version = subprocess.run(
        [str(bundle / "annotator"), "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.returncode == 0 and version.stdout.startswith("News Annotator")
    result = subprocess.run(
        [str(bundle / "annotator"), "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(bundle) in result.stdout  # its resources are its own
    assert not (tmp_path / "home").exists()  # and the user's home was not touched


def test_bundle_suggests_spans(bundle, tmp_path):
    """The suggester's spaCy pipeline and its pattern files are in the bundle and run there."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    article = tmp_path / "article.txt"
    article.write_text(
        "Talks stall\n\n"
        '"We will not accept these terms," Foreign Minister Anna Berg told reporters on Monday.\n\n'
        "Expect many tweets to follow both phone calls.\n",
        encoding="utf-8",
    )
    project = tmp_path / "p.annot"
    steps = [["import", str(project), str(article)], ["suggest", str(project)]]
    for step in steps:
        done = subprocess.run(
            [str(bundle / "annotator"), *step],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(project) as conn:
        labels = {
            name
            for (name,) in conn.execute(
                "SELECT labels.name FROM spans JOIN labels ON labels.id = spans.label_id "
                "WHERE spans.annotator = 'suggestions'"
            )
        }
    assert {"Quote", "Source", "Speculation"} <= labels


def test_bundle_carries_its_desktop_integration(bundle, tmp_path):
    assert (bundle / "install-desktop.sh").stat().st_mode & 0o111
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        ["sh", str(bundle / "install-desktop.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / ".local/share/applications/org.newsannotator.NewsAnnotator.desktop"
    assert f"Exec={bundle / 'annotator'} %f" in desktop.read_text(encoding="utf-8")
