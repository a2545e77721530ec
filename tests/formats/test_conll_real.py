"""CoNLL files as CoNLL-2003 and its tools write them: tokens and sentences kept, schemes, spaCy's
converter and seqeval as the readers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, IOBES, Entities
from spacy.tokens import DocBin

from annotator.cli import main
from annotator.formats.conll import DOCSTART_LINE, label_of_tag, tag_label
from annotator.store import Project

REAL = Path(__file__).parent / "realtools"
CONLL2003 = REAL / "conll2003_shaped.txt"


def _documents(data: str) -> list[list[list[list[str]]]]:
    """Documents > sentences > token lines split into fields."""
    docs: list[list[list[list[str]]]] = []
    sentence: list[list[str]] = []
    for line in data.split("\n"):
        fields = line.split()
        if fields and fields[0] == "-DOCSTART-":
            docs.append([])
        elif fields:
            sentence.append(fields)
        elif sentence:
            docs[-1].append(sentence)
            sentence = []
    if sentence:
        docs[-1].append(sentence)
    return docs


def _entities(docs: list[list[list[list[str]]]]) -> list[list[tuple[str, int, int]]]:
    """seqeval's entities per sentence (seqeval reads IOB1 and IOB2 alike)."""
    return [get_entities([f[-1] for f in s]) for d in docs for s in d]


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(CONLL2003), "--format", "conll"]) == 0
    return project


def test_conll2003_round_trips_tokens_sentences_and_columns(imported: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.conll"
    assert (
        main(["export", str(imported), "--format", "conll", "--scheme", "IOB1", "-o", str(out)])
        == 0
    )
    original = CONLL2003.read_text(encoding="utf-8")
    written = out.read_text(encoding="utf-8")
    # Byte for byte but for the document line, written as spaCy's converter expects it.
    assert written == original.replace("-DOCSTART- -X- -X- O", DOCSTART_LINE)
    # IOB2 too: the same tokens and sentences, the same entities.
    out2 = tmp_path / "out2.conll"
    assert main(["export", str(imported), "--format", "conll", "-o", str(out2)]) == 0
    ours, theirs = _documents(out2.read_text(encoding="utf-8")), _documents(original)
    assert [[[f[0] for f in s] for s in d] for d in ours] == [
        [[f[0] for f in s] for s in d] for d in theirs
    ]
    assert _entities(ours) == _entities(theirs)
    for doc in ours:
        Entities([[f[-1] for f in s] for s in doc], IOB2)  # strict IOB2: raises if not


def test_spacy_convert_reads_the_export(imported: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.conll"
    assert main(["export", str(imported), "--format", "conll", "-o", str(out)]) == 0
    folder = tmp_path / "spacy"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(out), str(folder), "-c", "ner"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Document delimiters found" in done.stdout + done.stderr
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(folder / "out.spacy").get_docs(nlp.vocab))
    theirs = _documents(CONLL2003.read_text(encoding="utf-8"))
    assert len(docs) == len(theirs) == 2
    for doc, original in zip(docs, theirs, strict=True):
        assert [[t.text for t in s] for s in doc.sents] == [[f[0] for f in s] for s in original]
        # spaCy's entities are seqeval's entities of the original IOB1 tags.
        flat = [f[-1] for s in original for f in s]
        assert [(e.label_, e.start, e.end - 1) for e in doc.ents] == get_entities(flat)


def test_iob1_input_gives_one_summary_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "big.conll"
    lines = []
    for i in range(3000):
        lines += ["-DOCSTART- -X- -X- O", "", "Putin NNP B-NP I-PER", f"spoke{i} VBD B-VP O", ""]
    source.write_text("\n".join(lines), encoding="utf-8")
    assert main(["import", str(tmp_path / "p.annot"), str(source), "--format", "conll"]) == 0
    out = capsys.readouterr().out
    assert "3000 article(s) added" in out and "3000 span(s)" in out
    notes = [line for line in out.splitlines() if "note:" in line]
    assert notes == [
        f"  note: {source}: read as IOB1 (as the original CoNLL-2003 files are tagged): 3000 I- tag(s) began a span"
    ]


def test_labels_differing_by_space_and_underscore_stay_apart(tmp_path: Path) -> None:
    assert tag_label("Direct quote") != tag_label("Direct_quote")
    assert label_of_tag(tag_label("Direct quote\u00a0x 100%")) == "Direct quote\u00a0x 100%"
    assert label_of_tag("50%off") == "50%off" and label_of_tag("a%2Cb") == "a%2Cb"
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {
                "text": "He said yes and she said no.",
                "spans": [
                    {"start": 8, "end": 11, "label": "Direct quote"},
                    {"start": 25, "end": 27, "label": "Direct_quote"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    project = tmp_path / "p.annot"
    assert main(["import", str(project), str(source)]) == 0
    out = tmp_path / "o.conll"
    assert main(["export", str(project), "--format", "conll", "-o", str(out)]) == 0
    tags = [line.split("\t")[1] for line in out.read_text().splitlines() if "\t" in line]
    assert "B-Direct%20quote" in tags and "B-Direct_quote" in tags
    copy = tmp_path / "copy.annot"
    assert main(["import", str(copy), str(out), "--format", "conll"]) == 0
    with Project.open(copy, read_only=True) as again:
        names = {label.name for label in again.labels()}
        assert {"Direct quote", "Direct_quote"} <= names


@pytest.mark.parametrize("scheme", ["IOB1", "IOB2", "BIOES"])
def test_every_scheme_writes_and_reads_back_the_same_spans(
    imported: Path, tmp_path: Path, scheme: str
) -> None:
    out = tmp_path / f"{scheme}.conll"
    assert (
        main(["export", str(imported), "--format", "conll", "--scheme", scheme, "-o", str(out)])
        == 0
    )
    docs = _documents(out.read_text(encoding="utf-8"))
    if scheme == "BIOES":
        for doc in docs:
            Entities([[f[-1] for f in s] for s in doc], IOBES)  # strict: raises if not BIOES
        assert any(f[-1].startswith("S-") for d in docs for s in d for f in s)
    copy = tmp_path / "copy.annot"
    assert main(["import", str(copy), str(out), "--format", "conll"]) == 0
    again = tmp_path / "again.conll"
    assert (
        main(["export", str(copy), "--format", "conll", "--scheme", "IOB1", "-o", str(again)]) == 0
    )
    assert again.read_text(encoding="utf-8") == CONLL2003.read_text(encoding="utf-8").replace(
        "-DOCSTART- -X- -X- O", DOCSTART_LINE
    )


def test_scheme_is_refused_for_other_formats(imported: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "export",
                str(imported),
                "--format",
                "jsonl",
                "--scheme",
                "BIOES",
                "-o",
                str(tmp_path / "x.jsonl"),
            ]
        )
        == 2
    )
