"""Train/dev/test splits of an export: '80/10/10' parsed, articles dealt by a seed, each part's
file or folder named."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path

from annotator.formats.errors import ExportError

__all__ = ["SPLIT_NAMES", "parse_split", "split_article_ids", "split_target"]

SPLIT_NAMES: dict[int, tuple[str, ...]] = {2: ("train", "test"), 3: ("train", "dev", "test")}


def parse_split(text: str) -> tuple[float, ...]:
    """'80/10/10' (train/dev/test) or '80/20' (train/test) as fractions summing to 1."""
    parts = [p.strip() for p in text.replace(",", "/").split("/")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ExportError(f"split {text!r} must be numbers such as 80/10/10") from None
    if len(numbers) not in SPLIT_NAMES:
        raise ExportError(f"split {text!r} needs two (train/test) or three (train/dev/test) parts")
    if any(n < 0 or not math.isfinite(n) for n in numbers) or sum(numbers) <= 0:
        raise ExportError(f"split {text!r} must be non-negative numbers with a positive sum")
    total = sum(numbers)
    return tuple(n / total for n in numbers)


def split_article_ids(
    article_ids: Sequence[int], fractions: Sequence[float], seed: int
) -> dict[str, list[int]]:
    """Deal articles into train/(dev/)test: shuffled with ``seed``, cut by the fractions.

    The same ids, fractions and seed always give the same split; each id lands in one part.
    Part sizes are the fractions of the total rounded down, the remainder going to the parts
    with the largest fractional remainders (earlier parts first on ties).
    """
    names = SPLIT_NAMES[len(fractions)]
    ids = sorted(article_ids)
    random.Random(seed).shuffle(ids)
    exact = [f * len(ids) for f in fractions]
    sizes = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in order[: len(ids) - sum(sizes)]:
        sizes[i] += 1
    parts: dict[str, list[int]] = {}
    at = 0
    for name, size in zip(names, sizes, strict=True):
        parts[name] = sorted(ids[at : at + size])
        at += size
    return parts


def split_target(out: Path, split: str, *, folder: bool) -> Path:
    """Where one split goes: ``OUT/train`` for folder formats, ``OUT-train.SUFFIX`` for files.

    A file's full suffix is kept: ``data.jsonl`` -> ``data-train.jsonl``; ``ls.json`` ->
    ``ls-train.json``.
    """
    if folder:
        return out / split
    suffix = "".join(out.suffixes[-1:])
    stem = out.name[: len(out.name) - len(suffix)] if suffix else out.name
    return out.with_name(f"{stem}-{split}{suffix}")
