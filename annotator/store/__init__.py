"""The project file: schema, migrations and every SQL query; no Qt."""

# First, before any store module imports sqlite-utils (see store/lean.py).
import annotator.store.lean  # noqa: F401  # isort: skip
from annotator.store.errors import (
    ProjectDamaged,
    ProjectEmpty,
    ProjectError,
    ProjectFromNewerVersion,
    ProjectMissing,
    ReadOnlyError,
)
from annotator.store.opening import PROJECT_SUFFIX
from annotator.store.project import Project

__all__ = [
    "PROJECT_SUFFIX",
    "Project",
    "ProjectDamaged",
    "ProjectEmpty",
    "ProjectError",
    "ProjectFromNewerVersion",
    "ProjectMissing",
    "ReadOnlyError",
]
