"""Label Studio's own exports (JSON, CSV, CONLL2003), made by label_studio_sdk's converter from
a project export: see tests/formats/realtools/labelstudio/make_exports.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import LabelSpec
from annotator.formats.importer import import_paths
from annotator.formats.labelstudio import parse_config
from annotator.store import Project

LS = Path(__file__).parent / "realtools" / "labelstudio"
TASKS = json.loads((LS / "export.json").read_text(encoding="utf-8"))


def _spans(project: Project) -> list[tuple[str, str, str, str, str]]:
    labels = {label.id: label.name for label in project.labels()}
    return sorted(
        (
            project.article(a).text[s.start : s.end],
            labels[s.label_id],
            s.annotator,
            s.note,
            json.dumps(s.attributes, sort_keys=True),
        )
        for a in project.article_ids()
        for s in project.spans(a)
    )


def _expected_regions() -> list[tuple[str, str, str]]:
    out = []
    for task in TASKS:
        for annotation in task["annotations"]:
            if annotation["was_cancelled"]:
                continue
            for r in annotation["result"]:
                if r["type"] == "labels":
                    out.append(
                        (
                            r["value"]["text"],
                            r["value"]["labels"][0],
                            f"user {annotation['completed_by']}",
                        )
                    )
    return sorted(out)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "ls"
    shutil.copytree(LS, target)
    return target


def test_json_export_with_config_reads_every_control(project: Project, folder: Path) -> None:
    summary = import_paths(project, [folder / "export.json"], annotator="me", format="labelstudio")
    assert summary.rejections == [] and summary.articles_added == 2
    got = _spans(project)
    assert [(t, lb, who) for t, lb, who, _, _ in got] == _expected_regions()
    # The per-region text area is Peskov's note, the per-region choice his attribute.
    assert ("Peskov", "Person", "user 1", "Kremlin spokesman", '{"certainty": "sure"}') in got
    # Integer completed_by: two annotators, not one.
    assert {who for _, _, who, _, _ in got} == {"user 1", "user 2"}
    # The config's document-level Choices and TextArea are document label fields, and the
    # task's results of them the article's document labels.
    from annotator.store.doc_labels import doc_fields, doc_labels

    fields = {f.name: (f.kind, f.choices) for f in doc_fields(project)}
    assert fields == {"sentiment": ("single", ("Positive", "Negative")), "comment": ("text", ())}
    article = next(
        project.article(i) for i in project.article_ids() if "Peskov" in project.article(i).text
    )
    assert article.title == "Kremlin call"
    assert article.meta["labelstudio_text_key"] == "ner"
    assert "labelstudio_results" not in article.meta
    assert doc_labels(project, article.id) == {
        "sentiment": ["Positive"],
        "comment": ["Check the date with the desk"],
    }
    messages = " ".join(n.message for n in summary.notes)
    assert "document-level result" not in messages and "1 cancelled" in messages
    # The relation and the config's colours came too.
    relations = [r for i in project.article_ids() for r in project.relations(i)]
    assert [r.type for r in relations] == ["said_by"]
    colours = {label.name: label.color for label in project.labels()}
    assert colours["Direct quote"] == "#00aa00"


def test_data_key_found_without_a_config(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    shutil.copy(LS / "export.json", path)  # no config beside it: 'ner' and 'title' are text
    summary = import_paths(project, [path], annotator="me", format="labelstudio")
    assert summary.rejections == [] and summary.articles_added == 2
    assert [(t, lb, who) for t, lb, who, _, _ in _spans(project)] == _expected_regions()


def test_ambiguous_data_is_refused_by_task(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(
        json.dumps([{"id": 5, "data": {"a": "One text.", "b": "Another."}, "annotations": []}]),
        encoding="utf-8",
    )
    summary = import_paths(project, [path], annotator="me", format="labelstudio")
    assert summary.articles_added == 0 and len(summary.rejections) == 1
    assert (
        "cannot tell which field of 'data' holds the text (a, b)" in summary.rejections[0].message
    )


def test_csv_export_is_read_with_its_spans(
    tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = folder / "export.csv"
    project = tmp_path / "p.annot"
    # Without --format: the header says it is Label Studio's, so its regions are read.
    assert main(["import", str(project), str(csv_file), "--annotator", "me"]) == 0
    out = capsys.readouterr().out
    assert "2 article(s) added" in out and "7 span(s)" in out
    with Project.open(project, read_only=True) as p:
        got = [(t, lb, who) for t, lb, who, _, _ in _spans(p)]
        # The CSV names annotators by their id as text: "1", "2".
        assert got == sorted(
            (t, lb, who.removeprefix("user ")) for t, lb, who in _expected_regions()
        )
        article = next(p.article(i) for i in p.article_ids() if "Peskov" in p.article(i).text)
        results = article.meta["labelstudio_results"]
        assert {"annotator": "1", "from_name": "sentiment", "value": "Positive"} in results
        assert {
            "annotator": "1",
            "from_name": "region_note",
            "value": "Kremlin spokesman",
        } in results


def test_conll_export_gives_one_article_per_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(LS / "export.conll"), "--format", "conll"]) == 0
    out = capsys.readouterr().out
    assert "Label Studio's CONLL2003 export" in out
    with Project.open(project, read_only=True) as p:
        texts = sorted(p.article(i).text for i in p.article_ids())
        # Two annotations of task 1 are the same text: one article with both blocks' spans.
        assert texts == [
            "Trump said the call went well. Putin did not comment .",
            "🇺🇸 Peskov told Reuters : “The call was good.” 👍🏽 Ushakov agreed .",
        ]
        labels = sorted(lb for _, lb, _, _, _ in _spans(p))
        # Peskov, tagged in both blocks, is one span (the file names no annotators); noted.
        assert labels == sorted(["Person"] * 2 + ["Organization", "Direct quote"] + ["Person"] * 2)
    assert "2 article(s) added, 1 skipped as duplicates" in out and "without tokens" not in out


def test_config_is_read_safely() -> None:
    config = parse_config((LS / "config.xml").read_text(encoding="utf-8"))
    assert config.text_keys == ("ner",)
    assert [label.name for label in config.labels] == ["Person", "Organization", "Direct quote"]
    with pytest.raises(ValueError, match="DOCTYPE"):
        parse_config('<!DOCTYPE x [<!ENTITY a "aaaa">]><View>&a;</View>')


def test_labelstudio_round_trip_carries_the_label_set(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": "Peskov said.", "spans": [{"start": 0, "end": 6, "label": "Source"}]})
        + "\n",
        encoding="utf-8",
    )
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(source)]) == 0
    with Project.open(project) as p:
        unused = p.add_label(LabelSpec("Rumour", "#123456", "9", "Unconfirmed talk"))
        assert unused.name == "Rumour"
    out = tmp_path / "ls.json"
    assert main(["export", str(project), "--format", "labelstudio", "-o", str(out)]) == 0
    copy = tmp_path / "copy.annot"
    assert main(["import", str(copy), str(out), "--format", "labelstudio"]) == 0
    with Project.open(copy, read_only=True) as p:
        rumour = next(label for label in p.labels() if label.name == "Rumour")
        assert (rumour.color, rumour.hotkey, rumour.description) == (
            "#123456",
            "9",
            "Unconfirmed talk",
        )
