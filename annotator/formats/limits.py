"""Size limits on imported files and records, checked before a file is read into memory.

Colleagues' files and downloaded data are untrusted: a file of any size, or a line of any
length, must neither exhaust memory nor stop the rest of an import. So every reader either
streams its file a bounded record at a time or refuses a file above a size limit, and every
article is refused above :data:`MAX_ARTICLE_BYTES`. A refused record names its file and line and
the limit in megabytes ("article of 52.4 MB; the limit is 10 MB per article"); the other
records are imported.

Why these values: a real news article is well under 1 MB of text (a long feature is 50-100 kB),
and a 1 MB article with 10,000 spans makes a JSON line of about 3 MB. The limits leave ten times
that room while keeping the memory one record can take near a few hundred MB at worst:

- an article's text: 10 MB of UTF-8 (:data:`MAX_ARTICLE_BYTES`), every format;
- a .txt/.md file (one article): 20 MB (:data:`MAX_ARTICLE_FILE_BYTES`), room for a 10 MB
  article saved as UTF-16; brat's .txt likewise;
- a saved web page: 20 MB (:data:`MAX_PAGE_BYTES`), trafilatura's own cap on a page's size;
  markup, inline styles and images make most of a page;
- a JSON line, or one physical line of a CSV file: 64 MB (:data:`MAX_LINE_BYTES`), room for a
  10 MB article escaped as ``\\uXXXX`` (up to three times longer) with its spans; longer lines
  are skipped a chunk at a time, never held whole;
- a file that has to be read whole: 64 MB (:data:`MAX_WHOLE_FILE_BYTES`): a Label Studio JSON
  array, a CoNLL or brat .ann file, a JSONL or CSV file in an encoding detected from its whole
  content (not UTF-8, no BOM). UTF-8 JSONL and CSV stream, whatever their size.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

MB = 1_000_000

MAX_ARTICLE_BYTES = 10 * MB
MAX_ARTICLE_FILE_BYTES = 2 * MAX_ARTICLE_BYTES
MAX_PAGE_BYTES = 20 * MB
MAX_LINE_BYTES = 64 * MB
MAX_WHOLE_FILE_BYTES = 64 * MB
# JSON nested deeper than this is refused: Python's json recursion stops near 1000 levels (a
# RecursionError, not a syntax error), and every later json.dumps/loads of the value in the
# store and the exports would meet the same wall. Real metadata nests a few levels.
MAX_JSON_DEPTH = 100
# csv counts a field's characters; a text of more characters than this cannot fit the article
# limit (a character is at least one byte of UTF-8).
MAX_CSV_FIELD_CHARS = MAX_ARTICLE_BYTES

_DRAIN_CHUNK = 1 << 20
_ENDS = ("\n", "\r")  # how a line ends in a text stream opened with newline="" (csv's way)


class TooLarge(ValueError):
    """A file or record above a limit; ``message`` says how large it is and what the limit is,
    ``line`` where it is (None: the whole file, or not known here)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def megabytes(size: int) -> str:
    """A size in human terms: ``52.4 MB``, ``10 MB``, ``0.3 MB``."""
    shown = f"{size / MB:.1f}"
    return f"{shown.removesuffix('.0')} MB"


def article_too_large(size: int) -> str | None:
    """Why an article of ``size`` bytes (UTF-8) cannot be imported, or None."""
    if size <= MAX_ARTICLE_BYTES:
        return None
    return f"article of {megabytes(size)}; the limit is {megabytes(MAX_ARTICLE_BYTES)} per article"


def file_too_large(size: int, limit: int, what: str, advice: str = "") -> str | None:
    """``file of 52.4 MB; the limit is 20 MB per <what>[; advice]``, or None within the limit."""
    if size <= limit:
        return None
    message = f"file of {megabytes(size)}; the limit is {megabytes(limit)} per {what}"
    return f"{message}; {advice}" if advice else message


def line_too_large(size: int, limit: int = MAX_LINE_BYTES) -> str:
    return f"line of {megabytes(size)}; the limit is {megabytes(limit)} per line"


def read_bounded(path: Path, limit: int, what: str, advice: str = "") -> bytes:
    """The whole file, read only when it is at most ``limit`` bytes; raises :class:`TooLarge`
    (or OSError). The size is checked on the open file and again while reading, so a file that
    grows meanwhile, or a device with no size, cannot make it read more than ``limit`` bytes."""
    with path.open("rb") as fh:
        return read_rest(fh, limit, what, advice)


def read_rest(fh: BinaryIO, limit: int, what: str, advice: str = "", *, done: int = 0) -> bytes:
    """The rest of an open file of which ``done`` bytes were read already, when the whole file is
    at most ``limit`` bytes; raises :class:`TooLarge` otherwise (see :func:`read_bounded`)."""
    size = os.fstat(fh.fileno()).st_size
    problem = file_too_large(size, limit, what, advice)
    if problem is not None:
        raise TooLarge(problem)
    chunks: list[bytes] = []
    total = done
    # Ask for the size the file has (a read allocates what it asks for), then check for more.
    want = max(size - done, 0) + 1
    while chunk := fh.read(want):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            total += _drain(fh)
            raise TooLarge(file_too_large(total, limit, what, advice) or "")
        want = min(_DRAIN_CHUNK, limit + 1 - total)
    return b"".join(chunks)


def _drain(fh: BinaryIO) -> int:
    """Skip the rest of a file, a chunk at a time; how many bytes were skipped."""
    skipped = 0
    while chunk := fh.read(_DRAIN_CHUNK):
        skipped += len(chunk)
    return skipped


def bounded_lines(fh: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | TooLarge]:
    """The lines of a binary file split on LF only, each at most ``limit`` bytes (LF excluded);
    a longer line is skipped a chunk at a time and given as a :class:`TooLarge` in its place,
    so no line longer than the limit is ever held in memory."""
    while raw := fh.readline(limit + 1):
        if len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw)
            while (rest := fh.readline(_DRAIN_CHUNK)) and not rest.endswith(b"\n"):
                size += len(rest)
            size += len(rest.removesuffix(b"\n"))
            yield TooLarge(line_too_large(size, limit))
            continue
        yield raw


class BoundedTextLines:
    """The lines of a text stream for :func:`csv.reader`, each at most ``limit`` characters.

    A longer line is skipped a chunk at a time and :class:`TooLarge` raised in its place (csv
    passes it on to whoever asked for the record). ``line`` is the number of lines given so far,
    ``skipped_quotes`` the number of ``"`` in the last skipped line, so a caller can tell
    whether the record ended with it.
    """

    def __init__(self, stream: TextIO, limit: int = MAX_LINE_BYTES) -> None:
        self._stream = stream
        self._limit = limit
        self.line = 0
        self.last = ""
        self.skipped_quotes = 0

    def __iter__(self) -> BoundedTextLines:
        return self

    def __next__(self) -> str:
        text = self._stream.readline(self._limit + 1)
        if not text:
            raise StopIteration
        self.line += 1
        if len(text) > self._limit and not text.endswith(_ENDS):
            size = len(text.encode("utf-8", "surrogatepass"))
            quotes = text.count('"')
            while (rest := self._stream.readline(_DRAIN_CHUNK)) and not rest.endswith(_ENDS):
                size += len(rest.encode("utf-8", "surrogatepass"))
                quotes += rest.count('"')
            size += len(rest.encode("utf-8", "surrogatepass"))
            quotes += rest.count('"')
            self.skipped_quotes = quotes
            self.last = ""
            raise TooLarge(line_too_large(size, self._limit))
        self.last = text
        return text


@contextmanager
def csv_field_limit(limit: int = MAX_CSV_FIELD_CHARS) -> Iterator[None]:
    """csv's field size limit set to ``limit`` while reading, and put back after: the limit is
    global to the process, and other code may rely on its own value."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class CsvRecords:
    """Each record of a CSV text stream (opened with ``newline=""``) as (line it starts on,
    fields).

    No line above ``limit`` characters and no field above :data:`MAX_CSV_FIELD_CHARS` is held
    in memory. A record that breaks a limit is given as a :class:`TooLarge` in place of its
    fields when it is one line that ends outside quotes, so the next record starts on the next
    line and reading goes on; otherwise where the next record starts is unknown, and
    :class:`TooLarge` is raised with "the rest of the file was not read". What
    :func:`csv.reader` and the stream raise (``csv.Error``, ``UnicodeDecodeError``) passes on;
    ``start`` is then the line the failed record starts on.
    """

    def __init__(self, stream: TextIO, *, delimiter: str = ",", limit: int = MAX_LINE_BYTES):
        self._lines = BoundedTextLines(stream, limit)
        self._reader = csv.reader(self._lines, delimiter=delimiter)
        self.start = 1

    def __iter__(self) -> CsvRecords:
        return self

    def __next__(self) -> tuple[int, list[str] | TooLarge]:
        lines = self._lines
        start = self.start = lines.line + 1
        try:
            with csv_field_limit():
                return start, next(self._reader)
        except TooLarge as exc:
            if lines.line == start and lines.skipped_quotes % 2 == 0:
                return start, TooLarge(exc.message, start)
            raise TooLarge(_stopped(exc.message, start, lines.line), start) from None
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise
            if lines.line == start and lines.last.count('"') % 2 == 0:
                return start, TooLarge(_FIELD_TOO_LARGE, start)
            raise TooLarge(_stopped(_FIELD_TOO_LARGE, start, lines.line), start) from None


_FIELD_TOO_LARGE = (
    f"a field of more than {megabytes(MAX_CSV_FIELD_CHARS)}; the limit is "
    f"{megabytes(MAX_ARTICLE_BYTES)} per article"
)


def _stopped(message: str, start: int, line: int) -> str:
    where = f" (the record runs on past line {line})" if line != start else ""
    return f"{message}{where}; the rest of the file was not read"


def undecodable_at(fh: BinaryIO, encoding: str) -> tuple[int, str] | None:
    """Where the rest of a binary file first fails to decode strictly in ``encoding`` (offset
    counted from where the reading began, and the reason), or None when all of it decodes. Read
    a chunk at a time; nothing is kept. Raises LookupError for an unknown encoding."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    while True:
        chunk = fh.read(_DRAIN_CHUNK)
        pending = len(decoder.getstate()[0])  # undecoded bytes held back from the last chunk
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            return max(offset - pending + exc.start, 0), exc.reason
        if not chunk:
            return None
        offset += len(chunk)


def load_json(text: str) -> object:
    """``json.loads`` for untrusted text: raises ``json.JSONDecodeError`` for bad syntax and
    :class:`TooLarge` for nesting deeper than :data:`MAX_JSON_DEPTH` (never RecursionError)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooLarge(_TOO_DEEP) from None
    if not nesting_within(value):
        raise TooLarge(_TOO_DEEP)
    return value


def nesting_within(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and dicts in ``value`` nest at most ``limit`` deep (checked without
    recursion)."""
    # Only containers go on the stack: most of a record is strings and numbers.
    if not isinstance(value, dict | list):
        return True
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children: Iterable[object] = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


_TOO_DEEP = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
