"""The Hugging Face datasets format, checked with datasets and seqeval."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from tests.formats.export_corpus import build_corpus, snapshot

datasets = pytest.importorskip("datasets")
seqeval_labeling = pytest.importorskip("seqeval.metrics.sequence_labeling")

# The features of the Hub's conll2003 dataset, as its loading script declares them.
CONLL2003_NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with Project.open(tmp_path / "source.annot") as project:
        build_corpus(project, tmp_path)
        yield project


def test_load_from_disk_gives_tokens_and_class_label_tags(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    report = export_project(source, "hf", out)
    assert report.articles == 4 and report.spans == 14
    # Four spans overlap a longer one: kept in 'spans', not in the tags, and said so.
    assert [(loss.count, "ner_tags" in loss.what) for loss in report.losses] == [(4, True)]
    dataset = datasets.load_from_disk(str(out))
    names = dataset.features["ner_tags"].feature.names
    assert names == [
        "O",
        "B-Quote",
        "I-Quote",
        "B-Source",
        "I-Source",
        "B-Claim",
        "I-Claim",
        "B-Speculation",
        "I-Speculation",
    ]
    labels = {label.id: label.name for label in source.labels()}
    tagged_total = 0
    for row, article_id in zip(dataset, source.article_ids(), strict=True):
        text = source.article_text(article_id)
        assert row["text"] == text
        # Tokens are the text's words in order, no white space in any.
        at = 0
        for token in row["tokens"]:
            at = text.index(token, at)
            assert token.strip() == token and token
            at += len(token)
        tags = [names[t] for t in row["ner_tags"]]
        entities = seqeval_labeling.get_entities(tags)
        stored = {(s.start, s.end, labels[s.label_id]) for s in source.spans(article_id)}
        starts = []
        at = 0
        for token in row["tokens"]:
            at = text.index(token, at)
            starts.append((at, at + len(token)))
            at += len(token)
        for label, first, last in entities:
            assert (starts[first][0], starts[last][1], label) in stored
        tagged_total += len(entities)
        assert len(row["spans"]) == len(stored)
    assert tagged_total == 14 - 4


def test_round_trip_keeps_everything(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    export_project(source, "hf", out)
    with Project.open(tmp_path / "fresh.annot") as fresh:
        summary = import_paths(fresh, [out], annotator="someone", format="hf")
        assert summary.rejections == []
        assert (summary.articles_added, summary.spans_added, summary.relations_added) == (4, 14, 4)
        assert snapshot(fresh) == snapshot(source)


def test_the_fingerprint_follows_the_content(source: Project, tmp_path: Path) -> None:
    # datasets names the cache files of later transforms after the fingerprint: the same
    # export gives the same one, and any change to the data a new one.
    def fingerprint(name: str) -> str:
        export_project(source, "hf", tmp_path / name)
        return str(datasets.load_from_disk(str(tmp_path / name))._fingerprint)

    first = fingerprint("a")
    assert fingerprint("b") == first
    span = source.spans(source.article_ids()[-1])[0]
    source.update_span(span.id, note="changed")
    assert fingerprint("c") != first


def test_an_export_of_no_articles_loads_as_an_empty_dataset(tmp_path: Path) -> None:
    with Project.open(tmp_path / "empty.annot") as empty:
        report = export_project(empty, "hf", tmp_path / "hf")
        labels = [label.name for label in empty.labels()]
    assert report.articles == 0
    dataset = datasets.load_from_disk(str(tmp_path / "hf"))
    assert len(dataset) == 0
    tags = ["O"] + [f"{prefix}-{label}" for label in labels for prefix in ("B", "I")]
    assert dataset.features["ner_tags"].feature.names == tags
    assert dataset.column_names == [
        "id",
        "tokens",
        "ner_tags",
        "text",
        "spans",
        "relations",
        "meta",
    ]


def conll2003_like(tmp_path: Path) -> Path:
    """A DatasetDict shaped like the Hub's conll2003, with -DOCSTART- rows between documents."""
    ner = datasets.ClassLabel(names=CONLL2003_NER)
    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "pos_tags": datasets.Sequence(datasets.ClassLabel(names=['"', "NNP", "VBD", "."])),
            "ner_tags": datasets.Sequence(ner),
        }
    )
    train_rows = [
        (["-DOCSTART-"], ["O"]),
        (["EU", "rejects", "German", "call", "."], ["B-ORG", "O", "B-MISC", "O", "O"]),
        (["Peter", "Blackburn"], ["B-PER", "I-PER"]),
        (["-DOCSTART-"], ["O"]),
        (
            ["Putin", "called", "Trump", "from", "Moscow", "."],
            ["B-PER", "O", "B-PER", "O", "B-LOC", "O"],
        ),
    ]
    validation_rows = [(["CRICKET", "-", "LEICESTERSHIRE"], ["O", "O", "B-ORG"])]

    def build(rows: list[tuple[list[str], list[str]]]) -> object:
        return datasets.Dataset.from_dict(
            {
                "id": [str(i) for i in range(len(rows))],
                "tokens": [tokens for tokens, _ in rows],
                "pos_tags": [[1] * len(tokens) for tokens, _ in rows],
                "ner_tags": [[ner.str2int(tag) for tag in tags] for _, tags in rows],
            },
            features=features,
        )

    folder = tmp_path / "conll2003"
    datasets.DatasetDict(
        {"train": build(train_rows), "validation": build(validation_rows)}
    ).save_to_disk(str(folder))
    return folder


def test_a_conll2003_shaped_dataset_imports_document_by_document(tmp_path: Path) -> None:
    folder = conll2003_like(tmp_path)
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [folder], annotator="me", format="hf")
        assert summary.rejections == []
        assert summary.articles_added == 3 and summary.spans_added == 7
        names = {label.id: label.name for label in project.labels()}
        texts = [project.article_text(i) for i in project.article_ids()]
        assert texts == [
            "EU rejects German call .\nPeter Blackburn",
            "Putin called Trump from Moscow .",
            "CRICKET - LEICESTERSHIRE",
        ]
        first = project.article_ids()[0]
        assert sorted((s.text, names[s.label_id]) for s in project.spans(first)) == [
            ("EU", "ORG"),
            ("German", "MISC"),
            ("Peter Blackburn", "PER"),
        ]
        splits = [project.article(i).meta.get("split") for i in project.article_ids()]
        assert splits == ["train", "train", "validation"]


def test_a_folder_that_is_not_a_saved_dataset_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-dataset"
    folder.mkdir()
    (folder / "state.json").write_text("{broken", encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [folder], annotator="me", format="hf")
        [rejection] = summary.rejections
        assert rejection.path == folder and "load_from_disk" in rejection.message
        assert project.article_ids() == []
        file = tmp_path / "file.arrow"
        file.write_bytes(b"x")
        summary = import_paths(project, [file], annotator="me", format="hf")
        assert "save_to_disk" in summary.rejections[0].message
