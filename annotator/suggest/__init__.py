"""Suggestions of Quote, Source and Speculation spans from transparent rules; no Qt, no SQL."""

from annotator.suggest.rules import PatternError, RuleSet, load_rules
from annotator.suggest.suggester import (
    QUOTE,
    SOURCE,
    SPECULATION,
    SUGGESTED_LABELS,
    SuggestedRelation,
    Suggester,
    Suggestion,
    Suggestions,
)

__all__ = [
    "QUOTE",
    "SOURCE",
    "SPECULATION",
    "SUGGESTED_LABELS",
    "PatternError",
    "RuleSet",
    "SuggestedRelation",
    "Suggester",
    "Suggestion",
    "Suggestions",
    "load_rules",
]
