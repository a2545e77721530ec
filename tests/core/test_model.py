"""Domain objects: spans' offset helpers and the default label set."""

from __future__ import annotations

import re

import pytest

from annotator.core.model import DEFAULT_LABELS, LABEL_PALETTE, STATUSES, Span


def make_span(start: int, end: int) -> Span:
    return Span(id=1, article_id=1, start=start, end=end, label_id=1, text="x", annotator="a")


def test_span_length_and_covers() -> None:
    span = make_span(3, 7)
    assert span.length == 4
    assert [o for o in range(10) if span.covers(o)] == [3, 4, 5, 6]


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [(0, 3, False), (0, 4, True), (6, 9, True), (7, 9, False), (4, 5, True), (0, 10, True)],
)
def test_span_overlaps_half_open(start: int, end: int, overlaps: bool) -> None:
    assert make_span(3, 7).overlaps(start, end) is overlaps


def test_spans_are_immutable_values() -> None:
    span = make_span(1, 2)
    assert span == make_span(1, 2)
    with pytest.raises(AttributeError):
        span.start = 5  # type: ignore[misc]


def test_default_labels() -> None:
    assert [lb.name for lb in DEFAULT_LABELS] == ["Quote", "Source", "Claim", "Speculation"]
    assert [lb.hotkey for lb in DEFAULT_LABELS] == ["1", "2", "3", "4"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", lb.color) for lb in DEFAULT_LABELS)
    assert len({lb.color for lb in DEFAULT_LABELS}) == len(DEFAULT_LABELS)
    assert all(lb.description for lb in DEFAULT_LABELS)


def test_palette_and_statuses() -> None:
    assert len(set(LABEL_PALETTE)) == len(LABEL_PALETTE)
    assert STATUSES == ("new", "in progress", "done")
