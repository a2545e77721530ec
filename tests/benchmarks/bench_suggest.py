"""Quality and speed of the suggester.

``python -m tests.benchmarks.bench_suggest`` prints precision, recall and F1 per label, by exact
and by overlap match, on the hand-annotated seed article (tests/benchmarks/suggest_gold/seed.json,
the article the rules were tuned on), on held-out news (news.json: six Wikinews articles, CC BY
2.5, in suggest_gold/news with their attribution, never looked at while writing the rules) and
on held-out comments (heldout.json: news-site comments from the CC0 ToxicSpans corpus in
../shared/corpora, never tuned on), then the speed figures:

- one 5 KB article (the seed article plus its first paragraphs again): target 50 ms or less;
- 10,000 articles of about 5 KB streamed through ``suggest_many``: target 60 s or less, with
  memory flat (peak RSS after 1,000 and after 10,000 articles compared);
- an empty article and an article of one 1 MB line.

``--quick`` runs 1,000 articles instead of 10,000. Speed is whole-process work measured against
a floor in the same run: spaCy's blank pipeline alone over the same texts (the tokenizer and
sentencizer every suggestion needs), so the ratio shows what the rules themselves cost.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import time
from collections.abc import Iterable
from pathlib import Path

from annotator.suggest import SUGGESTED_LABELS, Suggester

ROOT = Path(__file__).resolve().parents[2]
GOLD = Path(__file__).resolve().parent / "suggest_gold"
CORPORA = ROOT.parent / "shared" / "corpora"
if not CORPORA.is_dir():
    CORPORA = Path("/work/shared/corpora")

Span = tuple[int, int, str]


def _locate(text: str, entry: dict[str, object]) -> Span:
    """Offsets of a gold span given by its text (the nth occurrence, or inside 'in')."""
    needle = str(entry["text"])
    context = str(entry.get("in", needle))
    at = -1
    for _ in range(int(str(entry.get("nth", 0))) + 1):
        at = text.find(context, at + 1)
        if at < 0:
            raise ValueError(f"gold text not found: {context!r}")
    start = at + context.index(needle)
    return start, start + len(needle), str(entry["label"])


def load_gold(name: str) -> list[tuple[str, list[Span], list[tuple[Span, Span]]]]:
    """(text, spans, relations) per article of a gold file."""
    data = json.loads((GOLD / name).read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    if "corpus" in data:
        with (CORPORA / data["corpus"]).open(encoding="utf-8", newline="") as stream:
            wanted = {a["id"] for a in data["articles"]}
            texts = {
                r["comment_id"]: r["comment_text"]
                for r in csv.DictReader(stream)
                if r["comment_id"] in wanted
            }
    out = []
    for article in data["articles"]:
        if "path" in article:
            text = (ROOT / article["path"]).read_text(encoding="utf-8")
        else:
            text = texts[article["id"]]
        spans = [_locate(text, e) for e in article["spans"]]
        relations = [(spans[q], spans[s]) for q, s in article.get("relations", [])]
        out.append((text, spans, relations))
    return out


def _overlaps(a: Span, b: Span) -> bool:
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def score(
    pairs: Iterable[tuple[list[Span], list[Span]]], labels: Iterable[str]
) -> dict[str, dict[str, tuple[float, float, float, int, int]]]:
    """label -> {"exact"|"overlap": (precision, recall, f1, predicted, gold)}."""
    pairs = list(pairs)
    result = {}
    for label in labels:
        counts = {"exact": [0, 0, 0, 0], "overlap": [0, 0, 0, 0]}  # tp_pred, tp_gold, npred, ngold
        for predicted, gold in pairs:
            p = [s for s in predicted if s[2] == label]
            g = [s for s in gold if s[2] == label]
            exact = set(p) & set(g)
            counts["exact"][0] += len(exact)
            counts["exact"][1] += len(exact)
            counts["overlap"][0] += sum(1 for s in p if any(_overlaps(s, t) for t in g))
            counts["overlap"][1] += sum(1 for t in g if any(_overlaps(s, t) for s in p))
            for kind in counts:
                counts[kind][2] += len(p)
                counts[kind][3] += len(g)
        result[label] = {}
        for kind, (tp_p, tp_g, n_p, n_g) in counts.items():
            precision = tp_p / n_p if n_p else 0.0
            recall = tp_g / n_g if n_g else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            result[label][kind] = (precision, recall, f1, n_p, n_g)
    return result


def relation_score(
    found: list[tuple[Span, Span]], gold: list[tuple[Span, Span]]
) -> tuple[float, float, float]:
    """Quote -> Source pairs matched when both ends overlap."""

    def match(a: tuple[Span, Span], b: tuple[Span, Span]) -> bool:
        return _overlaps(a[0], b[0]) and _overlaps(a[1], b[1])

    tp_p = sum(1 for r in found if any(match(r, g) for g in gold))
    tp_g = sum(1 for g in gold if any(match(r, g) for r in found))
    precision = tp_p / len(found) if found else 0.0
    recall = tp_g / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def quality(suggester: Suggester, name: str) -> None:
    articles = load_gold(name)
    pairs = []
    found_rel: list[tuple[Span, Span]] = []
    gold_rel: list[tuple[Span, Span]] = []
    for text, gold, relations in articles:
        result = suggester.suggest(text)
        predicted = [(s.start, s.end, s.label) for s in result.spans]
        pairs.append((predicted, gold))
        found_rel += [(predicted[r.head], predicted[r.child]) for r in result.relations]
        gold_rel += relations
    table = score(pairs, SUGGESTED_LABELS)
    print(f"\n{name}: {len(articles)} article(s)")
    print(f"{'label':<12} {'match':<8} {'P':>6} {'R':>6} {'F1':>6} {'found':>6} {'gold':>5}")
    for label, kinds in table.items():
        for kind, (p, r, f, n_p, n_g) in kinds.items():
            print(f"{label:<12} {kind:<8} {p:6.2f} {r:6.2f} {f:6.2f} {n_p:6d} {n_g:5d}")
    p, r, f = relation_score(found_rel, gold_rel)
    print(
        f"{'attributed_to':<12} {'overlap':<8} {p:6.2f} {r:6.2f} {f:6.2f} {len(found_rel):6d} {len(gold_rel):5d}"
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def benchmark_article() -> str:
    """The seed article plus its first paragraphs again, cut to 5 KB."""
    seed = (ROOT / "resources/samples/putin-trump-call.txt").read_text(encoding="utf-8")
    paragraphs = seed.split("\n\n")
    article = seed + "\n\n" + "\n\n".join(paragraphs[1:4])
    return article[: 5 * 1024]


def speed(suggester: Suggester, count: int) -> None:
    article = benchmark_article()
    print(f"\nspeed: article of {len(article.encode('utf-8')):,} bytes")
    suggester.suggest(article)  # warm
    runs = []
    for _ in range(20):
        t0 = time.perf_counter()
        suggester.suggest(article)
        runs.append(time.perf_counter() - t0)
    runs.sort()
    print(
        f"one 5 KB article: median {runs[10] * 1000:.1f} ms, worst {runs[-1] * 1000:.1f} ms (target <= 50 ms)"
    )

    # Each article differs a little (a number in it), so nothing is cached between them.
    def texts(n: int) -> Iterable[str]:
        for i in range(n):
            yield f"Article {i}. " + article

    t0 = time.perf_counter()
    for _doc in suggester.nlp.pipe(texts(count // 10)):
        pass
    floor = (time.perf_counter() - t0) * 10
    t0 = time.perf_counter()
    rss_at_tenth = 0.0
    spans = 0
    for i, result in enumerate(suggester.suggest_many(texts(count)), start=1):
        spans += len(result.spans)
        if i == count // 10:
            rss_at_tenth = _rss_mb()
    took = time.perf_counter() - t0
    print(
        f"{count:,} articles: {took:.1f} s (target <= {60 * count / 10000:.0f} s), "
        f"{spans:,} suggestions; floor (blank pipeline alone, estimated from {count // 10:,}): "
        f"{floor:.1f} s, ratio {took / floor:.2f}"
    )
    print(
        f"peak memory after {count // 10:,}: {rss_at_tenth:.0f} MB; after {count:,}: {_rss_mb():.0f} MB"
    )

    t0 = time.perf_counter()
    empty = suggester.suggest("")
    print(
        f"empty article: {len(empty.spans)} suggestions in {(time.perf_counter() - t0) * 1000:.1f} ms"
    )
    line = (article.replace("\n", " ") + " ") * (1024 * 1024 // (len(article) + 1) + 1)
    line = line[: 1024 * 1024]
    t0 = time.perf_counter()
    big = suggester.suggest(line)
    took = time.perf_counter() - t0
    print(
        f"one line of {len(line):,} characters: {len(big.spans):,} suggestions in {took:.2f} s "
        f"(the 5 KB rate allows {runs[10] * len(line) / len(article):.2f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 articles, not 10,000")
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    suggester = Suggester()
    print(f"suggester ready in {(time.perf_counter() - t0) * 1000:.0f} ms")
    quality(suggester, "seed.json")
    quality(suggester, "news.json")
    if (CORPORA / "toxic-spans-acl2022").is_dir():
        quality(suggester, "heldout.json")
    else:
        print("\nheldout.json skipped: ../shared/corpora/toxic-spans-acl2022 is not there")
    if not args.quality_only:
        speed(suggester, 1000 if args.quick else 10000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
