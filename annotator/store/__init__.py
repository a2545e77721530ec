"""The project file: schema, migrations and every SQL query; no Qt."""

from annotator.store.project import (
    PROJECT_SUFFIX,
    Project,
    ProjectDamaged,
    ProjectEmpty,
    ProjectError,
    ProjectFromNewerVersion,
    ProjectMissing,
    ReadOnlyError,
)

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
