"""Undo commands of reviewing: thin wrappers over the review core's reversible operations.

Like :mod:`annotator.ui.commands`, each change is made before its command is pushed (a refused
decision never reaches the stack). The review functions write the project directly, so these
commands announce what changed through the session's signals, which keeps the reader, the span
panel and the article list current.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotator.review.adjudicate import Change, reapply, revert
from annotator.review.merge import MergeResult, merge_file, undo_merge
from annotator.store import ProjectError
from annotator.ui.commands import _AppliedCommand
from annotator.ui.session import ProjectSession


def announce_change(session: ProjectSession, change: Change, *, undone: bool = False) -> None:
    """Tell the views what an adjudication step (or its undoing) did to the project."""
    if change.labels_created:
        # New (or dropped) labels: the views reload the open article whole, spans included.
        session._reload_labels()
        session.labels_changed.emit()
    else:
        gone = change.created if undone else tuple(s.span for s in change.removed)
        back = tuple(s.span for s in change.removed) if undone else change.created
        for span in gone:
            session.span_removed.emit(span.id, span.article_id)
        for span in back:
            session.span_added.emit(span)
        for snapshot in change.removed:
            for relation in snapshot.relations:
                if undone:
                    session.relation_added.emit(relation)
                else:
                    session.relation_removed.emit(relation)
    for article_id in sorted(change.article_ids):
        session.article_changed.emit(article_id)


def announce_merge(session: ProjectSession, result: MergeResult) -> None:
    """Tell the views a merge (or its undoing) changed articles, labels and spans."""
    session._reload_labels()
    session.articles_added.emit()
    session.labels_changed.emit()


class AdjudicationCommand(_AppliedCommand):
    """One adjudication step: a decision on one disagreement, or accepting every agreement."""

    def __init__(
        self,
        session: ProjectSession,
        change: Change,
        text: str,
        on_changed: Callable[[], None],
    ) -> None:
        super().__init__(text)
        self.session = session
        self.change = change
        self._on_changed = on_changed

    def _undo(self) -> None:
        revert(self.session.project, self.change)
        announce_change(self.session, self.change, undone=True)
        self._on_changed()

    def _redo(self) -> None:
        reapply(self.session.project, self.change)
        announce_change(self.session, self.change)
        self._on_changed()


class MergeCommand(_AppliedCommand):
    """Merging a colleague's file as a layer. Undo removes exactly what the merge added; redo
    merges the file again (the project's ids are handed out again in the same order)."""

    def __init__(
        self,
        session: ProjectSession,
        path: Path,
        as_name: str | None,
        result: MergeResult,
        on_changed: Callable[[MergeResult, bool], None],
        on_failed: Callable[[str], None],
        before_undo: Callable[[MergeResult], None],
    ) -> None:
        super().__init__(f"Merge {path.name}")
        self.session = session
        self.path = path
        self.as_name = as_name
        self.result = result
        self._on_changed = on_changed
        self._on_failed = on_failed
        self._before_undo = before_undo

    def _undo(self) -> None:
        self._before_undo(self.result)
        undo_merge(self.session.project, self.result)
        announce_merge(self.session, self.result)
        self._on_changed(self.result, True)

    def _redo(self) -> None:
        try:
            self.result = merge_file(self.session.project, self.path, as_name=self.as_name)
        except ProjectError as exc:
            # The file went away or changed since: nothing was merged (one transaction), and
            # the step leaves the stack.
            self.result = MergeResult(source=self.path, layers={})
            self.setObsolete(True)
            self._on_failed(f"Redo merge: {exc}")
            return
        announce_merge(self.session, self.result)
        self._on_changed(self.result, False)
