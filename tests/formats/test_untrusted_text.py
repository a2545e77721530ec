"""Label names, notes and titles holding HTML or control characters are kept exactly, through
import, the store, every export format and re-import; the command line shows them escaped."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.cli_text import terminal_safe
from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.formats.registry import export_formats
from annotator.store import Project

HTML_LABEL = "<img src=x onerror=alert(1)>"
ESC_LABEL = "\x1b[31mRed\x9b2J"  # ESC [ (colour) and the one-byte CSI (clear screen)
HTML_NOTE = "<script>alert(1)</script> & <b>bold</b>"
ESC_NOTE = "\x1b[2J\x1b]0;pwned\x07 cleared"
TITLE = "<h1>Title</h1>\x1b]0;window title\x07"
TEXT = "Peskov said the talks were useful and would go on."
ANNOTATOR = "ann"


def spans_of(project: Project) -> list[tuple[int, int, str, str]]:
    names = {label.id: label.name for label in project.labels()}
    return sorted(
        (s.start, s.end, names[s.label_id], s.note)
        for article_id in project.article_ids()
        for s in project.spans(article_id)
    )


@pytest.fixture
def source(tmp_path: Path) -> Project:
    path = tmp_path / "hostile.jsonl"
    path.write_text(
        json.dumps(
            {
                "text": TEXT,
                "title": TITLE,
                "spans": [
                    {"start": 0, "end": 6, "label": HTML_LABEL, "note": HTML_NOTE},
                    {"start": 16, "end": 21, "label": ESC_LABEL, "note": ESC_NOTE},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    project = Project.open(tmp_path / "source.annot")
    summary = import_paths(project, [path], annotator=ANNOTATOR)
    assert (summary.articles_added, summary.spans_added) == (1, 2)
    return project


def test_the_store_keeps_them_exactly(source: Project) -> None:
    assert spans_of(source) == [(0, 6, HTML_LABEL, HTML_NOTE), (16, 21, ESC_LABEL, ESC_NOTE)]
    assert source.article(source.article_ids()[0]).title == TITLE
    source.close()


# What each format carries back: labels (as written, or as the format must change them),
# notes, the title.
CARRIES = {
    "jsonl": (True, True, True),
    "doccano": (True, False, True),
    "csv": (True, True, None),  # onto the article already in the project
    "csv-articles": (True, None, True),  # one row per article: no spans, so no notes
    "labelstudio": (True, True, True),
    "parquet": (True, True, True),
    "brat": (True, True, False),
    "conll": (True, False, False),  # white space in a tag is percent-encoded, then decoded
    "spacy": (True, True, True),
    "hf": (True, True, True),
    "labelstudio-min": (True, True, True),
    "xmi": ("xml", "xml", False),  # XML 1.0 holds no control characters: U+FFFD, reported
    "webanno-tsv": (True, True, False),  # no titles in TSV
}


def _xml(value: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", value)


def test_every_export_format_is_listed() -> None:
    assert sorted(CARRIES) == sorted(spec.name for spec in export_formats())


@pytest.mark.parametrize("fmt", sorted(CARRIES))
def test_every_format_carries_them_back_unchanged(
    source: Project, tmp_path: Path, fmt: str
) -> None:
    spec = next(s for s in export_formats() if s.name == fmt)
    out = tmp_path / ("export" if spec.folder else f"export{spec.suffix}")
    export_project(source, fmt, out)
    expected = spans_of(source)
    source.close()
    fresh = Project.open(tmp_path / "fresh.annot")
    try:
        if fmt == "csv":  # a span table: the article must be there first
            plain = tmp_path / "article.jsonl"
            plain.write_text(json.dumps({"text": TEXT}) + "\n", encoding="utf-8")
            import_paths(fresh, [plain], annotator=ANNOTATOR)
        summary = import_paths(fresh, [out], annotator=ANNOTATOR, format=fmt)
        assert summary.rejections == []
        labels, notes, title = CARRIES[fmt]
        if labels == "renamed":
            expected = [(s, e, label.replace(" ", "_"), n) for s, e, label, n in expected]
        if labels == "xml":
            expected = sorted((s, e, _xml(label), _xml(n)) for s, e, label, n in expected)
        if not notes:
            expected = [(s, e, label, "") for s, e, label, _ in expected]
        if notes is None:  # no spans at all
            expected = []
        assert spans_of(fresh) == expected
        if title:
            assert fresh.article(fresh.article_ids()[0]).title == TITLE
        if fmt not in ("conll",):
            assert fresh.article_text(fresh.article_ids()[0]) == TEXT
    finally:
        fresh.close()


# ------------------------------------------------------------------------- the command line
def test_terminal_safe_escapes_controls_but_keeps_lines() -> None:
    assert terminal_safe("a\tb\nc\x1b[31m\x9b\x7f\r\x00") == "a\tb\nc\\x1b[31m\\x9b\\x7f\\x0d\\x00"
    assert terminal_safe("Кремль 👍🏽 <b>") == "Кремль 👍🏽 <b>"


def test_import_summary_shows_control_characters_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "evil\x1b[2J\x9b31m.jsonl"
    bad.write_text('{"text": 1}\n', encoding="utf-8")
    assert main(["import", str(tmp_path / "p.annot"), str(bad), "--annotator", "me"]) == 2
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out
    assert "evil\\x1b[2J\\x9b31m.jsonl:1:" in out


def test_agree_table_and_json_show_control_characters_escaped(
    source: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source.close()
    colleague = tmp_path / "colleague.annot"
    shutil.copy(source.path, colleague)
    assert main(["agree", str(source.path), str(colleague)]) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\x9b" not in table
    assert terminal_safe(ESC_LABEL) in table and HTML_LABEL in table
    assert main(["agree", "--json", str(source.path), str(colleague)]) == 0
    raw = capsys.readouterr().out
    assert "\x1b" not in raw and "\x9b" not in raw and "\x07" not in raw
    assert ESC_LABEL in json.loads(raw)["labels"]  # the same data, only escaped


def test_merge_summary_shows_a_hostile_layer_name_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = Project.open(tmp_path / "theirs.annot")
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"text": TEXT, "spans": [{"start": 0, "end": 6, "label": "Source"}]}) + "\n",
        encoding="utf-8",
    )
    import_paths(theirs, [path], annotator="\x1b[31mMallory\x9b")
    theirs.close()
    assert main(["merge", str(tmp_path / "mine.annot"), str(tmp_path / "theirs.annot")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out
    assert "\\x1b[31mMallory\\x9b" in out
