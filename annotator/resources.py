"""Where the app's bundled files (sample article, icons) are, installed or from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir() -> Path:
    """``annotator/resources`` in an installed wheel, ``resources/`` in a source checkout."""
    installed = _PACKAGE / "resources"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "resources"


def resource_path(relative: str) -> Path:
    return resource_dir() / relative
