"""Readers and writers of import and export formats; no Qt."""
