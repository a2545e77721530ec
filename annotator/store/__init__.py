"""The project file: schema, migrations and every SQL query; no Qt."""

from annotator.store.project import PROJECT_SUFFIX, Project, ProjectError, ReadOnlyError

__all__ = ["PROJECT_SUFFIX", "Project", "ProjectError", "ReadOnlyError"]
