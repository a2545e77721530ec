"""Child process of the batched-import kill test (tests/formats/test_import_batches.py).

``python import_child.py PROJECT SOURCE BATCH_SIZE STOP_AT``: imports SOURCE into PROJECT with
``import_paths`` in batches of BATCH_SIZE articles. Before each file it prints
``FILE <files done> <articles> <spans> <relations>``, the rows its own connection sees inside the
still open transaction; at file STOP_AT it then waits for a line on stdin (the parent kills it
there, mid-import). At the end it prints ``DONE <articles added>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def main(project_path: str, source: str, batch_size: str, stop_at: str) -> None:
    from annotator.formats.importer import import_paths
    from annotator.store import Project

    with Project.open(project_path, backups=False) as project:

        def progress(done: int, _total: int, _path: str) -> None:
            counts = project.counts()
            print(
                "FILE",
                done,
                counts["articles"],
                counts["spans"],
                counts["relations"],
                flush=True,
            )
            if done == int(stop_at):
                sys.stdin.readline()

        summary = import_paths(
            project, [source], annotator="analyst", progress=progress, batch_size=int(batch_size)
        )
        print("DONE", summary.articles_added, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
