"""Floors of the dataset formats' exports: the least code that writes the same articles and
spans with each format's own library, run as a process like the app's export.

``python -m tests.benchmarks.format_floors FORMAT PROJECT.annot OUT``

Each reads the project's rows with plain SQL in batches of articles (as the JSONL floor in
``floors.py`` does) and hands them to the library with no checks. As the JSONL floor writes
every field the JSONL export writes, the hf, TSV, XMI and JSON-MIN floors write what their
exports write (the same columns, layers and keys), each in its plainest form:

- ``hf``: tokens by one regular expression (``\\w+|[^\\w\\s]``), IOB2 tags of the first span
  on each token, the text, every span with its annotator, note, attributes and times, the
  relations and the metadata, ``Dataset.from_dict`` with the same ``Features`` and
  ``save_to_disk``;
- ``webanno-tsv``: the same regular-expression tokens, a sentence per line, each token's row
  with the four span columns of the spans on it (numbered, as stacked spans are) and the
  relation columns, joined with ``str.join`` (no library writes this format);
- ``labelstudio-min``: the same records as the export, byte for byte (one per article and
  annotator: the article's fields, regions with their ids, notes, attributes and times,
  relations), made from the rows with plain dictionaries and written as Label Studio's
  converter writes them, ``json.dumps(indent=2)`` into one array;
- ``xmi``: a ``cassis.Cas`` per article with the export's types and features (spans with
  their label, annotator, note, attributes and times, relations with governor and dependent,
  the title and the article's fields), ``to_xmi`` into a folder with the type system.

The spaCy floor carries labels only, a stricter floor than the content the export writes:

- ``spacy``: ``spacy.blank("xx").make_doc`` of each text, its spans as ``doc.char_span(...,
  alignment_mode="expand")`` in ``doc.spans["sc"]``, ``DocBin.add`` and ``DocBin.to_disk``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+|[^\w\s]")


def rows(
    project: str,
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """(article row, its spans as (start, end, label, annotator, note, attributes, created_at,
    updated_at, id), its relations as (head id, child id, type, annotator))."""
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
                'SELECT article_id, start, "end", label_id, annotator, note, attributes,'
                " created_at, updated_at, id FROM spans WHERE article_id BETWEEN ? AND ?"
                ' ORDER BY article_id, start, "end" DESC, id',
                (first, last),
            ):
                spans.setdefault(s[0], []).append(
                    (s[1], s[2], labels[s[3]], s[4], s[5], s[6], s[7], s[8], s[9])
                )
            relations: dict[int, list[tuple[Any, ...]]] = {}
            for r in conn.execute(
                "SELECT article_id, head_id, child_id, type, annotator FROM relations"
                " WHERE article_id BETWEEN ? AND ? ORDER BY article_id, id",
                (first, last),
            ):
                relations.setdefault(r[0], []).append(r[1:])
            for row in batch:
                yield row, spans.get(row[0], []), relations.get(row[0], [])
    finally:
        conn.close()


def floor_spacy(project: str, out: str) -> int:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("xx")
    doc_bin = DocBin()
    n = 0
    for row, spans, _ in rows(project):
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
    text_value = datasets.Value("string")
    names = ["O"]
    order: dict[str, int] = {}
    columns: dict[str, list[Any]] = {
        k: [] for k in ("id", "tokens", "ner_tags", "text", "spans", "relations", "meta")
    }
    n = 0
    for row, spans, relations in rows(project):
        text = row[2]
        bounds = [m.span() for m in _TOKEN.finditer(text)]
        starts = [a for a, _ in bounds]
        tags = [0] * len(bounds)
        for s in spans:  # the first span on a token tags it
            if s[2] not in order:
                order[s[2]] = len(names)
                names.extend((f"B-{s[2]}", f"I-{s[2]}"))
            first = bisect_left(starts, s[0])
            last = bisect_left(starts, s[1])
            if first < last and not any(tags[first:last]):
                tags[first] = order[s[2]]
                tags[first + 1 : last] = [order[s[2]] + 1] * (last - first - 1)
        index = {s[8]: i for i, s in enumerate(spans)}
        columns["id"].append(row[8])
        columns["tokens"].append([text[a:b] for a, b in bounds])
        columns["ner_tags"].append(tags)
        columns["text"].append(text)
        columns["spans"].append(
            [
                {
                    "start": s[0],
                    "end": s[1],
                    "label": s[2],
                    "annotator": s[3],
                    "note": s[4],
                    "attributes": s[5],
                    "created_at": s[6],
                    "updated_at": s[7],
                }
                for s in spans
            ]
        )
        columns["relations"].append(
            [
                {"head": index[r[0]], "child": index[r[1]], "label": r[2], "annotator": r[3]}
                for r in relations
            ]
        )
        meta = json.loads(row[9])
        meta.update(
            title=row[1],
            source=row[3],
            author=row[4],
            url=row[5],
            published=row[6],
            status=row[7],
            content_hash=row[8],
        )
        columns["meta"].append(json.dumps(meta, ensure_ascii=False, sort_keys=True))
        n += len(spans)
    span = {
        "start": datasets.Value("int64"),
        "end": datasets.Value("int64"),
        **{k: text_value for k in ("label", "annotator", "note", "attributes")},
        **{k: text_value for k in ("created_at", "updated_at")},
    }
    relation = {
        "head": datasets.Value("int32"),
        "child": datasets.Value("int32"),
        "label": text_value,
        "annotator": text_value,
    }
    features = datasets.Features(
        {
            "id": text_value,
            "tokens": datasets.List(text_value),
            "ner_tags": datasets.List(datasets.ClassLabel(names=names)),
            "text": text_value,
            "spans": datasets.List(span),
            "relations": datasets.List(relation),
            "meta": text_value,
        }
    )
    datasets.Dataset.from_dict(columns, features=features).save_to_disk(out)
    return n


def floor_xmi(project: str, out: str) -> int:
    import cassis

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    text = "uima.cas.String"
    ts = cassis.TypeSystem()
    span_type = ts.create_type("webanno.custom.Span", supertypeName="uima.tcas.Annotation")
    for name in ("label", "annotator", "note", "attributes", "created_at", "updated_at"):
        ts.create_feature(span_type, name, text)
    relation_type = ts.create_type("webanno.custom.Relation", supertypeName="uima.tcas.Annotation")
    ts.create_feature(relation_type, "Governor", "webanno.custom.Span")
    ts.create_feature(relation_type, "Dependent", "webanno.custom.Span")
    ts.create_feature(relation_type, "label", text)
    ts.create_feature(relation_type, "annotator", text)
    metadata_type = ts.create_type(
        "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData",
        supertypeName="uima.tcas.DocumentAnnotation",
    )
    for name in ("documentTitle", "documentId", "documentUri"):
        ts.create_feature(metadata_type, name, text)
    article_type = ts.create_type("news.Article", supertypeName="uima.cas.AnnotationBase")
    for name in ("source", "author", "published", "status", "meta"):
        ts.create_feature(article_type, name, text)
    (folder / "TypeSystem.xml").write_text(ts.to_xml(), encoding="utf-8")
    n = 0
    for row, spans, relations in rows(project):
        cas = cassis.Cas(typesystem=ts)
        cas.sofa_string = row[2]
        cas.add(
            metadata_type(
                begin=0,
                end=len(row[2]),
                documentTitle=row[1],
                documentId=str(row[0]),
                documentUri=row[5] or None,
            )
        )
        cas.add(
            article_type(source=row[3], author=row[4], published=row[6], status=row[7], meta=row[9])
        )
        made = {}
        for s in spans:
            fs = span_type(
                begin=s[0],
                end=s[1],
                label=s[2],
                annotator=s[3],
                note=s[4] or None,
                attributes=s[5] if s[5] != "{}" else None,
                created_at=s[6] or None,
                updated_at=s[7] or None,
            )
            cas.add(fs)
            made[s[8]] = fs
        for r in relations:
            child = made[r[1]]
            cas.add(
                relation_type(
                    begin=child.begin,
                    end=child.end,
                    Governor=made[r[0]],
                    Dependent=child,
                    label=r[2],
                    annotator=r[3],
                )
            )
        cas.to_xmi(str(folder / f"{row[0]}.xmi"))
        n += len(spans)
    return n


def floor_tsv(project: str, out: str) -> int:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    header = (
        "#FORMAT=WebAnno TSV 3.3\n"
        "#T_SP=webanno.custom.Span|label|annotator|note|attributes\n"
        "#T_RL=webanno.custom.Relation|label|annotator|BT_webanno.custom.Span\n\n"
    )
    n = 0
    for row, spans, relations in rows(project):
        text = row[2]
        bounds = [m.span() for m in _TOKEN.finditer(text)]
        starts = [a for a, _ in bounds]
        # Each span's four columns on the tokens it covers, numbered so that stacked spans
        # stay apart; a relation on its target's first token, pointing at its source's.
        on: dict[int, list[int]] = {}
        values: list[list[str]] = []
        first_token: dict[int, int] = {}
        for k, s in enumerate(spans, start=1):
            first = bisect_left(starts, s[0])
            last = bisect_left(starts, s[1])
            first_token[s[8]] = first
            values.append(
                [
                    f"{s[2]}[{k}]",
                    f"{s[3]}[{k}]",
                    f"{s[4] or '*'}[{k}]",
                    f"{s[5] if s[5] != '{}' else '*'}[{k}]",
                ]
            )
            for t in range(first, last):
                on.setdefault(t, []).append(k - 1)
        columns: dict[tuple[int, ...], str] = {}  # tokens under the same spans share columns
        linked: dict[int, list[tuple[Any, ...]]] = {}
        for r in relations:
            linked.setdefault(first_token[r[1]], []).append(r)
        out_rows = []
        line_start = 0
        t = 0
        empty = "\t_\t_\t_\t_\t_\t_\t_\t\n"
        for sentence, line in enumerate(text.split("\n"), start=1):  # a sentence per line
            end = bisect_left(starts, line_start + len(line), t)
            out_rows.append(f"\n#Text={line}\n")
            out_rows.extend(
                f"{sentence}-{k}\t{a}-{b}\t{text[a:b]}{empty}"
                for k, (a, b) in enumerate(bounds[t:end], start=1)
            )
            for u in {*on, *linked}.intersection(range(t, end)):
                a, b = bounds[u]
                key = tuple(on.get(u, ()))
                joined = columns.get(key)
                if joined is None:
                    joined = columns[key] = "\t".join(
                        "|".join(values[k][f] for k in key) or "_" for f in range(4)
                    )
                rels = linked.get(u)
                if rels:
                    joined += "\t" + "\t".join(
                        (
                            "|".join(r[2] for r in rels),
                            "|".join(r[3] for r in rels),
                            "|".join(f"1-{first_token[r[0]] + 1}" for r in rels),
                        )
                    )
                else:
                    joined += "\t_\t_\t_"
                out_rows[len(out_rows) - (end - u)] = (
                    f"{sentence}-{u - t + 1}\t{a}-{b}\t{text[a:b]}\t{joined}\t\n"
                )
            t = end
            line_start += len(line) + 1
        out_rows.insert(0, header)
        (folder / f"{row[0]}.tsv").write_text("".join(out_rows), encoding="utf-8")
        n += len(spans)
    return n


def floor_labelstudio_min(project: str, out: str) -> int:
    """The records the app writes (article fields, regions with id and meta, relations), built
    from plain SQL rows and written as Label Studio writes them: ``json.dumps(indent=2)``."""
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    labels = dict(conn.execute("SELECT id, name FROM labels"))
    n = 0
    annotation_id = 0
    last = 0
    first_record = True
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("[\n")
        while True:
            batch = conn.execute(
                "SELECT id, title, text, source, author, url, published, status, meta"
                " FROM articles WHERE id > ? ORDER BY id LIMIT 32",
                (last,),
            ).fetchall()
            if not batch:
                break
            first, last = batch[0][0], batch[-1][0]
            spans: dict[int, list[tuple[Any, ...]]] = {}
            for s in conn.execute(
                'SELECT article_id, id, start, "end", label_id, text, annotator, note,'
                " attributes, created_at, updated_at FROM spans"
                ' WHERE article_id BETWEEN ? AND ? ORDER BY article_id, start, "end" DESC, id',
                (first, last),
            ):
                spans.setdefault(s[0], []).append(s)
            relations: dict[int, list[tuple[Any, ...]]] = {}
            for r in conn.execute(
                "SELECT article_id, head_id, child_id, type, annotator FROM relations"
                " WHERE article_id BETWEEN ? AND ? ORDER BY article_id, id",
                (first, last),
            ):
                relations.setdefault(r[0], []).append(r)
            for row in batch:
                aid = row[0]
                data: dict[str, Any] = {
                    "text": row[2],
                    "title": row[1],
                    "source": row[3],
                    "author": row[4],
                    "url": row[5],
                    "published": row[6],
                    "status": row[7],
                }
                meta = json.loads(row[8])
                if meta:
                    data["meta"] = meta
                groups: dict[str, list[dict[str, Any]]] = {}
                region_of: dict[int, tuple[str, str]] = {}
                for i, s in enumerate(spans.get(aid, [])):
                    region: dict[str, Any] = {
                        "start": s[2],
                        "end": s[3],
                        "text": s[5],
                        "labels": [labels[s[4]]],
                        "id": f"a{aid}s{i}",
                    }
                    region_meta: dict[str, Any] = {}
                    if s[7]:
                        region_meta["text"] = [s[7]]
                    attributes = json.loads(s[8])
                    if attributes:
                        region_meta["attributes"] = attributes
                    if s[9]:
                        region_meta["created_at"] = s[9]
                    if s[10]:
                        region_meta["updated_at"] = s[10]
                    if region_meta:
                        region["meta"] = region_meta
                    groups.setdefault(s[6], []).append(region)
                    region_of[s[1]] = (region["id"], s[6])
                records = []
                for annotator, regions in groups.items() or [(None, [])]:
                    annotation_id += bool(regions)
                    made = [r["meta"]["created_at"] for r in regions if "created_at" in r["meta"]]
                    changed = [
                        r["meta"]["updated_at"] for r in regions if "updated_at" in r["meta"]
                    ]
                    record = {
                        **data,
                        "id": aid,
                        **({"label": regions} if regions else {}),
                        "annotator": annotator,
                        "annotation_id": annotation_id if regions else None,
                        "created_at": min(made) if made else None,
                        "updated_at": max(changed or made) if made else None,
                        "lead_time": None,
                    }
                    links = [
                        {
                            "from_id": region_of[r[1]][0],
                            "to_id": region_of[r[2]][0],
                            "labels": [r[3]],
                            "annotator": r[4],
                        }
                        for r in relations.get(aid, [])
                        if region_of[r[1]][1] == annotator
                    ]
                    if links:
                        record["relations"] = links
                    records.append(record)
                for record in records:
                    if not first_record:
                        fh.write(",\n")
                    fh.write(json.dumps(record, indent=2, ensure_ascii=False))
                    first_record = False
                n += len(spans.get(aid, []))
        fh.write("\n]")
    conn.close()
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
