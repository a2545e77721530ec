"""Reading back each export format: bad records are rejected with file and line, nothing of
them is imported, and the good records of the same batch are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.formats.export import ExportFilter, export_project
from annotator.formats.importer import ImportCancelled, ImportSummary, import_paths
from annotator.store import Project, ProjectError
from tests.formats.export_corpus import corpus_project, empty_project

TEXT = "Putin said “we will see” 🇺🇸 today."
GOOD_SPAN = (TEXT.index("“"), TEXT.index("”") + 1)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with corpus_project(tmp_path) as project:
        yield project


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Project]:
    with empty_project(tmp_path) as project:
        yield project


def run(project: Project, path: Path, fmt: str | None) -> ImportSummary:
    return import_paths(project, [path], annotator="tester", format=fmt)


def messages(summary: ImportSummary) -> list[str]:
    return [str(r) for r in summary.rejections]


# -------------------------------------------------------------------------------------- jsonl
def test_jsonl_export_shaped_lines_with_problems(fresh: Project, tmp_path: Path) -> None:
    good = {
        "text": TEXT,
        "meta": {"content_hash": "ignored", "status": "done"},
        "spans": [{"start": 0, "end": 5, "label": "Source", "text": "Putin"}],
    }
    bad_relation = {
        "text": "Other text.",
        "spans": [{"start": 0, "end": 5, "label": "Claim"}],
        "relations": [{"head": 0, "child": 3, "label": "x"}],
    }
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join([json.dumps(good), "{not json", json.dumps(bad_relation)]) + "\n", "utf-8"
    )
    summary = run(fresh, path, "jsonl")
    assert summary.articles_added == 1 and summary.spans_added == 1
    assert messages(summary) == [
        f"{path}:2: malformed JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{path}:3: relation 0: 'child' 3 is not the index of one of the line's 1 span(s)",
    ]
    (article_id,) = fresh.article_ids()
    assert fresh.article(article_id).meta == {}  # the content hash is derived, not kept


# ------------------------------------------------------------------------------------ doccano
def test_doccano_bad_lines_name_file_and_line(fresh: Project, tmp_path: Path) -> None:
    records: list[Any] = [
        {"text": TEXT, "label": [[GOOD_SPAN[0], GOOD_SPAN[1], "Quote"]]},
        "[1, 2",
        {"text": "Short.", "label": [[0, 99, "Quote"]]},
        {"text": "Short.", "label": [[4, 2, "Quote"]]},
        {
            "text": "Entities.",
            "entities": [{"id": 1, "start_offset": 0, "end_offset": 8, "label": "Claim"}],
            "relations": [{"id": 1, "from_id": 1, "to_id": 7, "type": "x"}],
        },
        {
            "text": "Also good.",
            "entities": [
                {"id": 10, "start_offset": 0, "end_offset": 4, "label": "Claim"},
                {"id": 11, "start_offset": 5, "end_offset": 9, "label": "Source"},
            ],
            "relations": [{"id": 3, "from_id": 10, "to_id": 11, "type": "about"}],
        },
        {"text": "Classes.", "label": ["positive"]},
    ]
    path = tmp_path / "doccano.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records)
        + "\n",
        "utf-8",
    )
    summary = run(fresh, path, "doccano")
    assert (summary.articles_added, summary.spans_added, summary.relations_added) == (2, 3, 1)
    assert messages(summary) == [
        f"{path}:2: malformed JSON: Expecting ',' delimiter (column 6)",
        f"{path}:3: span 0: [0, 99) is outside the text (6 characters)",
        f"{path}:4: span 0: start 4 is not before end 2",
        f"{path}:5: relation 0: 'to_id' 7 is not the id of one of the line's entities",
        f"{path}:7: label 0 must be [start, end, label], not 'positive'",
    ]
    spans = fresh.spans(fresh.article_ids()[0])
    assert [s.text for s in spans] == ["“we will see”"]


# ---------------------------------------------------------------------------------------- csv
def test_csv_bad_rows_reject_their_article_only(
    source: Project, fresh: Project, tmp_path: Path
) -> None:
    articles = tmp_path / "articles.jsonl"
    export_project(source, "jsonl", articles, filter=ExportFilter(labels=frozenset()))
    run(fresh, articles, None)
    out = tmp_path / "spans.csv"
    export_project(source, "csv", out)
    rows = out.read_bytes().decode("utf-8").split("\r\n")
    # Article 1 (lines 2-5): break the text of its first span.
    rows[1] = rows[1].replace("Getting along", "Getting ALONG")
    # The last article (line 16): an offset that is not a number.
    rows[-2] = rows[-2].replace(",21,25,", ",21,x,")
    out.write_bytes("\r\n".join(rows).encode("utf-8"))
    summary = run(fresh, out, "csv")
    assert messages(summary) == [
        f"{out}:2: span 0: its text '“Getting ALONG with Russia is a great thing,”' does not "
        "match the article's text at [13, 58), '“Getting along with Russia is a great thing,”'",
        f"{out}:16: 'end' must be a whole number, not 'x'",
    ]
    assert summary.spans_added == 10 and summary.relations_added == 3  # article 2 only


def test_csv_unknown_relation_target(fresh: Project, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "content_hash,span,label,start,end,text,relations\n"
        'abc,0,Quote,0,3,Foo,"[{""child"": 5}]"\n',
        "utf-8",
    )
    summary = run(fresh, path, None)
    assert messages(summary) == [
        f"{path}:2: relation target 5 is not the span number of another row of this article "
        "(keep an article's rows together)"
    ]


# -------------------------------------------------------------------------------- labelstudio
def ls_task(text: str, *regions: dict[str, Any], relations: Any = ()) -> dict[str, Any]:
    result = [
        {"id": f"r{i}", "from_name": "label", "to_name": "text", "type": "labels", "value": region}
        for i, region in enumerate(regions)
    ]
    result.extend(relations)
    return {"data": {"text": text}, "annotations": [{"result": result}]}


def test_labelstudio_bad_tasks_name_line_and_task(fresh: Project, tmp_path: Path) -> None:
    tasks = [
        ls_task(TEXT, {"start": 0, "end": 5, "text": "Putin", "labels": ["Source"]}),
        ls_task("Short.", {"start": 0, "end": 60, "labels": ["Quote"]}),
        ls_task("Short.", {"start": 0, "end": 5, "text": "Shirt", "labels": ["Quote"]}),
        ls_task(
            "Linked.",
            {"start": 0, "end": 6, "text": "Linked", "labels": ["Quote"]},
            relations=[
                {
                    "type": "relation",
                    "from_id": "r0",
                    "to_id": "nope",
                    "direction": "right",
                    "labels": ["x"],
                }
            ],
        ),
        ls_task("Same start and end.", {"start": 3, "end": 3, "labels": ["Quote"]}),
    ]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks, indent=1, ensure_ascii=False), "utf-8")
    starts = [i + 1 for i, line in enumerate(path.read_text("utf-8").split("\n")) if line == " {"]
    summary = run(fresh, path, "labelstudio")
    assert summary.articles_added == 1 and summary.spans_added == 1
    assert messages(summary) == [
        f"{path}:{starts[1]}: task 1: annotation 0, result 0: [0, 60) is outside the text (6 characters)",
        f"{path}:{starts[2]}: task 2: annotation 0, result 0: its text 'Shirt' does not match "
        "the text at [0, 5), 'Short'",
        f"{path}:{starts[3]}: task 3: annotation 0, result 1: relation 'to_id' 'nope' is not the "
        "id of a labelled region of the same annotation",
        f"{path}:{starts[4]}: task 4: annotation 0, result 0: start 3 is not before end 3",
    ]


def test_labelstudio_malformed_json_keeps_the_tasks_before_it(
    fresh: Project, tmp_path: Path
) -> None:
    good = json.dumps(ls_task(TEXT, {"start": 0, "end": 5, "text": "Putin", "labels": ["Source"]}))
    path = tmp_path / "broken.json"
    path.write_text(f'[\n{good},\n{{"data": oops}}\n]\n', "utf-8")
    summary = run(fresh, path, "labelstudio")
    assert summary.articles_added == 1
    assert messages(summary) == [
        f"{path}:3: task 1: malformed JSON: invalid char in json text; "
        "the rest of the file was not read"
    ]


def test_labelstudio_reads_its_own_export_shape(fresh: Project, tmp_path: Path) -> None:
    """Label Studio's export: completed_by, cancelled annotations, \\n in region text, and an
    old version's UTF-16 offsets."""
    text = "🐱 Warning:\nThis is a test text"
    export = [
        {
            "id": 5,
            "project": 2,
            "data": {"text": text, "year": 2024},
            "annotations": [
                {
                    "id": 9,
                    "completed_by": {"id": 1, "email": "ann@example.com"},
                    "was_cancelled": False,
                    "lead_time": 3.2,
                    "result": [
                        {
                            "id": "x1",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "origin": "manual",
                            "value": {
                                "start": 2,
                                "end": 15,
                                "text": "Warning:\\nThis",
                                "labels": ["Claim"],
                            },
                            "meta": {"text": ["check this"]},
                        },
                        {
                            "id": "x2",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            # UTF-16 offsets of "test" (old Label Studio): code points are 21..25
                            "value": {"start": 22, "end": 26, "text": "test", "labels": ["Quote"]},
                        },
                        {
                            "from_id": "x2",
                            "to_id": "x1",
                            "type": "relation",
                            "direction": "left",
                            "labels": [],
                        },
                        {
                            "id": "c",
                            "from_name": "kind",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"choices": ["news"]},
                        },
                    ],
                },
                {
                    "id": 10,
                    "completed_by": 3,
                    "was_cancelled": True,
                    "result": [
                        {
                            "id": "y",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {"start": 0, "end": 1, "labels": ["Quote"]},
                        }
                    ],
                },
            ],
            "predictions": [],
        }
    ]
    path = tmp_path / "project-2-at-2024.json"
    path.write_text(json.dumps(export, ensure_ascii=False), "utf-8")
    summary = run(fresh, path, "labelstudio")
    assert not summary.rejections, summary.describe()
    (article_id,) = fresh.article_ids()
    # The document-level choice is kept with who gave it, not dropped.
    assert fresh.article(article_id).meta == {
        "year": 2024,
        "labelstudio_results": [
            {
                "annotator": "ann@example.com",
                "from_name": "kind",
                "type": "choices",
                "value": {"choices": ["news"]},
            }
        ],
    }
    spans = {s.text: s for s in fresh.spans(article_id)}
    assert set(spans) == {"Warning:\nThis", "test"}
    assert spans["Warning:\nThis"].note == "check this"
    assert {s.annotator for s in spans.values()} == {"ann@example.com"}
    (relation,) = fresh.relations(article_id)
    # direction "left" turns the arrow round: from x1 (head) to x2
    assert (relation.head_id, relation.child_id) == (spans["Warning:\nThis"].id, spans["test"].id)
    assert relation.type == "attributed_to"


# ------------------------------------------------------------------------------------ parquet
def test_parquet_bad_rows_name_the_file_and_row(fresh: Project, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from annotator.formats.parquet import schemas

    folder = tmp_path / "tables"
    folder.mkdir()
    article_schema, span_schema, relation_schema = schemas()
    blank = {
        "title": "",
        "source": "",
        "author": "",
        "url": "",
        "published": "",
        "status": "new",
        "content_hash": "",
        "meta": [],
    }
    pq.write_table(
        pa.Table.from_pylist(
            [
                {"article_id": 1, "text": TEXT, **blank},
                {"article_id": 2, "text": "Short.", **blank},
                {"article_id": 3, "text": "Linked here.", **blank},
                {"article_id": 4, "text": "Meta broken.", **{**blank, "meta": [("k", "[1")]}},
            ],
            schema=article_schema,
        ),
        folder / "articles.parquet",
    )
    span = {
        "label": "Quote",
        "text": "",
        "annotator": "",
        "note": "",
        "attributes": [],
        "created_at": "",
        "updated_at": "",
    }
    pq.write_table(
        pa.Table.from_pylist(
            [
                {"article_id": 1, "span": 0, "start": 0, "end": 5, **span},
                {"article_id": 2, "span": 0, "start": 0, "end": 50, **span},
                {"article_id": 3, "span": 0, "start": 0, "end": 6, **span},
            ],
            schema=span_schema,
        ),
        folder / "spans.parquet",
    )
    pq.write_table(
        pa.Table.from_pylist(
            [
                {"article_id": 3, "head": 0, "child": 4, "label": "x", "annotator": ""},
            ],
            schema=relation_schema,
        ),
        folder / "relations.parquet",
    )
    summary = run(fresh, folder, "parquet")
    articles = folder / "articles.parquet"
    assert messages(summary) == [
        f"{articles}:2: span 0: [0, 50) is outside the text (6 characters)",
        f"{articles}:3: relations.parquet row 1: 'child' 4 is not a span of the article",
        f"{articles}:4: 'meta' is not valid JSON: Expecting ',' delimiter",
    ]
    assert summary.articles_added == 1 and summary.spans_added == 1


def test_a_missing_folder_or_unknown_format(fresh: Project, tmp_path: Path) -> None:
    summary = run(fresh, tmp_path / "none", "parquet")
    assert messages(summary) == [f"{tmp_path / 'none'}: no such file or folder"]
    summary = run(fresh, tmp_path, "parquet")
    assert messages(summary) == [f"{tmp_path}: has no articles.parquet"]
    with pytest.raises(ProjectError, match="unknown format 'yaml'"):
        run(fresh, tmp_path, "yaml")


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "labelstudio", "parquet"])
def test_interrupted_import_leaves_nothing(
    source: Project, fresh: Project, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"export.{fmt}"
    export_project(source, fmt, out)
    checks = iter(range(1000))
    with pytest.raises(ImportCancelled):
        import_paths(
            fresh, [out], annotator="t", format=fmt, is_cancelled=lambda: next(checks) >= 3
        )
    assert fresh.counts() == {"articles": 0, "spans": 0, "relations": 0, "labels": 4}
