"""How each annotator layer is drawn in the reader: the analyst's own layer as a fill, every
other layer in a style of its own (outline, thick underline, hatching), a gold layer edged in
gold, so that whose span is whose can be read off the screen."""

from __future__ import annotations

import enum
from collections.abc import Iterable


class LayerStyle(enum.Enum):
    FILL = "fill"
    OUTLINE = "outline"
    UNDERLINE = "underline"
    HATCH = "hatch"
    GOLD = "gold"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    LayerStyle.FILL: "filled (your layer)",
    LayerStyle.OUTLINE: "outlined",
    LayerStyle.UNDERLINE: "thick underline",
    LayerStyle.HATCH: "hatched",
    LayerStyle.GOLD: "gold frame",
}

# Other layers take these in turn, by name, so a layer keeps its style between sessions.
_OTHER_STYLES = (LayerStyle.OUTLINE, LayerStyle.UNDERLINE, LayerStyle.HATCH)


def is_gold_name(name: str) -> bool:
    """Whether a layer name marks adjudicated spans ("gold", "Gold standard", "gold-2")."""
    return name.strip().casefold().startswith("gold")


def assign_layer_styles(
    names: Iterable[str], own: str, gold: Iterable[str] = ()
) -> dict[str, LayerStyle]:
    """A style per layer name: ``own`` filled, gold layers (named so, or listed) framed in gold,
    the others outlined, underlined or hatched in turn (alphabetical order)."""
    gold_names = set(gold)
    styles: dict[str, LayerStyle] = {own: LayerStyle.FILL}
    others = 0
    for name in sorted(set(names) - {own}, key=str.casefold):
        if name in gold_names or is_gold_name(name):
            styles[name] = LayerStyle.GOLD
        else:
            styles[name] = _OTHER_STYLES[others % len(_OTHER_STYLES)]
            others += 1
    return styles
