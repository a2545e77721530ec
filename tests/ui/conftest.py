"""Fixtures for driving the real main window on a real project file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from annotator.core.model import ArticleDraft
from annotator.settings import Settings
from annotator.store import Project

MIXED_TEXT = (
    "Flags 🇺🇸 and thumbs 👍🏽 said Peskov.\n"
    "Cafe\u0301 owners\u00a0agreed: “we will see”.\n"
    "قال المتحدث إن الاتصال سيتم يوم السبت.\n"
    "Expect many tweets to follow both phone calls."
)


@pytest.fixture(autouse=True)
def _qt_identity(qapp: object) -> None:
    # QSettings (window geometry) needs an organisation; XDG dirs already point at tmp.
    QCoreApplication.setOrganizationName("news-annotator-tests")
    QCoreApplication.setApplicationName("News Annotator Tests")


@pytest.fixture
def settings() -> Settings:
    s = Settings(annotator="alice")
    s.save()
    return s


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "project.annot"
    with Project.open(path) as project:
        project.add_article(ArticleDraft(text=MIXED_TEXT, title="Mixed scripts", source="Wire"))
        project.add_article(ArticleDraft(text="Second article.\nIt has two lines.", title="Second"))
        project.add_article(ArticleDraft(text="Third article text here.", title="Third"))
    return path


@pytest.fixture
def window(qtbot, project_path: Path, settings: Settings) -> Iterator[object]:
    from annotator.ui.main_window import MainWindow

    win = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    if win.project is not None:
        win.close()
