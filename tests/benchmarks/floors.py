"""The floors the app's import and export processes are measured against, run as processes too.

``python -m tests.benchmarks.floors import CORPUS.jsonl OUT.db``: the least an import of the same
rows can cost: read and parse each JSON line, turn CRLF into LF, hash the text, and
``insert_all`` the article, span and relation rows with sqlite-utils (WAL, synchronous=NORMAL as
the app uses), then index titles and texts with FTS5 (``enable_fts``, which fills the index).
No checks, no offset remapping, no duplicate detection, no labels table.

``python -m tests.benchmarks.floors export PROJECT.annot OUT.jsonl``: the least a JSONL export
can cost: read the same rows with plain SQL in batches of articles and ``json.dumps`` one object
per article into a file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any


def floor_import(source: str, target: str) -> dict[str, int]:
    from sqlite_utils import Database

    db = Database(target)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    counts = {"articles": 0, "spans": 0, "relations": 0}
    articles: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []

    def flush() -> None:
        db["articles"].insert_all(articles, pk="id")
        db["spans"].insert_all(spans, pk="id")
        db["relations"].insert_all(relations, pk="id")
        articles.clear()
        spans.clear()
        relations.clear()

    with open(source, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            text = obj["text"].replace("\r\n", "\n").replace("\r", "\n")
            counts["articles"] += 1
            article_id = counts["articles"]
            articles.append(
                {
                    "id": article_id,
                    "title": obj.get("title", ""),
                    "text": text,
                    "source": obj.get("source", ""),
                    "author": obj.get("author", ""),
                    "url": obj.get("url", ""),
                    "published": obj.get("published", ""),
                    "imported_at": stamp,
                    "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    "status": obj.get("status", "new"),
                    "meta": json.dumps(obj.get("meta", {}), ensure_ascii=False),
                }
            )
            first_span = counts["spans"] + 1
            for span in obj.get("spans", ()):
                counts["spans"] += 1
                spans.append(
                    {
                        "id": counts["spans"],
                        "article_id": article_id,
                        "start": span["start"],
                        "end": span["end"],
                        "label": span["label"],
                        "text": span.get("text", ""),
                        "annotator": span.get("annotator", ""),
                        "note": span.get("note", ""),
                        "attributes": json.dumps(span.get("attributes", {}), ensure_ascii=False),
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
            for rel in obj.get("relations", ()):
                counts["relations"] += 1
                relations.append(
                    {
                        "id": counts["relations"],
                        "article_id": article_id,
                        "head_id": first_span + rel["head"],
                        "child_id": first_span + rel["child"],
                        "type": rel.get("label", "attributed_to"),
                        "created_at": stamp,
                    }
                )
            if len(articles) >= 500:
                flush()
    flush()
    db["articles"].enable_fts(["title", "text"], tokenize="unicode61")
    db.close()
    return counts


def floor_export(project: str, target: str) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    labels = dict(conn.execute("SELECT id, name FROM labels"))
    counts = {"articles": 0, "spans": 0, "relations": 0}
    last = 0
    with open(target, "w", encoding="utf-8", newline="\n") as out:
        while True:
            rows = conn.execute(
                "SELECT id, title, text, source, author, url, published, status, content_hash,"
                " meta FROM articles WHERE id > ? ORDER BY id LIMIT 32",
                (last,),
            ).fetchall()
            if not rows:
                break
            first, last = rows[0][0], rows[-1][0]
            spans: dict[int, list[Any]] = {}
            for s in conn.execute(
                'SELECT article_id, start, "end", label_id, text, annotator, note, attributes'
                " FROM spans WHERE article_id BETWEEN ? AND ? ORDER BY article_id, start",
                (first, last),
            ):
                spans.setdefault(s[0], []).append(
                    {
                        "start": s[1],
                        "end": s[2],
                        "label": labels[s[3]],
                        "text": s[4],
                        "annotator": s[5],
                        "note": s[6],
                        "attributes": json.loads(s[7]),
                    }
                )
            relations: dict[int, list[Any]] = {}
            for r in conn.execute(
                "SELECT article_id, head_id, child_id, type, annotator FROM relations"
                " WHERE article_id BETWEEN ? AND ?",
                (first, last),
            ):
                relations.setdefault(r[0], []).append(
                    {"head": r[1], "child": r[2], "label": r[3], "annotator": r[4]}
                )
            for row in rows:
                doc = {
                    "text": row[2],
                    "meta": {
                        "title": row[1],
                        "source": row[3],
                        "author": row[4],
                        "url": row[5],
                        "published": row[6],
                        "status": row[7],
                        "content_hash": row[8],
                        **json.loads(row[9]),
                    },
                    "spans": spans.get(row[0], []),
                    "relations": relations.get(row[0], []),
                }
                out.write(json.dumps(doc, ensure_ascii=False, sort_keys=True))
                out.write("\n")
                counts["articles"] += 1
                counts["spans"] += len(doc["spans"])
                counts["relations"] += len(doc["relations"])
    conn.close()
    return counts


def main(argv: list[str]) -> int:
    kind, source, target = argv
    counts = floor_import(source, target) if kind == "import" else floor_export(source, target)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
