"""Huge inputs: big files stream with flat memory, oversized ones are refused with a clear limit.

The default run uses a 20 MB JSONL file; set ANNOTATOR_BIG_IMPORT_TEST=1 to import a 200 MB one
and to skip a 200 MB line, each in a subprocess whose peak memory is measured (about a minute).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from annotator.formats import limits
from annotator.formats.importer import ImportSummary
from annotator.formats.jsonl import read_jsonl_path
from annotator.formats.limits import (
    MAX_ARTICLE_BYTES,
    MB,
    BoundedTextLines,
    CsvRecords,
    TooLarge,
    bounded_lines,
    megabytes,
)
from annotator.formats.records import ArticleRecord, text_problem
from annotator.store import Project

BIG = os.environ.get("ANNOTATOR_BIG_IMPORT_TEST") == "1"
REPO = Path(__file__).resolve().parents[2]
ARTICLE = "Peskov said the talks were useful. " * 60


def write_jsonl(path: Path, size: int) -> int:
    """A JSONL file of about ``size`` bytes of ordinary articles, written quickly."""
    count = written = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < size:
            line = json.dumps(
                {
                    "text": f"Article {count}. {ARTICLE}",
                    "spans": [{"start": 0, "end": 7, "label": "Source"}],
                }
            )
            fh.write(line + "\n")
            written += len(line) + 1
            count += 1
    return count


def sparse(path: Path, size: int, start: bytes = b"") -> Path:
    """A file of ``size`` bytes made instantly: ``start`` then a hole the system fills with NULs."""
    with path.open("wb") as fh:
        fh.write(start)
        fh.truncate(size)
    return path


def peak_import(paths: list[Path], project: Path, fmt: str = "") -> tuple[dict[str, int], float]:
    """Import in a fresh interpreter; (counts, peak resident memory in MB) of that process."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        from annotator.formats.importer import import_paths
        from annotator.store import Project
        project = Project.open(sys.argv[1])
        summary = import_paths(project, sys.argv[3:], annotator="t", format=sys.argv[2] or None)
        counts = {"added": summary.articles_added, "rejected": summary.rejected,
                  "spans": summary.spans_added}
        project.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        print(json.dumps([counts, peak]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(project), fmt, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=600,
    )
    counts, peak = json.loads(done.stdout.splitlines()[-1])
    return counts, peak


def messages(summary: ImportSummary) -> list[tuple[str, int | None, str]]:
    return [(r.path.name, r.line, r.message) for r in summary.rejections]


# ------------------------------------------------------------------------------- the limits
def test_limits_leave_room_for_real_articles() -> None:
    assert MAX_ARTICLE_BYTES >= 10 * MB  # real articles are under 1 MB
    assert limits.MAX_LINE_BYTES >= 3 * MAX_ARTICLE_BYTES  # a \\u-escaped article with spans
    assert megabytes(52_400_000) == "52.4 MB"
    assert megabytes(10 * MB) == "10 MB"


def test_article_limit_is_exact() -> None:
    assert text_problem("a" * MAX_ARTICLE_BYTES) is None
    assert text_problem("a" * (MAX_ARTICLE_BYTES + 1)) == (
        "article of 10 MB; the limit is 10 MB per article"
    )
    # UTF-8 bytes count, not characters: 4 million Cyrillic letters are 8 MB, 6 million 12 MB
    assert text_problem("ж" * 4_000_000) is None
    assert text_problem("ж" * 6_000_000) == "article of 12 MB; the limit is 10 MB per article"


def dense_article(spans: int) -> str:
    """A 1 MB article with ``spans`` spans as a JSON line of about 3 MB."""
    text = ("Peskov said talks were useful. " * 33_000)[:1_000_000]
    return json.dumps(
        {
            "text": text,
            "spans": [
                {"start": i * 100, "end": i * 100 + 6, "label": f"L{i % 7}", "note": "n" * 50}
                for i in range(spans)
            ],
        }
    )


def test_a_one_megabyte_article_with_ten_thousand_spans_is_within_every_limit(
    inputs: Path,
) -> None:
    path = inputs / "dense.jsonl"
    path.write_text(dense_article(10_000) + "\n", encoding="utf-8")
    [record] = read_jsonl_path(path)
    assert isinstance(record, ArticleRecord) and len(record.spans) == 10_000


@pytest.mark.skipif(not BIG, reason="about 13 s: set ANNOTATOR_BIG_IMPORT_TEST=1")
def test_a_one_megabyte_article_with_ten_thousand_spans_imports(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "dense.jsonl"
    path.write_text(dense_article(10_000) + "\n", encoding="utf-8")
    summary = run_import(path)
    assert (summary.articles_added, summary.spans_added, summary.rejected) == (1, 10_000, 0)


def test_a_one_megabyte_article_with_a_thousand_spans_imports(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "dense.jsonl"
    path.write_text(dense_article(1_000) + "\n", encoding="utf-8")
    summary = run_import(path)
    assert (summary.articles_added, summary.spans_added, summary.rejected) == (1, 1_000, 0)


# ------------------------------------------------------------------------------ streaming
def test_big_jsonl_streams_with_flat_memory(tmp_path: Path) -> None:
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    small_count = write_jsonl(small, 1 * MB)
    big_count = write_jsonl(big, (200 if BIG else 20) * MB)
    small_counts, small_peak = peak_import([small], tmp_path / "small.annot")
    big_counts, big_peak = peak_import([big], tmp_path / "big.annot")
    assert (small_counts["added"], big_counts["added"]) == (small_count, big_count)
    assert big_counts["spans"] == big_count and big_counts["rejected"] == 0
    # Reading the file whole would add its size; streaming adds only SQLite's page cache.
    assert big_peak - small_peak < 40, (small_peak, big_peak)


def write_label_studio(path: Path, size: int, *, indent: int | None) -> int:
    """A Label Studio export of about ``size`` bytes: one JSON array of tasks (pretty-printed
    as Label Studio writes it, or all on one line); the number of tasks."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        while fh.tell() < size:
            text = f"Task {count}: Peskov 👍🏽 said “talks” would go on. " + "word " * 300
            task = {
                "id": count,
                "data": {"text": text},
                "annotations": [
                    {
                        "completed_by": 1,
                        "result": [
                            {
                                "id": f"r{count}",
                                "type": "labels",
                                "from_name": "label",
                                "to_name": "text",
                                "value": {
                                    "start": 0,
                                    "end": 4,
                                    "text": "Task",
                                    "labels": ["Claim"],
                                },
                            }
                        ],
                    }
                ],
            }
            fh.write(("," if count else "") + json.dumps(task, ensure_ascii=False, indent=indent))
            count += 1
        fh.write("]")
    return count


@pytest.mark.parametrize("indent", [2, None])
def test_a_big_label_studio_array_streams_with_flat_memory(
    tmp_path: Path, indent: int | None
) -> None:
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small_count = write_label_studio(small, 1 * MB, indent=indent)
    big_count = write_label_studio(big, (200 if BIG else 70) * MB, indent=indent)
    assert big.stat().st_size > limits.MAX_WHOLE_FILE_BYTES  # once refused: read whole
    small_counts, small_peak = peak_import([small], tmp_path / "small.annot", "labelstudio")
    big_counts, big_peak = peak_import([big], tmp_path / "big.annot", "labelstudio")
    assert (small_counts["added"], big_counts["added"]) == (small_count, big_count)
    assert big_counts["spans"] == big_count and big_counts["rejected"] == 0
    assert big_peak - small_peak < 40, (small_peak, big_peak)


@pytest.mark.skipif(not BIG, reason="set ANNOTATOR_BIG_IMPORT_TEST=1 (writes a 200 MB line)")
def test_a_200_megabyte_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    path = tmp_path / "one-line.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"text": "Before."}\n{"text": "')
        chunk = b"a" * MB
        for _ in range(200):
            fh.write(chunk)
        fh.write(b'"}\n{"text": "After."}\n')
    small = tmp_path / "small.jsonl"
    small.write_text('{"text": "Before."}\n{"text": "After."}\n', encoding="utf-8")
    _, baseline = peak_import([small], tmp_path / "small.annot")
    counts, peak = peak_import([path], tmp_path / "big.annot")
    assert (counts["added"], counts["rejected"]) == (2, 1)
    # At most the line limit is read (twice over while readline joins its chunks); reading the
    # line whole would take its 200 MB at least twice (bytes, then text).
    assert peak - baseline < 2 * limits.MAX_LINE_BYTES / MB + 40, (baseline, peak)


def test_bounded_lines_skip_a_long_line_a_chunk_at_a_time() -> None:
    data = b"short\n" + b"x" * 5000 + b"\nafter\n" + b"y" * 2000
    items = list(bounded_lines(io.BytesIO(data), limit=1000))
    assert items[0] == b"short\n" and items[2] == b"after\n"
    assert isinstance(items[1], TooLarge) and isinstance(items[3], TooLarge)
    assert "line of 0 MB; the limit is 0 MB per line" in items[1].message
    exact = list(bounded_lines(io.BytesIO(b"z" * 1000 + b"\n" + b"z" * 1000), limit=1000))
    assert exact == [b"z" * 1000 + b"\n", b"z" * 1000]


def test_bounded_text_lines_track_quotes_of_a_skipped_line() -> None:
    lines = BoundedTextLines(io.StringIO('a\r\n"' + "b" * 50 + '",c\nd\n', newline=""), limit=20)
    assert next(lines) == "a\r\n"
    with pytest.raises(TooLarge):
        next(lines)
    assert (lines.line, lines.skipped_quotes) == (2, 2)
    assert next(lines) == "d\n"


def test_csv_records_go_on_after_a_one_line_record_and_stop_inside_quotes() -> None:
    text = 'text\nfirst\n"' + "x" * 300 + '"\nthird\n"multi\n' + "y" * 300 + '\n"\nlast\n'
    records = CsvRecords(io.StringIO(text, newline=""), limit=100)
    assert next(records) == (1, ["text"])
    assert next(records) == (2, ["first"])
    line, skipped = next(records)
    assert line == 3 and isinstance(skipped, TooLarge)
    assert next(records) == (4, ["third"])
    with pytest.raises(TooLarge) as stopped:
        next(records)
    assert stopped.value.line == 5
    assert stopped.value.message == (
        "line of 0 MB; the limit is 0 MB per line (the record runs on past line 6); the rest of "
        "the file was not read"
    )


# ---------------------------------------------------------------- one oversized article
def test_fifty_megabyte_txt_is_refused_unread(project: Project, inputs: Path, run_import) -> None:
    big = sparse(inputs / "huge.txt", 50 * MB, b"Headline\n")
    (inputs / "fine.txt").write_text("A fine article.", encoding="utf-8")
    tracemalloc.start()
    try:
        summary = run_import(inputs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.articles_added == 1
    assert messages(summary) == [
        (
            big.name,
            None,
            "file of 50 MB; the limit is 20 MB per .txt or .md file (10 MB per article)",
        )
    ]
    assert peak < 5 * MB  # refused on its size, not read


def test_txt_just_over_the_article_limit_is_read_and_refused(
    project: Project, inputs: Path, run_import
) -> None:
    (inputs / "long.md").write_text("# Long\n" + "word " * 2_200_000, encoding="utf-8")
    summary = run_import(inputs / "long.md")
    assert messages(summary) == [
        ("long.md", None, "article of 11 MB; the limit is 10 MB per article")
    ]


def test_a_line_of_ten_million_characters_imports(
    project: Project, inputs: Path, run_import
) -> None:
    line = ("Lorem ipsum dolor sit amet " * 400_000)[:10_000_000]
    (inputs / "one-line.txt").write_text(line, encoding="utf-8")
    (inputs / "one-line.jsonl").write_text(json.dumps({"text": line[::-1]}) + "\n", "utf-8")
    summary = run_import(inputs)
    assert (summary.articles_added, summary.rejected) == (2, 0)
    lengths = sorted(len(project.article_text(i)) for i in project.article_ids())
    assert lengths == [len(line.strip()), len(line)] or lengths == [len(line)] * 2


def test_fifty_megabyte_jsonl_line_is_rejected_and_the_others_import(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "mixed.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "Before the big one."}) + "\n")
        fh.write(json.dumps({"text": "a" * (50 * MB)}) + "\n")
        fh.write(json.dumps({"text": "After the big one."}) + "\n")
    summary = run_import(path)
    assert summary.articles_added == 2
    assert messages(summary) == [
        ("mixed.jsonl", 2, "article of 50 MB; the limit is 10 MB per article")
    ]


def test_jsonl_line_above_the_line_limit_is_skipped_with_file_and_line(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "over.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"text": "First."}\n{"text": "')
        fh.write(b"b" * (70 * MB))
        fh.write(b'"}\n{"text": "Third."}\n')
    summary = run_import(path)
    assert summary.articles_added == 2
    assert [str(r) for r in summary.rejections] == [
        f"{path}:2: line of 70 MB; the limit is 64 MB per line"
    ]


def test_fifty_megabyte_csv_field_is_rejected_and_the_others_import(
    project: Project, inputs: Path, run_import
) -> None:
    before = csv.field_size_limit()
    path = inputs / "articles.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("title,text\nFirst,The first article.\n")
        fh.write('Huge,"' + "c" * (50 * MB) + '"\n')
        fh.write("Unquoted," + "d" * (12 * MB) + "\n")
        fh.write("Last,The last article.\n")
    summary = run_import(path)
    assert summary.articles_added == 2
    too_large = "a field of more than 10 MB; the limit is 10 MB per article"
    assert messages(summary) == [("articles.csv", 3, too_large), ("articles.csv", 4, too_large)]
    assert csv.field_size_limit() == before  # the process-wide limit is put back


def test_csv_field_of_many_lines_stops_the_file_clearly(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "multiline.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("text\nFirst article.\n")
        fh.write('"' + ("line of text\n" * 900_000) + '"\n')
        fh.write("Never read.\n")
    summary = run_import(path)
    assert summary.articles_added == 1
    [(name, line, message)] = messages(summary)
    assert (name, line, message) == (
        "multiline.csv",
        3,
        "a field of more than 10 MB; the limit is 10 MB per article (the record runs on past "
        "line 769233); the rest of the file was not read",
    )


def test_big_utf8_csv_streams_and_other_encodings_are_read_whole_within_a_limit(
    project: Project, inputs: Path, run_import
) -> None:
    bom = inputs / "excel.csv"
    bom.write_bytes("\ufefftext\nÉté à Paris.\n".encode())
    cp1252 = inputs / "legacy.csv"
    cp1252.write_bytes("text\nÉté à Paris; déjà vu.\n".encode("cp1252"))
    huge_legacy = sparse(inputs / "legacy-huge.csv", 65 * MB, "text\nÉté\n".encode("cp1252"))
    summary = run_import(bom, cp1252, huge_legacy)
    assert summary.articles_added == 2
    assert messages(summary) == [
        (
            huge_legacy.name,
            None,
            "file of 65 MB; the limit is 64 MB per CSV file not in UTF-8 (read whole to detect "
            "its encoding); save it as UTF-8 to import it a record at a time, whatever its size",
        )
    ]
    texts = sorted(project.article_text(i) for i in project.article_ids())
    assert texts == ["Été à Paris.", "Été à Paris; déjà vu."]


def test_csv_given_encoding_is_checked_before_any_record(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "bad.csv"
    path.write_bytes(b"text\nfine\n\xff\xfe broken\n")
    summary = run_import(path, encoding="utf-8")
    assert summary.articles_added == 0
    assert messages(summary) == [
        ("bad.csv", None, "is not valid utf-8 (byte 11: invalid start byte)")
    ]


# --------------------------------------------------------------------- whole-file formats
@pytest.mark.parametrize(
    ("name", "size", "start", "fmt", "expected"),
    [
        (
            "page.html",
            21 * MB,
            b"<html>",
            None,
            "file of 21 MB; the limit is 20 MB per saved page; save the page as HTML only, "
            "without its images",
        ),
        (
            "tasks.json",
            65 * MB,
            "\ufeff[".encode("utf-16-le"),
            "labelstudio",
            "file of 65 MB; the limit is 64 MB per Label Studio JSON file not in UTF-8 (read "
            "whole); save it as UTF-8 to import it a task at a time, whatever its size",
        ),
        (
            "tokens.conll",
            65 * MB,
            b"-DOCSTART-\tO\n",
            "conll",
            "file of 65 MB; the limit is 64 MB per CoNLL file; split it into smaller files",
        ),
        (
            "utf16.jsonl",
            65 * MB,
            "\ufeff".encode("utf-16-le"),
            None,
            "file of 65 MB; the limit is 64 MB per JSONL file not in UTF-8 (read whole); save it "
            "as UTF-8 to import it a line at a time, whatever its size",
        ),
    ],
)
def test_files_read_whole_are_refused_above_their_limit(
    project: Project,
    inputs: Path,
    run_import,
    name: str,
    size: int,
    start: bytes,
    fmt: str | None,
    expected: str,
) -> None:
    path = sparse(inputs / name, size, start)
    summary = run_import(path, format=fmt)
    assert messages(summary) == [(name, None, expected)]


def test_brat_files_above_their_limits_are_refused(
    project: Project, inputs: Path, run_import
) -> None:
    folder = inputs / "brat"
    folder.mkdir()
    (folder / "ok.txt").write_text("Peskov said so.", encoding="utf-8")
    (folder / "ok.ann").write_text("T1\tSource 0 6\tPeskov\n", encoding="utf-8")
    sparse(folder / "big-text.txt", 21 * MB, b"Headline")
    (folder / "big-text.ann").write_text("", encoding="utf-8")
    (folder / "big-ann.txt").write_text("Small text.", encoding="utf-8")
    sparse(folder / "big-ann.ann", 65 * MB, b"T1\tSource 0 5\tSmall\n")
    summary = run_import(folder, format="brat")
    assert (summary.articles_added, summary.spans_added) == (1, 1)
    assert messages(summary) == [
        ("big-ann.ann", None, "file of 65 MB; the limit is 64 MB per brat .ann file"),
        (
            "big-text.txt",
            None,
            "file of 21 MB; the limit is 20 MB per brat .txt file (10 MB per article)",
        ),
    ]


def test_label_studio_tasks_as_json_lines_stream(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "tasks.jsonl"
    tasks = [
        {
            "data": {"text": f"Task {i} text."},
            "annotations": [
                {
                    "result": [
                        {
                            "id": f"r{i}",
                            "type": "labels",
                            "from_name": "label",
                            "to_name": "text",
                            "value": {"start": 0, "end": 4, "text": "Task", "labels": ["Claim"]},
                        }
                    ]
                }
            ],
        }
        for i in range(3)
    ]
    path.write_text("\n".join(json.dumps(t) for t in tasks) + "\nnot json\n", encoding="utf-8")
    summary = run_import(path, format="labelstudio")
    assert (summary.articles_added, summary.spans_added) == (3, 3)
    assert [(r.line, r.message.split(":")[0]) for r in summary.rejections] == [
        (4, "malformed JSON")
    ]


# ------------------------------------------------------------------------- deep JSON nesting
def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_deeply_nested_json_is_rejected_not_a_crash(
    project: Project, inputs: Path, run_import
) -> None:
    """json.loads raises RecursionError (not a syntax error) near 1000 levels."""
    path = inputs / "deep.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"text": "Before."}),
                "[" * 100_000,
                '{"text": "Deep meta.", "meta": ' + nested(150) + "}",
                '{"text": "Fine meta.", "meta": ' + nested(50) + "}",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    tasks = inputs / "deep.json"
    tasks.write_text(
        '[{"data": {"text": "Task one."}}, ' + "[" * 100_000 + "]" * 100_000 + "]",
        encoding="utf-8",
    )
    summary = run_import(path)
    assert summary.articles_added == 2
    assert messages(summary) == [
        ("deep.jsonl", 2, "JSON nested more than 100 levels deep"),
        ("deep.jsonl", 3, "JSON nested more than 100 levels deep"),
    ]
    summary = run_import(tasks, format="labelstudio")
    assert summary.articles_added == 1
    assert messages(summary) == [
        ("deep.json", 1, "task 1: JSON nested too deeply; the rest of the file was not read")
    ]
