"""Label Studio: a JSON array of tasks with annotations, and the labeling config that fits them.

Each task::

    {"id": 7,
     "data": {"text": "…", "title": "…", "source": "…", "author": "…", "url": "…",
              "published": "…", "status": "done", "content_hash": "…"},
     "meta": {…free metadata…},
     "annotations": [{"result": [
        {"id": "a7s0", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 6, "text": "Peskov", "labels": ["Source"]},
         "meta": {"text": ["a note"], "annotator": "ann", "attributes": {…}}},
        {"type": "relation", "from_id": "a7s1", "to_id": "a7s0", "direction": "right",
         "labels": ["attributed_to"]}]}]}

Offsets: Label Studio's ``Text`` tag has counted code points (not JavaScript's UTF-16 units)
since its emoji fix (label-studio-frontend PR #308, 2022; the editor's integration test
``tests/integration/e2e/ner/emoji.cy.ts`` expects start 21 for "test" in "🐱 Warning: This is a
test text", which is the code-point offset). So offsets are written unconverted. The reader also
accepts exports of older Label Studio versions, whose offsets were UTF-16 units: when a region's
``text`` does not match at the code-point offsets but does at the UTF-16 ones, those are used.

A region's ``meta.text`` is Label Studio's own per-region note; ``meta.annotator`` and
``meta.attributes`` are this app's additions, kept in the JSON but not shown by Label Studio.
Relations run from the head span to the child span (``direction: right``).

The writer also writes ``OUT.config.xml`` (``data.json`` -> ``data.config.xml``): the labeling
config with the exported labels in their colours and the relation types, to paste into a Label
Studio project before importing the tasks. The reader reads this app's files and Label Studio's
own JSON exports (``completed_by`` etc.; cancelled annotations are skipped). A JSON array in
UTF-8 is streamed a task at a time with ijson, whatever its size (one not in UTF-8 is read whole
and refused above :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`); the same tasks as
JSON Lines (a ``.jsonl`` file, one task per line) are read a line at a time.
"""

from __future__ import annotations

from annotator.formats.labelstudio.config import (
    FROM_NAME,
    TO_NAME,
    Config,
    config_path,
    doc_field_name,
    find_config,
    labeling_config,
    parse_config,
    xml_safe,
)
from annotator.formats.labelstudio.csv_export import (
    LS_CSV_COLUMNS,
    is_labelstudio_csv,
    looks_like_labelstudio_csv,
    read_labelstudio_csv,
)
from annotator.formats.labelstudio.read import read_labelstudio
from annotator.formats.labelstudio.tasks import parse_task, parse_task_line
from annotator.formats.labelstudio.write import (
    doc_label_results,
    region_id,
    task,
    write_labelstudio,
)

__all__ = [
    "Config",
    "FROM_NAME",
    "LS_CSV_COLUMNS",
    "TO_NAME",
    "config_path",
    "doc_field_name",
    "doc_label_results",
    "find_config",
    "is_labelstudio_csv",
    "labeling_config",
    "looks_like_labelstudio_csv",
    "parse_config",
    "parse_task",
    "parse_task_line",
    "read_labelstudio",
    "read_labelstudio_csv",
    "region_id",
    "task",
    "write_labelstudio",
    "xml_safe",
]
