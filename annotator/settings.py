"""User settings: a small typed record saved as JSON in the platform's config folder."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "news-annotator"
SETTINGS_VERSION = 2
MAX_RECENT = 10
THEMES = ("system", "light", "dark")
RELATION_MODES = ("all", "selected", "none")
FONT_SIZE_RANGE = (6.0, 48.0)
LINE_SPACING_RANGE = (1.0, 2.5)
BACKUP_INTERVAL_RANGE = (1, 24 * 60)  # minutes
BACKUP_KEEP_RANGE = (1, 200)


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_project_path() -> Path:
    return data_dir() / "My project.annot"


@dataclass
class ReadingPlace:
    """Where the analyst was in a project: article and scroll position."""

    article_id: int | None = None
    position: int = 0  # code-point offset of the first visible character


def _reading_place(value: Any) -> ReadingPlace | None:
    if not isinstance(value, dict):
        return None
    article_id = value.get("article_id")
    position = value.get("position", 0)
    return ReadingPlace(
        article_id=article_id if type(article_id) is int else None,
        position=position if type(position) is int and position >= 0 else 0,
    )


def _upgrade_from_1(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no reading preferences: lines were not spaced and the theme was the
    platform's. Keep the text looking as the analyst knew it until they choose otherwise."""
    raw.setdefault("line_spacing", 1.0)
    raw.setdefault("theme", "system")
    return raw


# Each step turns a file of one version into the next; they run in order on load.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upgrade_from_1}


def _in_range(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    annotator: str = ""
    last_project: str = ""
    recent_projects: list[str] = field(default_factory=list)
    snap_to_words: bool = True
    zoom: int = 0  # font size steps relative to the default
    places: dict[str, ReadingPlace] = field(default_factory=dict)
    theme: str = "system"  # system, light or dark
    font_family: str = ""  # empty: the default serif reading faces
    font_size: float = 12.0  # points, at zoom 0
    line_spacing: float = 1.5
    relation_mode: str = "all"  # which relations the reader draws: all, selected, none
    default_project_folder: str = ""  # empty: the platform's data folder
    backup_interval_minutes: int = 10
    backup_keep: int = 10
    shortcuts: dict[str, str] = field(default_factory=dict)  # action name -> key sequence
    last_import_folder: str = ""  # where File ▸ Import opens its chooser
    # Keys a newer version of the app wrote: kept as they were, so a round trip through this
    # version loses nothing.
    extras: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        """Read settings; a missing or unreadable file gives the defaults. Files of older
        versions are upgraded step by step."""
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        version = raw.get("version")
        if type(version) is not int or version < 1:
            version = 1
        for step in range(version, SETTINGS_VERSION):
            raw = _UPGRADES[step](raw)
        # A hand-edited or damaged file must never stop the app: every value of the wrong type
        # falls back to its default on its own.
        defaults = cls()
        values: dict[str, Any] = {}
        special = ("version", "places", "recent_projects", "shortcuts", "extras")
        for f in fields(cls):
            if f.name in special or f.name not in raw:
                continue
            value, default = raw[f.name], getattr(defaults, f.name)
            if type(default) is float and type(value) is int:
                value = float(value)
            if type(value) is type(default):  # exact: True is no zoom level, 1 no flag
                values[f.name] = value
        recent = raw.get("recent_projects")
        if isinstance(recent, list):
            names = [p for p in recent if isinstance(p, str) and p]
            values["recent_projects"] = list(dict.fromkeys(names))[:MAX_RECENT]
        places = raw.get("places")
        if isinstance(places, dict):
            values["places"] = {
                str(key): place
                for key, value in places.items()
                if (place := _reading_place(value)) is not None
            }
        shortcuts = raw.get("shortcuts")
        if isinstance(shortcuts, dict):
            values["shortcuts"] = {
                str(name): keys for name, keys in shortcuts.items() if isinstance(keys, str)
            }
        known = {f.name for f in fields(cls)}
        values["extras"] = {key: value for key, value in raw.items() if key not in known}
        settings = cls(**values)
        settings._clamp()
        return settings

    def _clamp(self) -> None:
        """Values out of range (a hand-edited file) fall back to their defaults."""
        defaults = Settings()
        if self.theme not in THEMES:
            self.theme = defaults.theme
        if self.relation_mode not in RELATION_MODES:
            self.relation_mode = defaults.relation_mode
        if not _in_range(self.font_size, FONT_SIZE_RANGE):
            self.font_size = defaults.font_size
        if not _in_range(self.line_spacing, LINE_SPACING_RANGE):
            self.line_spacing = defaults.line_spacing
        if not _in_range(self.backup_interval_minutes, BACKUP_INTERVAL_RANGE):
            self.backup_interval_minutes = defaults.backup_interval_minutes
        if not _in_range(self.backup_keep, BACKUP_KEEP_RANGE):
            self.backup_keep = defaults.backup_keep

    def project_folder(self) -> Path:
        """Where new projects go by default."""
        if self.default_project_folder:
            return Path(self.default_project_folder).expanduser()
        return data_dir()

    def save(self) -> None:
        """Write atomically, so a crash never leaves half a settings file."""
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        record = asdict(self)
        extras = record.pop("extras")
        record = {**extras, **record}
        data = json.dumps(record, indent=2, ensure_ascii=False).encode("utf-8")
        # A unique temporary name, so two running instances cannot write into each other's file.
        fd, tmp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def remember_project(self, project_path: Path) -> None:
        key = str(project_path)
        self.last_project = key
        self.recent_projects = [key] + [p for p in self.recent_projects if p != key]
        del self.recent_projects[MAX_RECENT:]

    def forget_project(self, project_path: Path) -> None:
        key = str(project_path)
        self.recent_projects = [p for p in self.recent_projects if p != key]
        if self.last_project == key:
            self.last_project = ""
