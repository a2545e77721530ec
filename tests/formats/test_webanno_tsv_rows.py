"""The WebAnno TSV writer makes its rows a stretch of tokens at a time; they are the rows made
token by token: each token's id in its sentence, UTF-16 offsets, stacked span columns and
relation columns, for random hard texts, spans and relations."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.model import Article
from annotator.core.text import Utf16Index
from annotator.formats.conll import sentences
from annotator.formats.export_model import ExportDoc, ExportRelation, ExportSpan
from annotator.formats.tokens import cut_tokens
from annotator.formats.webanno_tsv.escaping import HEADER, escape_text
from annotator.formats.webanno_tsv.write import _span_values, _Tally, _trim, _value, document
from tests.formats.test_tokens import SENTENCE_HARD

PIECES = [*SENTENCE_HARD, "👨\u200d👩\u200d👧", "🇺🇸", "𝔸𝔹", "e\u0301", "\\", "|", "[1]", "->", "\r"]


def token_by_token(doc: ExportDoc) -> str:
    text = doc.article.text
    kept = []
    for i, span in enumerate(doc.spans):
        start, end = _trim(text, span.start, span.end)
        if start < end:
            kept.append((i, start, end))
    tokens = cut_tokens(text, [(start, end) for _, start, end in kept])
    starts = [start for start, _ in tokens]
    covered = {i: (bisect_left(starts, a), bisect_right(starts, b - 1) - 1) for i, a, b in kept}
    ranges = sentences(text, tokens, covered.values())
    unit = {}
    for s, (first, last) in enumerate(ranges, start=1):
        for t in range(first, last):
            unit[t] = f"{s}-{t - first + 1}"
    on = {t: [i for i, (a, b) in covered.items() if a <= t <= b] for t in range(len(tokens))}
    ids: dict[int, int] = {}
    for i, _, _ in kept:
        first, last = covered[i]
        if first != last or any(len(on[t]) > 1 for t in range(first, last + 1)):
            ids[i] = len(ids) + 1
    index = Utf16Index(text)
    out = [HEADER]
    for n, (first, last) in enumerate(ranges):
        end = tokens[ranges[n + 1][0]][0] if n + 1 < len(ranges) else len(text)
        out.append("\n")
        out += [f"#Text={escape_text(part)}\n" for part in text[tokens[first][0] : end].split("\n")]
        for t in range(first, last):
            a, b = tokens[t]
            row = [unit[t], f"{index.to_utf16(a)}-{index.to_utf16(b)}", text[a:b]]
            values = [_span_values(doc.spans[i], ids.get(i)) for i in on[t]]
            row += ["|".join(v[f] for v in values) if values else "_" for f in range(4)]
            rels = [
                r
                for r, rel in enumerate(doc.relations)
                if rel.head in covered and rel.child in covered and covered[rel.child][0] == t
            ]
            if rels:
                row.append("|".join(_value(doc.relations[r].type) for r in rels))
                row.append("|".join(_value(doc.relations[r].annotator) for r in rels))
                refs = []
                for r in rels:
                    rel = doc.relations[r]
                    ref = unit[covered[rel.head][0]]
                    if rel.head in ids or rel.child in ids:
                        ref += f"[{ids.get(rel.head, 0)}_{ids.get(rel.child, 0)}]"
                    refs.append(ref)
                row.append("|".join(refs))
            else:
                row += ["_"] * 3
            out.append("\t".join(row) + "\t\n")
    return "".join(out)


@st.composite
def docs(draw: st.DrawFn) -> ExportDoc:
    text = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=50).map("".join))
    size = len(text)
    spans = []
    for start, length, label, who, note in draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1),
                st.integers(1, 30),
                st.sampled_from(["Claim", "Quote|x", "a_b", "Zoë 👍"]),
                st.sampled_from(["ann", "bob", ""]),
                st.sampled_from(["", "a note", "x\ty"]),
            ),
            max_size=8,
        )
    ):
        end = min(size, start + length)
        spans.append(ExportSpan(start, end, label, text[start:end], who, note))
    relations = []
    if len(spans) > 1:
        for head, child, kind in draw(
            st.lists(
                st.tuples(
                    st.integers(0, len(spans) - 1),
                    st.integers(0, len(spans) - 1),
                    st.sampled_from(["attributed_to", "says|x", ""]),
                ),
                max_size=4,
            )
        ):
            relations.append(ExportRelation(head, child, kind, "ann"))
    article = Article(1, "T", text, "", "", "", "", "", "", "new", {})
    return ExportDoc(article, tuple(spans), tuple(relations))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(docs())
def test_rows_made_by_stretches_are_the_rows_made_token_by_token(doc: ExportDoc) -> None:
    assert document(doc, _Tally())[0] == token_by_token(doc)


def test_long_sentences_and_many_sentences_are_numbered_as_token_by_token() -> None:
    long_sentence = "word " * 1500 + "end."
    many_sentences = "Yes. " * 1200 + "👍🏽 No."
    for text in (long_sentence, many_sentences, long_sentence + " " + many_sentences):
        spans = (ExportSpan(5, 14, "Claim", text[5:14], "ann"),)
        doc = ExportDoc(Article(1, "T", text, "", "", "", "", "", "", "new", {}), spans, ())
        assert document(doc, _Tally())[0] == token_by_token(doc)
