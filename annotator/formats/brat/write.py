"""Writing a brat collection: NAME.txt + NAME.ann per article, annotation.conf and visual.conf
(see :mod:`annotator.formats.brat`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.model import DEFAULT_RELATION_TYPE, LABEL_PALETTE, Label
from annotator.formats.brat.names import (
    _VALUE_UNSAFE,
    ANNOTATION_CONF,
    CONTINUATION,
    FLAG_VALUE,
    NORMALIZATION,
    VISUAL_CONF,
    _Names,
    _TypeNames,
    brat_name,
)
from annotator.formats.export import (
    ExportDoc,
    ExportReport,
    ExportSpan,
    ProgressCallback,
    atomic_folder,
)


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


def _chains(doc: ExportDoc) -> tuple[dict[int, list[int]], set[int]]:
    """Spans linked by :data:`CONTINUATION` relations into one discontinuous span: the chain of
    span indices starting at each span that continues none, and the relations that link them.
    A link joins only spans of one label, the later starting after text that is not white space
    (else brat would read the pieces back as one span); other links stay relations."""
    following: dict[int, int] = {}
    preceding: dict[int, int] = {}
    links: set[int] = set()
    text = doc.article.text
    for n, relation in enumerate(doc.relations):
        if relation.type != CONTINUATION:
            continue
        head, child = doc.spans[relation.head], doc.spans[relation.child]
        if (
            head.label != child.label
            or head.end >= child.start
            or not text[head.end : child.start].strip()
            or relation.head in following
            or relation.child in preceding
        ):
            continue
        following[relation.head] = relation.child
        preceding[relation.child] = relation.head
        links.add(n)
    chains: dict[int, list[int]] = {}
    for index in range(len(doc.spans)):
        if index in preceding:
            continue
        chain = [index]
        while chain[-1] in following:  # each link starts later: no cycle
            chain.append(following[chain[-1]])
        chains[index] = chain
    return chains, links


def _ann_text(doc: ExportDoc, schema: _Schema, tally: _Tally, report: ExportReport) -> str:
    text = doc.article.text
    lines: list[str] = []
    t_ids: dict[int, str] = {}
    attribute_lines: list[str] = []
    norm_lines: list[str] = []
    note_lines: list[str] = []
    chains, links = _chains(doc)
    for index, span in enumerate(doc.spans):
        chain = chains.get(index)
        if chain is None:
            continue  # a later piece of a discontinuous span, written with its first
        fragments = [
            piece
            for member in chain
            for piece in line_fragments(text, doc.spans[member].start, doc.spans[member].end)
        ]
        if not fragments:
            tally.break_only += 1
            continue
        for member in chain:
            edges = line_fragments(text, doc.spans[member].start, doc.spans[member].end)
            if edges and (edges[0][0], edges[-1][1]) != (
                doc.spans[member].start,
                doc.spans[member].end,
            ):
                tally.edge_breaks += 1
        t_id = f"T{len(lines) + 1}"
        for member in chain:
            t_ids[member] = t_id
        type_name = schema.entity(span.label)
        if type_name != span.label:
            tally.renamed_spans[span.label] = tally.renamed_spans.get(span.label, 0) + len(chain)
        offsets = ";".join(f"{s} {e}" for s, e in fragments)
        covered = " ".join(text[s:e] for s, e in fragments)
        lines.append(f"{t_id}\t{type_name} {offsets}\t{covered}\n")
        written: set[str] = set()
        for member in chain:
            piece = doc.spans[member]
            if piece.annotator:
                tally.span_annotators += 1
            fresh = {k: v for k, v in piece.attributes.items() if k not in written}
            written.update(fresh)
            norms = fresh.pop(NORMALIZATION, None)
            if norms is not None:
                extra, rest = _normalization_lines(norms, t_id, len(norm_lines))
                norm_lines += extra
                if rest:
                    fresh[NORMALIZATION] = rest
            attribute_lines += _attribute_lines(
                replace(piece, attributes=fresh), t_id, schema, tally, len(attribute_lines)
            )
            if piece.note:
                note = _one_line(piece.note)
                if note != piece.note:
                    tally.notes_joined += 1
                note_lines.append(f"#{len(note_lines) + 1}\tAnnotatorNotes {t_id}\t{note}\n")
            report.spans += 1
    r_count = 0
    for n, relation in enumerate(doc.relations):
        if n in links:
            continue  # written as the fragments of one T line
        if (
            relation.head not in t_ids
            or relation.child not in t_ids
            or t_ids[relation.head] == t_ids[relation.child]
        ):
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
    report.relations += len(links)
    return "".join(lines + attribute_lines + norm_lines + note_lines)


def _normalization_lines(value: str, t_id: str, already: int) -> tuple[list[str], str]:
    """N lines of a span's :data:`NORMALIZATION` attribute ("RESOURCE:ID name" per line), and
    the lines that are no normalization (kept as an ordinary attribute)."""
    lines: list[str] = []
    rest: list[str] = []
    for entry in value.split("\n"):
        reference, _, name = entry.strip().partition(" ")
        resource, sep, key = reference.partition(":")
        if sep and resource and key and brat_name(resource) == resource and "\t" not in name:
            lines.append(
                f"N{already + len(lines) + 1}\tReference {t_id} {reference}\t{_one_line(name)}\n"
            )
        elif entry.strip():
            rest.append(entry)
    return lines, "\n".join(rest)


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
