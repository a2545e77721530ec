"""Merging a colleague's project file into the open project as their layer(s).

Every span keeps its annotator (so the merged work stays apart from the project's own and shows
as a layer), its note, attributes and timestamps; relations and the covered text come along.
``as_name`` renames the source's main layer (the annotator with the most spans); its other
layers keep their names.

* Idempotent: a span the project already holds with the same article (by content hash), start,
  end, label and annotator is skipped, and so is a relation between the same two spans with the
  same type; merging the same file twice adds nothing.
* Articles the project lacks are added with their metadata (title, source, author, URL, date,
  meta; status "new"), and match by content hash afterwards. Labels the merged spans use and the
  project lacks are created, keeping the colleague's colour and hotkey when no project label
  uses them yet. Only labels that merged spans use are created.
* A layer name the project already uses for its own spans (both analysts kept the default
  name, say) is refused with :class:`LayerClashError` unless it was itself merged earlier or is
  the ``as_name`` given explicitly: that keeps two people's spans from silently becoming one
  layer. Merged layer names are recorded in ``project_info`` (``merged-layer:NAME``).
* One transaction: on any error nothing is merged. Spans that cannot be placed (offsets outside
  their article, a missing label) are skipped and listed in :attr:`MergeResult.skipped`.
* One pass over the source's spans and one over its relations, in id order, written in batches:
  neither file is held in memory (the project's spans are looked up an article at a time).
"""

from __future__ import annotations

import json
import os
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.model import LABEL_PALETTE, Label, LabelSpec
from annotator.review.compare import main_annotator
from annotator.store import Project, ProjectError
from annotator.store.errors import translated
from annotator.store.layers import (
    ArticleRef,
    annotator_span_counts,
    article_drafts,
    article_refs,
    delete_rows,
    info_with_prefix,
    set_info,
)
from annotator.store.merging import (
    ArticleTexts,
    SpanWriter,
    insert_relations,
    next_id,
    relation_keys_of_heads,
    source_relation_rows,
    source_span_rows,
    span_articles,
    used_label_ids,
)
from annotator.store.readonly import check_unchanged, open_read_only
from annotator.store.rows import dumps, string_dict

MERGED_LAYER_PREFIX = "merged-layer:"
Progress = Callable[[int, int], None]  # spans done, spans in the source
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class LayerClashError(ProjectError):
    """The project already has its own layer of that name; merge under another (``as_name``)."""

    def __init__(self, path: Path | str | None, message: str, layer: str) -> None:
        super().__init__(path, message)
        self.layer = layer


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge added (enough for :func:`undo_merge`) and what it skipped."""

    source: Path
    layers: Mapping[str, str]  # annotator in the source -> layer name in the project
    articles_added: tuple[int, ...] = ()
    labels_added: tuple[Label, ...] = ()
    spans_added: Sequence[int] = ()  # ids (a range: a merge writes them one after another)
    relations_added: Sequence[int] = ()
    duplicate_spans: int = 0
    duplicate_relations: int = 0
    skipped: tuple[str, ...] = ()
    info_keys_added: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(
            self.articles_added
            or self.labels_added
            or self.spans_added
            or self.relations_added
            or self.info_keys_added
        )

    def describe(self) -> str:
        renamed = ", ".join(
            f"{src!r} as {dst!r}" if src != dst else repr(src) for src, dst in self.layers.items()
        )
        lines = [
            f"Merged {self.source.name}: layer(s) {renamed or '(none)'}; "
            f"{len(self.spans_added)} span(s), {len(self.relations_added)} relation(s), "
            f"{len(self.articles_added)} article(s) and {len(self.labels_added)} label(s) added; "
            f"{self.duplicate_spans} span(s) and {self.duplicate_relations} relation(s) "
            "already there."
        ]
        lines.extend(f"  skipped: {reason}" for reason in self.skipped)
        return "\n".join(lines)


def merge_file(
    project: Project,
    path: str | Path,
    *,
    as_name: str | None = None,
    progress: Progress | None = None,
) -> MergeResult:
    """Merge the file at ``path`` (opened read-only, nothing written beside it)."""
    with open_read_only(path) as source:
        return merge_project(project, source, as_name=as_name, progress=progress)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _label_spec(source_label: Label, taken: list[Label]) -> LabelSpec:
    colors = {lb.color.lower() for lb in taken}
    hotkeys = {lb.hotkey for lb in taken if lb.hotkey}
    color = source_label.color
    if not _COLOR.fullmatch(color) or color.lower() in colors:
        color = next(
            (c for c in LABEL_PALETTE if c.lower() not in colors),
            LABEL_PALETTE[len(taken) % len(LABEL_PALETTE)],
        )
    hotkey = source_label.hotkey
    if len(hotkey) != 1 or not hotkey.isalnum() or hotkey in hotkeys:
        hotkey = ""
    return LabelSpec(source_label.name.strip(), color, hotkey, source_label.description)


def merge_project(
    project: Project,
    source: Project,
    *,
    as_name: str | None = None,
    progress: Progress | None = None,
) -> MergeResult:
    """Copy ``source``'s spans, relations and notes into ``project`` (see the module doc).
    ``progress(done, total)`` hears how many of the source's spans are through, now and then;
    an exception it raises stops the merge, which then leaves nothing behind."""
    if _same_file(source.path, project.path):
        raise ProjectError(source.path, "is the open project itself; nothing to merge.")
    counts = annotator_span_counts(source)
    main = main_annotator(counts)
    layers = {name: name for name in counts}
    if as_name is not None:
        as_name = as_name.strip()
        if not as_name:
            raise ProjectError(project.path, "a layer needs a name (--as)")
        if main:
            if as_name in counts and as_name != main:
                raise LayerClashError(
                    source.path,
                    f"already has a layer {as_name!r} besides its main layer {main!r}; "
                    "choose another name",
                    as_name,
                )
            layers[main] = as_name
    own_counts = annotator_span_counts(project)
    merged_before = {
        k[len(MERGED_LAYER_PREFIX) :] for k in info_with_prefix(project, MERGED_LAYER_PREFIX)
    }
    for original, target in layers.items():
        if own_counts.get(target) and target not in merged_before and target != as_name:
            raise LayerClashError(
                project.path,
                f"already has its own layer {target!r}: merging the spans of {original!r} from "
                f"{source.path.name} would mix two people's work. Merge them under another "
                "name (annotator merge ... --as NAME).",
                target,
            )

    skipped: list[str] = []
    refs = {ref.id: ref for ref in article_refs(source)}
    source_labels = {lb.id: lb for lb in source.labels()}
    # A full disk or a locked file fails the whole merge with a message that says so.
    with translated(project.path), project.atomic():
        # Articles, by content hash.
        target_article: dict[int, int] = {}
        articles_added: list[int] = []
        for ref in refs.values():
            existing = project.article_id_by_hash(ref.content_hash)
            if existing is None:
                try:
                    existing, _ = project.add_article(article_drafts(source, [ref.id])[ref.id])
                except ProjectError as exc:
                    skipped.append(f"article {ref.id} ({ref.title!r}): {exc.message}")
                    continue
                articles_added.append(existing)
            target_article[ref.id] = existing

        # Labels the spans use.
        labels_added: list[Label] = []
        target_label: dict[int, int] = {}
        for label_id in used_label_ids(source):
            source_label = source_labels.get(label_id)
            if source_label is None or not source_label.name.strip():
                continue  # reported with each span below
            label = project.label_by_name(source_label.name.strip())
            if label is None:
                label = project.add_label(_label_spec(source_label, project.labels()))
                labels_added.append(label)
            target_label[label_id] = label.id

        total = sum(counts.values())
        if progress is not None:
            progress(0, total)
        spans = _merge_spans(
            project, source, refs, target_article, target_label, layers, skipped, progress, total
        )
        relation_ids, relation_duplicates = _merge_relations(
            project, source, spans, target_article, layers, skipped
        )

        # Remember which layers came from a merge (so merging again is not a clash).
        info_added = []
        for original, target in layers.items():
            key_name = MERGED_LAYER_PREFIX + target
            if target in merged_before:
                continue
            set_info(
                project,
                key_name,
                json.dumps({"from": source.path.name, "annotator": original}, ensure_ascii=False),
            )
            info_added.append(key_name)
        check_unchanged(source)  # a file read in place was not written meanwhile

    return MergeResult(
        source=source.path,
        layers=layers,
        articles_added=tuple(articles_added),
        labels_added=tuple(labels_added),
        spans_added=spans.added,
        relations_added=relation_ids,
        duplicate_spans=spans.duplicates,
        duplicate_relations=relation_duplicates,
        skipped=tuple(skipped),
        info_keys_added=tuple(info_added),
    )


@dataclass(slots=True)
class _MergedSpans:
    """Where each merged source span went: source ids ascending, with the project's span id."""

    source_ids: array[int] = field(default_factory=lambda: array("q"))
    target_ids: array[int] = field(default_factory=lambda: array("q"))
    added: range = range(0)
    duplicates: int = 0

    def target_of(self, source_id: int) -> int | None:
        index = bisect_left(self.source_ids, source_id)
        if index < len(self.source_ids) and self.source_ids[index] == source_id:
            return self.target_ids[index]
        return None


def _attributes(raw: object) -> str:
    """A span's attributes as the project stores them (a damaged value reads as none)."""
    if not raw or raw == "{}":
        return "{}"
    return dumps(string_dict(raw))


def _merge_spans(
    project: Project,
    source: Project,
    refs: Mapping[int, ArticleRef],
    target_article: Mapping[int, int],
    target_label: Mapping[int, int],
    layers: Mapping[str, str],
    skipped: list[str],
    progress: Progress | None = None,
    total: int = 0,
) -> _MergedSpans:
    """Copy the source's spans in id order, one pass, skipping those already there."""
    merged = _MergedSpans()
    writer = SpanWriter(project, set(layers.values()))
    texts = ArticleTexts(source)
    source_ids, target_ids = merged.source_ids, merged.target_ids
    # Spans mostly come article after article: the article's text and the project's spans
    # there are looked up when the article changes, not for every span.
    text_of, text = -1, ""
    known_in, known = -1, {}
    for done, row in enumerate(source_span_rows(source)):
        if progress is not None and done % 20000 == 0 and done:
            progress(done, total)
        span_id, article_id, start, end, label_id = row[0], row[1], row[2], row[3], row[4]
        owner = refs.get(article_id)
        target = target_article.get(article_id)
        if owner is None or target is None:
            skipped.append(f"span {span_id}: its article {article_id} was not merged")
            continue
        label = target_label.get(label_id)
        if label is None:
            skipped.append(
                f"span {span_id} in article {article_id}: its label is missing or unnamed"
            )
            continue
        if not 0 <= start < end <= owner.length:
            skipped.append(
                f"span {span_id} [{start}, {end}) is outside article "
                f"{article_id} ({owner.length} characters) or empty"
            )
            continue
        layer = layers[str(row[5])]
        if target != known_in:
            known_in, known = target, writer.existing(target)
        found = known.get((start, end, label, layer))
        if found is not None:  # already in the project, or twice in the source
            merged.duplicates += 1
        else:
            if article_id != text_of:
                text_of, text = article_id, texts[article_id]
            found = writer.add(
                known,
                target,
                start,
                end,
                label,
                text[start:end],
                layer,
                str(row[6] or ""),
                _attributes(row[7]),
                str(row[8]),
                str(row[9]),
            )
        source_ids.append(span_id)
        target_ids.append(found)
    writer.finish()
    if progress is not None:
        progress(total, total)
    merged.added = range(writer.first_id, writer.next_id)
    return merged


def _merge_relations(
    project: Project,
    source: Project,
    spans: _MergedSpans,
    target_article: Mapping[int, int],
    layers: Mapping[str, str],
    skipped: list[str],
) -> tuple[range, int]:
    """Copy the source's relations between merged spans in id order, a batch at a time;
    return the new ids and how many were there already."""
    first = new_id = next_id(project, "relations")
    duplicates = 0
    rows = source_relation_rows(source)
    while batch := rows.fetchmany(1000):
        places = span_articles(source, [r[2] for r in batch] + [r[3] for r in batch])
        candidates = []
        for rel_id, article_id, head_id, child_id, kind, annotator, created_at in batch:
            where = (places.get(head_id), places.get(child_id))
            if where[0] is not None and where[1] is not None and where != (article_id, article_id):
                # No format can carry it, so no export could: refused, and said why.
                skipped.append(
                    f"relation {rel_id}: links span {head_id} of article {where[0]} to "
                    f"span {child_id} of article {where[1]}; a relation must stay within "
                    "one article"
                )
                continue
            head, child = spans.target_of(head_id), spans.target_of(child_id)
            if head is None or child is None:
                skipped.append(f"relation {rel_id}: one of its spans was not merged")
                continue
            head_article = target_article.get(article_id)
            if head == child or head_article is None:
                skipped.append(f"relation {rel_id}: links a span to itself or lacks its article")
                continue
            candidates.append(
                (head_article, head, child, str(kind), layers.get(annotator, annotator), created_at)
            )
        have = relation_keys_of_heads(project, [c[1] for c in candidates])
        new = []
        for head_article, head, child, kind, annotator, created_at in candidates:
            if (head, child, kind) in have:
                duplicates += 1
                continue
            have.add((head, child, kind))
            new.append((new_id, head_article, head, child, kind, annotator, created_at))
            new_id += 1
        if new:
            insert_relations(project, new)
    return range(first, new_id), duplicates


def undo_merge(project: Project, result: MergeResult) -> None:
    """Remove what a merge added, in one transaction (the inverse a GUI undo command calls)."""
    delete_rows(
        project,
        relations=result.relations_added,
        spans=result.spans_added,
        articles=result.articles_added,
        labels=[label.id for label in result.labels_added],
        info_keys=result.info_keys_added,
    )
