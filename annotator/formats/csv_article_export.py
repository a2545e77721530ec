"""CSV of articles: one row per article with its fields, metadata and document labels.

Columns: ``article_id, content_hash, title, source, author, url, published, status, spans``
(how many the article has), ``meta`` (free metadata as a JSON object), ``text``, then one
``doc_labels.FIELD`` column per document label field of the project, in the schema's order,
its values joined by `` | ``. The spans themselves are not written (export ``csv`` for a table
of spans); the summary counts them as not written. Cells a spreadsheet would run as formulas
are neutralised (:mod:`annotator.formats.csv_safety`) unless ``raw``; ``bom`` starts the file
with a UTF-8 byte-order mark for Excel. Importing the file (as ``csv-articles``, or any CSV of
articles) restores the cells, the metadata and the document labels. ``OUT.labels.json`` beside
it holds the label set and the document label fields (a schema file, as beside a JSONL export),
so a project that lacks the fields defines them on import.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path

from annotator.core.model import Label
from annotator.formats.csv_articles import DOC_LABEL_PREFIX, EXPORT_COLUMNS, VALUE_SEPARATOR
from annotator.formats.csv_safety import UTF8_BOM, is_formula_like, neutralise
from annotator.formats.export import ExportDoc, ExportReport, LabelSchema, atomic_file
from annotator.formats.label_sets import label_set_text, labels_path


def write_csv_articles(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label] = (),
    raw: bool = False,
    bom: bool = False,
    schema: LabelSchema | None = None,
) -> ExportReport:
    report = ExportReport("csv-articles")
    safe = (lambda value: value) if raw else neutralise
    neutralised = split_values = 0
    iterator = iter(docs)
    first = next(iterator, None)
    fields = [f.name for f in first.doc_fields] if first is not None else []
    with atomic_file(out, newline="") as fh:
        if bom:
            fh.write(UTF8_BOM)
        writer = csv.writer(fh, lineterminator="\r\n")  # RFC 4180 record ends
        writer.writerow([*EXPORT_COLUMNS, *(DOC_LABEL_PREFIX + name for name in fields)])
        for doc in chain([first], iterator) if first is not None else ():
            a = doc.article
            texts = [a.title, a.source, a.author, a.url, a.published, a.status]
            meta = json.dumps(a.meta, ensure_ascii=False, sort_keys=True) if a.meta else ""
            labelled = []
            for name in fields:
                values = doc.doc_labels.get(name, ())
                split_values += sum(1 for v in values if VALUE_SEPARATOR in v)
                labelled.append(VALUE_SEPARATOR.join(values))
            cells = [*texts, a.text, *labelled]
            neutralised += sum(1 for cell in cells if is_formula_like(cell))
            writer.writerow(
                [
                    a.id,
                    a.content_hash,
                    *(safe(t) for t in texts),
                    len(doc.spans),
                    meta,
                    safe(a.text),
                    *(safe(v) for v in labelled),
                ]
            )
            report.articles += 1
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
        sidecar = labels_path(out)
        with atomic_file(sidecar) as side:
            side.write(label_set_text(labels, schema or LabelSchema()))
    report.files.extend([out, sidecar])
    report.lose(report.spans, "span(s) not written (one row per article; export csv for spans)")
    report.lose(report.relations, "relation(s) not written (one row per article)")
    report.lose(
        split_values,
        f"document label value(s) containing {VALUE_SEPARATOR.strip()!r} between spaces, which "
        "a re-import splits into several",
    )
    if neutralised and not raw:
        report.notes.append(
            f"{neutralised} cell(s) starting with = + - @ TAB or CR written with a leading "
            "apostrophe so spreadsheets do not run them as formulas (re-import restores them)"
        )
    return report
