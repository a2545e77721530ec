"""Highlight colours derived from label colours against the view's base colour, light or dark,
kept readable: the text over any highlight keeps a contrast of at least 4.5:1 (WCAG AA)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

FALLBACK_LABEL_COLOR = "#8a8a8a"
MIN_TEXT_CONTRAST = 4.5
# Gold (adjudicated) layers are edged in this colour, whatever their labels' colours.
GOLD_LIGHT = "#a87900"
GOLD_DARK = "#f2c94c"

# How much of a label colour lies over the base for one span. Dark bases need more to show at all;
# light bases need less so black text stays easy to read.
_FILL_ALPHA_LIGHT = 0.30
_FILL_ALPHA_DARK = 0.40
# Further stacked spans add less each: the innermost still reads as the strongest tint.
_NESTED_ALPHA_LIGHT = 0.24
_NESTED_ALPHA_DARK = 0.30
_CURRENT_ALPHA_LIGHT = 0.55
_CURRENT_ALPHA_DARK = 0.62


def label_qcolor(color: str) -> QColor:
    """A label's stored colour as a QColor, or a neutral grey when the stored value is unusable."""
    qcolor = QColor(color)
    return qcolor if qcolor.isValid() else QColor(FALLBACK_LABEL_COLOR)


def blend(under: QColor, over: QColor, alpha: float) -> QColor:
    """``over`` laid on ``under`` with the given opacity, as an opaque colour."""
    keep = 1.0 - alpha
    return QColor.fromRgbF(
        under.redF() * keep + over.redF() * alpha,
        under.greenF() * keep + over.greenF() * alpha,
        under.blueF() * keep + over.blueF() * alpha,
        1.0,
    )


def relative_luminance(color: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 to 21."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def badge_letters(labels: Sequence[tuple[int, str]]) -> dict[int, str]:
    """A distinct one-character badge per label (id, name), so labels are told apart without
    colour: the name's first letter when free, else its next letter, else a digit."""
    taken: set[str] = set()
    letters: dict[int, str] = {}
    for label_id, name in labels:
        choice = next((up for ch in name if ch.isalnum() and (up := ch.upper()) not in taken), None)
        if choice is None:
            choice = next(
                (d for d in "123456789" + "ABCDEFGHJKLMNPQRSTUVWXYZ" if d not in taken), "?"
            )
        taken.add(choice)
        letters[label_id] = choice
    return letters


def palette_is_dark(palette: QPalette) -> bool:
    """Whether text is drawn on a dark base.

    The base colour decides, because that is what the highlight is laid over; the platform's
    colour scheme only breaks the tie for a mid-grey base.
    """
    lightness = palette.color(QPalette.ColorRole.Base).lightnessF()
    if 0.4 <= lightness <= 0.6:
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return lightness < 0.5


class HighlightScheme:
    """Colours of span highlights over one base colour."""

    __slots__ = ("base", "text", "dark", "_fill_alpha", "_nested_alpha", "_current_alpha")

    def __init__(self, base: QColor, *, dark: bool, text: QColor | None = None) -> None:
        self.base = QColor(base)
        self.dark = dark
        if text is None:
            text = QColor("#e8e8e8") if dark else QColor("#1a1a1a")
        self.text = QColor(text)
        self._fill_alpha = _FILL_ALPHA_DARK if dark else _FILL_ALPHA_LIGHT
        self._nested_alpha = _NESTED_ALPHA_DARK if dark else _NESTED_ALPHA_LIGHT
        self._current_alpha = _CURRENT_ALPHA_DARK if dark else _CURRENT_ALPHA_LIGHT

    @classmethod
    def from_palette(cls, palette: QPalette) -> HighlightScheme:
        return cls(
            palette.color(QPalette.ColorRole.Base),
            dark=palette_is_dark(palette),
            text=palette.color(QPalette.ColorRole.Text),
        )

    def readable(self, color: QColor, alpha: float) -> QColor:
        """``color`` over the base at ``alpha``, or less when the text would lose contrast."""
        while alpha > 0.02:
            result = blend(self.base, color, alpha)
            if contrast_ratio(result, self.text) >= MIN_TEXT_CONTRAST:
                return result
            alpha -= 0.03
        return QColor(self.base)

    def fill(self, colors: Iterable[QColor]) -> QColor:
        """Background of text covered by spans of these colours, outermost first: the
        innermost colour alone (mixed colours read as mud), a step stronger for each span it
        sits inside, never below the text's 4.5:1 contrast."""
        stack = list(colors)
        if not stack:
            return QColor(self.base)
        depth = min(len(stack), 4) - 1
        return self.readable(stack[-1], self._fill_alpha + depth * self._nested_alpha / 2)

    def hatch(self, color: QColor) -> QColor:
        """Colour of the hatching lines of a hatched layer: visible, but light enough that text
        over them stays readable."""
        return self.readable(color, 0.85)

    def gold(self) -> QColor:
        """Edge colour of a gold layer's spans."""
        return QColor(GOLD_DARK if self.dark else GOLD_LIGHT)

    def badge_text(self, fill: QColor) -> QColor:
        """Black or white, whichever reads better on a badge of this colour."""
        black, white = QColor("#000000"), QColor("#ffffff")
        return black if contrast_ratio(fill, black) >= contrast_ratio(fill, white) else white

    def line(self, color: QColor) -> QColor:
        """The label colour adjusted to the theme, for lines, bars and badges: dark colours
        lifted on a dark base, light ones deepened on a light base, so each stands out."""
        if self.dark:
            if color.lightnessF() < 0.6:
                return QColor.fromHslF(max(0.0, color.hslHueF()), color.hslSaturationF(), 0.65, 1.0)
            return QColor(color)
        if color.lightnessF() > 0.45:
            return QColor.fromHslF(max(0.0, color.hslHueF()), color.hslSaturationF(), 0.4, 1.0)
        return QColor(color)

    def current(self, color: QColor) -> QColor:
        """Background of the current span, clearly stronger than an ordinary highlight (as
        strong as the text's contrast allows)."""
        return self.readable(color, self._current_alpha)
