"""The main window's controllers, one concern each (see annotator/ui/main_window.py)."""

from annotator.ui.controllers.articles import ArticleController
from annotator.ui.controllers.imports import ImportController
from annotator.ui.controllers.labels import LabelController
from annotator.ui.controllers.layers import LayerController
from annotator.ui.controllers.project import ProjectController
from annotator.ui.controllers.relations import RelationController
from annotator.ui.controllers.spans import SpanController
from annotator.ui.controllers.view import ViewController
from annotator.ui.controllers.workspace import Workspace

__all__ = [
    "ArticleController",
    "ImportController",
    "LabelController",
    "LayerController",
    "ProjectController",
    "RelationController",
    "SpanController",
    "ViewController",
    "Workspace",
]
