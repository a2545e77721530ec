"""The import batch: folders and links, order, progress, cancelling and all-or-nothing writes."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from annotator.formats.importer import ImportCancelled, import_paths
from annotator.store import Project, ProjectError, ReadOnlyError


def make_tree(root: Path, outside: Path) -> None:
    """A folder of articles with nested folders, hidden files, other files and links."""
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b.txt").write_text("Bravo headline\n\nBody B.", encoding="utf-8")
    (root / "a.md").write_text("# Alpha headline\n\nBody A.", encoding="utf-8")
    (root / "sub" / "c.html").write_text(
        "<html><head><title>Charlie headline</title></head><body><article><p>"
        + "Body C is a paragraph long enough to count as an article body. " * 5
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    (root / "sub" / "deeper" / "d.jsonl").write_text(
        json.dumps(
            {"text": "Delta headline\nBody D.", "spans": [{"start": 0, "end": 5, "label": "Claim"}]}
        )
        + "\n",
        encoding="utf-8",
    )
    (root / "sub" / "E.CSV").write_text("text\nEcho headline\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("Hidden article", encoding="utf-8")
    (root / ".git" / "inside-hidden.txt").write_text("Hidden folder article", encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not imported")
    (root / "README").write_text("no suffix: not imported", encoding="utf-8")
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret outside article", encoding="utf-8")
    (root / "z-link-out.txt").symlink_to(outside / "secret.txt")
    (root / "z-dir-out").symlink_to(outside, target_is_directory=True)
    (root / "z-link-in.txt").symlink_to(root / "b.txt")  # inside: same file, read once
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # inside, but a loop


def titles(project: Project, ids: list[int]) -> list[str]:
    return [project.article(i).title for i in ids]


def test_folder_is_searched_recursively_in_sorted_order(
    project: Project, tmp_path: Path, run_import
) -> None:
    root = tmp_path / "news"
    root.mkdir()
    make_tree(root, tmp_path / "outside")
    summary = run_import(root)
    assert titles(project, summary.article_ids) == [
        "Alpha headline",
        "Bravo headline",
        "Echo headline",
        "Charlie headline",
        "Delta headline",
    ]
    assert (summary.articles_added, summary.duplicates, summary.spans_added) == (5, 0, 1)
    texts = {project.article_text(i) for i in project.article_ids()}
    assert not any("Secret" in t or "Hidden" in t for t in texts)
    # links that lead out of the folder are reported, not followed
    assert [(r.path, r.line) for r in summary.rejections] == [
        (root / "z-dir-out", None),
        (root / "z-link-out.txt", None),
    ]
    assert all("outside" in r.message and "not followed" in r.message for r in summary.rejections)


def test_explicit_paths_keep_their_order(project: Project, inputs: Path, run_import) -> None:
    second = inputs / "2.txt"
    first = inputs / "1.txt"
    second.write_text("Second", encoding="utf-8")
    first.write_text("First", encoding="utf-8")
    summary = run_import(second, first)
    assert titles(project, summary.article_ids) == ["Second", "First"]


def test_missing_and_unsupported_paths_are_rejected(
    project: Project, inputs: Path, run_import
) -> None:
    good = inputs / "good.txt"
    good.write_text("Good article", encoding="utf-8")
    pdf = inputs / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    missing = inputs / "missing.txt"
    broken = inputs / "broken.txt"
    broken.symlink_to(inputs / "nowhere.txt")
    summary = run_import(missing, pdf, good, broken)
    assert [(r.path, r.line) for r in summary.rejections] == [
        (missing, None),
        (pdf, None),
        (broken, None),
    ]
    messages = [r.message for r in summary.rejections]
    assert messages[0] == "no such file or folder"
    assert messages[1].startswith("unsupported file type '.pdf'")
    assert "broken symbolic link" in messages[2]
    assert summary.articles_added == 1


def test_same_text_file_twice(project: Project, inputs: Path, run_import) -> None:
    folder = inputs / "batch"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"Article {i}\n\nBody.", encoding="utf-8")
    first = run_import(folder)
    assert (first.articles_added, first.duplicates) == (3, 0)
    counts = project.counts()
    second = run_import(folder)
    assert (second.articles_added, second.duplicates, second.rejected) == (0, 3, 0)
    assert second.article_ids == first.article_ids
    assert project.counts() == counts


def test_progress_is_reported_per_file(project: Project, inputs: Path, run_import) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (inputs / name).write_text(f"Article {name}", encoding="utf-8")
    calls: list[tuple[int, int, str]] = []
    run_import(inputs, progress=lambda done, total, path: calls.append((done, total, path)))
    assert calls == [
        (0, 3, str(inputs / "a.txt")),
        (1, 3, str(inputs / "b.txt")),
        (2, 3, str(inputs / "c.txt")),
    ]


@pytest.mark.parametrize("cancel_after", [1, 2, 4, 6])
def test_cancel_mid_batch_leaves_the_project_as_it_was(
    project: Project, inputs: Path, run_import, cancel_after: int
) -> None:
    earlier = inputs / "earlier.txt"
    earlier.write_text("Imported before", encoding="utf-8")
    run_import(earlier)
    folder = inputs / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text("A", encoding="utf-8")
    (folder / "b.jsonl").write_text(
        "\n".join(
            json.dumps(
                {"text": f"Line {i}", "spans": [{"start": 0, "end": 4, "label": f"New label {i}"}]}
            )
            for i in range(3)
        ),
        encoding="utf-8",
    )
    (folder / "c.txt").write_text("C", encoding="utf-8")
    before = project.counts()
    ids_before = project.article_ids()
    checks = 0

    def is_cancelled() -> bool:
        nonlocal checks
        checks += 1
        return checks > cancel_after

    with pytest.raises(ImportCancelled):
        run_import(folder, is_cancelled=is_cancelled)
    assert project.counts() == before
    assert project.article_ids() == ids_before
    # the project is still usable and the same batch imports in full afterwards
    summary = run_import(folder)
    assert summary.articles_added == 5


def test_project_error_mid_batch_undoes_the_whole_batch(
    project: Project, inputs: Path, run_import
) -> None:
    (inputs / "a.txt").write_text("Fine article", encoding="utf-8")
    (inputs / "b.txt").write_text("boom\nThis one fails in the database", encoding="utf-8")
    (inputs / "c.txt").write_text("Never reached", encoding="utf-8")
    project.db.execute(
        "CREATE TEMP TRIGGER fail_boom BEFORE INSERT ON main.articles WHEN NEW.title = 'boom'"
        " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    before = project.counts()
    with pytest.raises(ProjectError, match="disk on fire") as info:
        run_import(inputs)
    # callers (CLI, UI) catch ProjectError: the raw sqlite3 error does not escape
    assert isinstance(info.value.__cause__, sqlite3.Error)
    assert project.counts() == before
    assert not project.db.conn.in_transaction


def test_read_only_project_refuses_the_import(tmp_path: Path, inputs: Path) -> None:
    Project.open(tmp_path / "ro.annot").close()
    (inputs / "a.txt").write_text("Article", encoding="utf-8")
    with Project.open(tmp_path / "ro.annot", read_only=True) as project:
        with pytest.raises(ReadOnlyError):
            import_paths(project, [inputs], annotator="tester")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_file_is_rejected(project: Project, inputs: Path, run_import) -> None:
    path = inputs / "locked.txt"
    path.write_text("Secret", encoding="utf-8")
    path.chmod(0)
    try:
        summary = run_import(path)
    finally:
        path.chmod(0o644)
    [rejection] = summary.rejections
    assert "cannot be read" in rejection.message


def test_summary_describes_counts_and_rejections(
    project: Project, inputs: Path, run_import
) -> None:
    (inputs / "a.txt").write_text("Article", encoding="utf-8")
    (inputs / "b.txt").write_bytes(b"")
    summary = run_import(inputs)
    assert summary.describe() == (
        "1 article(s) added, 0 skipped as duplicates, 1 rejected; 0 span(s) and 0 relation(s) "
        f"added.\n  rejected: {inputs / 'b.txt'}: file is empty"
    )


def test_a_single_path_may_be_given_bare(project: Project, inputs: Path) -> None:
    path = inputs / "one.txt"
    path.write_text("Only article", encoding="utf-8")
    summary = import_paths(project, str(path), annotator="tester")  # type: ignore[arg-type]
    assert (summary.articles_added, summary.rejected) == (1, 0)
