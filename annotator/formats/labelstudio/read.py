"""Reading Label Studio exports: a JSON array streamed a task at a time, JSON Lines, and the
CSV and CONLL exports handed to their readers (see :mod:`annotator.formats.labelstudio`)."""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.formats.decode import bom_encoding
from annotator.formats.json_array import ArrayProblem, array_elements
from annotator.formats.jsonl import read_jsonl_path
from annotator.formats.labelstudio.config import Config, _load_config
from annotator.formats.labelstudio.csv_export import read_labelstudio_csv
from annotator.formats.labelstudio.tasks import parse_task, parse_task_line
from annotator.formats.records import (
    InvalidRecord,
    LabelSetRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    read_whole_text,
)


def read_labelstudio(path: Path, options: ReadOptions) -> ReadResult:
    """Each task of a Label Studio JSON file as an article, or why it cannot be imported.

    Problems are reported at the line the task starts on, naming the task's index too. A UTF-8
    file (Label Studio writes UTF-8) is streamed a task at a time with ijson, whatever its size
    (:func:`annotator.formats.json_array.array_elements`); a file in another encoding is read
    whole, up to :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`. A ``.jsonl`` file of
    one task per line is read a line at a time. A labeling config beside the file (see
    :func:`find_config`) names the data key of the text and brings its labels' colours and
    hotkeys. A ``.csv`` file is read as Label Studio's CSV export
    (:func:`read_labelstudio_csv`), a ``.conll`` file as its CONLL2003 export.
    """
    loaded = _load_config(path)
    config = None
    if isinstance(loaded, RecordError):
        # The tasks may still be read: say why the config was not used, read on without it.
        if options.on_note is not None:
            options.on_note(loaded.path or path, None, loaded.message + "; not used")
    else:
        config = loaded
    if config is not None and (config.labels or config.doc_fields or config.attributes):
        yield LabelSetRecord(
            config.labels, doc_fields=config.doc_fields, attributes=config.attributes
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_labelstudio_csv(path, options, config)
        return
    if suffix in (".conll", ".txt"):
        from annotator.formats.conll import read_conll

        yield from read_conll(path, options)
        return
    if suffix == ".jsonl":
        yield from read_jsonl_path(
            path,
            encoding=options.encoding,
            parse=lambda line, number: parse_task_line(line, number, config),
        )
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            named = options.encoding or bom_encoding(head)
            if (named is None and b"\x00" not in head) or (named is not None and _is_utf8(named)):
                fh.seek(0)
                size = os.fstat(fh.fileno()).st_size
                yield from _streamed_tasks(fh, config, lambda: options.advance(fh.tell(), size))
                return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    content = read_whole_text(
        path,
        "Label Studio JSON file not in UTF-8 (read whole)",
        "save it as UTF-8 to import it a task at a time, whatever its size",
        encoding=options.encoding,
    )
    if isinstance(content, RecordError):
        yield content
        return
    for number, index, item in _array_items(content):
        if isinstance(item, RecordError):
            yield item
            return
        try:
            yield parse_task(item, number, config)
        except InvalidRecord as exc:
            yield RecordError(number, f"task {index}: {exc}")


def _streamed_tasks(
    fh: BinaryIO, config: Config | None = None, advance: Callable[[], None] = lambda: None
) -> ReadResult:
    for element in array_elements(fh):
        advance()  # the bytes read so far
        if isinstance(element, ArrayProblem):
            if element.index is None:
                yield RecordError(element.line, element.message)
            else:
                yield RecordError(
                    element.line,
                    f"task {element.index}: {element.message}; the rest of the file was not read",
                )
            return
        number, index, item = element
        try:
            yield parse_task(item, number, config)
        except InvalidRecord as exc:
            yield RecordError(number, f"task {index}: {exc}")


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False  # read whole, where the unknown name is reported


def _array_items(content: str) -> Iterator[tuple[int | None, int, Any]]:
    """(line, index, value) of each element of a top-level JSON array, decoded one at a time so
    an error names its line; a syntax error ends the array (nothing after it can be trusted)."""
    decoder = json.JSONDecoder()
    text = content
    pos = _skip_space(text, 0)
    if pos >= len(text):
        yield None, 0, RecordError(None, "file is empty")
        return
    if text[pos] == "{":
        # One task on its own (Label Studio also accepts that)
        text = "[" + text + "]"
        pos = 0
    if text[pos] != "[":
        yield (
            None,
            0,
            RecordError(_line(text, pos), "a Label Studio file holds a JSON array of tasks"),
        )
        return
    lines = _LineCounter(text)
    pos = _skip_space(text, pos + 1)
    index = 0
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        line = lines.at(pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except RecursionError:
            yield (
                None,
                index,
                RecordError(
                    line, f"task {index}: JSON nested too deeply; the rest of the file was not read"
                ),
            )
            return
        except json.JSONDecodeError as exc:
            yield (
                None,
                index,
                RecordError(
                    exc.lineno,
                    f"task {index}: malformed JSON: {exc.msg} (column {exc.colno}); "
                    "the rest of the file was not read",
                ),
            )
            return
        yield line, index, value
        index += 1
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return
        yield (
            None,
            index,
            RecordError(lines.at(pos), "malformed JSON: expected ',' or ']' after a task"),
        )
        return


class _LineCounter:
    """Line numbers of increasing offsets, counting only the newlines since the last one."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> int:
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
