"""Reading the tables of the labels and annotators each article holds (migration 0009).

Each row is an (article, label) or (article, annotator) pair with the rank of the article's
status (new 0, in progress 1, done 2), kept in step by triggers. A filter on one label or one
annotator is answered from them alone: how many articles, how many per status, a page of the
list in id or status order, and an article's row in it, each one range of a small index.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from annotator.core.model import STATUSES

# kind -> (table, key column); the names are fixed here, never taken from input.
_TABLES = {
    "label": ("article_labels", "label_id"),
    "annotator": ("article_annotators", "annotator"),
}


def _names(kind: str) -> tuple[str, str, str]:
    table, column = _TABLES[kind]
    short = column.removesuffix("_id")
    return table, column, short


def count(conn: sqlite3.Connection, kind: str, key: Any) -> int:
    table, column, _ = _names(kind)
    row = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (key,)).fetchone()
    return int(row[0])


def per_status(conn: sqlite3.Connection, kind: str, key: Any) -> dict[str, int]:
    """Articles holding the label (or annotator), per status (every status, in order)."""
    table, column, _ = _names(kind)
    rows = dict(
        conn.execute(
            f"SELECT status_rank, count(*) FROM {table} WHERE {column} = ? GROUP BY status_rank",
            (key,),
        ).fetchall()
    )
    return {status: int(rows.get(rank, 0)) for rank, status in enumerate(STATUSES)}


def page_ids(
    conn: sqlite3.Connection,
    kind: str,
    key: Any,
    *,
    by_status: bool,
    descending: bool,
    offset: int,
    limit: int,
) -> list[int]:
    """A page of the articles holding the label (or annotator), in id or status order (ties
    by id, as the article list sorts them)."""
    table, column, short = _names(kind)
    direction = "DESC" if descending else "ASC"
    if by_status:
        index, order = f"{table}_by_{short}_status", f"status_rank {direction}, article_id"
    else:
        index, order = f"{table}_by_{short}_article", "article_id"
    rows = conn.execute(
        f"SELECT article_id FROM {table} INDEXED BY {index} WHERE {column} = ?"
        f" ORDER BY {order} {direction} LIMIT ? OFFSET ?",
        (key, limit, offset),
    )
    return [int(row[0]) for row in rows]


def position(
    conn: sqlite3.Connection,
    kind: str,
    key: Any,
    article_id: int,
    *,
    by_status: bool,
    descending: bool,
) -> int | None:
    """The row of an article in :func:`page_ids`' order, or None when it does not hold it."""
    table, column, _ = _names(kind)
    row = conn.execute(
        f"SELECT status_rank FROM {table} WHERE article_id = ? AND {column} = ?",
        (article_id, key),
    ).fetchone()
    if row is None:
        return None
    before = ">" if descending else "<"
    if not by_status:
        sql = f"SELECT count(*) FROM {table} WHERE {column} = ? AND article_id {before} ?"
        return int(conn.execute(sql, (key, article_id)).fetchone()[0])
    sql = (
        f"SELECT (SELECT count(*) FROM {table} WHERE {column} = ? AND status_rank {before} ?)"
        f" + (SELECT count(*) FROM {table} WHERE {column} = ? AND status_rank = ?"
        f" AND article_id {before} ?)"
    )
    return int(conn.execute(sql, (key, row[0], key, row[0], article_id)).fetchone()[0])
