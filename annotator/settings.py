"""User settings: a small typed record saved as JSON in the platform's config folder."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "news-annotator"
SETTINGS_VERSION = 1
MAX_RECENT = 10


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


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    annotator: str = ""
    last_project: str = ""
    recent_projects: list[str] = field(default_factory=list)
    snap_to_words: bool = True
    zoom: int = 0  # font size steps relative to the default
    places: dict[str, ReadingPlace] = field(default_factory=dict)

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        """Read settings; a missing or unreadable file gives the defaults."""
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        # A hand-edited or damaged file must never stop the app: every value of the wrong type
        # falls back to its default on its own.
        defaults = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in ("version", "places", "recent_projects") or f.name not in raw:
                continue
            value, default = raw[f.name], getattr(defaults, f.name)
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
        return cls(**values)

    def save(self) -> None:
        """Write atomically, so a crash never leaves half a settings file."""
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(asdict(self), indent=2, ensure_ascii=False).encode("utf-8")
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
