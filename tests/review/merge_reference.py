"""The merge as it was first written, holding the whole source in memory and writing a row at a
time: the reference the streamed merge must equal, row for row."""

from __future__ import annotations

import json

from annotator.core.model import Label
from annotator.review.compare import main_annotator
from annotator.review.merge import (
    MERGED_LAYER_PREFIX,
    LayerClashError,
    MergeResult,
    _label_spec,
    _same_file,
)
from annotator.store import Project, ProjectError
from annotator.store.errors import translated
from annotator.store.layers import (
    RelationCopy,
    all_relations,
    all_spans,
    annotator_span_counts,
    article_drafts,
    article_refs,
    info_with_prefix,
    insert_relations,
    insert_spans,
    relation_keys,
    set_info,
    span_ids_by_key,
)
from annotator.store.rows import SpanCopy


def reference_merge(
    project: Project, source: Project, *, as_name: str | None = None
) -> MergeResult:
    """The merge as it was written before it streamed: every span and article text held."""
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
    spans = all_spans(source)
    drafts = article_drafts(source, refs)
    source_labels = {lb.id: lb for lb in source.labels()}

    span_article = {span.id: span.article_id for span in spans}
    # A full disk or a locked file fails the whole merge with a message that says so.
    with translated(project.path), project.atomic():
        # Articles, by content hash.
        target_article: dict[int, int] = {}
        articles_added: list[int] = []
        for ref in refs.values():
            existing = project.article_id_by_hash(ref.content_hash)
            if existing is None:
                try:
                    existing, _ = project.add_article(drafts[ref.id])
                except ProjectError as exc:
                    skipped.append(f"article {ref.id} ({ref.title!r}): {exc.message}")
                    continue
                articles_added.append(existing)
            target_article[ref.id] = existing

        # Labels the spans use.
        labels_added: list[Label] = []
        target_label: dict[int, int] = {}
        for label_id in sorted({s.label_id for s in spans}):
            source_label = source_labels.get(label_id)
            if source_label is None or not source_label.name.strip():
                continue  # reported with each span below
            label = project.label_by_name(source_label.name.strip())
            if label is None:
                label = project.add_label(_label_spec(source_label, project.labels()))
                labels_added.append(label)
            target_label[label_id] = label.id

        # Spans.
        existing_spans = span_ids_by_key(project, set(layers.values()))
        span_map: dict[int, int] = {}  # source span id -> project span id
        copies: list[SpanCopy] = []
        pending: dict[tuple[int, int, int, int, str], int] = {}  # key -> index in copies
        copied: list[tuple[int, tuple[int, int, int, int, str]]] = []
        duplicates = 0
        for span in spans:
            owner = refs.get(span.article_id)
            where = f"span {span.id}"
            if owner is None or span.article_id not in target_article:
                skipped.append(f"{where}: its article {span.article_id} was not merged")
                continue
            if span.label_id not in target_label:
                skipped.append(
                    f"{where} in article {span.article_id}: its label is missing or unnamed"
                )
                continue
            if not 0 <= span.start < span.end <= owner.length:
                skipped.append(
                    f"{where} [{span.start}, {span.end}) is outside article "
                    f"{span.article_id} ({owner.length} characters) or empty"
                )
                continue
            key = (
                target_article[span.article_id],
                span.start,
                span.end,
                target_label[span.label_id],
                layers[span.annotator],
            )
            if key in existing_spans:
                duplicates += 1
                span_map[span.id] = existing_spans[key]
                continue
            copied.append((span.id, key))
            if key in pending:  # the source holds this span twice
                duplicates += 1
                continue
            pending[key] = len(copies)
            copies.append(
                SpanCopy(
                    article_id=key[0],
                    start=span.start,
                    end=span.end,
                    label_id=key[3],
                    text=drafts[span.article_id].text[span.start : span.end],
                    annotator=key[4],
                    note=span.note,
                    attributes=dict(span.attributes),
                    created_at=span.created_at,
                    updated_at=span.updated_at,
                )
            )
        new_ids = insert_spans(project, copies)
        for span_id, key in copied:
            span_map[span_id] = new_ids[pending[key]]

        # Relations.
        have = relation_keys(project)
        relation_copies: list[RelationCopy] = []
        relation_duplicates = 0
        for rel in all_relations(source):
            places = (span_article.get(rel.head_id), span_article.get(rel.child_id))
            if (
                places[0] is not None
                and places[1] is not None
                and places
                != (
                    rel.article_id,
                    rel.article_id,
                )
            ):
                # No format can carry it, so no export could: refused, and said why.
                skipped.append(
                    f"relation {rel.id}: links span {rel.head_id} of article {places[0]} to "
                    f"span {rel.child_id} of article {places[1]}; a relation must stay within "
                    "one article"
                )
                continue
            head, child = span_map.get(rel.head_id), span_map.get(rel.child_id)
            if head is None or child is None:
                skipped.append(f"relation {rel.id}: one of its spans was not merged")
                continue
            head_article = target_article.get(rel.article_id)
            if head == child or head_article is None:
                skipped.append(f"relation {rel.id}: links a span to itself or lacks its article")
                continue
            key3 = (head, child, rel.type)
            if key3 in have:
                relation_duplicates += 1
                continue
            have.add(key3)
            relation_copies.append(
                RelationCopy(
                    head_article,
                    head,
                    child,
                    rel.type,
                    layers.get(rel.annotator, rel.annotator),
                    rel.created_at,
                )
            )
        relation_ids = insert_relations(project, relation_copies)

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

    return MergeResult(
        source=source.path,
        layers=layers,
        articles_added=tuple(articles_added),
        labels_added=tuple(labels_added),
        spans_added=tuple(new_ids),
        relations_added=tuple(relation_ids),
        duplicate_spans=duplicates,
        duplicate_relations=relation_duplicates,
        skipped=tuple(skipped),
        info_keys_added=tuple(info_added),
    )
