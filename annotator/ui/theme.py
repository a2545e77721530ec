"""Light, dark and follow-the-system themes: one application palette, applied at once."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

LIGHT = "light"
DARK = "dark"
SYSTEM = "system"
THEMES: tuple[str, ...] = (SYSTEM, LIGHT, DARK)
THEME_NAMES = {SYSTEM: "Follow the system", LIGHT: "Light", DARK: "Dark"}

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

# Text colours are chosen for at least 7:1 against their backgrounds; disabled text for 4.5:1.
_LIGHT_COLORS = {
    _Role.Window: "#efefef",
    _Role.WindowText: "#1a1a1a",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#f4f4f4",
    _Role.ToolTipBase: "#ffffe8",
    _Role.ToolTipText: "#1a1a1a",
    _Role.PlaceholderText: "#5f5f5f",
    _Role.Text: "#1a1a1a",
    _Role.Button: "#e8e8e8",
    _Role.ButtonText: "#1a1a1a",
    _Role.BrightText: "#ffffff",
    _Role.Light: "#ffffff",
    _Role.Midlight: "#f0f0f0",
    _Role.Mid: "#b8b8b8",
    _Role.Dark: "#9f9f9f",
    _Role.Shadow: "#767676",
    _Role.Highlight: "#1f5fa8",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#0b57b0",
    _Role.LinkVisited: "#6a3d9a",
}
_DARK_COLORS = {
    _Role.Window: "#2b2b2b",
    _Role.WindowText: "#e8e8e8",
    _Role.Base: "#1e1e1e",
    _Role.AlternateBase: "#262626",
    _Role.ToolTipBase: "#3a3a3a",
    _Role.ToolTipText: "#eeeeee",
    _Role.PlaceholderText: "#a0a0a0",
    _Role.Text: "#e8e8e8",
    _Role.Button: "#353535",
    _Role.ButtonText: "#e8e8e8",
    _Role.BrightText: "#ffffff",
    _Role.Light: "#4a4a4a",
    _Role.Midlight: "#3c3c3c",
    _Role.Mid: "#2f2f2f",
    _Role.Dark: "#191919",
    _Role.Shadow: "#000000",
    _Role.Highlight: "#3d7fd1",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#7fb2ff",
    _Role.LinkVisited: "#c49bff",
}
_DISABLED_TEXT = {LIGHT: "#6e6e6e", DARK: "#8c8c8c"}


def system_is_dark() -> bool:
    """Whether the platform asks for a dark colour scheme."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(theme: str) -> str:
    """``light`` or ``dark``: what ``theme`` (which may be ``system``) means right now."""
    if theme == SYSTEM:
        return DARK if system_is_dark() else LIGHT
    return theme if theme in (LIGHT, DARK) else LIGHT


def theme_palette(theme: str) -> QPalette:
    """The application palette of a resolved theme (``light`` or ``dark``)."""
    colors = _DARK_COLORS if theme == DARK else _LIGHT_COLORS
    palette = QPalette()
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    disabled = QColor(_DISABLED_TEXT[DARK if theme == DARK else LIGHT])
    for role in (_Role.Text, _Role.WindowText, _Role.ButtonText):
        palette.setColor(_Group.Disabled, role, disabled)
    return palette


class ThemeKeeper(QObject):
    """Keeps the application in a theme; with ``system`` it follows the platform's scheme as
    it changes."""

    def __init__(self, app: QApplication, theme: str = SYSTEM) -> None:
        super().__init__(app)
        self._app = app
        self.theme = theme
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self.apply(theme)

    def apply(self, theme: str) -> None:
        self.theme = theme if theme in THEMES else SYSTEM
        apply_theme(self._app, self.theme)

    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme == SYSTEM:
            apply_theme(self._app, SYSTEM)


def apply_theme(app: QApplication, theme: str) -> str:
    """Give the whole application the palette of ``theme`` (light, dark or system), at once;
    returns the resolved theme. Every widget, the reader's highlights included, repaints."""
    resolved = resolve(theme)
    app.setPalette(theme_palette(resolved))
    return resolved
