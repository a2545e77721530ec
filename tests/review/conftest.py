"""Helpers for review tests: small project files built through the store, and fingerprints of a
folder (names and bytes) to prove that reading a colleague's file changed nothing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project

TEXTS = (
    "Putin said the talks were “useful”. Trump agreed, the White House told reporters.",
    "Markets will probably fall next week, an analyst at Bloomberg speculated on Tuesday.",
    "Flag 🇺🇸 first. Then 👍🏽 «Expect many tweets», said e\u0301ditor\u00a0X.",
    "An article only one of the two analysts imported.",
)

SpanSpec = tuple[int, int, int, str]  # (article index, start, end, label)


@dataclass
class Built:
    path: Path
    article_ids: list[int]
    span_ids: list[int]


def build_project(
    path: Path,
    annotator: str,
    spans: Sequence[SpanSpec],
    *,
    texts: Sequence[str] = TEXTS[:3],
    titles: Sequence[str] | None = None,
    notes: bool = False,
) -> Built:
    """A project file holding ``texts`` and one annotator's spans; closed again (WAL mode file,
    checkpointed, no side files)."""
    with Project.open(path) as project:
        ids = []
        for i, text in enumerate(texts):
            title = titles[i] if titles else f"{annotator}'s article {i}"
            ids.append(project.add_article(ArticleDraft(text, title=title, source="Wire"))[0])
        span_ids = []
        for article, start, end, label in spans:
            found = project.label_by_name(label) or project.ensure_label(label)
            span = project.add_span(
                ids[article],
                start,
                end,
                found.id,
                annotator,
                note=f"{annotator} noted {start}" if notes else "",
            )
            span_ids.append(span.id)
    return Built(path, ids, span_ids)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every entry of a folder with the sha256 of its bytes: equal before and after means nothing
    was created, deleted or changed there."""
    result = {}
    for name in sorted(os.listdir(folder)):
        entry = folder / name
        result[name] = (
            hashlib.sha256(entry.read_bytes()).hexdigest() if entry.is_file() else "<dir>"
        )
    return result


@pytest.fixture
def alice_bob(tmp_path: Path) -> tuple[Built, Built]:
    """Two analysts over mostly the same articles, with titles and import order differing."""
    alice = build_project(
        tmp_path / "alice.annot",
        "alice",
        [(0, 0, 5, "Source"), (0, 10, 34, "Quote"), (1, 0, 36, "Speculation"), (2, 0, 4, "Claim")],
        texts=[TEXTS[0], TEXTS[1], TEXTS[2], TEXTS[3]],
    )
    bob = build_project(
        tmp_path / "bob.annot",
        "bob",
        [(2, 0, 5, "Source"), (2, 14, 34, "Quote"), (1, 0, 36, "Claim"), (0, 0, 4, "Claim")],
        texts=[TEXTS[2], TEXTS[1], TEXTS[0]],  # another order: other ids
        titles=["Call", "Markets", "Flags"],
    )
    return alice, bob
