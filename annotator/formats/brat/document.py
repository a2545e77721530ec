"""One brat .ann file read against its text: its lines parsed, checked and resolved into spans
and relations (see :mod:`annotator.formats.brat`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from annotator.core.model import ArticleDraft
from annotator.core.text import CanonicalText, canonicalize
from annotator.formats.brat.names import (
    _ID,
    CONTINUATION,
    FLAG_VALUE,
    NORMALIZATION,
    NoteCallback,
    _offsets,
    _short,
)
from annotator.formats.records import (
    ArticleRecord,
    RelationRecord,
    SpanRecord,
    title_from_text,
)


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


def _note(on_note: NoteCallback | None, path: Path, line: int | None, message: str) -> None:
    if on_note is not None:
        on_note(path, line, message)


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
        self.fragmented = 0  # discontinuous T lines, imported as linked fragments
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
            # N1<TAB>Reference T1 Wikipedia:534366<TAB>Barack Obama
            _, data, tail = _split_line(line)
            parts = data.split()
            if len(parts) != 3 or ":" not in parts[2]:
                raise _LineError(
                    f"{ann_id}: expected 'Reference TARGET RESOURCE:ID', got {_short(data)}"
                )
            value = parts[2] + (f" {tail.strip()}" if tail.strip() else "")
            self.refs.append(_Ref("N", ann_id, parts[0], [("", parts[1])], value, number))
        elif kind == "*":
            # *<TAB>Alias T1 T2 T3: the spans are equivalent (a symmetric, transitive relation)
            _, data, _ = _split_line(line)
            parts = data.split()
            if len(parts) < 3:
                raise _LineError(f"{ann_id}: expected 'TYPE ID ID [ID...]', got {_short(data)}")
            targets = [("", target) for target in parts[1:]]
            self.refs.append(_Ref("*", f"*{number}", parts[0], targets, "", number))
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
            label = self.display.get(t.type, t.type)
            pieces = self._pieces(t)
            index[t.id] = len(self.spans)
            if len(pieces) > 1:
                # A discontinuous span: each piece a span of the label, each linked to the next
                # by a CONTINUATION relation (the brat export joins them into one T line again).
                self.fragmented += 1
                for n, (a, b) in enumerate(pieces):
                    if n:
                        self.relations.append(
                            RelationRecord(len(self.spans) - 1, len(self.spans), CONTINUATION)
                        )
                    self.spans.append(SpanRecord(a, b, label))
                continue
            self.spans.append(SpanRecord(start, end, label))
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
        equivalences = 0
        seen_relations: set[tuple[int, int, str]] = {
            (r.head, r.child, r.type) for r in self.relations
        }
        for ref in self.refs:
            missing = [t for _, t in ref.targets if t not in index]
            if ref.kind in "A#N" and missing and missing[0] in relation_ids:
                skipped_on_relations += 1
                continue
            if missing:
                self.errors.append((ref.line, f"{ref.id}: refers to {self._why(missing[0])}"))
                self.rejected.add(ref.id)
                continue
            if ref.kind == "N":
                held = attributes.setdefault(index[ref.targets[0][1]], {})
                held[NORMALIZATION] = (
                    f"{held[NORMALIZATION]}\n{ref.value}" if NORMALIZATION in held else ref.value
                )
            elif ref.kind == "*":
                # Equivalent spans: the first linked to each of the others, typed as the line.
                rel_type = self.display.get(ref.type, ref.type)
                first = index[ref.targets[0][1]]
                for _, other in ref.targets[1:]:
                    pair = (first, index[other], rel_type)
                    if index[other] != first and pair not in seen_relations:
                        seen_relations.add(pair)
                        self.relations.append(RelationRecord(*pair))
                        equivalences += 1
            elif ref.kind == "A":
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
        if self.fragmented:
            self._note(
                None,
                f"{self.fragmented} discontinuous span(s) imported as one span per fragment, "
                f"the fragments linked by {CONTINUATION!r} relations (exported to brat again as "
                "one discontinuous span)",
            )
        normalized = sum(1 for ref in self.refs if ref.kind == "N" and ref.id not in self.rejected)
        if normalized:
            self._note(
                None,
                f"{normalized} normalization(s) (N lines) imported as the span attribute "
                f"{NORMALIZATION!r} ('RESOURCE:ID name'; exported to brat again as N lines)",
            )
        if equivalences:
            self._note(
                None,
                f"{equivalences} equivalence(s) (* lines) imported as relations from the first "
                "span of each line to the others, typed as the line",
            )

    def _pieces(self, t: _TLine) -> list[tuple[int, int]]:
        """The stored-text ranges of a T line: fragments separated only by white space (the
        line breaks a span was cut at) are one piece; any other gap starts a new piece."""
        pieces: list[list[int]] = []
        previous_end: int | None = None
        for s, e in t.fragments:
            if previous_end is not None and not self.offset_text[previous_end:s].strip():
                pieces[-1][1] = e
            else:
                pieces.append([s, e])
            previous_end = e
        mapped = [(self.offset_map.remap(s), self.offset_map.remap(e)) for s, e in pieces]
        return [(s, e) for s, e in mapped if s < e]

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
