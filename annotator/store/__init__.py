"""The project file: schema, migrations and every SQL query; no Qt."""

import sys


def _import_sqlite_utils_without_dataframes() -> None:
    """Import sqlite-utils without pandas and numpy, when they are installed but not yet loaded.

    sqlite-utils imports both, if it can, only to map their scalar types to column types when it
    creates tables from Python values; the store never inserts pandas or numpy values. Loading
    them costs about 0.3 s at every start of the app and of each command (they stay importable
    for whoever needs them later, such as the Parquet format).
    """
    if "sqlite_utils.db" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


_import_sqlite_utils_without_dataframes()

from annotator.store.project import (  # noqa: E402
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
