"""Suggestions of Quote, Source and Speculation spans from transparent rules; no Qt, no SQL."""

from annotator.suggest.results import (
    QUOTE,
    SOURCE,
    SPECULATION,
    SUGGESTED_LABELS,
    SuggestedRelation,
    Suggestion,
    Suggestions,
)
from annotator.suggest.rules import PatternError, RuleSet, load_rules
from annotator.suggest.suggester import Suggester

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
