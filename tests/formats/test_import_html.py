"""Importing saved web pages: the article body and its metadata, without navigation or scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.store import Project

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="{charset}">
<title>Kremlin says Putin and Trump will speak on Saturday | The Daily Ledger</title>
<meta name="author" content="Jane Reporter">
<meta name="description" content="The first official call since the inauguration.">
<meta property="og:title" content="Kremlin says Putin and Trump will speak on Saturday">
<meta property="og:site_name" content="The Daily Ledger">
<meta property="og:url" content="https://ledger.example.com/world/2017/01/28/putin-trump-call">
<meta property="article:published_time" content="2017-01-28T09:30:00Z">
<link rel="canonical" href="https://ledger.example.com/world/2017/01/28/putin-trump-call">
<link rel="stylesheet" href="https://cdn.example.com/never-fetched.css">
<script>window.trackingId = "UA-SECRET-TRACKER"; console.log("analytics loaded");</script>
<style>body {{ font-family: serif; }}</style>
</head>
<body>
<header>
  <nav><ul>
    <li><a href="/">Home</a></li>
    <li><a href="/world">World navigation link</a></li>
    <li><a href="/sport">Sport section</a></li>
  </ul></nav>
</header>
<main>
<article>
<h1>Kremlin says Putin and Trump will speak on Saturday</h1>
<p class="byline">By Jane Reporter</p>
<p>Presidents Vladimir Putin and Donald Trump will have their first official discussions since
the inauguration in a phone call planned for Saturday, the Kremlin said, a first step towards
what Trump has billed as a normalization of relations.</p>
<p>&#8220;Getting along with Russia is a great thing,&#8221; Trump told reporters at the White
House on Friday, adding that he expected a “very good relationship” with Moscow. The rouble rose
by 5€ overnight.</p>
<p>Kremlin spokesman Dmitry Peskov said the call would be a &#8220;congratulatory&#8221; one and
that no concrete agreements were expected. Analysts cautioned that the sanctions question would
dominate any substantive talks in the months ahead.</p>
<p>Expect many tweets to follow both phone calls, one diplomat said, speaking on condition of
anonymity because he was not authorised to talk to the press.</p>
</article>
<aside><h2>Most read</h2><ul><li><a href="/x">Celebrity gossip sidebar item</a></li></ul></aside>
</main>
<footer><p>Copyright 2017 The Daily Ledger. All rights reserved. Footer privacy policy.</p></footer>
<script>document.write("injected script text");</script>
</body>
</html>
"""
NOT_IN_TEXT = (
    "World navigation link",
    "Sport section",
    "Footer privacy policy",
    "UA-SECRET-TRACKER",
    "analytics loaded",
    "injected script text",
    "font-family",
    "Celebrity gossip",
)


@pytest.mark.parametrize(
    ("name", "charset", "encoding"),
    [("page.html", "utf-8", "utf-8"), ("legacy.htm", "windows-1252", "cp1252")],
)
def test_saved_page_gives_article_text_and_metadata(
    project: Project, inputs: Path, run_import, name: str, charset: str, encoding: str
) -> None:
    path = inputs / name
    path.write_bytes(PAGE.format(charset=charset).encode(encoding))
    summary = run_import(path)
    assert summary.rejections == [] and summary.articles_added == 1
    article = project.article(summary.article_ids[0])
    assert article.title == "Kremlin says Putin and Trump will speak on Saturday"
    assert article.author == "Jane Reporter"
    assert article.source == "The Daily Ledger"
    assert article.url == "https://ledger.example.com/world/2017/01/28/putin-trump-call"
    assert article.published == "2017-01-28"
    assert article.meta["description"] == "The first official call since the inauguration."
    text = article.text
    paragraphs = text.split("\n\n")  # one blank line between paragraphs, as on the page
    assert "\n\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")
    assert paragraphs[0] == "Kremlin says Putin and Trump will speak on Saturday"
    assert paragraphs[1].startswith("Presidents Vladimir Putin and Donald Trump will have")
    assert paragraphs[2] == (
        "“Getting along with Russia is a great thing,” Trump told reporters at the White House"
        " on Friday, adding that he expected a “very good relationship” with Moscow. The rouble"
        " rose by 5€ overnight."
    )
    assert paragraphs[-1].startswith("Expect many tweets to follow both phone calls")
    assert len(paragraphs) == 5
    assert "By Jane Reporter" not in text
    for unwanted in NOT_IN_TEXT:
        assert unwanted not in text, unwanted


def test_page_without_article_text_is_rejected(project: Project, inputs: Path, run_import) -> None:
    path = inputs / "empty.html"
    path.write_text(
        "<html><head><title>Nothing here</title><script>var x = 1;</script></head>"
        "<body><script>document.write('hi')</script><div></div></body></html>",
        encoding="utf-8",
    )
    before = project.counts()
    summary = run_import(path)
    [rejection] = summary.rejections
    assert (rejection.path, rejection.line) == (path, None)
    assert "no article text" in rejection.message
    assert project.counts() == before


def test_binary_file_named_html_is_rejected(project: Project, inputs: Path, run_import) -> None:
    path = inputs / "image.html"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8)
    summary = run_import(path)
    [rejection] = summary.rejections
    assert "binary" in rejection.message
    assert project.counts()["articles"] == 0
