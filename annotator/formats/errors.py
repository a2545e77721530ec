"""What exporting raises; the format registry and every writer share these."""

from __future__ import annotations


class ExportError(Exception):
    """An export that cannot be done (unknown format or label, unwritable path, ...)."""


class ExportCancelled(ExportError):
    """The user cancelled; no output file was left behind."""
