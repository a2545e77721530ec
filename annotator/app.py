"""Wiring: settings, paths, the QApplication and the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator import __version__
from annotator.formats.importer import import_paths
from annotator.resources import resource_path
from annotator.settings import Settings, default_project_path
from annotator.single_instance import InstanceServer, send_to_running_instance
from annotator.store import Project, ProjectError, ProjectFromNewerVersion
from annotator.store.lock import ProjectLocked
from annotator.ui.dialogs import ask_annotator_name, show_message
from annotator.ui.main_window import MainWindow
from annotator.ui.opening import open_project_interactively

SAMPLE_ARTICLE = "samples/putin-trump-call.txt"


def open_default_project(settings: Settings, *, interactive: bool = False) -> Project | None:
    """The default project, created with the sample article the first time.

    Interactive: failures are explained in dialogs and None comes back when nothing opened.
    """
    path = default_project_path()
    is_new = not path.exists()
    if interactive:
        project = open_project_interactively(None, path, create=True)
        if project is None:
            return None
    else:
        project = Project.open(path)
    if is_new:
        import_paths(project, [resource_path(SAMPLE_ARTICLE)], annotator=settings.annotator)
    return project


def choose_project(
    requested: Path | None, settings: Settings, *, interactive: bool = False
) -> tuple[Project | None, str | None]:
    """The project to open and, if the wanted one failed, the message saying why.

    The one named, else the last one used, else the default project. Interactive, each failure
    is explained in a dialog that offers what can be done (read-only, restore a backup).
    """
    candidates: list[Path] = []
    if requested is not None:
        candidates.append(requested)
    elif settings.last_project:
        candidates.append(Path(settings.last_project))
    problem: str | None = None
    for path in candidates:
        if requested is None and not path.exists():
            settings.forget_project(path)
            continue
        if interactive:
            project = open_project_interactively(None, path, create=requested is not None)
            if project is not None:
                return project, None
            continue
        try:
            return Project.open(path, create=requested is not None), None
        except (ProjectFromNewerVersion, ProjectLocked) as exc:
            try:
                return Project.open(path, read_only=True, lock=False), (
                    f"{exc}\n\nIt has been opened read-only."
                )
            except ProjectError:
                problem = str(exc)
        except ProjectError as exc:
            problem = str(exc)
    return open_default_project(settings, interactive=interactive), problem


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("News Annotator")
    app.setOrganizationName("news-annotator")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("org.newsannotator.NewsAnnotator")  # packaging/linux/*.desktop
    icon = resource_path("icons/news-annotator.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def run_gui(project_path: Path | None = None) -> int:
    app = create_application()
    # Single instance: a running app takes the project (or just comes forward) and we are done.
    if send_to_running_instance(project_path):
        return 0
    instance_server = InstanceServer(app, hold=True)
    instance_server.listen()  # when it cannot, this instance simply runs on its own
    settings = Settings.load()
    if not settings.annotator:
        name = ask_annotator_name(None)
        settings.annotator = name or "analyst"
        settings.save()
    project, problem = choose_project(project_path, settings, interactive=True)
    if project is None:
        show_message(
            None,
            QMessageBox.Icon.Critical,
            "News Annotator",
            "No project could be opened, not even your default project. "
            "See the messages shown before this one.",
        )
        return 1
    window = MainWindow(project, settings)
    if settings.zoom:
        window.reader.view.set_zoom(settings.zoom)
    window.show()
    if problem:
        show_message(window, QMessageBox.Icon.Warning, "Project not opened", problem)
    instance_server.open_requested.connect(lambda path: open_handed_over(window, path))
    instance_server.release()
    try:
        return app.exec()
    finally:
        instance_server.close()


def open_handed_over(window: MainWindow, path: str) -> None:
    """A later launch handed over ``path`` ("" for none): open it and bring the window forward."""
    if path and (window.project is None or window.project.path.resolve() != Path(path).resolve()):
        window.open_project(Path(path))
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
