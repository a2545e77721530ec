"""brat standoff: a folder of ``NAME.txt`` + ``NAME.ann`` pairs with annotation.conf and visual.conf.

Export (:func:`write_brat`) writes, for each article, ``NAME.txt`` holding the article's stored
text exactly (UTF-8, LF line ends, no BOM) and ``NAME.ann`` with its annotations, plus one
``annotation.conf`` and one ``visual.conf`` for the folder, so that brat opens it as a collection:

- ``T`` lines for spans (``T1<TAB>Quote 10 20<TAB>text``), offsets in code points, end exclusive.
  A span that crosses a line break is written as brat writes it: one fragment per line
  (``T1<TAB>Quote 10 20;21 30<TAB>fragment1 fragment2``, fragment texts joined by one space).
  A line break is any character :meth:`str.splitlines` breaks at. A span's leading or trailing
  line breaks cannot be shown and are left out; a span of nothing but line breaks is not written.
- ``R`` lines for relations, head as ``Arg1`` and child as ``Arg2``
  (``R1<TAB>attributed_to Arg1:T3 Arg2:T1``).
- ``A`` lines for span attributes (``A1<TAB>Key T1 Value``). A value of ``true`` is written as a
  brat flag (``A1<TAB>Key T1``; brat flags read back as ``true``). brat values are single words:
  white space and the characters ``| ,`` become ``_`` and an empty value becomes a flag; each such
  change is reported as a loss.
- ``#`` lines for notes (``#1<TAB>AnnotatorNotes T1<TAB>note``). A note is one line in brat: its
  line breaks become spaces (reported).
- Type names (labels, relation types, attribute names) are made brat-safe: every character other
  than a letter, digit, ``_`` or ``-`` becomes ``_`` ("Direct quote" becomes ``Direct_quote``),
  with ``_2``, ``_3`` ... added when two names would meet. visual.conf's ``[labels]`` section maps
  each changed type back to its original name (brat shows that name) and :func:`read_brat` reads
  it back. Renamed labels are reported.
- ``NAME`` is the article title made safe for every file system: letters and digits kept, runs
  of anything else turned into ``-``, cut to 60 characters; an article without a usable title is
  ``article-ID``; a name already used in the export (compared case-insensitively, as Windows and
  macOS do) or reserved on Windows (``CON``, ``NUL``, ``COM1`` ...) gets ``-ID`` added.
- brat has no annotators and no article metadata: both are reported as losses.

Import (:func:`read_brat`) takes a folder (every ``.ann`` below it, in name order, each with the
``.txt`` of the same name beside it), or one ``.ann`` or ``.txt`` file of a pair. Line kinds:

- ``T`` spans. The text field must equal the document text at the offsets (fragments joined by
  one space) as brat itself checks it; like brat, an empty text field, text followed by white
  space and a comment, and pre-1.3 fragment text joined without a space are accepted. A text field
  broken by a raw line break (the rest of it on the next line or lines of the .ann) is read as
  one field. Fragments separated only by white space (the line breaks a span was cut at) are one
  continuous span again. A genuinely discontinuous span (non-space text between fragments) is
  imported as ONE span from the start of its first fragment to the end of its last; the import
  notes name each one. Offsets count code points of the .txt as read (a BOM is character 0); a
  .txt with CRLF line ends whose offsets only fit with CRLF counted as one character (brat's
  universal newlines) is read that way.
- ``E`` events: the trigger is a ``T`` line and so a span; each argument becomes a relation from
  the trigger to the argument, typed by the role (``Org-Arg``). References to an event mean its
  trigger span.
- ``R`` relations (``Arg1`` is the head), ``A``/``M`` attributes (a flag reads as ``true``) and
  ``#`` AnnotatorNotes notes on spans and events. Attributes and notes on relations cannot be
  held and are counted in the notes.
- ``N`` normalizations and ``*`` equivalences are ignored with a counted note.
- Anything else, or a line that cannot be parsed, is rejected naming its file and line, as is a
  ``T`` line whose offsets fall outside the text or whose text does not match it; lines that
  refer to a rejected line are rejected too. The rest of the document is imported.

Notes (not rejections) are handed to ``on_note(path, line, message)`` when given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.model import DEFAULT_RELATION_TYPE, LABEL_PALETTE, Article, ArticleDraft, Label
from annotator.core.text import CanonicalText, canonicalize
from annotator.formats.export import (
    ExportDoc,
    ExportReport,
    ExportSpan,
    ProgressCallback,
    atomic_folder,
)
from annotator.formats.limits import (
    MAX_ARTICLE_BYTES,
    MAX_ARTICLE_FILE_BYTES,
    MAX_WHOLE_FILE_BYTES,
    TooLarge,
    megabytes,
    read_bounded,
)
from annotator.formats.records import (
    ArticleRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
    RelationRecord,
    SpanRecord,
    text_problem,
    title_from_text,
)
from annotator.formats.walk import collect_files

__all__ = [
    "NoteCallback",
    "brat_name",
    "document_name",
    "line_fragments",
    "read_brat",
    "write_brat",
]

NoteCallback = Callable[[Path, int | None, str], None]  # (file, 1-based line or None, message)

ANNOTATION_CONF = "annotation.conf"
VISUAL_CONF = "visual.conf"
NAME_MAX = 60
FLAG_VALUE = "true"  # how a brat flag attribute (no value) is held in a span's attributes
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
_VALUE_UNSAFE = re.compile(r"[\s|,]")
_ID = re.compile(r"^([A-Za-z]+[0-9]+\S*|#[A-Za-z]*[0-9]+\S*|\*)\t")
_SPAN_DEFAULT_COLOR = "#cccccc"


# ------------------------------------------------------------------------------------ names
def brat_name(name: str) -> str:
    """``name`` as a brat type name: ASCII letters, digits, ``_`` and ``-`` only (brat's storage
    form, ``^[a-zA-Z0-9_-]*$``: brat refuses others in annotation.conf); accents are dropped
    ("Citação" is ``Citacao``), any other character becomes ``_``; never empty."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    safe = "".join(ch if ch in _STORAGE_CHARS else "_" for ch in plain)
    return safe or "_"


_STORAGE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def document_name(title: str, article_id: int) -> str:
    """The file name stem an article gets before uniqueness: its title made file-system safe."""
    parts: list[str] = []
    word = []
    for ch in unicodedata.normalize("NFC", title):
        if ch.isalnum():
            word.append(ch)
        elif word:
            parts.append("".join(word))
            word = []
    if word:
        parts.append("".join(word))
    stem = "-".join(parts)[:NAME_MAX].rstrip("-")
    return stem or f"article-{article_id}"


class _Names:
    """Hands out unique names: file stems per export, brat type names per namespace."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def file_stem(self, article: Article) -> str:
        stem = document_name(article.title, article.id)
        if stem.casefold() in self._used or stem.casefold() in _WINDOWS_RESERVED:
            stem = f"{stem}-{article.id}"
        base, n = stem, 2
        while stem.casefold() in self._used:
            stem, n = f"{base}-{n}", n + 1
        self._used.add(stem.casefold())
        return stem


class _TypeNames:
    """Original name -> brat-safe type name, unique within one namespace."""

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}
        self._taken: set[str] = set()

    def get(self, name: str) -> str:
        found = self.by_name.get(name)
        if found is not None:
            return found
        safe = base = brat_name(name)
        n = 2
        while safe in self._taken:
            safe, n = f"{base}_{n}", n + 1
        self._taken.add(safe)
        self.by_name[name] = safe
        return safe

    def renamed(self) -> list[tuple[str, str]]:
        return [(name, safe) for name, safe in self.by_name.items() if name != safe]


# ----------------------------------------------------------------------------------- writing
def line_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at every line break into the non-empty pieces between them."""
    fragments: list[tuple[int, int]] = []
    piece_start = start
    for i in range(start, end):
        if _is_line_break(text, i):
            if piece_start < i:
                fragments.append((piece_start, i))
            piece_start = i + 1
    if piece_start < end:
        fragments.append((piece_start, end))
    return fragments


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines()'s


def _is_line_break(text: str, i: int) -> bool:
    return text[i] in _LINE_BREAKS


def _one_line(text: str) -> str:
    """``text`` with each line break (CRLF counting as one) turned into a space."""
    return " ".join(text.splitlines()) if text else text


@dataclass
class _Schema:
    """What annotation.conf and visual.conf declare, gathered while the documents are written."""

    labels: Sequence[Label]
    entities: _TypeNames = field(default_factory=_TypeNames)
    relations: _TypeNames = field(default_factory=_TypeNames)
    attributes: _TypeNames = field(default_factory=_TypeNames)
    entity_order: list[str] = field(default_factory=list)  # original label names, in order
    relation_args: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    attribute_values: dict[str, set[str]] = field(default_factory=dict)  # safe name -> values
    flags: set[str] = field(default_factory=set)  # safe attribute names written as flags

    def __post_init__(self) -> None:
        for label in self.labels:
            self.entity(label.name)
        self.relations.get(DEFAULT_RELATION_TYPE)

    def entity(self, name: str) -> str:
        if name not in self.entities.by_name:
            self.entity_order.append(name)
        return self.entities.get(name)

    def relation(self, rel_type: str, head_label: str, child_label: str) -> str:
        safe = self.relations.get(rel_type)
        heads, children = self.relation_args.setdefault(safe, ([], []))
        if head_label not in heads:
            heads.append(head_label)
        if child_label not in children:
            children.append(child_label)
        return safe

    def annotation_conf(self) -> str:
        order = {name: i for i, name in enumerate(self.entity_order)}
        lines = [
            "# brat annotation configuration written by News Annotator.",
            "# Type names are brat-safe forms of the label names; visual.conf shows the originals.",
            "",
            "[entities]",
            "",
            *(self.entities.get(name) for name in self.entity_order),
            "",
            "[relations]",
            "",
        ]
        for safe in self.relations.by_name.values():
            heads, children = self.relation_args.get(safe, ([], []))
            arg1 = "|".join(self.entities.get(n) for n in sorted(heads, key=order.__getitem__))
            arg2 = "|".join(self.entities.get(n) for n in sorted(children, key=order.__getitem__))
            lines.append(f"{safe}\tArg1:{arg1 or '<ENTITY>'}, Arg2:{arg2 or '<ENTITY>'}")
        lines += [
            "# spans may overlap and nest",
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
            "",
            "[events]",
            "",
            "[attributes]",
            "",
        ]
        for safe in self.attributes.by_name.values():
            values = sorted(self.attribute_values.get(safe, set()))
            if values:
                lines.append(f"{safe}\tArg:<ENTITY>, Value:{'|'.join(values)}")
            else:
                lines.append(f"{safe}\tArg:<ENTITY>")
        return "\n".join(lines) + "\n"

    def visual_conf(self) -> str:
        colors = {label.name: label.color for label in self.labels}
        renamed = self.entities.renamed() + self.relations.renamed() + self.attributes.renamed()
        lines = [
            "# brat display configuration written by News Annotator.",
            "",
            "[labels]",
            "",
            *(f"{safe} | {name}" for name, safe in renamed),
            "",
            "[drawing]",
            "",
            "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
            "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        ]
        for i, name in enumerate(self.entity_order):
            color = colors.get(name) or LABEL_PALETTE[i % len(LABEL_PALETTE)]
            lines.append(f"{self.entities.get(name)}\tbgColor:{color}")
        return "\n".join(lines) + "\n"


@dataclass
class _Tally:
    """Counts of what brat could not carry."""

    edge_breaks: int = 0
    break_only: int = 0
    relations_dropped: int = 0
    notes_joined: int = 0
    values_changed: int = 0
    span_annotators: int = 0
    relation_annotators: int = 0
    renamed_spans: dict[str, int] = field(default_factory=dict)
    renamed_relations: dict[str, int] = field(default_factory=dict)
    renamed_attributes: dict[str, int] = field(default_factory=dict)

    def report_to(self, report: ExportReport, schema: _Schema, articles: int) -> None:
        for name, safe in schema.entities.renamed():
            count = self.renamed_spans.get(name, 0)
            report.lose(
                count,
                f"span(s) labelled {name!r} written as brat type {safe} (brat type names "
                "cannot hold spaces or punctuation; visual.conf shows the original name and "
                "News Annotator reads it back)",
            )
        for name, safe in schema.relations.renamed():
            report.lose(
                self.renamed_relations.get(name, 0),
                f"relation(s) of type {name!r} written as brat type {safe} (read back by "
                "News Annotator through visual.conf)",
            )
        for name, safe in schema.attributes.renamed():
            report.lose(
                self.renamed_attributes.get(name, 0),
                f"attribute(s) named {name!r} written as brat attribute {safe} (read back by "
                "News Annotator through visual.conf)",
            )
        report.lose(
            self.edge_breaks,
            "span(s) began or ended with a line break, which brat cannot show; written without it",
        )
        report.lose(self.break_only, "span(s) covering only line breaks were not written")
        report.lose(
            self.relations_dropped, "relation(s) not written: one of their spans was not written"
        )
        report.lose(
            self.notes_joined,
            "note(s) had line breaks replaced by spaces (a brat note is one line)",
        )
        report.lose(
            self.values_changed,
            "attribute value(s) changed: brat values are single words (white space, '|' and ',' "
            "became '_'; an empty value became a flag)",
        )
        report.lose(
            self.span_annotators, "span annotator name(s) not kept (brat has no annotators)"
        )
        report.lose(
            self.relation_annotators,
            "relation annotator name(s) not kept (brat has no annotators)",
        )
        report.lose(
            articles,
            "article(s) lost their title and metadata (brat keeps only the text; the title "
            "names the files)",
        )


def write_brat(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label],
    progress: ProgressCallback | None = None,
) -> ExportReport:
    """Write ``docs`` into the folder ``out`` as a brat collection and report what was lost.

    The folder is created if needed; the files appear only once every document is written.
    ``progress(done, total)`` is called after each article (total 0 when ``docs`` has no length).
    """
    report = ExportReport("brat")
    schema = _Schema(labels)
    names = _Names()
    tally = _Tally()
    total = len(docs) if isinstance(docs, Sized) else 0
    written: list[str] = []
    with atomic_folder(out) as tmp:
        for doc in docs:
            stem = names.file_stem(doc.article)
            ann = _ann_text(doc, schema, tally, report)
            (tmp / f"{stem}.txt").write_bytes(doc.article.text.encode("utf-8"))
            (tmp / f"{stem}.ann").write_bytes(ann.encode("utf-8"))
            written += [f"{stem}.txt", f"{stem}.ann"]
            report.articles += 1
            if progress is not None:
                progress(report.articles, total)
        (tmp / ANNOTATION_CONF).write_bytes(schema.annotation_conf().encode("utf-8"))
        (tmp / VISUAL_CONF).write_bytes(schema.visual_conf().encode("utf-8"))
        written += [ANNOTATION_CONF, VISUAL_CONF]
    report.files.extend(out / name for name in written)
    tally.report_to(report, schema, report.articles)
    return report


def _ann_text(doc: ExportDoc, schema: _Schema, tally: _Tally, report: ExportReport) -> str:
    text = doc.article.text
    lines: list[str] = []
    t_ids: dict[int, str] = {}
    attribute_lines: list[str] = []
    note_lines: list[str] = []
    for index, span in enumerate(doc.spans):
        fragments = line_fragments(text, span.start, span.end)
        if not fragments:
            tally.break_only += 1
            continue
        if (fragments[0][0], fragments[-1][1]) != (span.start, span.end):
            tally.edge_breaks += 1
        t_id = f"T{len(t_ids) + 1}"
        t_ids[index] = t_id
        type_name = schema.entity(span.label)
        if type_name != span.label:
            tally.renamed_spans[span.label] = tally.renamed_spans.get(span.label, 0) + 1
        offsets = ";".join(f"{s} {e}" for s, e in fragments)
        covered = " ".join(text[s:e] for s, e in fragments)
        lines.append(f"{t_id}\t{type_name} {offsets}\t{covered}\n")
        if span.annotator:
            tally.span_annotators += 1
        attribute_lines += _attribute_lines(span, t_id, schema, tally, len(attribute_lines))
        if span.note:
            note = _one_line(span.note)
            if note != span.note:
                tally.notes_joined += 1
            note_lines.append(f"#{len(note_lines) + 1}\tAnnotatorNotes {t_id}\t{note}\n")
        report.spans += 1
    r_count = 0
    for relation in doc.relations:
        if relation.head not in t_ids or relation.child not in t_ids:
            tally.relations_dropped += 1
            continue
        head, child = doc.spans[relation.head], doc.spans[relation.child]
        rel_name = schema.relation(relation.type, head.label, child.label)
        if rel_name != relation.type:
            tally.renamed_relations[relation.type] = (
                tally.renamed_relations.get(relation.type, 0) + 1
            )
        r_count += 1
        lines.append(
            f"R{r_count}\t{rel_name} Arg1:{t_ids[relation.head]} Arg2:{t_ids[relation.child]}\n"
        )
        if relation.annotator:
            tally.relation_annotators += 1
        report.relations += 1
    return "".join(lines + attribute_lines + note_lines)


def _attribute_lines(
    span: ExportSpan, t_id: str, schema: _Schema, tally: _Tally, already: int
) -> list[str]:
    lines: list[str] = []
    for key in sorted(span.attributes):
        value = span.attributes[key]
        name = schema.attributes.get(key)
        if name != key:
            tally.renamed_attributes[key] = tally.renamed_attributes.get(key, 0) + 1
        safe_value = _VALUE_UNSAFE.sub("_", value)
        if safe_value != value or not value:
            tally.values_changed += 1
        a_id = f"A{already + len(lines) + 1}"
        if safe_value in ("", FLAG_VALUE):
            schema.flags.add(name)
            schema.attribute_values.setdefault(name, set())
            lines.append(f"{a_id}\t{name} {t_id}\n")
        else:
            schema.attribute_values.setdefault(name, set()).add(safe_value)
            lines.append(f"{a_id}\t{name} {t_id} {safe_value}\n")
    return lines


# ----------------------------------------------------------------------------------- reading
@dataclass
class _TLine:
    id: str
    type: str
    fragments: list[tuple[int, int]]
    line: int


@dataclass
class _Ref:
    """A line that refers to other annotations: R, E, A/M or #."""

    kind: str
    id: str
    type: str
    targets: list[tuple[str, str]]  # (role, id)
    value: str
    line: int


class _LineError(ValueError):
    pass


def read_brat(
    path: Path, options: ReadOptions | None = None, *, on_note: NoteCallback | None = None
) -> ReadResult:
    """Yield one article per brat document under ``path`` (a folder, or one .ann/.txt file).

    Rejections name the .ann (or .txt) file and line in :attr:`RecordError.path`/``line``.
    """
    if on_note is None and options is not None:
        on_note = options.on_note
    advance = options.advance if options is not None else (lambda done, total: None)
    del options  # brat files are UTF-8 by definition
    path = Path(path)
    if path.is_dir():
        root = path
        entries = collect_files([path], (".ann", ".txt"))
        # A .txt that is a link out of the folder is rejected here, and its .ann not read.
        refused = {e.path for e in entries if isinstance(e, Rejection)}
        ann_files = [
            e
            for e in entries
            if isinstance(e, Path)
            and e.suffix.lower() == ".ann"
            and e.with_suffix(".txt") not in refused
        ]
        stems = {p.with_suffix("") for p in ann_files}
        for entry in entries:
            if isinstance(entry, Path):
                if entry.suffix.lower() == ".txt" and entry.with_suffix("") not in stems:
                    _note(
                        on_note, entry, None, "has no .ann beside it: not read as a brat document"
                    )
            else:
                yield RecordError(entry.line, entry.message, path=entry.path)
    elif path.suffix.lower() == ".txt":
        root = path.parent
        ann_files = [path.with_suffix(".ann")]
    else:
        root = path.parent
        ann_files = [path]
    for done, ann_path in enumerate(ann_files, start=1):
        advance(done, len(ann_files))
        yield from _read_document(ann_path, _display_names(ann_path.parent, root), on_note)


def _note(on_note: NoteCallback | None, path: Path, line: int | None, message: str) -> None:
    if on_note is not None:
        on_note(path, line, message)


def _display_names(folder: Path, root: Path) -> dict[str, str]:
    """Type -> original name from the nearest visual.conf's [labels], for renamed types only.

    A type is taken to be a renamed name when it is the brat-safe form of its first display name
    (``Direct_quote | Direct quote``), so brat's own abbreviations (``GPE | Geo-political
    entity``) are left alone.
    """
    conf: Path | None = None
    for parent in [folder, *folder.parents]:
        if (parent / VISUAL_CONF).is_file():
            conf = parent / VISUAL_CONF
            break
        if parent == root or root not in parent.parents:
            break
    if conf is None or not conf.resolve().is_relative_to(root.resolve()):
        return {}  # a visual.conf that links out of the folder is not read
    try:
        text = read_bounded(conf, MAX_WHOLE_FILE_BYTES, VISUAL_CONF).decode("utf-8", "replace")
    except (OSError, TooLarge):
        return {}
    names: dict[str, str] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section != "labels" or "|" not in line:
            continue
        type_name, _, displays = (part.strip() for part in line.partition("|"))
        # This app writes the whole name after the first '|' (it may hold '|' itself); brat's
        # own files list the display name and abbreviations, separated by '|'.
        for display in (displays, displays.split("|")[0].strip()):
            if display and display != type_name and _is_renamed(type_name, display):
                names[type_name] = display
                break
    return names


def _is_renamed(type_name: str, display: str) -> bool:
    safe = brat_name(display)
    return type_name == safe or re.fullmatch(re.escape(safe) + r"_[0-9]+", type_name) is not None


def _read_document(
    ann_path: Path, display: dict[str, str], on_note: NoteCallback | None
) -> Iterator[ArticleRecord | RecordError]:
    txt_path = ann_path.with_suffix(".txt")
    if not ann_path.is_file():
        yield RecordError(None, f"has no {ann_path.name} beside it", path=txt_path)
        return
    if not txt_path.is_file():
        yield RecordError(None, f"has no {txt_path.name} beside it", path=ann_path)
        return
    try:
        raw = read_bounded(
            txt_path,
            MAX_ARTICLE_FILE_BYTES,
            f"brat .txt file ({megabytes(MAX_ARTICLE_BYTES)} per article)",
        ).decode("utf-8")
    except TooLarge as exc:
        yield RecordError(None, exc.message, path=txt_path)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}", path=txt_path)
        return
    except UnicodeDecodeError as exc:
        yield RecordError(
            None, f"is not valid UTF-8 (byte {exc.start + 1}); brat text is UTF-8", path=txt_path
        )
        return
    try:
        ann_lines = (
            read_bounded(ann_path, MAX_WHOLE_FILE_BYTES, "brat .ann file")
            .decode("utf-8")
            .split("\n")
        )
    except TooLarge as exc:
        yield RecordError(None, exc.message, path=ann_path)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}", path=ann_path)
        return
    except UnicodeDecodeError as exc:
        yield RecordError(
            None,
            f"is not valid UTF-8 (byte {exc.start + 1}); brat files are UTF-8",
            path=ann_path,
        )
        return
    canonical = canonicalize(raw)
    problem = text_problem(canonical.text)
    if problem is not None:
        yield RecordError(None, problem, path=txt_path)
        return
    document = _Document(ann_path, raw, canonical, display, on_note)
    errors = document.parse([line.removesuffix("\r") for line in ann_lines])
    for line, message in errors:
        yield RecordError(line, message, path=ann_path)
    yield document.record()


class _Document:
    """One .ann file being read against its text."""

    def __init__(
        self,
        path: Path,
        raw: str,
        canonical: CanonicalText,
        display: dict[str, str],
        on_note: NoteCallback | None,
    ) -> None:
        self.path = path
        self.raw = raw
        self.canonical = canonical
        self.display = display
        self.on_note = on_note
        self.t_lines: dict[str, _TLine] = {}
        self.refs: list[_Ref] = []
        self.errors: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.rejected: set[str] = set()
        self.ignored: dict[str, list[int]] = {"N": [], "*": []}
        self.spans: list[SpanRecord] = []
        self.relations: list[RelationRecord] = []
        # Offsets are read against the text with universal newlines (CRLF as one character)
        # when only that reading fits the T lines.
        self.offset_text = raw
        self.offset_map: CanonicalText = canonical

    # -------------------------------------------------------------------------- parsing
    def parse(self, lines: list[str]) -> list[tuple[int, str]]:
        # (line number, line, the lines after a T line that may continue its text field)
        pending: list[tuple[int, str, list[str]]] = []
        after_t = False
        for number, line in enumerate(lines, start=1):
            if _ID.match(line) is not None:
                pending.append((number, line, []))
                after_t = line.startswith("T")
            elif after_t:
                pending[-1][2].append(line)  # maybe a raw line break inside the text field
            elif line.strip():
                pending.append((number, line, []))
        self._choose_offset_text(pending)
        for number, line, continuation in pending:
            try:
                self._parse_line(number, line, continuation)
            except _LineError as exc:
                self.errors.append((number, str(exc)))
                match = _ID.match(line)
                if match is not None:
                    self.rejected.add(match.group(1))
        self._resolve()
        self.errors.sort()
        return self.errors

    def _choose_offset_text(self, pending: list[tuple[int, str, list[str]]]) -> None:
        if "\r" not in self.raw:
            return
        universal = self.raw.replace("\r\n", "\n").replace("\r", "\n")

        def fits(text: str) -> int:
            count = 0
            for _, line, continuation in pending:
                if line.startswith("T"):
                    try:
                        _, type_part, tail = _split_line(line)
                        _, fragments = _parse_offsets(type_part)
                        if _text_fits(text, fragments, tail, continuation) is not None:
                            count += 1
                    except _LineError:
                        continue
            return count

        if fits(universal) > fits(self.raw):
            self.offset_text = universal
            self.offset_map = canonicalize(universal)

    def _parse_line(self, number: int, line: str, continuation: list[str]) -> None:
        match = _ID.match(line)
        if match is None:
            raise _LineError(f"not a brat annotation line (no ID and tab): {_short(line)}")
        ann_id = match.group(1)
        kind = ann_id[0]
        if ann_id in self.ids and ann_id != "*":
            raise _LineError(f"{ann_id} is defined twice")
        self.ids.add(ann_id)
        if kind == "T":
            self._parse_t(ann_id, line, number, continuation)
        elif kind in "RE":
            self._parse_r_or_e(kind, ann_id, line, number)
        elif kind in "AM":
            _, data, _ = _split_line(line)
            parts = data.split()
            if len(parts) not in (2, 3):
                raise _LineError(f"{ann_id}: expected 'NAME TARGET [VALUE]', got {_short(data)}")
            value = parts[2] if len(parts) == 3 else FLAG_VALUE
            self.refs.append(_Ref("A", ann_id, parts[0], [("", parts[1])], value, number))
        elif kind == "#":
            _, data, tail = _split_line(line)
            parts = data.split()
            if len(parts) != 2:
                raise _LineError(f"{ann_id}: expected 'AnnotatorNotes TARGET', got {_short(data)}")
            self.refs.append(_Ref("#", ann_id, parts[0], [("", parts[1])], tail, number))
        elif kind == "N":
            self.ignored["N"].append(number)
        elif kind == "*":
            self.ignored["*"].append(number)
        else:
            raise _LineError(
                f"unknown annotation kind {kind!r} ({ann_id}); brat has T, R, E, "
                "A, M, N, # and * lines"
            )

    def _parse_t(self, ann_id: str, line: str, number: int, continuation: list[str]) -> None:
        _, data, tail = _split_line(line)
        type_name, fragments = _parse_offsets(data)
        size = len(self.offset_text)
        for start, end in fragments:
            if not 0 <= start < end <= size:
                raise _LineError(
                    f"{ann_id}: offsets {start} {end} are not a non-empty range inside the text "
                    f"({size} characters)"
                )
        ordered = sorted(fragments)
        for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
            if start < end:
                raise _LineError(f"{ann_id}: its fragments overlap")
        used = _text_fits(self.offset_text, fragments, tail, continuation)
        if used is None:
            expected = " ".join(self.offset_text[s:e] for s, e in fragments)
            raise _LineError(
                f"{ann_id}: its text {_short(tail)} does not match the text at "
                f"{_offsets(fragments)}, {_short(expected)}"
            )
        for offset, extra in enumerate(continuation[used:], start=used + 1):
            if extra.strip():
                self.errors.append(
                    (
                        number + offset,
                        f"not a brat annotation line (no ID and tab): {_short(extra)}",
                    )
                )
        self.t_lines[ann_id] = _TLine(ann_id, type_name, ordered, number)

    def _parse_r_or_e(self, kind: str, ann_id: str, line: str, number: int) -> None:
        _, data, _ = _split_line(line)
        parts = data.split()
        if not parts:
            raise _LineError(f"{ann_id}: no type")
        targets: list[tuple[str, str]] = []
        if kind == "E":
            type_name, sep, trigger = parts[0].partition(":")
            if not sep or not trigger:
                raise _LineError(f"{ann_id}: expected 'TYPE:TRIGGER ...', got {_short(data)}")
            targets.append(("", trigger))
        else:
            type_name = parts[0]
        for arg in parts[1:]:
            role, sep, target = arg.partition(":")
            if not sep or not role or not target:
                raise _LineError(f"{ann_id}: argument {arg!r} is not ROLE:ID")
            targets.append((role, target))
        if kind == "R":
            if len(targets) != 2:
                raise _LineError(f"{ann_id}: a relation has two arguments, not {len(targets)}")
            if {role for role, _ in targets} == {"Arg1", "Arg2"} and targets[0][0] == "Arg2":
                targets.reverse()
        self.refs.append(_Ref(kind, ann_id, type_name, targets, "", number))

    # ------------------------------------------------------------------------ resolving
    def _resolve(self) -> None:
        index: dict[str, int] = {}
        for t in self.t_lines.values():
            start = self.offset_map.remap(t.fragments[0][0])
            end = self.offset_map.remap(t.fragments[-1][1])
            if start >= end:
                self.errors.append(
                    (t.line, f"{t.id}: covers only characters dropped on import (a BOM, a CR)")
                )
                self.rejected.add(t.id)
                continue
            gaps = [
                self.offset_text[e:s]
                for (_, e), (s, _) in zip(t.fragments, t.fragments[1:], strict=False)
            ]
            if any(gap.strip() for gap in gaps):
                self._note(
                    t.line,
                    f"{t.id} is discontinuous ({_offsets(t.fragments)}): imported as one span "
                    f"from {t.fragments[0][0]} to {t.fragments[-1][1]}",
                )
            index[t.id] = len(self.spans)
            self.spans.append(SpanRecord(start, end, self.display.get(t.type, t.type)))
        events = [ref for ref in self.refs if ref.kind == "E"]
        # An event stands for its trigger span wherever it is referred to.
        for event in events:
            trigger = event.targets[0][1]
            if trigger in index:
                index[event.id] = index[trigger]
        attributes: dict[int, dict[str, str]] = {}
        notes: dict[int, list[str]] = {}
        relation_ids = {ref.id for ref in self.refs if ref.kind == "R"}
        skipped_on_relations = 0
        seen_relations: set[tuple[int, int, str]] = set()
        for ref in self.refs:
            missing = [t for _, t in ref.targets if t not in index]
            if ref.kind in "A#" and missing and missing[0] in relation_ids:
                skipped_on_relations += 1
                continue
            if missing:
                self.errors.append((ref.line, f"{ref.id}: refers to {self._why(missing[0])}"))
                self.rejected.add(ref.id)
                continue
            if ref.kind == "A":
                target = index[ref.targets[0][1]]
                name = self.display.get(ref.type, ref.type)
                held = attributes.setdefault(target, {})
                if name in held and held[name] != ref.value:
                    self._note(
                        ref.line,
                        f"{ref.id}: {name} already set to {held[name]!r} on the same span; "
                        f"{ref.value!r} kept",
                    )
                held[name] = ref.value
            elif ref.kind == "#":
                notes.setdefault(index[ref.targets[0][1]], []).append(ref.value)
            else:
                rel_type = self.display.get(ref.type, ref.type)
                pairs = (
                    [(ref.targets[0][1], ref.targets[1][1], rel_type)]
                    if ref.kind == "R"
                    else [(ref.targets[0][1], t, r) for r, t in ref.targets[1:]]
                )
                for head_id, child_id, kind_name in pairs:
                    head, child = index[head_id], index[child_id]
                    if head == child:
                        self._note(ref.line, f"{ref.id}: links a span to itself; not imported")
                        continue
                    if (head, child, kind_name) in seen_relations:
                        continue
                    seen_relations.add((head, child, kind_name))
                    self.relations.append(RelationRecord(head, child, kind_name))
        for i, span in enumerate(self.spans):
            if i in attributes or i in notes:
                self.spans[i] = SpanRecord(
                    span.start,
                    span.end,
                    span.label,
                    note="\n".join(notes.get(i, [])),
                    attributes=attributes.get(i, {}),
                )
        if skipped_on_relations:
            self._note(
                None,
                f"{skipped_on_relations} attribute(s)/note(s) on relations not imported "
                "(relations here hold neither)",
            )
        if events:
            self._note(
                None,
                f"{len(events)} event(s): triggers imported as spans, arguments as relations "
                "typed by their role",
            )
        for kind, what in (("N", "normalization(s)"), ("*", "equivalence(s)")):
            if self.ignored[kind]:
                lines = ", ".join(map(str, self.ignored[kind]))
                self._note(None, f"{len(self.ignored[kind])} {what} ignored (lines {lines})")

    def _why(self, ann_id: str) -> str:
        if ann_id in self.rejected:
            return f"{ann_id}, which was rejected"
        if ann_id in self.ids:
            return f"{ann_id}, which is not a span or an event"
        return f"{ann_id}, which is not defined"

    def _note(self, line: int | None, message: str) -> None:
        _note(self.on_note, self.path, line, message)

    def record(self) -> ArticleRecord:
        text = self.canonical.text
        draft = ArticleDraft(text=text, title=title_from_text(text))
        return ArticleRecord(draft, None, tuple(self.spans), tuple(self.relations))


def _split_line(line: str) -> tuple[str, str, str]:
    """``ID<TAB>DATA[<TAB>TAIL]`` as its three parts (TAIL "" when absent)."""
    ann_id, _, rest = line.partition("\t")
    data, _, tail = rest.partition("\t")
    return ann_id, data, tail


def _parse_offsets(data: str) -> tuple[str, list[tuple[int, int]]]:
    type_name, _, rest = data.partition(" ")
    if not type_name or not rest:
        raise _LineError(f"expected 'TYPE START END', got {_short(data)}")
    fragments: list[tuple[int, int]] = []
    for piece in rest.split(";"):
        numbers = piece.split()
        if len(numbers) != 2 or not all(n.isascii() and n.isdigit() for n in numbers):
            raise _LineError(f"bad offsets {_short(rest)} (expected 'START END[;START END...]')")
        fragments.append((int(numbers[0]), int(numbers[1])))
    return type_name, fragments


def _text_fits(
    text: str, fragments: list[tuple[int, int]], tail: str, continuation: list[str]
) -> int | None:
    """How many continuation lines the T text field takes up when it matches ``text`` at the
    fragments as brat checks it, or None when it does not match."""
    pieces = [text[s:e] for s, e in fragments]
    expected = " ".join(pieces)

    def matches(field_text: str) -> bool:
        if field_text == "" or field_text == expected or field_text == "".join(pieces):
            return True
        # brat allows the text to be followed by white space and anything after it
        return field_text.startswith(expected) and field_text[len(expected)].isspace()

    if matches(tail):
        return 0
    joined = tail
    for used, extra in enumerate(continuation, start=1):
        joined += "\n" + extra
        if joined == expected or matches(joined):
            return used
        if not expected.startswith(joined):
            break
    return None


def _offsets(fragments: Sequence[tuple[int, int]]) -> str:
    return ";".join(f"{s} {e}" for s, e in fragments)


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
