"""Readers for the third-party multi-annotator corpora the agreement tests use, reporting each
trap the corpora README lists instead of crashing or shifting offsets silently."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.text import canonicalize

TOXIC_TYPES = frozenset(
    {"Insult", "Profane/Obscene", "Identity based Attack", "Other Toxicity", "Threat"}
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# ------------------------------------------------------------------------------ ToxicSpans
@dataclass
class ToxicComment:
    id: str
    text: str
    # one entry per annotation (a worker's judgement), in annotation order
    annotations: list[tuple[str, str, list[tuple[int, int, str]]]] = field(default_factory=list)


@dataclass
class ToxicSpans:
    comments: list[ToxicComment]
    problems: Counter[str]  # trap -> how many spans (or comments) it affected
    astral_comments: list[str]  # ids of comments left out: some offsets there are UTF-16 units


def read_toxic_spans(folder: Path, limit: int | None = None) -> ToxicSpans:
    """The first ``limit`` comments (file order) with every annotation and its spans. Spans
    past the end of their comment or with an empty or unknown (truncated) type are dropped and
    counted; comments holding characters outside the BMP are left out whole, since a few of
    their offsets count UTF-16 units and nothing in the data tells which."""
    comments: dict[str, ToxicComment] = {}
    with (folder / "comments.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            comments[row["comment_id"]] = ToxicComment(row["comment_id"], row["comment_text"])
            if limit is not None and len(comments) >= limit:
                break
    by_annotation: dict[str, tuple[str, str]] = {}
    with (folder / "annotations.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["comment_id"] in comments:
                by_annotation[row["annotation"]] = (row["comment_id"], row["worker"])
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    problems: Counter[str] = Counter()
    with (folder / "spans.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            owner = by_annotation.get(row["annotation"])
            if owner is None:
                continue
            text = comments[owner[0]].text
            start, end, kind = int(row["start"]), int(row["end"]), row["type"]
            bad = False
            if end > len(text):
                problems["past the end"] += 1
                bad = True
            if not kind.strip():
                problems["empty type"] += 1
                bad = True
            elif kind not in TOXIC_TYPES:
                problems["unknown type"] += 1
                bad = True
            if start >= end:
                problems["empty span"] += 1
                bad = True
            if not bad:
                spans[row["annotation"]].append((start, end, kind))
    for annotation, (comment_id, worker) in sorted(
        by_annotation.items(), key=lambda kv: int(kv[0])
    ):
        comments[comment_id].annotations.append((annotation, worker, spans.get(annotation, [])))
    astral = [c.id for c in comments.values() if _ASTRAL.search(c.text)]
    problems["comments with astral characters"] = len(astral)
    kept = [c for c in comments.values() if c.id not in set(astral)]
    return ToxicSpans(kept, problems, astral)


# -------------------------------------------------------------------------- Redewiedergabe
XMI_NS = {"rw": "http:///de/idsma/rw.ecore", "cas": "http:///uima/cas.ecore"}
REDE_ANNOTATORS = ("earth", "jupiter", "mars", "neptune", "pluto", "saturn")


@dataclass
class XmiDocument:
    raw_text: str  # sofaString as stored: CRLF counted as two characters
    spans: list[tuple[int, int, str]]  # offsets into raw_text
    text: str  # canonical (LF only), as the app stores it
    canonical_spans: list[tuple[int, int, str]]
    split_line_breaks: int  # spans with a boundary between the CR and LF of a CRLF


def read_xmi(path: Path) -> XmiDocument:
    """A redewiedergabe XMI file: speech/thought/writing representations labelled by type
    (``direct``, ``indirect``, ...), frames and speakers. ElementTree unescapes the ``&#13;&#10;``
    references in ``sofaString``; every span's own text attribute must then equal its slice,
    which is asserted here, and offsets are remapped through CRLF -> LF."""
    root = ET.parse(path).getroot()
    sofa = root.find("cas:Sofa", XMI_NS)
    assert sofa is not None, path
    raw = sofa.get("sofaString") or ""
    spans = []
    for tag, text_attr, label_attr in (
        ("Stwr", "Stwr", "RType"),
        ("Frame", "Frame", None),
        ("Speaker", "Speaker", None),
    ):
        for element in root.findall(f"rw:{tag}", XMI_NS):
            begin, end = int(element.get("begin", "0")), int(element.get("end", "0"))
            covered = element.get(text_attr)
            if covered is not None and raw[begin:end] != covered:
                raise ValueError(f"{path}: {tag} [{begin}, {end}) does not cover {covered!r}")
            label = (element.get(label_attr) or tag) if label_attr else tag
            if begin < end:
                spans.append((begin, end, label))
    canonical = canonicalize(raw)
    remapped = [(canonical.remap(s), canonical.remap(e), lb) for s, e, lb in spans]
    split = 0
    for (s, e, _), (cs, ce, _) in zip(spans, remapped, strict=True):
        covered = raw[s:e]
        # A boundary between CR and LF: the stored text has one LF there, which the span
        # cannot half-cover; the end moves before it, the start onto it.
        if covered.endswith("\r") and raw[e : e + 1] == "\n":
            covered = covered[:-1]
            split += 1
        if covered.startswith("\n") and raw[s - 1 : s] == "\r":
            split += 1
        expected = covered.replace("\r\n", "\n").replace("\r", "\n")
        if canonical.text[cs:ce] != expected:
            raise ValueError(f"{path}: span [{s}, {e}) moved when remapped")
    return XmiDocument(raw, spans, canonical.text, remapped, split)
