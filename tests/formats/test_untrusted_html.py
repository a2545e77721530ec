"""Imported HTML never loads a remote resource, never runs a script and never reads a local file."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from annotator.formats.html_page import read_html
from annotator.store import Project

BODY = (
    "The minister said on Tuesday that the negotiations would continue next week, according "
    "to two officials familiar with the talks. "
)


def hostile_page(secret: Path) -> str:
    return f"""<!DOCTYPE html [<!ENTITY leak SYSTEM "file://{secret}">]>
<html><head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=http://attacker.example/refresh">
<base href="http://attacker.example/">
<title>Talks to continue</title>
<link rel="stylesheet" href="http://attacker.example/style.css">
<link rel="preload" href="https://attacker.example/font.woff2" as="font">
<style>@import url("http://attacker.example/import.css"); body {{ background:
  url(http://attacker.example/bg.png) }}</style>
<script src="http://attacker.example/remote.js"></script>
<script>document.write("INJECTED-SCRIPT-TEXT"); fetch("http://attacker.example/x");</script>
</head>
<body onload="alert('ONLOAD-HANDLER')">
<article>
<h1>Talks to continue</h1>
<p>{BODY * 3}</p>
<img src="http://attacker.example/pixel.gif" onerror="alert('ONERROR-HANDLER')">
<iframe src="http://attacker.example/frame.html">IFRAME-FALLBACK-TEXT</iframe>
<object data="http://attacker.example/x.swf"></object>
<embed src="http://attacker.example/y.swf">
<svg><image href="http://attacker.example/z.svg"/><script>SVG-SCRIPT-TEXT</script></svg>
<video src="http://attacker.example/v.mp4" poster="http://attacker.example/p.jpg"></video>
<p>{BODY * 2} &leak;</p>
<noscript><img src="http://attacker.example/noscript.gif"></noscript>
</article>
<script>var tracking = "TRAILING-SCRIPT-TEXT";</script>
</body></html>"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to resolve a name or open a connection is recorded and refused."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access attempted during an import")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_hostile_page_imports_only_its_text(
    project: Project, inputs: Path, tmp_path: Path, run_import, no_network: list[Any]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-FILE-CONTENT", encoding="utf-8")
    page = inputs / "page.html"
    page.write_text(hostile_page(secret), encoding="utf-8")
    summary = run_import(page)
    assert no_network == []
    assert (summary.articles_added, summary.rejected) == (1, 0)
    [article_id] = summary.article_ids
    article = project.article(article_id)
    stored = " ".join([article.text, article.title, article.source, article.url, str(article.meta)])
    assert "negotiations would continue" in article.text
    for marker in (
        "INJECTED-SCRIPT-TEXT",
        "SVG-SCRIPT-TEXT",
        "TRAILING-SCRIPT-TEXT",
        "ONLOAD-HANDLER",
        "ONERROR-HANDLER",
        "LOCAL-FILE-CONTENT",
        "document.write",
        "<script",
        "attacker.example",
    ):
        assert marker not in stored, marker


def test_the_html_reader_itself_opens_no_connection(no_network: list[Any], tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-FILE-CONTENT", encoding="utf-8")
    for page in (
        hostile_page(secret).encode("utf-8"),
        hostile_page(secret).encode("utf-16"),  # decoded before extraction
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://attacker.example/">]>'
        b"<r>&x;</r>",
    ):
        records = list(read_html(page))
        assert len(records) == 1
    assert no_network == []
