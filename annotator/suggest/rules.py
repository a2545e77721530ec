"""The suggester's rules: spaCy ``Matcher`` patterns in Prodigy's ``patterns.jsonl`` shape and the
word lists they name, read from ``resources/suggest`` and from a project's own file.

A patterns file holds one JSON object a line, either a pattern::

    {"label": "SAY", "pattern": [{"LOWER": {"IN": "@speech_verbs"}}]}
    {"label": "Source", "pattern": "the White House"}

or additions to a word list::

    {"list": "speech_verbs", "words": ["briefed", "quipped"]}

``"@name"`` in a pattern stands for the word list ``name`` (``name.txt`` beside the default
patterns: one word a line, ``#`` starts a comment). Upper-case labels are cues the suggester
reasons from (:data:`CUE_LABELS`); any other label is suggested as the span the pattern matches,
as Prodigy does. Bad lines are reported by file and line, and nothing is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.resources import resource_path

CUE_LABELS: dict[str, str] = {
    "SAY": "a verb reporting speech: its subject is a Source, what follows it a Quote",
    "ACCORDING_TO": "'according to': what follows is a Source, the rest of the sentence a Quote",
    "HEDGE": "a hedge or prediction: the clause holding it is Speculation",
    "WEAK_HEDGE": "a hedge that counts only outside reported speech",
    "NEGATION": "a negation: 'could' or 'would' followed by it is no hedge",
}
WORD_LISTS = ("speech_verbs", "source_nouns", "hedges", "weak_hedges", "pronouns")
MAX_PATTERN_FILE_BYTES = 5_000_000


class PatternError(Exception):
    """A patterns file or word list that cannot be used, with where the fault is."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class PatternSpec:
    label: str
    pattern: list[dict[str, Any]] | str
    origin: str  # "file, line N", for errors spaCy raises later


@dataclass
class RuleSet:
    """Word lists and patterns, defaults first and then each added file's."""

    words: dict[str, set[str]] = field(default_factory=dict)
    patterns: list[PatternSpec] = field(default_factory=list)

    def word_list(self, name: str) -> frozenset[str]:
        return frozenset(self.words.get(name, ()))

    def resolved_patterns(self) -> list[PatternSpec]:
        """The patterns with each ``"@name"`` replaced by the (lower-case) words of that list."""
        return [
            PatternSpec(p.label, _resolve(p.pattern, self.words), p.origin) for p in self.patterns
        ]


def default_dir() -> Path:
    return resource_path("suggest")


def load_rules(extra: Iterable[Path] = ()) -> RuleSet:
    """The default rules plus those of each file in ``extra`` (a project's own)."""
    rules = RuleSet()
    base = default_dir()
    for name in WORD_LISTS:
        rules.words[name] = _read_word_list(base / f"{name}.txt")
    _read_patterns(base / "patterns.jsonl", rules)
    for path in extra:
        _read_patterns(Path(path), rules)
    return rules


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_PATTERN_FILE_BYTES:
            raise PatternError(
                path, None, f"is {size:,} bytes; the limit is {MAX_PATTERN_FILE_BYTES:,}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise PatternError(path, None, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PatternError(path, line, "is not UTF-8 text") from exc


def _read_word_list(path: Path) -> set[str]:
    words = set()
    for line in _read_text(path).splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word.lower())
    return words


def _read_patterns(path: Path, rules: RuleSet) -> None:
    """Add the file's patterns and words to ``rules`` only when every line is good."""
    patterns: list[PatternSpec] = []
    additions: dict[str, set[str]] = {}
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise PatternError(path, number, f"is not a JSON object ({exc})") from None
        if not isinstance(entry, dict):
            raise PatternError(path, number, "is not a JSON object")
        if "list" in entry:
            name, words = entry.get("list"), entry.get("words")
            if not isinstance(name, str) or name not in WORD_LISTS:
                raise PatternError(path, number, f"'list' must be one of {', '.join(WORD_LISTS)}")
            if not isinstance(words, list) or not all(
                isinstance(w, str) and w.strip() for w in words
            ):
                raise PatternError(path, number, "'words' must be a list of words")
            additions.setdefault(name, set()).update(w.strip().lower() for w in words)
            continue
        label, pattern = entry.get("label"), entry.get("pattern")
        if not isinstance(label, str) or not label.strip():
            raise PatternError(path, number, "has no 'label'")
        if label.isupper() and label not in CUE_LABELS:
            raise PatternError(
                path,
                number,
                f"label {label!r} is no cue the suggester knows ({', '.join(CUE_LABELS)}); "
                "span labels are written as the project names them, e.g. 'Source'",
            )
        if isinstance(pattern, str):
            if not pattern.strip():
                raise PatternError(path, number, "has an empty 'pattern'")
        elif not (
            isinstance(pattern, list) and pattern and all(isinstance(t, dict) for t in pattern)
        ):
            raise PatternError(
                path, number, "'pattern' must be a phrase or a list of token objects"
            )
        else:
            unknown = _unknown_lists(pattern, set(WORD_LISTS))
            if unknown:
                raise PatternError(path, number, f"names no word list {unknown!r}")
        patterns.append(PatternSpec(label.strip(), pattern, f"{path}, line {number}"))
    for name, words in additions.items():
        rules.words.setdefault(name, set()).update(words)
    rules.patterns.extend(patterns)


def _unknown_lists(value: Any, known: set[str]) -> str | None:
    if isinstance(value, str):
        return value[1:] if value.startswith("@") and value[1:] not in known else None
    if isinstance(value, dict):
        values: Iterable[Any] = value.values()
    elif isinstance(value, list):
        values = value
    else:
        return None
    for item in values:
        found = _unknown_lists(item, known)
        if found:
            return found
    return None


def _resolve(value: Any, words: dict[str, set[str]]) -> Any:
    if isinstance(value, str) and value.startswith("@") and value[1:] in words:
        return sorted(words[value[1:]])
    if isinstance(value, dict):
        return {key: _resolve(item, words) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, words) for item in value]
    return value
