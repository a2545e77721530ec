"""Importing .txt and .md files: decoding, canonical text, titles, empty and binary files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from annotator.core.text import content_hash
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.store import Project

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "putin-trump-call.txt"
EXPECTED_TITLE = (
    'Putin, Trump To Talk By Phone On Saturday: "Getting Along With Russia Is A Great Thing"'
)
WESTERN = "“Getting along with Russia is a great thing,” he said. Ça coûte 5 € — voilà, déjà."


def test_sample_article_imports_with_its_headline_as_title(project: Project, run_import) -> None:
    summary = run_import(SAMPLE)
    assert (summary.articles_added, summary.duplicates, summary.rejected) == (1, 0, 0)
    article = project.article(summary.article_ids[0])
    assert article.title == EXPECTED_TITLE
    assert article.text == SAMPLE.read_bytes().decode("utf-8")
    assert article.content_hash == content_hash(article.text)
    assert article.status == "new"


def test_text_keeps_headline_line_and_turns_crlf_into_lf(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "crlf.txt"
    path.write_bytes(b"\r\n  Headline here  \r\n\r\nBody line one.\rBody line two.\r\n")
    summary = run_import(path)
    article = project.article(summary.article_ids[0])
    assert article.title == "Headline here"
    assert article.text == "\n  Headline here  \n\nBody line one.\nBody line two.\n"


def test_markdown_title_drops_heading_marks(project: Project, inputs: Path, run_import) -> None:
    path = inputs / "story.md"
    path.write_text("# Kremlin confirms the call\n\nBody *text*.\n", encoding="utf-8")
    summary = run_import(path)
    article = project.article(summary.article_ids[0])
    assert article.title == "Kremlin confirms the call"
    assert article.text == "# Kremlin confirms the call\n\nBody *text*.\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8.txt", WESTERN.encode("utf-8")),
        ("utf8-bom.txt", codecs.BOM_UTF8 + WESTERN.encode("utf-8")),
        ("utf16-le-bom.txt", WESTERN.encode("utf-16")),  # Python writes a BOM, little endian
        ("utf16-be-bom.txt", codecs.BOM_UTF16_BE + WESTERN.encode("utf-16-be")),
        ("utf32-bom.txt", WESTERN.encode("utf-32")),
        ("cp1252.txt", WESTERN.encode("cp1252")),
        ("utf16-le-no-bom.txt", WESTERN.encode("utf-16-le")),
    ],
)
def test_encodings_are_decoded_and_bom_dropped(
    project: Project, inputs: Path, run_import, name: str, data: bytes
) -> None:
    path = inputs / name
    path.write_bytes(data)
    summary = run_import(path)
    assert summary.rejections == []
    article = project.article(summary.article_ids[0])
    assert article.text == WESTERN
    assert article.title == WESTERN


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Voilà, déjà.", "cp1252"),  # short French: charset-normalizer alone says cp1250
        ("Président Macron a déclaré: «Nous sommes prêts».", "cp1252"),
        ("Øresund bro, Århus, Æble", "cp1252"),
        ("Die Opposition kritisiert den Entwurf als „übereilt“.", "cp1252"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "cp1250"),
        ("Zażółć gęślą jaźń", "cp1250"),
        ("Президент России Владимир Путин заявил", "cp1251"),
    ],
)
def test_legacy_code_pages_are_told_apart(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)) == text


def test_an_explicit_encoding_overrides_detection(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "czech.txt"
    path.write_bytes("Čeština".encode("cp1250"))
    summary = run_import(path, encoding="cp1250")
    assert project.article(summary.article_ids[0]).text == "Čeština"
    assert decode_bytes(b"\xe8", encoding="cp1250") == "č"
    with pytest.raises(DecodeError, match="unknown encoding"):
        decode_bytes(b"x", encoding="no-such-codec")


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8 + b"  \n", "\n".encode("utf-16")]
)
def test_empty_file_is_rejected(project: Project, inputs: Path, run_import, data: bytes) -> None:
    path = inputs / "empty.txt"
    path.write_bytes(data)
    before = project.counts()
    summary = run_import(path)
    assert [(r.path, r.line, r.message) for r in summary.rejections] == [
        (path, None, "file is empty")
    ]
    assert summary.articles_added == 0
    assert project.counts() == before


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,
        bytes(range(1, 32)) * 40,  # no NUL but nothing but control codes
    ],
    ids=["png", "controls"],
)
def test_binary_file_is_rejected(project: Project, inputs: Path, run_import, data: bytes) -> None:
    path = inputs / "picture.txt"
    path.write_bytes(data)
    before = project.counts()
    summary = run_import(path)
    assert len(summary.rejections) == 1
    rejection = summary.rejections[0]
    assert (rejection.path, rejection.line) == (path, None)
    assert "binary" in rejection.message
    assert str(rejection).startswith(f"{path}: ")
    assert project.counts() == before


def test_long_first_line_makes_a_shortened_title(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "no-headline.txt"
    path.write_text("word " * 100, encoding="utf-8")
    summary = run_import(path)
    title = project.article(summary.article_ids[0]).title
    assert len(title) == 200 and title.endswith("…")
