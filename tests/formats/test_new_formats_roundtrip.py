"""Random texts and spans go out through each dataset format and come back exactly.

Texts mix what makes offsets hard (emoji with modifiers and joiners, combining marks, NBSP,
right-to-left letters and marks, tabs, line breaks, the characters the formats escape); spans
are random, overlapping and nested, with random labels, notes and annotators. Each export is
also read by the format's own library where there is one.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.formats.conll import _is_separator
from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.formats.registry import FORMATS
from annotator.store import Project

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

CHARS = (
    list("aZ09 .,'-\"")
    + ["\n", "\t", "\u00a0", "\u0301", "\u0308", "\u200d", "\ufe0f"]
    + ["👍", "🏽", "👨", "👩", "🇺", "🇸", "😀", "𝔸"]
    + ["ש", "ל", "م", "ر", "\u200f", "\u200e"]
    + ["é", "ß", "Ж", "中"]
    + ["|", "\\", "*", "_", "[", "]", ";", "->", "#", "="]
)
texts = (
    st.lists(st.sampled_from(CHARS), min_size=1, max_size=50)
    .map("".join)
    .filter(lambda t: bool(t.strip()) and not t[0].isspace())
)
NAME_CHARS = list("AbZ _-|[]*;é👍") + ["\\", "->"]
names = (
    st.lists(st.sampled_from(NAME_CHARS), min_size=1, max_size=5)
    .map("".join)
    .filter(lambda n: n == n.strip() and bool(n))
)
notes = st.one_of(st.just(""), st.lists(st.sampled_from(CHARS), max_size=8).map("".join))

# Formats that cut text into tokens trim a span to its tokens' edges (the export reports each).
TRIMS = {"webanno-tsv"}
NEW_FORMATS = ["spacy", "hf", "xmi", "webanno-tsv", "labelstudio-min"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


def spans_of(project: Project) -> list[tuple[Any, ...]]:
    names_by_id = {label.id: label.name for label in project.labels()}
    return sorted(
        (s.start, s.end, names_by_id[s.label_id], s.annotator, s.note, json.dumps(s.attributes))
        for article_id in project.article_ids()
        for s in project.spans(article_id)
    )


def relations_of(project: Project) -> list[tuple[Any, ...]]:
    out = []
    for article_id in project.article_ids():
        spans = {s.id: (s.start, s.end) for s in project.spans(article_id)}
        out.extend(
            (spans[r.head_id], spans[r.child_id], r.type, r.annotator)
            for r in project.relations(article_id)
        )
    return sorted(out)


def _formats() -> Iterator[Any]:
    for name in NEW_FORMATS:
        if name in FORMATS:
            yield name


@pytest.mark.parametrize("fmt", list(_formats()))
@SETTINGS
@given(text=texts, data=st.data())
def test_random_spans_come_back_exactly(
    scratch: Path, fmt: str, text: str, data: st.DataObject
) -> None:
    size = len(text)
    wanted = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1).flatmap(
                    lambda s: st.tuples(st.just(s), st.integers(s + 1, size))
                ),
                names,
                st.sampled_from(["ann", "bob", "Zoë 👍"]),
                notes,
                st.dictionaries(st.sampled_from(["tone", "x|y"]), names, max_size=1),
            ),
            max_size=6,
        )
    )
    if fmt in TRIMS:  # the text before the first token is written as spaces (and reported)
        assume(not _is_separator(text[0]))
    round_trip(scratch, fmt, text, wanted)


@pytest.mark.parametrize("fmt", list(_formats()))
def test_code_point_offsets_are_never_read_as_utf16(scratch: Path, fmt: str) -> None:
    # Read as UTF-16 units this span would end a character earlier, between two letters of a
    # word; read as code points it ends between two letters too: the formats count code points.
    round_trip(scratch, fmt, "aaaaaaaaa👍->->aa", [((0, 15), "A", "ann", "", {})])


def round_trip(scratch: Path, fmt: str, text: str, wanted: list[Any]) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as name:
        folder = Path(name)
        source_file = folder / "source.jsonl"
        source_file.write_text(json.dumps({"text": text, "title": "T"}) + "\n", encoding="utf-8")
        with Project.open(folder / "source.annot") as source:
            summary = import_paths(source, [source_file], annotator="ann")
            [article_id] = summary.article_ids
            assert source.article_text(article_id) == text
            made = []
            seen = set()
            for (start, end), label, who, note, attributes in wanted:
                if fmt in TRIMS:
                    while start < end and _is_separator(text[start]):
                        start += 1
                    while end > start and _is_separator(text[end - 1]):
                        end -= 1
                    if start == end:
                        continue
                if (start, end, label, who) in seen:
                    continue
                seen.add((start, end, label, who))
                label_id = source.ensure_label(label).id
                made.append(
                    source.add_span(
                        article_id, start, end, label_id, who, note=note, attributes=attributes
                    ).id
                )
            for head, child in zip(made, made[1:], strict=False):
                source.add_relation(head, child, "attributed_to", "ann")
            expected_spans = spans_of(source)
            expected_relations = relations_of(source)
            spec = FORMATS[fmt]
            out = folder / ("out" if spec.folder else f"out{spec.suffix}")
            report = export_project(source, fmt, out)
            assert report.spans == len(expected_spans)
        with Project.open(folder / "fresh.annot") as fresh:
            back = import_paths(fresh, [out], annotator="someone", format=fmt)
            assert back.rejections == [], back.describe()
            [fresh_id] = fresh.article_ids()
            assert fresh.article_text(fresh_id) == text
            assert spans_of(fresh) == expected_spans
            assert relations_of(fresh) == expected_relations
