"""The label schema: attribute definitions per label and document-level label fields, with the
checks their values must pass."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ATTRIBUTE_KINDS = ("choice", "text", "number")
DOC_FIELD_KINDS = ("single", "multiple", "number", "text")


@dataclass(frozen=True, slots=True)
class AttributeDef:
    """An attribute the spans of a label carry: a choice from a list, free text, or a number."""

    name: str
    kind: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class DocField:
    """A document-level label field: single or multiple choice, a number, or free text."""

    id: int
    name: str
    kind: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    position: int = 0


def _number_problem(
    name: str, value: str, minimum: float | None, maximum: float | None
) -> str | None:
    try:
        number = float(value)
    except ValueError:
        return f"{name}: {value!r} is not a number"
    if not math.isfinite(number):
        return f"{name}: {value!r} is not a number"
    if minimum is not None and number < minimum:
        return f"{name}: {value} is below the minimum {_plain(minimum)}"
    if maximum is not None and number > maximum:
        return f"{name}: {value} is above the maximum {_plain(maximum)}"
    return None


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def attribute_problems(
    definitions: Sequence[AttributeDef], attributes: Mapping[str, str]
) -> list[str]:
    """Why these span attributes break their label's definitions ([] when they do not).

    Attributes the label does not define are free and pass; an empty value means "not set".
    """
    problems: list[str] = []
    for definition in definitions:
        value = attributes.get(definition.name, "")
        if value == "":
            continue
        if definition.kind == "choice" and definition.choices and value not in definition.choices:
            problems.append(
                f"{definition.name}: {value!r} is not one of " + ", ".join(definition.choices)
            )
        elif definition.kind == "number":
            problem = _number_problem(
                definition.name, value, definition.minimum, definition.maximum
            )
            if problem:
                problems.append(problem)
    return problems


def doc_value_problems(field: DocField, values: Sequence[str]) -> list[str]:
    """Why these values cannot be an article's values of ``field`` ([] when they can)."""
    problems: list[str] = []
    if field.kind != "multiple" and len(values) > 1:
        problems.append(f"{field.name}: takes one value, not {len(values)}")
    for value in values:
        if field.kind in ("single", "multiple") and value not in field.choices:
            problems.append(f"{field.name}: {value!r} is not one of " + ", ".join(field.choices))
        elif field.kind == "number":
            problem = _number_problem(field.name, value, field.minimum, field.maximum)
            if problem:
                problems.append(problem)
    return problems
