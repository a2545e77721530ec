"""The guidelines side panel: each label with its place in the hierarchy, its description and
the attributes it carries, and the document label fields."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from annotator.store import Project
from annotator.store.doc_labels import doc_fields
from annotator.store.schema_defs import attribute_defs, label_parents


class GuidelinesPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.browser)
        self.set_project(None)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        if self.project is None:
            self.browser.setHtml("<p>No project.</p>")
            return
        self.browser.setHtml(guidelines_html(self.project))


def guidelines_html(project: Project) -> str:
    """The label schema as a page: labels nested under their parents, descriptions, attributes."""
    labels = project.labels()
    parents = label_parents(project)
    children: dict[int | None, list[int]] = {}
    for label in labels:
        children.setdefault(parents.get(label.id), []).append(label.id)
    by_id = {label.id: label for label in labels}
    parts = ["<h3>Labels</h3>"]

    def walk(parent: int | None, depth: int) -> None:
        for label_id in children.get(parent, []):
            label = by_id[label_id]
            swatch = f'<span style="color:{html.escape(label.color)}">■</span>'
            hotkey = f" <small>(key {html.escape(label.hotkey)})</small>" if label.hotkey else ""
            indent = "&nbsp;" * 6 * depth + ("▸ " if depth else "")
            parts.append(f"<p>{indent}{swatch} <b>{html.escape(label.name)}</b>{hotkey}")
            if label.description:
                parts.append(f"<br/>{indent}{html.escape(label.description)}")
            for d in attribute_defs(project, label.id):
                detail = ", ".join(d.choices) if d.choices else d.kind
                if d.kind == "number" and (d.minimum is not None or d.maximum is not None):
                    detail = (
                        f"number {d.minimum:g}–{d.maximum:g}"
                        if d.minimum is not None and d.maximum is not None
                        else "number"
                    )
                parts.append(
                    f"<br/>{indent}&nbsp;&nbsp;· <i>{html.escape(d.name)}</i>: {html.escape(detail)}"
                    + (f" — {html.escape(d.description)}" if d.description else "")
                )
            parts.append("</p>")
            walk(label_id, depth + 1)

    walk(None, 0)
    fields = doc_fields(project)
    if fields:
        parts.append("<h3>Document labels</h3>")
        for f in fields:
            detail = " / ".join(f.choices) if f.choices else f.kind
            parts.append(
                f"<p><b>{html.escape(f.name)}</b> ({html.escape(f.kind)}): {html.escape(detail)}"
                + (f"<br/>{html.escape(f.description)}" if f.description else "")
                + "</p>"
            )
    return "\n".join(parts)
