"""sqlite-utils without pandas and numpy: imported first by the store package (its side effect
is the point), before any module of the store imports sqlite-utils."""

from __future__ import annotations

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
