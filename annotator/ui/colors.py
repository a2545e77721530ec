"""Highlight colours derived from label colours against the view's base colour, light or dark."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

FALLBACK_LABEL_COLOR = "#8a8a8a"

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

    __slots__ = ("base", "dark", "_fill_alpha", "_nested_alpha", "_current_alpha")

    def __init__(self, base: QColor, *, dark: bool) -> None:
        self.base = QColor(base)
        self.dark = dark
        self._fill_alpha = _FILL_ALPHA_DARK if dark else _FILL_ALPHA_LIGHT
        self._nested_alpha = _NESTED_ALPHA_DARK if dark else _NESTED_ALPHA_LIGHT
        self._current_alpha = _CURRENT_ALPHA_DARK if dark else _CURRENT_ALPHA_LIGHT

    @classmethod
    def from_palette(cls, palette: QPalette) -> HighlightScheme:
        return cls(palette.color(QPalette.ColorRole.Base), dark=palette_is_dark(palette))

    def fill(self, colors: Iterable[QColor]) -> QColor:
        """Background of text covered by spans of these colours, outermost first."""
        result = QColor(self.base)
        alpha = self._fill_alpha
        for color in colors:
            result = blend(result, color, alpha)
            alpha = self._nested_alpha
        return result

    def line(self, color: QColor) -> QColor:
        """A stronger variant for underlines and marks: darker on light bases, lighter on dark."""
        return color.lighter(135) if self.dark else color.darker(135)

    def current(self, color: QColor) -> QColor:
        """Background of the current span, clearly stronger than an ordinary highlight."""
        return blend(self.base, color, self._current_alpha)
