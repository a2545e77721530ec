"""Floors of the dataset formats' exports: the least each format's own library needs to write
the same articles and spans, run as a process like the app's export.

``python -m tests.benchmarks.format_floors FORMAT PROJECT.annot OUT``

Each reads the project's rows with plain SQL in batches of articles (as the JSONL floor in
``floors.py`` does) and hands them to the library with no checks, no label set, no metadata
beyond what the format needs:

- ``spacy``: ``spacy.blank("xx").make_doc`` of each text, its spans as ``doc.char_span(...,
  alignment_mode="expand")`` in ``doc.spans["sc"]``, ``DocBin.add`` and ``DocBin.to_disk``;
- ``hf``: tokens by one regular expression (``\\w+|[^\\w\\s]``), all-``O`` tags, the text, spans
  and metadata columns, ``Dataset.from_dict`` and ``save_to_disk``;
- ``xmi``: a ``cassis.Cas`` per article with one ``webanno.custom.Span`` per span, ``to_xmi``
  into a folder with the type system;
- ``webanno-tsv``: the same regular-expression tokens written as TSV rows with ``str.join``
  (no library writes this format);
- ``labelstudio-min``: one record per article, ``json.dumps(indent=2)`` into one array.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+|[^\w\s]")


def rows(project: str) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(article row, its spans as (start, end, label, annotator, note, attributes))."""
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    labels = dict(conn.execute("SELECT id, name FROM labels"))
    last = 0
    try:
        while True:
            batch = conn.execute(
                "SELECT id, title, text, source, author, url, published, status, content_hash,"
                " meta FROM articles WHERE id > ? ORDER BY id LIMIT 32",
                (last,),
            ).fetchall()
            if not batch:
                return
            first, last = batch[0][0], batch[-1][0]
            spans: dict[int, list[tuple[Any, ...]]] = {}
            for s in conn.execute(
                'SELECT article_id, start, "end", label_id, annotator, note, attributes'
                " FROM spans WHERE article_id BETWEEN ? AND ? ORDER BY article_id, start",
                (first, last),
            ):
                spans.setdefault(s[0], []).append((s[1], s[2], labels[s[3]], s[4], s[5], s[6]))
            for row in batch:
                yield row, spans.get(row[0], [])
    finally:
        conn.close()


def floor_spacy(project: str, out: str) -> int:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("xx")
    doc_bin = DocBin()
    n = 0
    for row, spans in rows(project):
        doc = nlp.make_doc(row[2])
        made = [doc.char_span(s[0], s[1], label=s[2], alignment_mode="expand") for s in spans]
        doc.spans["sc"] = [span for span in made if span is not None]
        doc_bin.add(doc)
        n += len(spans)
    doc_bin.to_disk(out)
    return n


def floor_hf(project: str, out: str) -> int:
    import datasets

    datasets.disable_progress_bars()
    columns: dict[str, list[Any]] = {
        k: [] for k in ("id", "tokens", "ner_tags", "text", "spans", "meta")
    }
    n = 0
    for row, spans in rows(project):
        tokens = _TOKEN.findall(row[2])
        columns["id"].append(row[8])
        columns["tokens"].append(tokens)
        columns["ner_tags"].append([0] * len(tokens))
        columns["text"].append(row[2])
        columns["spans"].append(
            [
                {"start": s[0], "end": s[1], "label": s[2], "annotator": s[3], "note": s[4]}
                for s in spans
            ]
        )
        columns["meta"].append(row[9])
        n += len(spans)
    datasets.Dataset.from_dict(columns).save_to_disk(out)
    return n


def floor_xmi(project: str, out: str) -> int:
    import cassis

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    ts = cassis.TypeSystem()
    span_type = ts.create_type("webanno.custom.Span", supertypeName="uima.tcas.Annotation")
    ts.create_feature(span_type, "label", "uima.cas.String")
    (folder / "TypeSystem.xml").write_text(ts.to_xml(), encoding="utf-8")
    n = 0
    for row, spans in rows(project):
        cas = cassis.Cas(typesystem=ts)
        cas.sofa_string = row[2]
        for s in spans:
            cas.add(span_type(begin=s[0], end=s[1], label=s[2]))
        cas.to_xmi(str(folder / f"{row[0]}.xmi"))
        n += len(spans)
    return n


def floor_tsv(project: str, out: str) -> int:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for row, spans in rows(project):
        text = row[2]
        lines = ["#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|label\n\n\n#Text="]
        lines.append(text.replace("\n", "\n#Text=") + "\n")
        for k, m in enumerate(_TOKEN.finditer(text), start=1):
            lines.append(f"1-{k}\t{m.start()}-{m.end()}\t{m.group()}\t_\t\n")
        (folder / f"{row[0]}.tsv").write_text("".join(lines), encoding="utf-8")
        n += len(spans)
    return n


def floor_labelstudio_min(project: str, out: str) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i, (row, spans) in enumerate(rows(project)):
            record = {
                "text": row[2],
                "id": row[0],
                "label": [{"start": s[0], "end": s[1], "labels": [s[2]]} for s in spans],
                "annotator": spans[0][3] if spans else None,
            }
            if i:
                fh.write(",\n")
            fh.write(json.dumps(record, indent=2, ensure_ascii=False))
            n += len(spans)
        fh.write("\n]")
    return n


FLOORS = {
    "spacy": floor_spacy,
    "hf": floor_hf,
    "xmi": floor_xmi,
    "webanno-tsv": floor_tsv,
    "labelstudio-min": floor_labelstudio_min,
}


if __name__ == "__main__":
    name, project, target = sys.argv[1:4]
    spans = FLOORS[name](project, target)
    print(json.dumps({"spans": spans}))
