"""``annotator agree`` and ``annotator merge``: output (JSON and table), exit codes, clear
messages naming a bad file, and files left unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import Project
from tests.review.conftest import TEXTS, Built, build_project, fingerprint

REPO = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_agree_json(alice_bob: tuple[Built, Built], capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = alice_bob
    before = fingerprint(alice.path.parent)
    code, out, err = run(["agree", str(alice.path), str(bob.path), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["articles"] == 3 and data["annotators"] == ["alice", "bob"]
    assert data["labels"]["Source"] == {
        "exact_f1": 1.0,
        "overlap_f1": 1.0,
        "kappa": 1.0,
        "alpha": 1.0,
        "spans": {"alice": 1, "bob": 1},
    }
    assert data["overall"]["exact_f1"] == pytest.approx(2 * 2 / 8)
    assert fingerprint(alice.path.parent) == before


def test_agree_table_and_label_filter(
    alice_bob: tuple[Built, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    alice, bob = alice_bob
    code, out, _ = run(["agree", str(alice.path), str(bob.path)], capsys)
    assert code == 0
    assert out.startswith("Agreement between alice (alice.annot), bob (bob.annot)")
    assert "Speculation" in out and "Disagreements: 2" in out
    code, out, _ = run(
        ["agree", str(alice.path), str(bob.path), "--labels", "Quote, Nope", "--json"], capsys
    )
    data = json.loads(out)
    assert list(data["labels"]) == ["Quote", "Nope"]
    assert data["labels"]["Nope"]["exact_f1"] is None
    assert data["labels"]["Quote"]["overlap_f1"] == 1.0


def test_agree_three_files_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [
        str(build_project(tmp_path / f"{n}.annot", n, [(0, 0, 5, "Source")]).path) for n in "abc"
    ]
    code, out, _ = run(["agree", *paths, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and len(data["pairwise"]) == 3
    assert data["labels"]["Source"]["fleiss_kappa"] == 1.0


def test_agree_writes_html_and_csv(
    alice_bob: tuple[Built, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alice, bob = alice_bob
    html, table = tmp_path / "out" / "r.html", tmp_path / "out" / "r.csv"
    html.parent.mkdir()
    code, _, _ = run(
        ["agree", str(alice.path), str(bob.path), "--html", str(html), "--csv", str(table)], capsys
    )
    assert code == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert table.read_text(encoding="utf-8").startswith("scope,article,")


def test_agree_with_a_bad_file_names_it_and_changes_nothing(
    alice_bob: tuple[Built, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alice, _ = alice_bob
    bad = tmp_path / "bad.annot"
    bad.write_text("hello " * 100)
    before = fingerprint(tmp_path)
    code, out, err = run(["agree", str(alice.path), str(bad)], capsys)
    assert code == 2 and out == ""
    assert str(bad) in err and "not a SQLite database" in err
    assert fingerprint(tmp_path) == before
    code, _, err = run(["agree", str(alice.path), str(tmp_path / "missing.annot")], capsys)
    assert code == 2 and "missing.annot" in err and "does not exist" in err
    assert not (tmp_path / "missing.annot").exists()


def test_agree_exit_codes_for_usage_and_nothing_shared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = build_project(tmp_path / "a.annot", "a", [(0, 0, 5, "Source")], texts=TEXTS[:1])
    b = build_project(tmp_path / "b.annot", "b", [], texts=TEXTS[1:2])
    code, out, _ = run(["agree", str(a.path), str(b.path), "--json"], capsys)
    assert code == 1 and json.loads(out)["articles"] == 0
    code, _, err = run(["agree", str(a.path)], capsys)
    assert code == 2 and "at least two" in err
    code, _, err = run(["agree", str(a.path), str(b.path), "--labels", " , "], capsys)
    assert code == 2


def test_merge_cli(
    alice_bob: tuple[Built, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alice, bob = alice_bob
    target = tmp_path / "review" / "review.annot"
    code, out, err = run(["merge", str(target), str(alice.path)], capsys)
    assert code == 0, err
    assert "4 span(s)" in out and "4 article(s)" in out
    code, out, _ = run(["merge", str(target), str(bob.path), "--as", "Bob B."], capsys)
    assert code == 0 and "'bob' as 'Bob B.'" in out
    code, out, _ = run(["merge", str(target), str(bob.path), "--as", "Bob B."], capsys)
    assert code == 0 and "0 span(s)" in out and "4 span(s) and 0 relation(s) already" in out
    with Project.open(target) as project:
        assert project.annotators() == ["Bob B.", "alice"]


def test_merge_cli_errors(
    alice_bob: tuple[Built, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alice, bob = alice_bob
    bad = tmp_path / "bad.annot"
    bad.write_text("hello " * 100)
    before = fingerprint(tmp_path)
    code, out, err = run(["merge", str(alice.path), str(bad)], capsys)
    assert code == 2 and out == "" and str(bad) in err and "not a SQLite database" in err
    assert fingerprint(tmp_path) == before  # neither the bad source nor the target touched
    code, _, err = run(["merge", str(alice.path), str(alice.path)], capsys)
    assert code == 2 and "itself" in err
    clash = build_project(tmp_path / "clash.annot", "bob", [(0, 0, 3, "Quote")])
    with Project.open(clash.path) as project:
        counts = project.counts()
    code, _, err = run(["merge", str(clash.path), str(bob.path)], capsys)
    assert code == 2 and "--as NAME" in err and "'bob'" in err
    with Project.open(clash.path) as project:
        assert project.counts() == counts  # opened for writing, but nothing merged


@pytest.mark.parametrize("command", ["agree", "merge"])
def test_help_works_without_a_display(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0
    assert f"usage: annotator {command}" in result.stdout
    assert "PySide6" not in result.stderr
