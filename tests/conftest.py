"""Test set-up: Qt runs offscreen and no test touches the real user's settings or data."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.fullfs"]  # small_fs: a real, size-limited file system to fill

REPO = Path(__file__).resolve().parent.parent
# Beside the repository, or one level up for a checkout in a subfolder of the workspace.
SHARED = next(
    (p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
    REPO.parent / "shared",
)
CORPORA = SHARED / "corpora"
SAMPLE = REPO / "resources" / "samples" / "putin-trump-call.txt"


@pytest.fixture(autouse=True, scope="session")
def _isolated_dirs_for_wider_fixtures(tmp_path_factory: pytest.TempPathFactory):
    """The same for module- and session-scoped fixtures, which are set up before the per-test
    folders below: opening and closing a project writes backups into the data dir."""
    home = tmp_path_factory.mktemp("session-home")
    with pytest.MonkeyPatch.context() as patch:
        for kind in ("config", "data", "state", "cache"):
            patch.setenv(f"XDG_{kind.upper()}_HOME", str(home / kind))
        yield home


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point platformdirs' config and data dirs at a temporary folder for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    yield home


# Calls that wait for a person: a test that reaches one without stubbing it would hang the run.
MODAL_CALLS: dict[str, tuple[str, ...]] = {
    "QDialog": ("exec", "exec_"),
    "QMessageBox": (
        "exec",
        "exec_",
        "information",
        "warning",
        "critical",
        "question",
        "about",
        "aboutQt",
    ),
    "QFileDialog": (
        "exec",
        "exec_",
        "getOpenFileName",
        "getOpenFileNames",
        "getSaveFileName",
        "getExistingDirectory",
        "getOpenFileUrl",
        "getOpenFileUrls",
        "getSaveFileUrl",
        "getExistingDirectoryUrl",
    ),
    "QInputDialog": (
        "exec",
        "exec_",
        "getItem",
        "getText",
        "getMultiLineText",
        "getInt",
        "getDouble",
    ),
    "QColorDialog": ("exec", "exec_", "getColor"),
    "QFontDialog": ("exec", "exec_", "getFont"),
    "QProgressDialog": ("exec", "exec_"),
    "QErrorMessage": ("exec", "exec_"),
    "QWizard": ("exec", "exec_"),
    # A popup menu run with exec() waits for a choice (a context menu); popup() does not.
    "QMenu": ("exec", "exec_"),
}


def _blocked(call: str):  # type: ignore[no-untyped-def]
    def refuse(*_args: object, **_kwargs: object) -> object:
        pytest.fail(
            f"{call}() would wait for a person and hang the run: stub it in this test "
            "(monkeypatch) or open it without blocking (.open(); .popup() for a menu)",
            pytrace=True,
        )

    refuse.waits_for_a_person = True  # type: ignore[attr-defined]
    return refuse


def _refusing_attribute_lookup(cls: type, calls: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A lookup on the class's instances that refuses ``calls``. Some Qt classes look a method
    with static and instance overloads (``QMenu.exec``) up in their own C code, past the class
    attribute, so that patching the class alone does not reach ``QMenu(...).exec()``."""
    lookup = cls.__getattribute__

    def refusing_lookup(self: object, name: str) -> object:
        if name in calls:
            # The nearest definition decides: this guard, or a test's stub or a subclass's own.
            found = next((vars(k)[name] for k in type(self).__mro__ if name in vars(k)), None)
            if getattr(found, "waits_for_a_person", False):
                return _blocked(f"{cls.__name__}.{name}")
            if inspect.isfunction(found):
                return found.__get__(self, type(self))
        return lookup(self, name)

    return refusing_lookup


@pytest.fixture(autouse=True)
def _no_blocking_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test in which a modal dialog or a popup menu would block (a test's own stub
    takes over)."""
    try:
        from PySide6 import QtWidgets
    except ImportError:  # a Qt-free environment: nothing can block
        return
    for class_name, calls in MODAL_CALLS.items():
        cls = getattr(QtWidgets, class_name)
        for call in calls:
            if hasattr(cls, call):
                monkeypatch.setattr(cls, call, _blocked(f"{class_name}.{call}"))
        if "__getattribute__" in vars(cls):
            refusing = _refusing_attribute_lookup(cls, calls)
            monkeypatch.setattr(cls, "__getattribute__", refusing)


@pytest.fixture(autouse=True)
def _qsettings_per_test(_isolated_dirs: Path) -> None:
    """QSettings (window geometry, dock layout) in this test's own folder, as an INI file."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:
        return
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(_isolated_dirs / "qsettings"))


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"third-party corpora not found at {CORPORA}")
    return CORPORA
