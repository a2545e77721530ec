"""Child process of the kill tests: drives work through the app's own code paths and reports.

``edits``  analyst actions the way MainWindow performs them: a ProjectSession method (one store
           transaction), then the matching undo command pushed on a QUndoStack; undo and redo
           through the stack. Prints ``OK <n>`` (flushed) after each action returned, and with
           ``--digests`` also the digest of the project's state after it.
``import`` one ``import_paths`` batch: ``START``, then ``DONE <digest>``.
``merge``  one ``merge_file`` of a colleague's project: ``START``, then ``DONE <digest>``.

The action sequence depends only on the seed and the project's state, and the digest ignores
timestamps, so a second, unkilled run with the same seed reproduces every intermediate state.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Columns that define a project's content; the timestamps differ between runs and are left out.
DIGEST_COLUMNS = {
    "articles": "id, title, text, source, author, url, published, content_hash, status, meta",
    "labels": "id, name, color, hotkey, description, position",
    "spans": 'id, article_id, start, "end", label_id, text, annotator, note, attributes',
    "relations": "id, article_id, head_id, child_id, type, annotator",
    "project_info": "key, value",
}
STATUSES = ("new", "in progress", "done")


def state_digest(conn: sqlite3.Connection) -> str:
    digest = hashlib.sha256()
    for table, columns in DIGEST_COLUMNS.items():
        order = "key" if table == "project_info" else "id"
        where = " WHERE key != 'created_at'" if table == "project_info" else ""
        for row in conn.execute(f"SELECT {columns} FROM {table}{where} ORDER BY {order}"):
            digest.update(repr((table, row)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:20]


def say(*parts: object) -> None:
    # One write of the whole line, then flush: a kill can drop a line, never cut one short.
    sys.stdout.write(" ".join(map(str, parts)) + "\n")
    sys.stdout.flush()


# ----------------------------------------------------------------------------------- edits
class SessionDriver:
    """The GUI path: ProjectSession calls and undo commands on a QUndoStack, as MainWindow."""

    uses_qt = True

    def __init__(self, project):  # type: ignore[no-untyped-def]
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QUndoStack

        from annotator.ui import commands
        from annotator.ui.session import ProjectSession

        self.app = QCoreApplication.instance() or QCoreApplication([])
        self.c = commands
        self.project = project
        self.session = ProjectSession(project, "analyst")
        self.stack = QUndoStack()

    # each method mirrors one MainWindow slot
    def tag(self, article_id: int, start: int, end: int, label_id: int) -> None:
        span = self.session.add_span(article_id, start, end, label_id)
        self.stack.push(self.c.AddSpanCommand(self.session, span))

    def change_span(self, span_id: int, changes: dict, *, merge: bool = False) -> None:
        before = self.project.span(span_id)
        after = self.session.update_span(span_id, **changes)
        self.stack.push(self.c.UpdateSpanCommand(self.session, before, after, "Edit", merge=merge))

    def edit_span_dialog(self, span_id: int, relation_ids: list[int], changes: dict) -> None:
        # MainWindow._edit_span runs this as one undo macro of several store calls; wrapped in
        # project.atomic() it is also one transaction (the wiring recommended to the UI).
        with self.project.atomic():
            self.stack.beginMacro("Edit span")
            try:
                for rel_id in relation_ids:
                    removed = self.session.delete_relation(rel_id)
                    self.stack.push(self.c.DeleteRelationCommand(self.session, removed))
                if changes:
                    self.change_span(span_id, changes)
            finally:
                self.stack.endMacro()

    def delete_span(self, span_id: int) -> None:
        snapshot = self.session.delete_span(span_id)
        self.stack.push(self.c.DeleteSpanCommand(self.session, snapshot))

    def link(self, head: int, child: int) -> None:
        relation = self.session.add_relation(head, child, "attributed_to")
        self.stack.push(self.c.AddRelationCommand(self.session, relation))

    def unlink(self, relation_id: int) -> None:
        relation = self.session.delete_relation(relation_id)
        self.stack.push(self.c.DeleteRelationCommand(self.session, relation))

    def set_status(self, article_id: int, status: str) -> None:
        before = self.session.set_article_status(article_id, status)
        if before != status:
            self.stack.push(self.c.SetStatusCommand(self.session, article_id, before, status))

    def add_label(self, spec) -> None:  # type: ignore[no-untyped-def]
        label = self.session.add_label(spec)
        self.stack.push(self.c.AddLabelCommand(self.session, label))

    def rename_label(self, label_id: int, name: str) -> None:
        before, after = self.session.update_label(label_id, name=name)
        self.stack.push(self.c.UpdateLabelCommand(self.session, before, after, "Rename"))

    def delete_label(self, label_id: int) -> None:
        snapshot = self.session.delete_label(label_id)
        self.stack.push(self.c.DeleteLabelCommand(self.session, snapshot))

    def reorder_labels(self, order: list[int]) -> None:
        before = self.session.reorder_labels(order)
        self.stack.push(self.c.ReorderLabelsCommand(self.session, before, order))

    def can_undo(self) -> bool:
        return bool(self.stack.canUndo())

    def can_redo(self) -> bool:
        return bool(self.stack.canRedo())

    def undo(self) -> None:
        with self.project.atomic():  # a macro's undo is several store calls: one transaction
            self.stack.undo()

    def redo(self) -> None:
        with self.project.atomic():
            self.stack.redo()


class StoreDriver:
    """Without Qt: the Project methods ProjectSession calls, one to one (no undo/redo)."""

    uses_qt = False

    def __init__(self, project):  # type: ignore[no-untyped-def]
        self.project = project

    def tag(self, article_id: int, start: int, end: int, label_id: int) -> None:
        self.project.add_span(article_id, start, end, label_id, "analyst")

    def change_span(self, span_id: int, changes: dict, *, merge: bool = False) -> None:
        self.project.update_span(span_id, **changes)

    def edit_span_dialog(self, span_id: int, relation_ids: list[int], changes: dict) -> None:
        with self.project.atomic():
            for rel_id in relation_ids:
                self.project.delete_relation(rel_id)
            if changes:
                self.project.update_span(span_id, **changes)

    def delete_span(self, span_id: int) -> None:
        self.project.delete_span(span_id)

    def link(self, head: int, child: int) -> None:
        self.project.add_relation(head, child, "attributed_to", "analyst")

    def unlink(self, relation_id: int) -> None:
        self.project.delete_relation(relation_id)

    def set_status(self, article_id: int, status: str) -> None:
        self.project.set_article_status(article_id, status)

    def add_label(self, spec) -> None:  # type: ignore[no-untyped-def]
        self.project.add_label(spec)

    def rename_label(self, label_id: int, name: str) -> None:
        self.project.update_label(label_id, name=name)

    def delete_label(self, label_id: int) -> None:
        self.project.delete_label(label_id)

    def reorder_labels(self, order: list[int]) -> None:
        self.project.reorder_labels(order)

    def can_undo(self) -> bool:
        return False

    def can_redo(self) -> bool:
        return False

    def undo(self) -> None:  # pragma: no cover - never chosen
        raise AssertionError

    def redo(self) -> None:  # pragma: no cover - never chosen
        raise AssertionError


def one_edit(rng: random.Random, project, driver, step: int) -> str:  # type: ignore[no-untyped-def]
    """Perform one random analyst action; return its name."""
    from annotator.core.model import LabelSpec

    article_ids = project.article_ids()
    article_id = rng.choice(article_ids)
    text = project.article_text(article_id)
    spans = project.spans(article_id)
    relations = project.relations(article_id)
    labels = project.labels()
    choices = ["tag"] * 8 + ["status"] * 2 + ["add_label"]
    if spans:
        choices += ["relabel", "nudge", "note", "delete_span"] * 2 + ["edit_dialog"] * 2
        if len(spans) > 1:
            choices += ["link"] * 3
    if relations:
        choices += ["unlink"]
    if len(labels) > 2:
        choices += ["rename_label", "reorder_labels"]
    if len(labels) > 4:
        choices += ["delete_label"]
    if driver.can_undo():
        choices += ["undo"] * 4
    if driver.can_redo():
        choices += ["redo"] * 3
    action = rng.choice(choices)
    if action == "tag":
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randint(1, 25))
        driver.tag(article_id, start, end, rng.choice(labels).id)
    elif action == "relabel":
        span = rng.choice(spans)
        others = [lb.id for lb in labels if lb.id != span.label_id]
        driver.change_span(span.id, {"label_id": rng.choice(others)})
    elif action == "nudge":
        span = rng.choice(spans)
        end = span.end + (1 if span.end < len(text) else -1)
        if end <= span.start:
            end = span.start + 1
        driver.change_span(span.id, {"end": end}, merge=True)
    elif action == "note":
        span = rng.choice(spans)
        driver.change_span(
            span.id, {"note": f"note {step} 📝", "attributes": {"confidence": str(step % 5)}}
        )
    elif action == "edit_dialog":
        span = rng.choice(spans)
        linked = [r.id for r in relations if span.id in (r.head_id, r.child_id)]
        driver.edit_span_dialog(span.id, linked[:2], {"note": f"edited {step}"})
    elif action == "delete_span":
        driver.delete_span(rng.choice(spans).id)
    elif action == "link":
        head, child = rng.sample(spans, 2)
        if project.has_relation(head.id, child.id, "attributed_to"):
            driver.set_status(article_id, rng.choice(STATUSES))
            return "status"
        driver.link(head.id, child.id)
    elif action == "unlink":
        driver.unlink(rng.choice(relations).id)
    elif action == "status":
        driver.set_status(article_id, rng.choice(STATUSES))
    elif action == "add_label":
        driver.add_label(LabelSpec(f"Label {step} ✨", "#336699", "", "added in the kill test"))
    elif action == "rename_label":
        label = rng.choice(labels)
        driver.rename_label(label.id, f"{label.name.split(' ~')[0]} ~{step}")
    elif action == "reorder_labels":
        order = [lb.id for lb in labels]
        rng.shuffle(order)
        driver.reorder_labels(order)
    elif action == "delete_label":
        driver.delete_label(rng.choice(labels).id)
    elif action == "undo":
        driver.undo()
    elif action == "redo":
        driver.redo()
    return action


def run_edits(args: argparse.Namespace) -> None:
    from annotator.store import Project

    project = Project.open(args.project, create=False)
    driver = SessionDriver(project) if args.driver == "session" else StoreDriver(project)
    rng = random.Random(args.seed)
    say("READY", "qt" if driver.uses_qt else "store")
    for step in range(1, args.count + 1):
        action = one_edit(rng, project, driver, step)
        if args.digests:
            say("OK", step, action, state_digest(project.db.conn))
        else:
            say("OK", step, action)
    project.close()
    say("FINISHED")


# ------------------------------------------------------------------------- import, merge
class StatementCounter:
    """Counts the SQL statements a connection starts; with ``kill_at`` the process SIGKILLs
    itself as statement number ``kill_at`` starts, so a kill lands inside the work whatever the
    machine's load (a timer could fire after the work had already ended)."""

    def __init__(self, conn: sqlite3.Connection, kill_at: int) -> None:
        self.count = 0
        self.kill_at = kill_at
        conn.set_trace_callback(self._started)

    def _started(self, _statement: str) -> None:
        self.count += 1
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def run_import(args: argparse.Namespace) -> None:
    from annotator.formats.importer import import_paths
    from annotator.store import Project

    project = Project.open(args.project, create=False)
    statements = StatementCounter(project.db.conn, args.kill_at)
    say("START", statements.count)
    import_paths(project, [args.source], annotator="analyst")
    done_at = statements.count
    say("DONE", state_digest(project.db.conn), done_at)
    project.close()


def run_merge(args: argparse.Namespace) -> None:
    from annotator.review.merge import merge_file
    from annotator.store import Project

    project = Project.open(args.project, create=False)
    statements = StatementCounter(project.db.conn, args.kill_at)
    say("START", statements.count)
    merge_file(project, args.source, as_name="colleague")
    done_at = statements.count
    say("DONE", state_digest(project.db.conn), done_at)
    project.close()


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(REPO))
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["edits", "import", "merge"])
    parser.add_argument("project")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--digests", action="store_true")
    parser.add_argument("--driver", choices=["session", "store"], default="session")
    parser.add_argument("--source", default="")
    parser.add_argument("--kill-at", type=int, default=0)
    args = parser.parse_args(argv)
    {"edits": run_edits, "import": run_import, "merge": run_merge}[args.mode](args)


if __name__ == "__main__":
    main(sys.argv[1:])
