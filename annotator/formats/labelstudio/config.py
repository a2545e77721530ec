"""Label Studio labeling configs: the one the export writes beside its tasks, and what the
import reads of one (text keys, labels, document-level controls) (see
:mod:`annotator.formats.labelstudio`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from annotator.core.model import DEFAULT_RELATION_TYPE, LABEL_PALETTE, Label, LabelSpec
from annotator.core.schema import AttributeDef, DocField
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, read_bounded
from annotator.formats.records import (
    InvalidRecord,
    RecordError,
)

FROM_NAME = "label"


TO_NAME = "text"


def config_path(out: Path) -> Path:
    """``data.json`` -> ``data.config.xml``."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(stem + ".config.xml")


def doc_field_name(name: str) -> str:
    """A document label field's control name in the labeling config: the field's own, unless
    it is the name of the span labels or the text."""
    return name if name not in (FROM_NAME, TO_NAME) else f"doc_{name}"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> bool:
    """Whether XML 1.0 can hold ``text`` (no control characters but TAB, LF, CR)."""
    return not _NOT_XML.search(text)


def labeling_config(
    labels: Sequence[Label],
    used: Iterable[str] = (),
    relation_types: Iterable[str] = (),
    doc_fields: Sequence[DocField] = (),
    attributes: Mapping[str, Sequence[AttributeDef]] | None = None,
) -> str:
    """A Label Studio labeling config for the labels (in order, with colours) and relations.

    Labels used by spans but missing from ``labels`` are added in grey, so every exported
    region has its label in the config. White space is kept as it is (``pre-wrap``): Label
    Studio otherwise trims it in the display and in the offsets of new regions.
    """
    names = [label.name for label in labels if xml_safe(label.name)]
    colours = {label.name: label.color for label in labels}
    extras = {
        label.name: (f" hotkey={quoteattr(label.hotkey)}" if label.hotkey else "")
        + (f" hint={quoteattr(label.description)}" if label.description else "")
        for label in labels
    }
    names.extend(sorted({name for name in used if xml_safe(name)} - set(names)))
    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        '  <Header value="$title"/>',
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">',
    ]
    lines.extend(
        f"    <Label value={quoteattr(name)} background={quoteattr(colours.get(name, '#999999'))}"
        f"{extras.get(name, '')}/>"
        for name in names
    )
    lines.append("  </Labels>")
    lines.append(f'  <Text name="{TO_NAME}" value="$text"/>')
    types = sorted({t for t in relation_types if xml_safe(t)} | {DEFAULT_RELATION_TYPE})
    lines.append("  <Relations>")
    lines.extend(f"    <Relation value={quoteattr(t)}/>" for t in types)
    lines.append("  </Relations>")
    for f in doc_fields:  # document-level labels, one control each
        choice = "single" if f.kind == "single" else "multiple"
        kind = "choice" if f.kind in ("single", "multiple") else f.kind
        attrs = f'name={quoteattr(doc_field_name(f.name))} toName="{TO_NAME}"'
        lines.extend(_control(kind, attrs, f.choices, f.minimum, f.maximum, choice))
    taken = {FROM_NAME, TO_NAME} | {doc_field_name(f.name) for f in doc_fields}
    lines.extend(attribute_controls(attributes or {}, taken))
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def attribute_controls(
    attributes: Mapping[str, Sequence[AttributeDef]], taken: set[str]
) -> list[str]:
    """Each label's attribute definitions as per-region controls shown for a region of that
    label (``perRegion``, ``visibleWhen="region-selected"``, ``whenLabelValue``): a choice as
    Choices, a number as Number, text as TextArea. A control is named by its attribute, or
    ``LABEL:ATTRIBUTE`` where two labels define the same name (the reader takes the prefix
    off again). Definitions XML cannot hold are left out."""
    counts: dict[str, int] = {}
    for defs in attributes.values():
        for d in defs:
            counts[d.name] = counts.get(d.name, 0) + 1
    lines: list[str] = []
    for label, defs in attributes.items():
        for d in defs:
            if not xml_safe(label + d.name + "".join(d.choices)):
                continue
            control = d.name if counts[d.name] == 1 and d.name not in taken else f"{label}:{d.name}"
            taken.add(control)
            common = (
                f'name={quoteattr(control)} toName="{TO_NAME}" perRegion="true"'
                f' visibleWhen="region-selected" whenLabelValue={quoteattr(label)}'
            )
            kind = d.kind if d.kind != "choice" or d.choices else "text"  # no choices: text
            lines.extend(_control(kind, common, d.choices, d.minimum, d.maximum, "single"))
    return lines


def _control(
    kind: str,
    attrs: str,
    choices: Sequence[str],
    minimum: float | None,
    maximum: float | None,
    choice: str,
) -> list[str]:
    """One control's lines: Choices for a choice, Number for a number (with its bounds),
    TextArea for the rest; ``attrs`` names it and what it is shown for."""
    if kind == "choice":
        return [
            f'  <Choices {attrs} choice="{choice}">',
            *(f"    <Choice value={quoteattr(c)}/>" for c in choices),
            "  </Choices>",
        ]
    if kind == "number":
        bounds = "".join(
            f' {key}="{value:g}"'
            for key, value in (("min", minimum), ("max", maximum))
            if value is not None
        )
        return [f"  <Number {attrs}{bounds}/>"]
    return [f"  <TextArea {attrs}/>"]


# ------------------------------------------------------------------------------------ reading
@dataclass(frozen=True, slots=True)
class Config:
    """What the importer needs of a labeling config: the data keys of its ``Text`` tags and the
    labels of its ``Labels`` tags (colours, hotkeys, hints as descriptions)."""

    text_keys: tuple[str, ...] = ()
    labels: tuple[LabelSpec, ...] = ()
    # Document-level Choices, Number and TextArea controls (not perRegion), as fields named
    # by the control (``doc_NAME`` back to ``NAME``, see :func:`doc_field_name`).
    doc_fields: tuple[DocField, ...] = ()
    controls: tuple[tuple[str, str], ...] = ()  # (control name, field name)
    # Per-region controls shown for one label (``whenLabelValue``): that label's attribute
    # definitions, label name -> definitions.
    attributes: dict[str, tuple[AttributeDef, ...]] = field(default_factory=dict)
    # The per-region control of each attribute: control name -> attribute name.
    attribute_controls: dict[str, str] = field(default_factory=dict)


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def parse_config(xml: str) -> Config:
    """A labeling config's text keys and labels; raises :class:`InvalidRecord`."""
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise InvalidRecord("a labeling config with a DOCTYPE or entities is not read")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise InvalidRecord(f"labeling config is not well-formed XML: {exc}") from None
    keys: list[str] = []
    labels: list[LabelSpec] = []
    seen: set[str] = set()
    fields: list[DocField] = []
    controls: list[tuple[str, str]] = []
    attributes: dict[str, list[AttributeDef]] = {}
    attribute_controls: dict[str, str] = {}
    for element in root.iter():
        found = _attribute_control(element)
        if found is not None and found[1].name not in {
            d.name for d in attributes.get(found[0], [])
        }:
            attributes.setdefault(found[0], []).append(found[1])
            attribute_controls[element.get("name", "")] = found[1].name
        field = _doc_control(element, len(fields))
        if field is not None and field.name not in {f.name for f in fields}:
            controls.append((element.get("name", ""), field.name))
            fields.append(field)
        if element.tag == "Text":
            value = element.get("value", "")
            if value.startswith("$") and len(value) > 1 and value[1:] not in keys:
                keys.append(value[1:])
        elif element.tag == "Labels":
            for child in element:
                name = (child.get("value") or "").strip()
                if child.tag != "Label" or not name or name in seen:
                    continue
                seen.add(name)
                colour = child.get("background", "")
                labels.append(
                    LabelSpec(
                        name,
                        colour.lower()
                        if _HEX.match(colour)
                        else LABEL_PALETTE[len(labels) % len(LABEL_PALETTE)],
                        child.get("hotkey", ""),
                        child.get("hint", ""),
                    )
                )
    return Config(
        tuple(keys),
        tuple(labels),
        tuple(fields),
        tuple(controls),
        {label: tuple(defs) for label, defs in attributes.items()},
        attribute_controls,
    )


def _attribute_control(element: ElementTree.Element) -> tuple[str, AttributeDef] | None:
    """A per-region control shown for one label as (label, attribute definition), or None."""
    if element.tag not in ("Choices", "Number", "TextArea"):
        return None
    label = (element.get("whenLabelValue") or "").strip()
    control = element.get("name") or ""
    if element.get("perRegion", "").lower() != "true" or not label or not control:
        return None
    name = control[len(label) + 1 :] if control.startswith(f"{label}:") else control
    if not name.strip():
        return None
    if element.tag == "Choices":
        choices = _choice_values(element)
        return (label, AttributeDef(name, "choice", choices)) if choices else None
    if element.tag == "Number":
        low, high = _bounds(element)
        return label, AttributeDef(name, "number", minimum=low, maximum=high)
    return label, AttributeDef(name, "text")


def _choice_values(element: ElementTree.Element) -> tuple[str, ...]:
    """The non-empty values of a Choices control's Choice children."""
    return tuple(
        value
        for child in element
        if child.tag == "Choice" and (value := (child.get("value") or "").strip())
    )


def _bounds(element: ElementTree.Element) -> tuple[float | None, float | None]:
    """A Number control's ``min`` and ``max`` (None where missing or not a number)."""
    low, high = (_float(element.get(key)) for key in ("min", "max"))
    return low, high


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _doc_control(element: ElementTree.Element, position: int) -> DocField | None:
    """A document-level control of a labeling config as a document label field, or None for
    any other tag (per-region controls belong to spans)."""
    if element.tag not in ("Choices", "Number", "TextArea"):
        return None
    if element.get("perRegion", "").lower() == "true" or not element.get("name"):
        return None
    control = element.get("name", "")
    name = (
        control[4:]
        if control.startswith("doc_") and control[4:] in (FROM_NAME, TO_NAME)
        else control
    )
    if element.tag == "Choices":
        choices = _choice_values(element)
        if not choices:
            return None
        kind = "multiple" if element.get("choice", "single") == "multiple" else "single"
        return DocField(0, name, kind, choices=choices, position=position)
    if element.tag == "Number":
        low, high = _bounds(element)
        return DocField(0, name, "number", minimum=low, maximum=high, position=position)
    return DocField(0, name, "text", position=position)


def find_config(path: Path) -> Path | None:
    """The labeling config beside an export: NAME.config.xml (as this app writes it), or
    config.xml / label_config.xml in the same folder."""
    for candidate in (
        config_path(path),
        path.with_name("config.xml"),
        path.with_name("label_config.xml"),
    ):
        if candidate.is_file():
            return candidate
    return None


def _load_config(path: Path) -> Config | RecordError | None:
    found = find_config(path)
    if found is None:
        return None
    try:
        raw = read_bounded(found, MAX_WHOLE_FILE_BYTES, "labeling config", "")
        return parse_config(decode_bytes(raw))
    except (OSError, TooLarge, DecodeError, InvalidRecord) as exc:
        message = getattr(exc, "message", None) or str(exc)
        return RecordError(None, f"labeling config {found.name}: {message}", found)
