"""A project from an older version, open for editing in another window, opened read-only in
this one: the article list filters by label and annotator, the Search panel finds notes, and the
file is left exactly as it was."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from annotator.store.lock import ProjectLock

FIXTURE = Path(__file__).parents[1] / "store" / "fixtures" / "schema_0001_initial.annot"


def test_an_old_locked_file_opened_read_only_filters_and_searches(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "colleague.annot"
    shutil.copyfile(FIXTURE, path)
    truth = sqlite3.connect(":memory:")
    truth.deserialize(FIXTURE.read_bytes())
    by_colleague = [
        row[0]
        for row in truth.execute(
            "SELECT DISTINCT article_id FROM spans WHERE annotator = 'colleague' ORDER BY 1"
        )
    ]
    claim_and_colleague = [
        row[0]
        for row in truth.execute(
            "SELECT DISTINCT s.article_id FROM spans s JOIN labels l ON l.id = s.label_id"
            " WHERE l.name = 'Claim' AND s.article_id IN (SELECT article_id FROM spans"
            " WHERE annotator = 'colleague') ORDER BY 1"
        )
    ]
    every = [row[0] for row in truth.execute("SELECT id FROM articles ORDER BY id")]
    asked: list[str] = []

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        return QMessageBox.StandardButton.Open.value

    monkeypatch.setattr(QMessageBox, "exec", answer)
    lock = ProjectLock.acquire(path, heartbeat_every=None)  # another window edits it
    try:
        mtime, content = path.stat().st_mtime_ns, path.read_bytes()
        assert window.open_project(path)
        assert asked and "already open" in asked[0]
        assert window.project.read_only

        c = window.corpus
        qtbot.mouseClick(c.filter_button, Qt.MouseButton.LeftButton)
        bar = c.filter_bar
        model = window.article_model

        def listed() -> list[int | None]:
            return [model.article_id(r) for r in range(model.rowCount())]

        assert listed() == every
        bar.annotator_combo.setCurrentIndex(bar.annotator_combo.findData("colleague"))
        assert listed() == by_colleague
        assert bar.count_label.text().startswith(f"{len(by_colleague)} of {len(every)} articles")
        bar.label_combo.setCurrentIndex(bar.label_combo.findText("Claim"))
        assert listed() == claim_and_colleague
        bar.label_mode.setCurrentText("without")
        assert listed() == [i for i in by_colleague if i not in claim_and_colleague]

        c.show_search()
        c.search_panel.search_for("astral")
        noted = truth.execute("SELECT article_id FROM spans WHERE note LIKE '%astral%'").fetchone()
        qtbot.waitUntil(lambda: c.search_panel.model.rowCount() == 1)
        hit = c.search_panel.model.hit(0)
        assert hit is not None and (hit.article_id, hit.where) == (noted[0], "note")
        qtbot.waitUntil(lambda: "1 article(s) match" in c.search_panel.status.text())
        window.close()
        assert path.stat().st_mtime_ns == mtime
        assert path.read_bytes() == content
        assert not any(p.name.endswith(("-wal", "-shm", "-journal")) for p in folder.iterdir())
    finally:
        lock.release()
