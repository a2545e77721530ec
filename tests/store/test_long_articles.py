"""Spans on a long article: the covered text and the article's length come from the text last
read, not from SQLite scanning megabytes of text on every edit, and are exactly what they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project, ProjectError

PARAGRAPH = "Flags 🇺🇸 said Peskov. Cafe\u0301 owners\u00a0agreed. قال المتحدث إن الاتصال. "


def test_spans_on_the_article_last_read_cover_exactly_its_text(tmp_path: Path) -> None:
    text = "\n".join(PARAGRAPH * 20 for _ in range(1500))  # about 2 MB, astral characters too
    with Project.open(tmp_path / "p.annot", backups=False) as project:
        article_id, _ = project.add_article(ArticleDraft(text, title="Long"))
        other_id, _ = project.add_article(ArticleDraft("Short one about Peskov."))
        label = project.labels()[0].id
        assert project.article(article_id).text == text  # now the article last read
        for start in (0, len(text) // 2, len(text) - 12):
            span = project.add_span(article_id, start, start + 9, label, "ann")
            assert span.text == text[start : start + 9]
        summary = project.article_summary(article_id)
        assert (summary.length, summary.span_count, summary.status) == (len(text), 3, "in progress")
        with pytest.raises(ProjectError, match=r"outside article .* characters\) or empty"):
            project.add_span(article_id, len(text) - 2, len(text) + 1, label, "ann")
        # Another article: read from the file as before.
        assert project.add_span(other_id, 16, 22, label, "ann").text == "Peskov"
        assert project.article_summary(other_id).length == len("Short one about Peskov.")
    with Project.open(tmp_path / "p.annot", read_only=True) as reopened:
        assert [s.text for s in reopened.spans(article_id)] == [
            text[0:9],
            text[len(text) // 2 : len(text) // 2 + 9],
            text[len(text) - 12 : len(text) - 3],
        ]
        assert reopened.check_spans() == []
