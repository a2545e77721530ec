"""`annotator export` and `annotator import --format` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import Project
from tests.formats.export_corpus import build_corpus, snapshot


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.annot"
    with Project.open(path) as project:
        build_corpus(project, tmp_path)
    return path


def test_export_prints_summary_with_losses(
    project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "data.jsonl"
    assert main(["export", str(project_path), "--format", "doccano", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == (
        "Exported 4 article(s), 14 span(s) and 4 relation(s) as doccano."
    )
    assert "  lost: 3 span note(s) not written (doccano has no field for them)" in printed
    assert f"  wrote: {out}" in printed
    assert out.is_file()


def test_export_filters_and_split(
    project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.jsonl"
    code = main(
        [
            "export",
            str(project_path),
            "-f",
            "jsonl",
            "-o",
            str(out),
            "--labels",
            "Quote,Source",
            "--status",
            "done",
            "--annotator",
            "alice",
            "--split",
            "50/50",
            "--seed",
            "3",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Exported 2 article(s), 2 span(s) and 1 relation(s) as jsonl." in printed
    assert "split: train 1, test 1" in printed
    # Span times travel in JSONL: nothing of these spans is lost.
    assert "creation and change time" not in printed
    assert "Nothing was lost." in printed
    for part in ("train", "test"):  # each part's label set is moved in beside it
        assert (tmp_path / f"d-{part}.labels.json").is_file()
        assert f"wrote: {tmp_path / f'd-{part}.labels.json'}" in printed
    docs = [
        json.loads(line)
        for p in ("d-train.jsonl", "d-test.jsonl")
        for line in (tmp_path / p).read_text("utf-8").splitlines()
    ]
    assert sorted(s["label"] for d in docs for s in d["spans"]) == ["Quote", "Source"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--labels", "Rumour"], "no label named 'Rumour'"),
        (["--status", "finished"], "unknown status 'finished'"),
        (["--split", "90"], "needs two (train/test) or three"),
    ],
)
def test_export_errors_exit_2(
    project_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code = main(["export", str(project_path), "-f", "csv", "-o", str(tmp_path / "x.csv"), *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_export_of_a_missing_project_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", str(tmp_path / "none.annot"), "-f", "jsonl", "-o", str(tmp_path / "o")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "none.annot").exists()  # export never creates a project


def test_export_unknown_format_is_a_usage_error(
    project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", str(project_path), "-f", "xml", "-o", str(tmp_path / "x")])
    assert info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_export_help_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in ("jsonl", "doccano", "csv", "labelstudio", "parquet", "--split", "OUT-train"):
        assert name in out


@pytest.mark.parametrize(("fmt", "name"), [("doccano", "x.jsonl"), ("labelstudio", "x.json")])
def test_import_format_overrides_the_suffix(
    project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, name: str
) -> None:
    out = tmp_path / name
    assert main(["export", str(project_path), "-f", fmt, "-o", str(out)]) == 0
    copy = out.with_name("renamed.data")  # a suffix nothing recognises
    copy.write_bytes(out.read_bytes())
    capsys.readouterr()
    new_project = tmp_path / "new.annot"
    code = main(["import", str(new_project), str(copy), "--format", fmt, "--annotator", "zed"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "4 article(s) added, 0 skipped as duplicates, 0 rejected; 14 span(s)" in printed
    with (
        Project.open(new_project, read_only=True) as imported,
        Project.open(project_path, read_only=True) as original,
    ):
        if fmt == "labelstudio":
            assert [a[:10] for a in snapshot(imported)] == [a[:10] for a in snapshot(original)]
        else:
            assert snapshot(imported, annotators=False, notes=False) == snapshot(
                original, annotators=False, notes=False
            )
            assert imported.annotators() == ["zed"]


def test_import_without_format_rejects_unknown_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tasks.json"
    path.write_text("[]", "utf-8")
    assert main(["import", str(tmp_path / "p.annot"), str(path)]) == 2  # nothing imported
    assert "unsupported file type '.json'" in capsys.readouterr().out


def test_import_help_lists_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "--format" in out and "labelstudio" in out and "parquet" in out


def test_a_selection_of_no_articles_exits_0_with_an_empty_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.annot"
    Project.open(empty).close()
    out = tmp_path / "none.jsonl"
    assert main(["export", str(empty), "--format", "jsonl", "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith("Exported 0 article(s)")
    assert out.read_bytes() == b""
    # An error writes nothing and exits 2.
    missing = tmp_path / "missing.annot"
    assert main(["export", str(missing), "--format", "jsonl", "-o", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists() and not missing.exists()
