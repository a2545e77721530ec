"""Fixtures for import tests: a fresh project file and helpers that write input files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.formats.importer import ImportSummary, import_paths
from annotator.store import Project

JsonlWriter = Callable[..., Path]
Importer = Callable[..., ImportSummary]


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    proj = Project.open(tmp_path / "p.annot")
    yield proj
    proj.close()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


@pytest.fixture
def write_jsonl(inputs: Path) -> JsonlWriter:
    """Write records to ``inputs/name``, one per line; a str record is written as a raw line."""

    def write(name: str, *records: Any, ensure_ascii: bool = True) -> Path:
        lines = [
            r if isinstance(r, str) else json.dumps(r, ensure_ascii=ensure_ascii) for r in records
        ]
        path = inputs / name
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        return path

    return write


@pytest.fixture
def run_import(project: Project) -> Importer:
    """Import into the test project as analyst 'tester'."""

    def run(*paths: Path | str, **options: Any) -> ImportSummary:
        options.setdefault("annotator", "tester")
        return import_paths(project, list(paths), **options)

    return run


def span_at(
    article_text: str, covered: str, label: str = "Quote", /, **extra: Any
) -> dict[str, Any]:
    """A JSONL span over the first occurrence of ``covered`` in the text (code points)."""
    start = article_text.index(covered)
    return {"start": start, "end": start + len(covered), "label": label, **extra}


@pytest.fixture(name="span_at")
def span_at_fixture() -> Callable[..., dict[str, Any]]:
    return span_at
