"""Build the News Annotator desktop bundle with PyInstaller, smoke-test it and pack it.

    python3 packaging/build_bundle.py [--venv DIR] [--dist DIR] [--no-archive]

1. makes (or reuses) a virtual environment for the build, build/bundle-venv by default, apart
   from the development one, and installs PyInstaller and the app (not editable) into it;
2. runs PyInstaller on packaging/annotator.spec (one folder, windowed);
3. on Linux adds the desktop integration (install-desktop.sh and desktop/: menu entry, AppStream
   metadata, MIME type, icons) and checks that every bundled library finds its dependencies;
4. runs the bundle's ``annotator --self-test`` (offscreen on Linux) from outside the source tree;
5. packs it: news-annotator-VERSION-linux-x86_64.tar.gz, -windows-AMD64.zip or -macos-arm64.zip.

Runs on Linux, Windows and macOS, each building for itself; needs Python 3.11+ with venv.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "annotator.spec"
BUNDLE_NAME = "news-annotator"
APP_ID = "org.newsannotator.NewsAnnotator"
PYINSTALLER = "pyinstaller>=6.10,<7"


def version() -> str:
    text = (REPO / "annotator" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__ = "([^"]+)"', text)
    assert match is not None
    return match.group(1)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def run(command: list[str | Path], **kwargs: object) -> None:
    print("+ " + " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, **kwargs)  # type: ignore[call-overload]


def bundle_paths(dist: Path) -> tuple[Path, Path]:
    """(the folder to ship, the executable inside it)."""
    if sys.platform == "darwin":
        app = dist / "News Annotator.app"
        return app, app / "Contents" / "MacOS" / "annotator"
    folder = dist / BUNDLE_NAME
    return folder, folder / ("annotator.exe" if sys.platform == "win32" else "annotator")


def prepare_venv(venv: Path) -> Path:
    python = venv_python(venv)
    if not python.exists():
        run([sys.executable, "-m", "venv", venv])
    run([python, "-m", "pip", "install", "--upgrade", PYINSTALLER, REPO])
    # The app itself afresh, even when its version number did not change.
    run([python, "-m", "pip", "install", "--force-reinstall", "--no-deps", REPO])
    return python


def add_linux_desktop_files(folder: Path) -> None:
    desktop = folder / "desktop"
    icons = desktop / "icons"
    if desktop.exists():
        shutil.rmtree(desktop)
    icons.mkdir(parents=True)
    linux = PACKAGING / "linux"
    for name in (f"{APP_ID}.desktop", f"{APP_ID}.metainfo.xml", "news-annotator.xml"):
        shutil.copy2(linux / name, desktop / name)
    shutil.copy2(REPO / "resources" / "icons" / "news-annotator.svg", icons)
    shutil.copytree(REPO / "resources" / "icons" / "hicolor", icons / "hicolor")
    shutil.copy2(linux / "install-desktop.sh", folder / "install-desktop.sh")
    (folder / "README.txt").write_text(
        f"News Annotator {version()}\n\n"
        "Start it:                      ./annotator   (or ./annotator PROJECT.annot)\n"
        "Add it to the application menu and open .annot files with it:\n"
        "                               ./install-desktop.sh\n"
        "Remove it from the menu again: ./install-desktop.sh --uninstall\n"
        "Check that it works here:      ./annotator --self-test\n",
        encoding="utf-8",
    )


# Libraries the bundle must carry itself; any other missing one is the host's to provide (GTK,
# Wayland, ...), and Qt does without the plugin that wants it when it is absent.
BUNDLED_LIBRARY = re.compile(r"lib(Qt6|pyside6|shiboken6|python3|icu)")


def check_linux_libraries(folder: Path) -> None:
    """Every bundled library and plugin finds the Qt/Python libraries it links to."""
    if shutil.which("ldd") is None:
        return
    missing: set[str] = set()
    host: set[str] = set()
    for path in sorted(folder.rglob("*.so*")):
        if not path.is_file() or path.is_symlink():
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if "not found" not in line:
                continue
            library = line.split("=>")[0].strip()
            if BUNDLED_LIBRARY.match(library):
                missing.add(f"{path.relative_to(folder)}: {library}")
            else:
                host.add(library)
    if missing:
        raise SystemExit(
            "bundled libraries miss bundled dependencies:\n  " + "\n  ".join(sorted(missing))
        )
    print("ldd: every bundled library finds the Qt and Python libraries it needs")
    if host:
        print(
            "     (not on this machine, used from the user's system where present: "
            + ", ".join(sorted(host))
            + ")"
        )


def strip_linux_libraries(folder: Path) -> None:
    """Strip the bundle's shared libraries (debug symbols are most of libpython's size), except
    the ones numpy ships prebuilt: strip rewrites its OpenBLAS into a library the loader refuses
    ("ELF load command address/offset not page-aligned"), and the suggester's spaCy needs it."""
    libraries = [
        path
        for path in folder.rglob("*.so*")
        if path.is_file() and not path.is_symlink() and ".libs" not in path.parent.name
    ]
    for path in libraries:
        run(["strip", "--strip-unneeded", path])


def self_test(executable: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    if sys.platform.startswith("linux"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as outside:  # not the checkout: nothing to import from
        run([executable, "--self-test"], env=env, cwd=outside, timeout=300)


def archive(folder: Path, dist: Path) -> Path:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(
        sys.platform, sys.platform
    )
    stem = f"{BUNDLE_NAME}-{version()}-{system}-{platform.machine()}"
    if sys.platform.startswith("linux"):
        target = dist / f"{stem}.tar.gz"
        with tarfile.open(target, "w:gz") as tar:
            tar.add(folder, arcname=BUNDLE_NAME)
        return target
    target = dist / f"{stem}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, Path(folder.name) / path.relative_to(folder))
    return target


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--venv",
        type=Path,
        default=REPO / "build" / "bundle-venv",
        help="virtual environment to build in (default: build/bundle-venv)",
    )
    parser.add_argument(
        "--dist", type=Path, default=REPO / "dist", help="where the bundle goes (default: dist/)"
    )
    parser.add_argument("--no-archive", action="store_true", help="do not pack the bundle")
    args = parser.parse_args(argv)
    began = time.monotonic()
    dist = args.dist.resolve()
    python = prepare_venv(args.venv.resolve())
    work = REPO / "build" / "pyinstaller"
    work.mkdir(parents=True, exist_ok=True)
    # Run from outside the checkout, so that the installed app is what gets bundled.
    run(
        [
            python,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            dist,
            "--workpath",
            work,
            SPEC,
        ],
        cwd=work,
    )
    folder, executable = bundle_paths(dist)
    if sys.platform.startswith("linux"):
        add_linux_desktop_files(folder)
        strip_linux_libraries(folder)
        check_linux_libraries(folder)
    built = time.monotonic()
    self_test(executable)
    packed = None if args.no_archive else archive(folder, dist)
    print(f"\nbundle: {folder} ({size_mb(folder):.0f} MB)")
    if packed is not None:
        print(f"archive: {packed} ({size_mb(packed):.0f} MB)")
    print(f"build {built - began:.0f} s, self-test and packing {time.monotonic() - built:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
