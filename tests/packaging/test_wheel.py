"""The built sdist and wheel carry every runtime file; the wheel installs and runs on its own.

Builds with ``python -m build`` (the wheel is built from the sdist, so a file missing from the
sdist is missing from the wheel too), installs the wheel into a fresh virtual environment in a
temporary folder outside the source tree, and runs ``annotator --version`` and
``annotator --self-test`` from there. About 20 s; dependencies come from the package index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from annotator import __version__

REPO = Path(__file__).resolve().parents[2]
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
RESOURCES = [
    "icons/news-annotator.svg",
    "samples/putin-trump-call.txt",
    *(f"icons/hicolor/{n}x{n}/apps/news-annotator.png" for n in SIZES),
]

pytestmark = pytest.mark.packaging


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment less anything that would let the source tree leak into the install."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE", "__PYVENV"))
    }
    env.update(extra)
    return env


def _run(command: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    result = _run([sys.executable, "-m", "build", "--outdir", out, REPO], cwd=out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


@pytest.fixture(scope="module")
def installed(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment, outside the source tree, with only the wheel installed."""
    where = tmp_path_factory.mktemp("installed")
    venv = where / "venv"
    result = _run([sys.executable, "-m", "venv", venv], cwd=where)
    assert result.returncode == 0, result.stderr
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    result = _run([python, "-m", "pip", "install", "--quiet", dists["wheel"]], cwd=where)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return venv


def _script(venv: Path) -> Path:
    return venv / ("Scripts/annotator.exe" if sys.platform == "win32" else "bin/annotator")


def test_wheel_carries_every_module_and_resource(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    modules = {path.relative_to(REPO).as_posix() for path in (REPO / "annotator").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    for resource in RESOURCES:
        assert f"annotator/resources/{resource}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    metadata = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    entry_points = zipfile.ZipFile(dists["wheel"]).read(metadata).decode()
    assert "annotator = annotator.cli:main" in entry_points


def test_sdist_carries_sources_resources_and_packaging(dists):
    with tarfile.open(dists["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for required in (
        "pyproject.toml",
        "README.md",
        "annotator/cli.py",
        "annotator/selftest.py",
        "packaging/annotator.spec",
        "packaging/build_bundle.py",
        "packaging/linux/install-desktop.sh",
        "packaging/linux/news-annotator.xml",
        "packaging/linux/org.newsannotator.NewsAnnotator.desktop",
        "packaging/linux/org.newsannotator.NewsAnnotator.metainfo.xml",
        "docs/screenshots/main-window.png",
        "packaging/windows/news-annotator.ico",
        "packaging/macos/news-annotator.icns",
        *(f"resources/{r}" for r in RESOURCES),
    ):
        assert required in names, required
    assert not [
        n for n in names if n.startswith((".venv/", "build/", "dist/")) or "__pycache__" in n
    ]


def test_installed_wheel_reports_its_version(installed, tmp_path):
    result = _run([_script(installed), "--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"News Annotator {__version__}"


def test_installed_wheel_passes_its_self_test(installed, tmp_path):
    result = _run([_script(installed), "--self-test"], cwd=tmp_path, QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("self-test passed")
    # The resources came from the installed package, not from this checkout.
    resources = next(
        line for line in result.stdout.splitlines() if line.startswith("ok    resources")
    )
    assert str(installed) in resources and str(REPO) not in resources
