"""Importing CSV files: the chosen text column, multi-line records, metadata, bad records."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import pytest

from annotator.core.text import canonicalize
from annotator.store import Project

TOXIC_HEADER = "comment_id,comment_text"


def write(path: Path, content: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(content.encode(encoding))
    return path


def test_columns_and_multiline_records(project: Project, inputs: Path, run_import) -> None:
    path = write(
        inputs / "a.csv",
        (
            "id,title,text,Source,author,url,published,section\r\n"
            '1,First,"Line one\r\nline “two”, with a comma",Reuters,Ann,https://x.test/1,2017-01-28,World\r\n'
            '2,,"Untitled\nbody",AP,,,,\r\n'
        ),
    )
    summary = run_import(path)
    assert summary.rejections == [] and summary.articles_added == 2
    first, second = (project.article(i) for i in summary.article_ids)
    assert first.text == "Line one\nline “two”, with a comma"
    assert (first.title, first.source, first.author) == ("First", "Reuters", "Ann")
    assert (first.url, first.published) == ("https://x.test/1", "2017-01-28")
    assert first.meta == {"id": "1", "section": "World"}
    assert (second.title, second.source, second.text) == ("Untitled", "AP", "Untitled\nbody")


def test_text_column_is_chosen_by_name(project: Project, inputs: Path, run_import) -> None:
    path = write(inputs / "b.csv", "body,text\nThe article body.,not this\n")
    summary = run_import(path, csv_text_column="body")
    article = project.article(summary.article_ids[0])
    assert article.text == "The article body."
    assert article.meta == {"text": "not this"}


def test_missing_text_column_rejects_the_file(project: Project, inputs: Path, run_import) -> None:
    path = write(inputs / "c.csv", "headline,content\nA,B\n")
    before = project.counts()
    summary = run_import(path, csv_text_column="body")
    [rejection] = summary.rejections
    assert (rejection.path, rejection.line) == (path, None)
    assert "'body'" in rejection.message
    assert "'headline', 'content'" in rejection.message
    assert project.counts() == before


def test_bad_records_report_their_starting_line(project: Project, inputs: Path, run_import) -> None:
    path = write(
        inputs / "d.csv",
        (
            "text,status\n"  # line 1
            '"spans\nthree\nlines",new\n'  # lines 2-4
            "\n"  # line 5, blank: skipped
            '"  ",new\n'  # line 6: empty text
            "Fine,done\n"  # line 7
            '"multi\nline",finished\n'  # lines 8-9: unknown status
            "a,new,surplus\n"  # line 10: more fields than the header
            "Last one,\n"  # line 11
        ),
    )
    before = project.counts()
    summary = run_import(path)
    assert [(r.line, r.path) for r in summary.rejections] == [(6, path), (8, path), (10, path)]
    assert "text is empty" in summary.rejections[0].message
    assert "status 'finished'" in summary.rejections[1].message
    assert "3 fields" in summary.rejections[2].message
    assert summary.articles_added == 3
    assert project.counts()["articles"] == before["articles"] + 3
    statuses = [project.article(i).status for i in summary.article_ids]
    assert statuses == ["new", "done", "new"]


def test_bom_semicolons_and_cp1252(project: Project, inputs: Path, run_import) -> None:
    bom = write(inputs / "bom.csv", "text;source\n“Quoted” words;Le Monde\n", "utf-8-sig")
    assert bom.read_bytes().startswith(codecs.BOM_UTF8)
    legacy = write(inputs / "legacy.csv", "text,source\nÇa coûte 5 € — voilà,Libé\n", "cp1252")
    summary = run_import(bom, legacy)
    assert summary.rejections == []
    articles = [project.article(i) for i in summary.article_ids]
    assert [(a.text, a.source) for a in articles] == [
        ("“Quoted” words", "Le Monde"),
        ("Ça coûte 5 € — voilà", "Libé"),
    ]


def test_header_only_and_empty_csv(project: Project, inputs: Path, run_import) -> None:
    header_only = write(inputs / "h.csv", "text,source\n")
    empty = write(inputs / "e.csv", "")
    summary = run_import(header_only, empty)
    assert [(r.path, r.line, r.message) for r in summary.rejections] == [
        (header_only, None, "has a header row but no records"),
        (empty, None, "file is empty"),
    ]
    assert summary.articles_added == 0


def test_long_field_beyond_the_csv_module_default(
    project: Project, inputs: Path, run_import
) -> None:
    body = "word " * 60_000  # 300,000 characters: more than csv's default 131,072 limit
    path = write(inputs / "long.csv", f'text\n"{body}"\n')
    summary = run_import(path)
    assert summary.rejections == []
    assert project.article_text(summary.article_ids[0]) == body


@pytest.mark.corpus
def test_toxic_spans_comments_corpus(project: Project, corpora: Path, run_import) -> None:
    path = corpora / "toxic-spans-acl2022" / "comments.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        assert fh.readline().strip() == TOXIC_HEADER
        fh.seek(0)
        rows = list(csv.DictReader(fh))
    distinct = {canonicalize(r["comment_text"]).text for r in rows}
    summary = run_import(path, csv_text_column="comment_text")
    assert summary.rejections == []
    assert summary.articles_added + summary.duplicates == len(rows)
    assert summary.articles_added == len(distinct) == project.counts()["articles"]
    # a comment with newlines inside its quoted field arrives whole, its id kept as metadata
    row = next(r for r in rows if r["comment_text"].startswith("Dear world:"))
    match = [
        a
        for a in (project.article(i) for i in summary.article_ids)
        if a.meta.get("comment_id") == row["comment_id"]
    ]
    assert [a.text for a in match] == [canonicalize(row["comment_text"]).text]
    assert match[0].title == "Dear world:"
