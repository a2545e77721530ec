"""Fuzzing the readers, the import batch and the offset maths with hypothesis (bounded runs).

(a) Any bytes given to a reader give records or rejections, never an exception.
(b) Any file imported into a real project leaves it consistent: counts add up, integrity ok.
(c) Any text and any valid spans survive export and re-import in every format that can carry
    them: offsets, labels and text (notes where the format has them).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from annotator.core.text import canonicalize, offsets_in_range
from annotator.formats.brat import read_brat
from annotator.formats.conll import parse_conll, read_conll
from annotator.formats.csv_articles import read_csv
from annotator.formats.csv_spans import read_csv_file
from annotator.formats.doccano import read_doccano
from annotator.formats.export import export_project
from annotator.formats.html_page import read_html
from annotator.formats.importer import SUFFIXES, import_paths
from annotator.formats.jsonl import read_jsonl, read_jsonl_path
from annotator.formats.labelstudio import read_labelstudio
from annotator.formats.plain import read_plain
from annotator.formats.records import (
    AnnotationRecord,
    ArticleRecord,
    ReadOptions,
    RecordError,
)
from annotator.formats.registry import FORMATS
from annotator.store import Project, ProjectError

# ANNOTATOR_FUZZ_SCALE=20 runs twenty times as many examples (minutes), for a deeper search
# with fresh random examples each run; at the default scale the examples are the same on every
# run, so that the suite passes or fails the same way every time (what a deep search finds is
# fixed and kept as an @example or a test of its own).
SCALE = int(os.environ.get("ANNOTATOR_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=100 * SCALE,
    derandomize=SCALE == 1,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no .hypothesis folder in the repository
)

# ------------------------------------------------------------------------------ strategies
# Characters that make text maths hard: astral emoji and their modifiers and joiners, combining
# marks, CR/LF, NBSP and other white space, right-to-left letters and marks, line separators,
# control characters, markup.
HARD_CHARS = (
    list("aZ09 .,'-\"<>&")
    + ["\r\n", "\r", "\n", "\t", "\u00a0", "\u2028", "\u0085", "\x0b", "\x0c", "\x1c"]
    + ["\u0301", "\u0308", "\u200d", "\u200b", "\ufe0f", "\ufeff"]
    + ["👍", "🏽", "👨", "👩", "🇺", "🇸", "😀", "𝔸"]
    + ["ש", "ל", "ו", "م", "ر", "ح", "\u200f", "\u200e", "\u202e"]
    + ["é", "ß", "Ж", "中", "\x1b", "\x07", "\x7f", "\x9b"]
)
hard_text = st.lists(st.sampled_from(HARD_CHARS), min_size=1, max_size=40).map("".join)
LABEL_CHARS = list("AbcZ _-|:#[]") + ["<img src=x onerror=alert(1)>", "\x1b[31m", "é", "👍🏽", "\t"]
labels = (
    st.lists(st.sampled_from(LABEL_CHARS), min_size=1, max_size=4)
    .map("".join)
    .filter(lambda name: name == name.strip() and bool(name))
)
notes = st.one_of(
    st.just(""), st.lists(st.sampled_from(HARD_CHARS + LABEL_CHARS), max_size=8).map("".join)
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 60), st.floats(allow_nan=False), hard_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "spans",
                    "start",
                    "end",
                    "label",
                    "labels",
                    "meta",
                    "relations",
                    "head",
                    "child",
                    "note",
                    "annotator",
                    "attributes",
                    "title",
                    "status",
                    "entities",
                    "start_offset",
                    "end_offset",
                    "id",
                    "from_id",
                    "to_id",
                    "data",
                    "annotations",
                    "result",
                    "value",
                    "type",
                    "x",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=20,
)


def shaped_json_line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


any_bytes = st.one_of(
    st.binary(max_size=600),
    hard_text.map(lambda t: t.encode("utf-8")),
    st.lists(json_values.map(shaped_json_line), max_size=4).map(b"\n".join),
)


# Lines that look like real articles, so that imports get as far as writing spans and relations.
article_lines = st.lists(
    st.fixed_dictionaries(
        {"text": hard_text},
        optional={
            "title": st.one_of(hard_text, labels),
            "status": st.sampled_from(["new", "done", "in progress", "finished"]),
            "spans": st.lists(
                st.fixed_dictionaries(
                    {"start": st.integers(-1, 45), "end": st.integers(0, 46), "label": labels},
                    optional={"note": notes, "annotator": labels},
                ),
                max_size=5,
            ),
            "relations": st.lists(
                st.fixed_dictionaries({"head": st.integers(0, 4), "child": st.integers(0, 4)}),
                max_size=3,
            ),
        },
    ).map(shaped_json_line),
    min_size=1,
    max_size=4,
).map(b"\n".join)


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


cells = st.one_of(hard_text, st.sampled_from(["", "0", "5", "-1", "{}", "[]", "abc123"]))
csv_files = st.one_of(
    any_bytes,
    st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=5).map(
        lambda rows: csv_bytes([["text", "title", "status"], *rows])
    ),
    st.lists(st.lists(cells, min_size=1, max_size=12), min_size=1, max_size=4).map(
        lambda rows: csv_bytes(
            [
                [
                    "article_id",
                    "content_hash",
                    "title",
                    "span",
                    "label",
                    "start",
                    "end",
                    "text",
                    "annotator",
                    "note",
                    "attributes",
                    "relations",
                ],
                *rows,
            ]
        )
    ),
)
ann_lines = st.lists(
    st.tuples(
        st.sampled_from(["T1", "T2", "R1", "E1", "A1", "M1", "#1", "N1", "*", "X1", "T"]),
        st.sampled_from(
            [
                "Label",
                "Label 0 3",
                "Label 0 3;4 6",
                "Rel Arg1:T1 Arg2:T2",
                "Org:T1",
                "AnnotatorNotes T1",
                "Neg T1",
                "Label 9 2",
                "Label 0 99",
                "",
            ]
        ),
        hard_text,
    ).map(lambda parts: "\t".join(parts)),
    max_size=6,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
conll_files = st.one_of(
    any_bytes,
    st.lists(
        st.tuples(
            st.sampled_from(["-DOCSTART-", "Peskov", "said", "", "👍🏽", "x y"]),
            st.sampled_from(["O", "B-Source", "I-Source", "I-Claim", "B-", "X", ""]),
        ).map(lambda p: f"{p[0]}\t{p[1]}" if p[0] else ""),
        max_size=12,
    ).map(lambda lines: "\n".join(lines).encode()),
)


def check_records(records: Iterator[Any]) -> list[Any]:
    items = list(records)
    for item in items:
        assert isinstance(item, ArticleRecord | AnnotationRecord | RecordError), item
        if isinstance(item, ArticleRecord):
            text = item.draft.text
            assert text.strip() and "\x00" not in text and "\r" not in text
            for span in item.spans:
                assert offsets_in_range(len(text), span.start, span.end), (span, len(text))
                assert span.label.strip()
            for relation in item.relations:
                assert 0 <= relation.head < len(item.spans)
                assert 0 <= relation.child < len(item.spans)
    return items


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- (a) readers never raise
@FUZZ
@given(data=any_bytes)
def test_byte_readers_never_raise(data: bytes) -> None:
    check_records(read_plain(data))
    check_records(read_plain(data, markdown=True))
    check_records(read_jsonl(data))
    check_records(read_csv(data))
    check_records(parse_conll(data))


@settings(FUZZ, max_examples=50 * SCALE)
@given(data=st.one_of(any_bytes, hard_text.map(lambda t: f"<html><body><p>{t}</p>".encode())))
def test_html_reader_never_raises(data: bytes) -> None:
    check_records(read_html(data))


PATH_READERS: dict[str, tuple[str, Callable[[Path, ReadOptions], Iterator[Any]]]] = {
    "jsonl": (".jsonl", lambda p, o: read_jsonl_path(p)),
    "doccano": (".jsonl", read_doccano),
    "csv": (".csv", read_csv_file),
    "labelstudio": (".json", read_labelstudio),
    "labelstudio-lines": (".jsonl", read_labelstudio),
    "conll": (".conll", read_conll),
}


@FUZZ
@example(kind="csv", data=b"\r ")  # found by this test: csv.Error escaped the span-table sniff
@example(kind="jsonl", data=b"[" * 5000)  # RecursionError escaped json.loads
@example(kind="labelstudio", data=b"[" * 5000)
@given(
    kind=st.sampled_from(sorted(PATH_READERS)),
    data=st.one_of(
        any_bytes, article_lines, csv_files, conll_files, json_values.map(shaped_json_line)
    ),
)
def test_file_readers_never_raise(scratch: Path, kind: str, data: bytes) -> None:
    suffix, reader = PATH_READERS[kind]
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        check_records(reader(write(Path(folder), f"f{suffix}", data), ReadOptions()))


@FUZZ
@given(text=st.one_of(any_bytes, hard_text.map(str.encode)), ann=st.one_of(ann_lines, any_bytes))
def test_brat_pairs_never_raise(scratch: Path, text: bytes, ann: bytes) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        write(Path(folder), "doc.txt", text)
        write(Path(folder), "doc.ann", ann)
        check_records(read_brat(Path(folder), ReadOptions()))
        check_records(read_brat(Path(folder) / "doc.ann", ReadOptions()))


# --------------------------------------------------------- (b) the import batch stays whole
@pytest.fixture(scope="module")
def fuzz_project(scratch: Path) -> Iterator[Project]:
    project = Project.open(scratch / "fuzz.annot")
    yield project
    project.close()


def integrity(project: Project) -> str:
    return str(project.db.conn.execute("PRAGMA integrity_check").fetchone()[0])


RANDOM_TARGETS = st.tuples(
    st.sampled_from([*SUFFIXES, ".json", ".conll"]),
    st.sampled_from([None, None, None, *sorted(f for f in FORMATS if f != "parquet")]),
).filter(lambda target: target[1] is not None or target[0] in SUFFIXES)
import_cases = st.one_of(
    st.tuples(RANDOM_TARGETS, st.one_of(any_bytes, article_lines, csv_files, conll_files)),
    st.tuples(st.sampled_from([(".jsonl", None), (".jsonl", "doccano")]), article_lines),
    st.tuples(st.just((".csv", None)), csv_files),
    st.tuples(st.just((".conll", "conll")), conll_files),
    st.tuples(st.just((".txt", None)), hard_text.map(str.encode)),
)


@FUZZ
@given(case=import_cases)
def test_any_file_imports_consistently(
    fuzz_project: Project, scratch: Path, case: tuple[tuple[str, str | None], bytes]
) -> None:
    (suffix, fmt), data = case
    before = fuzz_project.counts()
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        path = write(Path(folder), f"input{suffix}", data)
        if fmt == "brat":
            write(Path(folder), "input.ann", data)
        try:
            summary = import_paths(fuzz_project, [path], annotator="fuzz", format=fmt)
        except ProjectError:  # documented: the batch was undone
            assert fuzz_project.counts() == before
            return
    event("articles added" if summary.articles_added else "nothing added")
    after = fuzz_project.counts()
    assert after["articles"] == before["articles"] + summary.articles_added
    assert after["spans"] == before["spans"] + summary.spans_added
    assert after["relations"] == before["relations"] + summary.relations_added
    assert len(summary.article_ids) >= summary.articles_added
    assert integrity(fuzz_project) == "ok"
    assert fuzz_project.check_spans() == []  # every span's text still matches its article


# ----------------------------------------------------- (c) spans survive every round trip
ROUND_TRIP = ("jsonl", "doccano", "brat", "labelstudio", "csv", "parquet")
_BRAT_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def one_line(note: str) -> str:
    return " ".join(note.splitlines()) if note else note


def carried(
    fmt: str, text: str, spans: list[tuple[int, int, str, str]]
) -> list[tuple[int, int, str, str]]:
    """The spans as ``fmt`` gives them back: doccano has no notes; brat notes are one line,
    and brat cannot show a line break at either end of a span, so it writes the span without
    them, or not at all when nothing else is left (the export report counts each)."""
    if fmt == "doccano":
        return sorted((s, e, label, "") for s, e, label, _ in spans)
    if fmt != "brat":
        return sorted(spans)
    kept: dict[tuple[int, int, str], str] = {}
    for start, end, label, note in sorted(spans):
        while start < end and text[start] in _BRAT_BREAKS:
            start += 1
        while end > start and text[end - 1] in _BRAT_BREAKS:
            end -= 1
        if start < end:
            kept.setdefault((start, end, label), one_line(note))  # the first of equal spans
    return sorted((s, e, label, note) for (s, e, label), note in kept.items())


def spans_of(project: Project) -> list[tuple[int, int, str, str]]:
    names = {label.id: label.name for label in project.labels()}
    return sorted(
        (s.start, s.end, names[s.label_id], s.note)
        for article_id in project.article_ids()
        for s in project.spans(article_id)
    )


@settings(FUZZ, max_examples=60 * SCALE)
@given(raw=hard_text, data=st.data())
def test_spans_survive_export_and_import_in_every_format(
    scratch: Path, raw: str, data: st.DataObject
) -> None:
    pytest.importorskip("pyarrow")
    assume(canonicalize(raw).text.strip())
    with tempfile.TemporaryDirectory(dir=scratch) as name:
        folder = Path(name)
        source_file = write(folder, "source.jsonl", shaped_json_line({"text": raw}))
        with Project.open(folder / "source.annot") as source:
            summary = import_paths(source, [source_file], annotator="ann")
            assert summary.rejections == [] and summary.articles_added == 1
            [article_id] = summary.article_ids
            text = source.article_text(article_id)
            assert text == canonicalize(raw).text
            size = len(text)
            wanted = data.draw(
                st.lists(
                    st.tuples(
                        st.integers(0, size - 1).flatmap(
                            lambda s: st.tuples(st.just(s), st.integers(s + 1, size))
                        ),
                        labels,
                        notes,
                    ),
                    max_size=6,
                    unique_by=lambda item: (item[0], item[1]),
                )
            )
            for (start, end), label, note in wanted:
                label_id = source.ensure_label(label).id
                source.add_span(article_id, start, end, label_id, "ann", note=note)
            expected = spans_of(source)
            assert expected == sorted((s, e, lb, n) for (s, e), lb, n in wanted)
            exports = {}
            for fmt in ROUND_TRIP:
                spec = FORMATS[fmt]
                out = folder / (f"out-{fmt}" if spec.folder else f"out-{fmt}{spec.suffix}")
                export_project(source, fmt, out)
                exports[fmt] = out
        for fmt, out in exports.items():
            with Project.open(folder / f"fresh-{fmt}.annot") as fresh:
                if fmt == "csv":  # spans only: the article must be there first
                    import_paths(fresh, [source_file], annotator="ann")
                summary = import_paths(fresh, [out], annotator="ann", format=fmt)
                assert summary.rejections == [], (fmt, summary.rejections)
                assert spans_of(fresh) == carried(fmt, text, expected), fmt
                [fresh_id] = fresh.article_ids()
                assert fresh.article_text(fresh_id) == text, fmt
                if fmt in ("jsonl", "labelstudio", "parquet"):
                    for span in fresh.spans(fresh_id):
                        assert span.annotator == "ann" and span.text == text[span.start : span.end]
