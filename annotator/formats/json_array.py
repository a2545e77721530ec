"""The elements of a top-level JSON array, streamed from a UTF-8 file with ijson.

A Label Studio export is one JSON array of every task, hundreds of megabytes for a large
project. :func:`array_elements` reads it a chunk at a time with ijson's incremental parser
(yajl), builds one element at a time, and gives each with the line it starts on, so that a
problem can be named by file and line; memory stays that of one element, whatever the size of
the file. The chunks are cut at line ends: what the parser reports after a chunk happened on
that chunk's line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from annotator.formats.limits import MAX_JSON_DEPTH

__all__ = ["ArrayProblem", "array_elements"]

_CHUNK = 1 << 16
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})


class ArrayProblem:
    """Why reading stopped: ``message``, at ``line`` (None: the file as a whole); ``index`` is
    the element it concerns (None when no element was started)."""

    __slots__ = ("index", "line", "message")

    def __init__(self, line: int | None, index: int | None, message: str) -> None:
        self.line = line
        self.index = index
        self.message = message


def array_elements(
    fh: BinaryIO, *, single_object: bool = True
) -> Iterator[tuple[int, int, Any] | ArrayProblem]:
    """``(line, index, value)`` for each element of the JSON array ``fh`` holds, in order,
    and at most one :class:`ArrayProblem` last, after which nothing more is read (nothing after
    broken JSON can be trusted). With ``single_object``, a file holding one object instead of an
    array gives that object as element 0. Values nested deeper than
    :data:`~annotator.formats.limits.MAX_JSON_DEPTH` stop the reading too. A UTF-8 BOM is
    skipped."""
    head = fh.read(len(codecs.BOM_UTF8))
    if head != codecs.BOM_UTF8:
        fh.seek(0)
    events: Any = ijson.sendable_list()
    values: Any = ijson.sendable_list()
    parser = ijson.basic_parse_coro(events)
    builder: Any = None
    line = 1
    depth = 0
    element_depth = 1  # elements of a top-level array; 0 for a single object
    starts: list[int] = []  # lines of elements started and not yet given
    done = 0
    seen_any = False
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        for piece in chunk.splitlines(keepends=True):
            if builder is None:
                stripped = piece.strip()
                if not stripped:
                    line += piece.count(b"\n")
                    continue
                seen_any = True
                first = stripped[:1]
                if first == b"{" and single_object:
                    element_depth = 0
                    builder = ijson.items_coro(values, "", use_float=True)
                elif first == b"[":
                    builder = ijson.items_coro(values, "item", use_float=True)
                else:
                    yield ArrayProblem(
                        line, None, "a Label Studio file holds a JSON array of tasks"
                    )
                    return
            problem: str | None = None
            try:
                parser.send(piece)
            except ijson.JSONError as exc:
                problem = _message(exc)
            for event, _value in events:
                if event in _OPEN:
                    if depth == element_depth:
                        starts.append(line)
                    depth += 1
                    if depth > MAX_JSON_DEPTH + element_depth and problem is None:
                        problem = "JSON nested too deeply"
                elif event in _CLOSE:
                    depth -= 1
                elif depth == element_depth:
                    starts.append(line)  # a bare number, string, true, false or null
            del events[:]
            try:
                builder.send(piece)  # elements completed before a problem are still given
            except ijson.JSONError as exc:
                problem = problem or _message(exc)
            for value in values:
                yield starts.pop(0), done, value
                done += 1
            del values[:]
            if problem is not None:
                yield ArrayProblem(starts[-1] if starts else line, done, problem)
                return
            line += piece.count(b"\n")
    if not seen_any:
        yield ArrayProblem(None, None, "file is empty")
        return
    try:
        parser.close()
        builder.close()
    except ijson.JSONError as exc:
        yield ArrayProblem(line, done, _message(exc))


def _message(exc: Exception) -> str:
    """yajl's first line ("parse error: premature EOF"), without its kind and full stop."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    for kind in ("lexical error: ", "parse error: "):
        first = first.removeprefix(kind)
    return f"malformed JSON: {first.rstrip('.')}"
