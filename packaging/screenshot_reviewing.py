"""Take the README's "Reviewing" screenshot from the real app, on scratch files.

    xvfb-run -a -s "-screen 0 1500x950x24" .venv/bin/python packaging/screenshot_reviewing.py [OUT]

Builds a project (analyst "maria") and two colleagues' files (bob, carol) over the sample article
with some agreeing and some disagreeing spans, opens Review ▸ Compare with… on both, goes to a
disagreement (F8) and writes docs/screenshots/reviewing.png (or OUT). Settings and files live in
a temporary folder. Look at the picture before committing it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1480, 920)

QUOTE = (
    "This is the first telephone contact since President Trump took office, so one should "
    "hardly expect that this phone call will involve substantive discussions across the whole "
    "range of issues. We'll see, let's be patient."
)
CLAIM = (
    "Trump has said in the past that, as part of the rapprochement he is seeking with Russia, "
    "he is prepared to review the sanctions that Washington imposed on Russia over its 2014 "
    "annexation of Ukraine's Crimea Peninsula."
)
RESISTANCE = "Such a move is likely to face resistance from both domestic and foreign politicians"
RAPPORT = "If Putin and Trump can establish a rapport, it could pave the way for deals"

# (label, text) per analyst; the same text and label in two files is an agreement.
LAYERS: dict[str, list[tuple[str, str]]] = {
    "maria": [
        ("Source", "the Kremlin"),
        ("Source", "presidential spokesman Dmitry Peskov"),
        ("Quote", QUOTE),
        ("Claim", CLAIM),
        ("Speculation", RESISTANCE),
    ],
    "bob": [
        ("Source", "the Kremlin"),
        ("Source", "Dmitry Peskov"),
        ("Quote", QUOTE),
        ("Speculation", CLAIM),
        ("Source", "Bloomberg"),
    ],
    "carol": [
        ("Source", "the Kremlin"),
        ("Source", "presidential spokesman Dmitry Peskov"),
        ("Quote", QUOTE),
        ("Claim", CLAIM),
        ("Speculation", RAPPORT),
    ],
}
ONLY_BOB = "Markets will probably fall next week, an analyst at Bloomberg speculated on Tuesday."


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="news-annotator-review-shot-") as scratch:
        return take_screenshot(out, Path(scratch))


def build(path: Path, annotator: str, text: str, extra: list[str]) -> int:
    from annotator.core.model import ArticleDraft
    from annotator.store import Project

    with Project.open(path) as project:
        article_id, _ = project.add_article(
            ArticleDraft(text=text, title=text.splitlines()[0], source="Bloomberg")
        )
        for other in extra:
            project.add_article(ArticleDraft(text=other, title=other[:40], source="Wire"))
        for label_name, words in LAYERS[annotator]:
            label = project.label_by_name(label_name)
            assert label is not None
            start = text.index(words)
            project.add_span(article_id, start, start + len(words), label.id, annotator)
    return article_id


def take_screenshot(out: Path, scratch: Path) -> int:
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(scratch / variable.lower())

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QFileDialog

    from annotator.app import create_application
    from annotator.core.text import canonicalize
    from annotator.resources import resource_path
    from annotator.settings import Settings
    from annotator.store import Project
    from annotator.ui.main_window import MainWindow

    create_application(sys.argv[:1])
    QCoreApplication.setOrganizationName("news-annotator-screenshots")
    sample = resource_path("samples/putin-trump-call.txt").read_text(encoding="utf-8")
    text = canonicalize(sample).text
    folder = scratch / "Documents"
    folder.mkdir()
    mine = folder / "Putin-Trump coverage.annot"
    inbox = scratch / "From colleagues"
    inbox.mkdir()
    article_id = build(mine, "maria", text, [])
    build(inbox / "bob.annot", "bob", text, [ONLY_BOB])
    build(inbox / "carol.annot", "carol", text, [])

    window = MainWindow(Project.open(mine), Settings(annotator="maria"))
    window.resize(*WINDOW_SIZE)
    window.move(10, 10)
    window.show()
    settle(0.5)
    window.open_article(article_id)
    # What Review > Compare with... does after the file dialog.
    files = [str(inbox / "bob.annot"), str(inbox / "carol.annot")]
    original = QFileDialog.getOpenFileNames
    QFileDialog.getOpenFileNames = staticmethod(lambda *a, **k: (files, ""))  # type: ignore[method-assign]
    try:
        window.review.actions["review_compare"].trigger()
    finally:
        QFileDialog.getOpenFileNames = original  # type: ignore[method-assign]
    settle(0.3)
    review = window.review
    review.accept_agreements()
    review.go_to(1)
    review.accept_neither()  # the first decision ("only in bob": Bloomberg is no source here)
    window.reader.view.scroll_to_offset(0)
    review.go_to(0)  # F8's place: the boundaries of Peskov's title
    window.statusBar().clearMessage()
    settle(0.8)
    path = out / "reviewing.png"
    if not window.grab().save(str(path), "PNG"):
        raise SystemExit(f"could not save {path}")
    print(f"wrote {path}")
    window.close()
    return 0


def settle(seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())
