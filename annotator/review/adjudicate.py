"""Adjudication: building a gold layer in the open project, disagreement by disagreement.

A :class:`Plan` lists, for the articles every compared layer holds and the project holds too,
the spans all layers agree on and the disagreements (:class:`~annotator.review.agreement.
Disagreement`, the same list the agreement report shows). Each decision is one function call
over the project that returns a :class:`Change`; :func:`revert` undoes it and :func:`reapply`
redoes it with the same span ids, so a GUI wraps each in a ``QUndoCommand``.

* :func:`decide` accepts the versions of the named layers: ``[a]`` "accept A", ``[a, b]``
  "accept both", ``[]`` "accept neither"; :func:`decide_edited` puts in spans of the user's own.
* Deciding an item again replaces what the earlier decision added.
* :func:`accept_agreements` copies every agreed span into the gold layer in one step.
* Decisions are recorded in the project (``project_info``, key
  ``adjudication:GOLD:ITEM``), so :func:`progress` counts "accept neither" too and survives
  reopening. An item's key is derived from its spans: if a colleague's layer changes, the
  changed places become new, undecided items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from annotator.core.model import Label, LabelSnapshot, Span, SpanSnapshot
from annotator.review.agreement import Disagreement, Mark, SpanKey, SpanLike
from annotator.review.compare import Layer, compare_layers
from annotator.store import Project, ProjectError
from annotator.store.layers import article_refs, info_with_prefix, set_info

RECORD_PREFIX = "adjudication:"
DEFAULT_GOLD = "gold"


def record_key(gold: str, item_key: str) -> str:
    return f"{RECORD_PREFIX}{gold}:{item_key}"


@dataclass(frozen=True, slots=True)
class Plan:
    gold: str
    layers: tuple[str, ...]
    items: tuple[Disagreement, ...]  # every disagreement, article by article
    agreements: Mapping[str, tuple[SpanKey, ...]]  # spans every layer has, by article hash
    article_ids: Mapping[str, int]  # content hash -> article id in the project
    missing_articles: tuple[str, ...]  # compared articles the project lacks (merge them first)

    def item(self, key: str) -> Disagreement:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Progress:
    decided: int
    total: int

    @property
    def done(self) -> bool:
        return self.decided >= self.total


@dataclass(frozen=True, slots=True)
class Decision:
    """What was decided for an item: the layers accepted (None when edited by hand)."""

    accepted: tuple[str, ...] | None
    spans: tuple[SpanKey, ...]  # the gold spans this decision added


@dataclass(frozen=True, slots=True)
class Change:
    """What one adjudication step did to the project: enough to revert and reapply it."""

    record_key: str | None  # None for bulk acceptance of agreements
    created: tuple[Span, ...]
    removed: tuple[SpanSnapshot, ...]
    labels_created: tuple[Label, ...]
    record_before: str | None
    record_after: str | None

    @property
    def article_ids(self) -> set[int]:
        return {s.article_id for s in self.created} | {s.span.article_id for s in self.removed}


def build_plan(
    project: Project,
    layers: Sequence[Layer],
    *,
    gold: str = DEFAULT_GOLD,
    labels: Sequence[str] | None = None,
) -> Plan:
    """Compare the layers and list what needs deciding in ``project``."""
    gold = gold.strip()
    if not gold:
        raise ValueError("the gold layer needs a name")
    if any(gold in (layer.name, layer.annotator) for layer in layers):
        raise ValueError(f"the gold layer {gold!r} cannot be one of the layers compared")
    comparison = compare_layers(layers, labels)
    ids = {ref.content_hash: ref.id for ref in article_refs(project)}
    items: list[Disagreement] = []
    agreements: dict[str, tuple[SpanKey, ...]] = {}
    missing: list[str] = []
    for article in comparison.agreement.articles:
        if article.key not in ids:
            missing.append(article.key)
            continue
        items.extend(article.disagreements)
        if article.agreements:
            agreements[article.key] = article.agreements
    return Plan(
        gold=gold,
        layers=tuple(layer.name for layer in comparison.layers),
        items=tuple(items),
        agreements=agreements,
        article_ids={key: ids[key] for key in comparison.alignment.shared if key in ids},
        missing_articles=tuple(missing),
    )


def _key(span: SpanLike) -> SpanKey:
    mark = span if isinstance(span, Mark) else Mark(*span)
    return (mark.start, mark.end, mark.label)


def _add_gold(
    project: Project, article_id: int, keys: Iterable[SpanKey], gold: str
) -> tuple[list[Span], list[Label]]:
    created: list[Span] = []
    labels: list[Label] = []
    for start, end, label_name in dict.fromkeys(keys):
        label = project.label_by_name(label_name)
        if label is None:
            label = project.ensure_label(label_name)
            labels.append(label)
        if project.has_span(article_id, start, end, label.id, gold):
            continue
        created.append(project.add_span(article_id, start, end, label.id, gold))
    return created, labels


def accept(
    project: Project, article_id: int, spans: Iterable[SpanLike], gold: str = DEFAULT_GOLD
) -> list[Span]:
    """Add these spans to the gold layer of an article (labels created when missing; spans the
    gold layer already has are skipped); return the spans created. The inverse is
    ``project.delete_span`` on each."""
    with project.atomic():
        created, _labels = _add_gold(project, article_id, (_key(s) for s in spans), gold)
    return created


def decision(project: Project, plan: Plan, item: Disagreement) -> Decision | None:
    raw = project.info(record_key(plan.gold, item.key))
    return _parse_record(raw) if raw else None


def _parse_record(raw: str) -> Decision:
    data = json.loads(raw)
    accepted = data.get("accepted")
    return Decision(
        tuple(accepted) if accepted is not None else None,
        tuple((int(s), int(e), str(lb)) for s, e, lb in data.get("spans", [])),
    )


def progress(project: Project, plan: Plan) -> Progress:
    """Decided items out of all disagreements of the plan."""
    records = info_with_prefix(project, f"{RECORD_PREFIX}{plan.gold}:")
    decided = sum(1 for item in plan.items if record_key(plan.gold, item.key) in records)
    return Progress(decided, len(plan.items))


def decided_keys(project: Project, plan: Plan) -> set[str]:
    """Keys of the items already decided (for marking them in a list)."""
    prefix = f"{RECORD_PREFIX}{plan.gold}:"
    return {key[len(prefix) :] for key in info_with_prefix(project, prefix)}


def _decide(
    project: Project,
    plan: Plan,
    item: Disagreement,
    keys: Sequence[SpanKey],
    accepted: tuple[str, ...] | None,
) -> Change:
    article_id = plan.article_ids.get(item.article)
    if article_id is None:
        raise ProjectError(project.path, "lacks the article of this disagreement; merge it first")
    key = record_key(plan.gold, item.key)
    with project.atomic():
        before = project.info(key) or None
        removed: list[SpanSnapshot] = []
        if before is not None:
            earlier = set(_parse_record(before).spans)
            for span in project.spans(article_id, [plan.gold]):
                label = project.label(span.label_id)
                if (span.start, span.end, label.name) in earlier:
                    removed.append(project.delete_span(span.id))
        created, labels = _add_gold(project, article_id, keys, plan.gold)
        names = {lb.id: lb.name for lb in project.labels()}
        after = json.dumps(
            {
                "accepted": list(accepted) if accepted is not None else None,
                "spans": [[s.start, s.end, names[s.label_id]] for s in created],
            },
            ensure_ascii=False,
        )
        set_info(project, key, after)
    return Change(key, tuple(created), tuple(removed), tuple(labels), before, after)


def decide(project: Project, plan: Plan, item: Disagreement, accepted: Sequence[str]) -> Change:
    """Accept the spans of the named layers for this item: one name is "accept A", two are
    "accept both", none is "accept neither"."""
    unknown = [name for name in accepted if name not in plan.layers]
    if unknown:
        raise ValueError(f"not a layer of this adjudication: {unknown}")
    keys = [(m.start, m.end, m.label) for name in accepted for m in item.spans_of(name)]
    return _decide(project, plan, item, keys, tuple(accepted))


def decide_edited(
    project: Project, plan: Plan, item: Disagreement, spans: Sequence[SpanLike]
) -> Change:
    """Settle this item with spans of the user's own (an edited version)."""
    return _decide(project, plan, item, [_key(s) for s in spans], None)


def accept_agreements(project: Project, plan: Plan) -> Change:
    """Put every span all layers agree on into the gold layer (those it lacks), in one step."""
    created: list[Span] = []
    labels: list[Label] = []
    with project.atomic():
        for article_key, keys in plan.agreements.items():
            spans, new_labels = _add_gold(project, plan.article_ids[article_key], keys, plan.gold)
            created.extend(spans)
            labels.extend(new_labels)
    return Change(None, tuple(created), (), tuple(labels), None, None)


def revert(project: Project, change: Change) -> None:
    """Undo a change: remove the spans it created, restore those it removed, drop labels it
    created (when unused) and restore the earlier decision record."""
    with project.atomic():
        for span in change.created:
            try:
                project.span(span.id)
            except ProjectError:
                continue  # already gone
            project.delete_span(span.id)
        for snapshot in change.removed:
            project.restore_span(snapshot)
        for label in change.labels_created:
            if project.label_usage(label.id) == 0:
                project.delete_label(label.id)
        if change.record_key is not None:
            set_info(project, change.record_key, change.record_before)


def reapply(project: Project, change: Change) -> None:
    """Redo a reverted change with the same ids (so later undo commands still find them)."""
    with project.atomic():
        existing = {lb.id for lb in project.labels()}
        for label in change.labels_created:
            if label.id not in existing:
                project.restore_label(LabelSnapshot(label, ()))
        for snapshot in change.removed:
            project.delete_span(snapshot.span.id)
        for span in change.created:
            project.restore_span(SpanSnapshot(span, ()))
        if change.record_key is not None:
            set_info(project, change.record_key, change.record_after)
