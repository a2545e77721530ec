"""Checks every importer makes: offsets against the text (UTF-16 units found and converted),
Prodigy answers other than accept, duplicates and label-less relations reported, exit statuses,
standard output and closed pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.formats.importer import import_paths
from annotator.formats.offsets import RawSpan, resolve_offsets
from annotator.store import Project

REAL = Path(__file__).parent / "realtools"


def _spans(project: Project) -> list[tuple[str, str, str]]:
    labels = {label.id: label.name for label in project.labels()}
    return sorted(
        (project.article(a).text[s.start : s.end], labels[s.label_id], s.note)
        for a in project.article_ids()
        for s in project.spans(a)
    )


# ------------------------------------------------------------------------------------- offsets
def test_doccano_utf16_offsets_after_an_emoji_are_converted_and_reported(
    project: Project, inputs: Path
) -> None:
    # doccano issue 2290: its JavaScript front end counts 🎉 as two units, so every offset after
    # it is one too far; the export writes them as the front end counted them.
    text = "🎉 Putin called Trump on Tuesday, 🇺🇸 officials said."
    utf16 = text.encode("utf-16-le")

    def units(word: str) -> list[int]:
        start = len(text[: text.index(word)].encode("utf-16-le")) // 2
        return [start, start + len(word.encode("utf-16-le")) // 2]

    assert len(utf16) // 2 == len(text) + 3  # 🎉 and the two regional indicators
    line = {
        "id": 12,
        "text": text,
        "label": [[*units("Putin"), "PER"], [*units("Trump"), "PER"], [*units("officials"), "X"]],
        "Comments": [],
    }
    path = inputs / "doccano.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = import_paths(project, [path], annotator="me", format="doccano")
    assert summary.rejected == 0 and summary.spans_added == 3
    assert _spans(project) == [("Putin", "PER", ""), ("Trump", "PER", ""), ("officials", "X", "")]
    assert any("UTF-16" in n.message and "3 span(s)" in n.message for n in summary.notes)
    assert "note:" in summary.describe() and "UTF-16" in summary.describe()


def test_code_point_offsets_after_an_emoji_are_kept(project: Project, inputs: Path) -> None:
    text = "🎉 Putin called Trump."
    line = {"text": text, "label": [[2, 7, "PER"], [15, 20, "PER"]]}
    path = inputs / "doccano.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    summary = import_paths(project, [path], annotator="me", format="doccano")
    assert _spans(project) == [("Putin", "PER", ""), ("Trump", "PER", "")]
    assert summary.notes == []


def test_a_span_whose_text_fits_neither_reading_is_rejected(project: Project, inputs: Path) -> None:
    text = "👍🏽 Peskov said it."
    bad = {"text": text, "spans": [{"start": 3, "end": 9, "label": "Source", "text": "Kremlin"}]}
    good = {"text": "Other text.", "spans": [{"start": 0, "end": 5, "label": "Source"}]}
    path = inputs / "x.jsonl"
    path.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    summary = import_paths(project, [path], annotator="me")
    assert summary.articles_added == 1 and summary.rejected == 1
    rejection = summary.rejections[0]
    assert rejection.line == 1 and rejection.path == path
    assert "'Kremlin' does not match" in rejection.message and "UTF-16" in rejection.message


def test_jsonl_span_text_decides_utf16(project: Project, inputs: Path) -> None:
    text = "😀😀 Peskov said"
    line = {"text": text, "spans": [{"start": 5, "end": 11, "label": "Source", "text": "Peskov"}]}
    path = inputs / "x.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    summary = import_paths(project, [path], annotator="me")
    assert _spans(project) == [("Peskov", "Source", "")]
    assert summary.notes and "UTF-16" in summary.notes[0].message


@pytest.mark.parametrize(
    "text",
    ["no astral at all", "e\u0301 café 👨‍👩‍👧 family", "مرحبا 🙂 بالعالم", "a\r\nb 🙂 c\u00a0d"],
)
def test_resolve_offsets_never_moves_code_point_spans_on_words(text: str) -> None:
    words = [(i, i + len(w)) for i, w in _words(text)]
    check = resolve_offsets(text, [RawSpan(s, e, text[s:e]) for s, e in words])
    assert list(check.spans) == words and check.converted == 0
    check = resolve_offsets(text, [RawSpan(s, e) for s, e in words])
    assert list(check.spans) == words and check.converted == 0


def _words(text: str) -> list[tuple[int, str]]:
    out, i = [], 0
    for word in text.split():
        i = text.index(word, i)
        out.append((i, word))
        i += len(word)
    return out


# ------------------------------------------------------------------------------------- Prodigy
def test_prodigy_reject_and_ignore_answers_are_not_imported(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = REAL / "prodigy_ner_manual.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    accepted = [r for r in records if r["answer"] == "accept"]
    project.close()
    code = main(["import", str(project.path), str(path), "--annotator", "me"])
    out = capsys.readouterr().out
    assert code == 1  # done, with records rejected
    assert "3 article(s) added" in out and "3 rejected" in out
    assert out.count("Prodigy answer of 'reject'") == 2
    assert out.count("Prodigy answer of 'ignore'") == 1
    with Project.open(project.path, read_only=True) as again:
        texts = {again.article(i).text for i in again.article_ids()}
        assert texts == {r["text"] for r in accepted}
        expected = sorted(
            (r["text"][s["start"] : s["end"]], s["label"], "")
            for r in accepted
            for s in r.get("spans", [])
        )
        assert _spans(again) == expected


# ---------------------------------------------------------------------------- silent merges
def test_duplicate_spans_keep_both_notes_and_are_reported(project: Project, inputs: Path) -> None:
    line = {
        "text": "Peskov said so.",
        "spans": [
            {"start": 0, "end": 6, "label": "Source", "note": "first"},
            {"start": 0, "end": 6, "label": "Source", "note": "second"},
        ],
    }
    path = inputs / "d.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    summary = import_paths(project, [path], annotator="me")
    assert _spans(project) == [("Peskov", "Source", "first\n\nsecond")]
    assert any("1 duplicate span(s)" in n.message for n in summary.notes)
    # Imported again: the spans are there; the file's notes are said not to be applied.
    again = import_paths(project, [path], annotator="me")
    assert again.spans_added == 0
    assert any("already in the project" in n.message for n in again.notes)


def test_relation_without_label_is_reported(project: Project, inputs: Path) -> None:
    line = {
        "text": "Peskov said so.",
        "spans": [{"start": 0, "end": 6, "label": "Source"}, {"start": 7, "end": 14, "label": "Q"}],
        "relations": [{"head": 1, "child": 0}],
    }
    doccano = {
        "text": "Peskov said so.",
        "entities": [
            {"id": 1, "start_offset": 0, "end_offset": 6, "label": "Source"},
            {"id": 2, "start_offset": 7, "end_offset": 14, "label": "Q"},
        ],
        "relations": [{"id": 3, "from_id": 2, "to_id": 1}],
    }
    (inputs / "a.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    (inputs / "b.jsonl").write_text(json.dumps(doccano) + "\n", encoding="utf-8")
    one = import_paths(project, [inputs / "a.jsonl"], annotator="me")
    two = import_paths(project, [inputs / "b.jsonl"], annotator="other", format="doccano")
    for summary in (one, two):
        assert summary.relations_added == 1
        assert [n.message for n in summary.notes] == [
            "1 relation(s) without a label or type were given the type 'attributed_to'"
        ]


# ----------------------------------------------------------------------- exit statuses, pipes
def _small_project(tmp_path: Path) -> Path:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps(
            {
                "text": f"Article {i}: Peskov said 🙂. " + "Filler text. " * 40,
                "spans": [{"start": 0, "end": 7, "label": "Source"}],
            }
        )
        for i in range(300)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "p.annot"
    assert main(["import", str(path), str(source), "--annotator", "me"]) == 0
    return path


def test_export_to_standard_output(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = _small_project(tmp_path)
    capsysbinary.readouterr()
    assert main(["export", str(path), "--format", "jsonl", "-o", "-"]) == 0
    captured = capsysbinary.readouterr()
    records = [json.loads(line) for line in captured.out.decode("utf-8").splitlines()]
    assert len([r for r in records if "text" in r]) == 300
    err = captured.err.decode("utf-8")
    assert "Exported 300 article(s)" in err and "wrote: -" in err


def test_export_to_standard_output_names_the_config_not_written(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = _small_project(tmp_path)
    capsysbinary.readouterr()
    assert main(["export", str(path), "--format", "labelstudio", "-o", "-"]) == 0
    captured = capsysbinary.readouterr()
    assert len(json.loads(captured.out)) == 300
    err = captured.err.decode("utf-8")
    assert "config.xml" in err and "Nothing was lost" not in err


@pytest.mark.parametrize(
    "args",
    [["--format", "brat", "-o", "-"], ["--format", "jsonl", "-o", "-", "--split", "50/50"]],
)
def test_export_to_standard_output_refused_for_folders_and_splits(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _small_project(tmp_path)
    capsys.readouterr()
    assert main(["export", str(path), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "annotator:" in captured.err


def test_export_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = _small_project(tmp_path)
    pipeline = f"{sys.executable} -m annotator.cli export {path} --format jsonl -o - | head -n 1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=120
    )
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    # The reader took what it wanted and closed the pipe: the export ends quietly, status 0.
    assert done.returncode == 0


def test_import_exit_statuses(tmp_path: Path, inputs: Path) -> None:
    good = inputs / "good.jsonl"
    good.write_text(json.dumps({"text": "Fine."}) + "\n", encoding="utf-8")
    bad = inputs / "bad.jsonl"
    bad.write_text('{"text": 3}\n', encoding="utf-8")
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(good)]) == 0
    assert main(["import", str(project), str(good), str(bad)]) == 1
    assert main(["import", str(project), str(bad)]) == 2


def test_own_doccano_export_is_never_taken_for_utf16(tmp_path: Path) -> None:
    # Partial-word spans after an emoji look like shifted UTF-16 offsets; the file's content hash
    # says this app wrote it, in code points.
    text = "🎉🎉 Peskov said it. Kremlin"
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {"text": text, "spans": [{"start": 5, "end": 11, "label": "X", "text": "skov s"}]}
        )
        + "\n",
        encoding="utf-8",
    )
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(source)]) == 0
    out = tmp_path / "d.jsonl"
    assert main(["export", str(project), "--format", "doccano", "-o", str(out)]) == 0
    copy = tmp_path / "c.annot"
    assert main(["import", str(copy), str(out), "--format", "doccano"]) == 0
    with Project.open(copy, read_only=True) as again:
        assert [(s.start, s.end) for s in again.spans(again.article_ids()[0])] == [(5, 11)]
    # The same line without the hash (as doccano itself exports it) is read as UTF-16.
    line = json.loads(out.read_text(encoding="utf-8"))
    del line["meta"]["content_hash"]
    out.write_text(json.dumps(line) + "\n", encoding="utf-8")
    third = tmp_path / "t.annot"
    assert main(["import", str(third), str(out), "--format", "doccano"]) == 0
    with Project.open(third, read_only=True) as again:
        assert [(s.start, s.end) for s in again.spans(again.article_ids()[0])] == [(3, 9)]
