"""Claims across the corpus: every Claim span with its verdict, checker, status and evidence."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from annotator.core.claims import (
    CHECKER,
    CLAIM_LABEL,
    CLAIM_STATUS,
    CLAIM_STATUSES,
    DEFAULT_VERDICTS,
    EVIDENCE,
    VERDICT,
    claim_status_of,
    encode_evidence,
    evidence_of,
)
from annotator.core.model import Span
from annotator.store.errors import ProjectError
from annotator.store.project import Project
from annotator.store.rows import string_dict as _attributes


@dataclass(frozen=True, slots=True)
class ClaimRow:
    span_id: int
    article_id: int
    title: str
    start: int
    end: int
    text: str
    verdict: str
    checker: str
    claim_status: str
    evidence: tuple[str, ...]
    annotator: str


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    verdict: str | None = None  # "" finds claims without a verdict
    claim_status: str | None = None
    checker: str | None = None
    annotator: str | None = None


def verdicts(project: Project) -> tuple[str, ...]:
    """The verdicts a claim may get: the choices of the Claim label's ``verdict`` attribute
    when the label schema defines it, else the default list."""
    row = project.db.conn.execute(
        "SELECT a.choices FROM label_attributes a JOIN labels l ON l.id = a.label_id"
        " WHERE l.name = ? AND a.name = ? AND a.kind = 'choice'",
        (CLAIM_LABEL, VERDICT),
    ).fetchone()
    if row is not None:
        try:
            choices = json.loads(row[0])
        except ValueError:
            choices = None
        if isinstance(choices, list) and choices:
            return tuple(str(c) for c in choices)
    return DEFAULT_VERDICTS


def claims(project: Project, claim_filter: ClaimFilter = ClaimFilter()) -> list[ClaimRow]:
    """Every span of the Claim label, in article then text order, filtered."""
    rows = project.db.conn.execute(
        'SELECT s.id, s.article_id, a.title, s.start, s."end", s.text, s.attributes, s.annotator'
        " FROM spans s JOIN labels l ON l.id = s.label_id JOIN articles a ON a.id = s.article_id"
        ' WHERE l.name = ? ORDER BY s.article_id, s.start, s."end", s.id',
        (CLAIM_LABEL,),
    )
    found: list[ClaimRow] = []
    for span_id, article_id, title, start, end, text, raw, annotator in rows:
        attributes = _attributes(raw)
        claim = ClaimRow(
            span_id=span_id,
            article_id=article_id,
            title=title,
            start=start,
            end=end,
            text=text,
            verdict=attributes.get(VERDICT, ""),
            checker=attributes.get(CHECKER, ""),
            claim_status=claim_status_of(attributes),
            evidence=tuple(evidence_of(attributes)),
            annotator=annotator,
        )
        if _keeps(claim_filter, claim):
            found.append(claim)
    return found


def _keeps(f: ClaimFilter, claim: ClaimRow) -> bool:
    return (
        (f.verdict is None or claim.verdict == f.verdict)
        and (f.claim_status is None or claim.claim_status == f.claim_status)
        and (f.checker is None or claim.checker == f.checker)
        and (f.annotator is None or claim.annotator == f.annotator)
    )


def claim_attributes(
    project: Project,
    base: Mapping[str, str],
    *,
    verdict: str,
    checker: str,
    claim_status: str,
    evidence: list[str],
) -> dict[str, str]:
    """A claim span's attributes with these values, checked; other attributes are kept."""
    allowed = verdicts(project)
    if verdict and verdict not in allowed:
        raise ProjectError(
            project.path, f"verdict {verdict!r} is not one of: " + ", ".join(allowed)
        )
    if claim_status not in CLAIM_STATUSES:
        raise ProjectError(
            project.path, f"claim status {claim_status!r} is not one of: open, checked"
        )
    attributes = dict(base)
    for key, value in (
        (VERDICT, verdict),
        (CHECKER, checker.strip()),
        (CLAIM_STATUS, claim_status),
        (EVIDENCE, encode_evidence(evidence) if evidence else ""),
    ):
        if value:
            attributes[key] = value
        else:
            attributes.pop(key, None)
    return attributes


def update_claim(
    project: Project,
    span_id: int,
    *,
    verdict: str,
    checker: str,
    claim_status: str,
    evidence: list[str],
) -> tuple[Span, Span]:
    """Set a claim's checking attributes; return the span (before, after) for undo."""
    span = project.span(span_id)
    attributes = claim_attributes(
        project,
        span.attributes,
        verdict=verdict,
        checker=checker,
        claim_status=claim_status,
        evidence=evidence,
    )
    return project.update_span(span_id, attributes=attributes)
