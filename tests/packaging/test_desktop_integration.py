"""Linux desktop integration: menu entry, AppStream metadata, the .annot MIME type and icons."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import Project

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"
APP_ID = "org.newsannotator.NewsAnnotator"
MIME_TYPE = "application/x-news-annotator-project"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
INSTALL = LINUX / "install-desktop.sh"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a Linux desktop matter")


def _install(home: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_DATA")}
    env["HOME"] = str(home)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        ["sh", str(INSTALL), *args], env=env, capture_output=True, text=True, timeout=60
    )


def _desktop_entry(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if "=" in line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


@pytest.fixture
def fake_program(tmp_path: Path) -> Path:
    program = tmp_path / "bin" / "annotator"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return program


def test_install_puts_everything_in_place_for_the_user(tmp_path, fake_program):
    home = tmp_path / "home"
    result = _install(home, "--exec", str(fake_program))
    assert result.returncode == 0, result.stderr
    share = home / ".local" / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    entry = _desktop_entry(desktop.read_text(encoding="utf-8"))
    assert entry["Exec"] == f"{fake_program} %f"
    assert entry["TryExec"] == str(fake_program)
    assert entry["Icon"] == APP_ID
    assert entry["MimeType"] == f"{MIME_TYPE};"
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (share / "mime" / "packages" / "news-annotator.xml").is_file()
    hicolor = share / "icons" / "hicolor"
    for size in SIZES:
        assert (hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
        assert (
            hicolor / f"{size}x{size}" / "mimetypes" / f"{MIME_TYPE.replace('/', '-')}.png"
        ).is_file()
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    if shutil.which("update-mime-database"):
        assert (share / "mime" / "mime.cache").is_file()
        types = (share / "mime" / "types").read_text(encoding="utf-8").split()
        assert MIME_TYPE in types
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True
        )
        assert check.returncode == 0 and check.stdout == "", check.stdout + check.stderr
    # Nothing is written outside the user's data folder.
    assert sorted(p.name for p in home.iterdir()) == [".local"]

    removed = _install(home, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert not desktop.exists()
    assert not (share / "mime" / "packages" / "news-annotator.xml").exists()
    assert not list(hicolor.rglob("*.png")) and not list(hicolor.rglob("*.svg"))
    if shutil.which("update-mime-database"):
        assert MIME_TYPE not in (share / "mime" / "types").read_text(encoding="utf-8").split()


def test_install_finds_the_pip_installed_program_on_path(tmp_path, fake_program):
    result = _install(tmp_path / "home", path=f"{fake_program.parent}:{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / "home/.local/share/applications" / f"{APP_ID}.desktop"
    assert _desktop_entry(desktop.read_text(encoding="utf-8"))["Exec"] == f"{fake_program} %f"


def test_a_path_with_spaces_and_quotes_is_quoted_as_the_spec_says(tmp_path):
    odd = tmp_path / 'My "apps" $HOME 100%' / "annotator"
    result = _install(tmp_path / "home", "--exec", str(odd))
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / "home/.local/share/applications" / f"{APP_ID}.desktop"
    exec_value = _desktop_entry(desktop.read_text(encoding="utf-8"))["Exec"]
    # As a string value backslashes are doubled; inside the quoted argument " ` $ \ are escaped.
    inner = str(odd).replace('"', '\\\\"').replace("$", "\\\\$").replace("%", "%%")
    assert exec_value == f'"{inner}" %f'
    assert _unquote_exec(exec_value) == [str(odd), "%f"]
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True
        )
        assert check.returncode == 0 and check.stdout == "", check.stdout


def _unquote_exec(value: str) -> list[str]:
    """The Desktop Entry spec's reading of an Exec value: string unescape, then arguments."""
    text = value.replace("\\\\", "\0").replace("\\s", " ").replace("\0", "\\")
    args, current, quoted, i = [], "", False, 0
    while i < len(text):
        char = text[i]
        if quoted and char == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            current += text[i + 1]
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            args.append(current)
            current = ""
        else:
            current += char
        i += 1
    args.append(current)
    return [a.replace("%%", "%") if a != "%f" else a for a in args]


def test_the_desktop_file_is_valid():
    if not shutil.which("desktop-file-validate"):
        pytest.skip("desktop-file-validate (desktop-file-utils) is not installed")
    result = subprocess.run(
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_the_appstream_metadata_is_valid():
    if not shutil.which("appstreamcli"):
        pytest.skip("appstreamcli (apt-get install appstream) is not installed")
    result = subprocess.run(
        [
            "appstreamcli",
            "validate",
            "--no-net",
            "--explain",
            str(LINUX / f"{APP_ID}.metainfo.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:", "I:")]
    assert problems == []


MIME_QUERY = """
import sys
from PySide6.QtCore import QCoreApplication, QMimeDatabase
app = QCoreApplication([])
db = QMimeDatabase()
for name in sys.argv[1:]:
    print(db.mimeTypeForFile(name, QMimeDatabase.MatchMode.MatchContent).name())
"""


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info missing")
def test_a_project_is_recognised_by_its_content_even_without_its_suffix(tmp_path, fake_program):
    home = tmp_path / "home"
    assert _install(home, "--exec", str(fake_program)).returncode == 0
    files = tmp_path / "files"
    files.mkdir()
    Project.open(files / "real.annot").close()
    shutil.copy(files / "real.annot", files / "renamed.bin")
    plain = sqlite3.connect(files / "plain.db")
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    shutil.copy(files / "plain.db", files / "other-app.annot")
    names = ["real.annot", "renamed.bin", "plain.db", "other-app.annot"]
    env = dict(os.environ, XDG_DATA_HOME=str(home / ".local" / "share"))
    result = subprocess.run(
        [sys.executable, "-c", MIME_QUERY, *(str(files / n) for n in names)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert dict(zip(names, result.stdout.split(), strict=True)) == {
        "real.annot": MIME_TYPE,
        "renamed.bin": MIME_TYPE,  # SQLite magic and "NANT" at offset 68
        "plain.db": "application/vnd.sqlite3",
        "other-app.annot": "application/vnd.sqlite3",  # SQLite, but not ours
    }
