"""User settings: defaults, round trips, damaged files, atomic saves, platform folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from annotator import settings as settings_module
from annotator.settings import (
    MAX_RECENT,
    SETTINGS_VERSION,
    ReadingPlace,
    Settings,
    config_dir,
    data_dir,
    default_project_path,
)


def write_raw(content: str | bytes) -> Path:
    path = Settings.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_paths_are_under_the_test_xdg_folders(_isolated_dirs: Path) -> None:
    assert config_dir() == _isolated_dirs / "config" / "news-annotator"
    assert data_dir() == _isolated_dirs / "data" / "news-annotator"
    assert Settings.path() == config_dir() / "settings.json"
    assert default_project_path().parent == data_dir()
    assert default_project_path().suffix == ".annot"


def test_missing_file_gives_defaults() -> None:
    assert not Settings.path().exists()
    assert Settings.load() == Settings()
    defaults = Settings()
    assert defaults.version == SETTINGS_VERSION
    assert (defaults.recent_projects, defaults.places, defaults.snap_to_words) == ([], {}, True)


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        "not json at all",
        b"\xff\xfe\x00garbage",
        "[1, 2, 3]",
        '"a string"',
        "null",
        "42",
    ],
    ids=["empty", "truncated", "text", "binary", "list", "string", "null", "number"],
)
def test_unreadable_or_not_a_dict_gives_defaults(content: str | bytes) -> None:
    write_raw(content)
    assert Settings.load() == Settings()


def test_a_folder_in_place_of_the_file_gives_defaults() -> None:
    Settings.path().mkdir(parents=True)
    assert Settings.load() == Settings()


def test_round_trip_of_every_field() -> None:
    original = Settings(
        annotator="Ана Öz 🇺🇸",
        last_project="/home/ana/My project.annot",
        recent_projects=["/home/ana/My project.annot", "/tmp/other.annot"],
        snap_to_words=False,
        zoom=-2,
        places={
            "/home/ana/My project.annot": ReadingPlace(article_id=7, position=1234),
            "/tmp/other.annot": ReadingPlace(),
        },
    )
    original.save()
    loaded = Settings.load()
    assert loaded == original
    assert isinstance(loaded.places["/tmp/other.annot"], ReadingPlace)
    raw = json.loads(Settings.path().read_text(encoding="utf-8"))
    assert raw["version"] == SETTINGS_VERSION
    assert raw["places"]["/home/ana/My project.annot"] == {"article_id": 7, "position": 1234}


def test_unknown_keys_are_ignored_and_known_ones_kept() -> None:
    write_raw(json.dumps({"annotator": "bob", "window_theme": "dark", "zoom": 3}))
    loaded = Settings.load()
    assert (loaded.annotator, loaded.zoom) == ("bob", 3)


def test_values_of_the_wrong_type_fall_back_one_by_one() -> None:
    write_raw(
        json.dumps(
            {
                "annotator": 3,
                "zoom": "big",
                "snap_to_words": "no",
                "last_project": "/kept.annot",
                "recent_projects": 5,
                "places": {
                    "good": {"article_id": 4, "position": 10},
                    "bad position": {"article_id": 2, "position": "abc"},
                    "list position": {"position": [1]},
                    "negative": {"article_id": 1, "position": -5},
                    "bool id": {"article_id": True},
                    "not a dict": 17,
                },
                "version": 99,
            }
        )
    )
    loaded = Settings.load()
    assert (loaded.annotator, loaded.zoom, loaded.snap_to_words) == ("", 0, True)
    assert loaded.last_project == "/kept.annot"
    assert loaded.recent_projects == []
    assert loaded.places == {
        "good": ReadingPlace(4, 10),
        "bad position": ReadingPlace(2, 0),
        "list position": ReadingPlace(None, 0),
        "negative": ReadingPlace(1, 0),
        "bool id": ReadingPlace(None, 0),
    }
    assert loaded.version == SETTINGS_VERSION


@pytest.mark.parametrize("recent", ["abc", {"a": 1}, None, 3.5])
def test_recent_projects_that_are_not_a_list_are_dropped(recent: object) -> None:
    write_raw(json.dumps({"recent_projects": recent, "annotator": "kept"}))
    loaded = Settings.load()
    assert loaded.recent_projects == []
    assert loaded.annotator == "kept"


def test_recent_projects_from_the_file_are_cleaned() -> None:
    many = [f"/p{i}.annot" for i in range(25)]
    write_raw(json.dumps({"recent_projects": [many[0], 3, "", many[0], *many[1:]]}))
    assert Settings.load().recent_projects == many[:MAX_RECENT]


def test_a_utf8_bom_is_tolerated() -> None:
    write_raw(b"\xef\xbb\xbf" + json.dumps({"annotator": "bom"}).encode())
    assert Settings.load().annotator == "bom"


def test_remember_project_keeps_ten_most_recent_first(tmp_path: Path) -> None:
    settings = Settings()
    paths = [tmp_path / f"p{i}.annot" for i in range(15)]
    for path in paths:
        settings.remember_project(path)
    assert len(settings.recent_projects) == MAX_RECENT == 10
    assert settings.recent_projects == [str(p) for p in reversed(paths[-10:])]
    assert settings.last_project == str(paths[-1])
    # opening one again moves it to the front without a duplicate
    settings.remember_project(paths[7])
    assert settings.recent_projects[0] == str(paths[7])
    assert settings.recent_projects.count(str(paths[7])) == 1
    assert len(settings.recent_projects) == 10
    settings.save()
    assert Settings.load().recent_projects == settings.recent_projects


def test_forget_project(tmp_path: Path) -> None:
    settings = Settings()
    a, b = tmp_path / "a.annot", tmp_path / "b.annot"
    settings.remember_project(a)
    settings.remember_project(b)
    settings.forget_project(a)
    assert (settings.recent_projects, settings.last_project) == ([str(b)], str(b))
    settings.forget_project(b)
    assert (settings.recent_projects, settings.last_project) == ([], "")


def test_save_creates_the_folder_and_leaves_no_temporary_files() -> None:
    assert not config_dir().exists()
    Settings(annotator="first").save()
    Settings(annotator="second").save()
    assert sorted(os.listdir(config_dir())) == ["settings.json"]
    assert Settings.load().annotator == "second"


def test_a_failed_save_keeps_the_previous_file(monkeypatch: pytest.MonkeyPatch) -> None:
    Settings(annotator="before").save()
    good = Settings.path().read_bytes()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    # a context of its own: undoing the fixture would also undo the test's XDG folders
    with monkeypatch.context() as patch, pytest.raises(OSError, match="disk full"):
        patch.setattr(settings_module.os, "replace", crash)
        Settings(annotator="after").save()
    assert Settings.path().read_bytes() == good
    assert Settings.load().annotator == "before"
    assert sorted(os.listdir(config_dir())) == ["settings.json"]


def test_a_failed_first_save_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(settings_module.os, "replace", crash)
        Settings(annotator="x").save()
    assert os.listdir(config_dir()) == []
    assert Settings.load() == Settings()


def test_a_version_1_file_is_upgraded_keeping_its_values() -> None:
    write_raw(json.dumps({"version": 1, "annotator": "ana", "zoom": 2, "snap_to_words": False}))
    loaded = Settings.load()
    assert (loaded.annotator, loaded.zoom, loaded.snap_to_words) == ("ana", 2, False)
    # Version 1 knew no line spacing: the text keeps the look the analyst had.
    assert loaded.line_spacing == 1.0
    assert loaded.theme == "system"
    loaded.save()
    raw = json.loads(Settings.path().read_text(encoding="utf-8"))
    assert raw["version"] == SETTINGS_VERSION == 2
    assert Settings.load() == loaded


def test_reading_preferences_round_trip_and_out_of_range_values_fall_back() -> None:
    original = Settings(
        theme="dark",
        font_family="DejaVu Serif",
        font_size=14.5,
        line_spacing=1.8,
        relation_mode="selected",
        default_project_folder="/home/ana/Projects",
        backup_interval_minutes=5,
        backup_keep=30,
        shortcuts={"find": "Ctrl+Shift+F"},
    )
    original.save()
    assert Settings.load() == original
    write_raw(
        json.dumps(
            {
                "version": 2,
                "theme": "purple",
                "font_size": 400,
                "line_spacing": 0.2,
                "relation_mode": 3,
                "backup_interval_minutes": 0,
                "backup_keep": -1,
                "shortcuts": {"find": 5, "quit": "Ctrl+Q"},
            }
        )
    )
    loaded = Settings.load()
    defaults = Settings()
    assert loaded.theme == defaults.theme
    assert loaded.font_size == defaults.font_size
    assert loaded.line_spacing == defaults.line_spacing
    assert loaded.relation_mode == defaults.relation_mode
    assert loaded.backup_interval_minutes == defaults.backup_interval_minutes
    assert loaded.backup_keep == defaults.backup_keep
    assert loaded.shortcuts == {"quit": "Ctrl+Q"}
    write_raw(json.dumps({"version": 2, "font_size": 13}))
    assert Settings.load().font_size == 13.0  # a whole number is a fine size


def test_keys_of_a_newer_version_survive_a_save() -> None:
    write_raw(json.dumps({"version": 7, "annotator": "ana", "future_panel": {"open": True}}))
    loaded = Settings.load()
    loaded.zoom = 1
    loaded.save()
    raw = json.loads(Settings.path().read_text(encoding="utf-8"))
    assert raw["future_panel"] == {"open": True}
    assert raw["annotator"] == "ana" and raw["zoom"] == 1
