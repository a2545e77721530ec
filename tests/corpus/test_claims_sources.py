"""Claims and sources across the corpus, in the store and on the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.attribution import guess_named
from annotator.core.schema import AttributeDef
from annotator.store import Project, ProjectError
from annotator.store.claims import ClaimFilter, claims, update_claim, verdicts
from annotator.store.schema_defs import set_attribute_defs
from annotator.store.sources import sources
from tests.corpus.conftest import AWKWARD, Corpus


def test_claims_carry_verdict_checker_status_and_evidence(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        rows = claims(project)
        checked = claims(project, ClaimFilter(claim_status="checked"))
        unrated = claims(project, ClaimFilter(verdict=""))
    assert [(c.article_id, c.verdict, c.claim_status) for c in rows] == [
        (corpus.seed, "mostly true", "checked"),
        (corpus.awkward, "", "open"),
    ]
    assert rows[0].evidence == ("https://example.org/a", "span:2:0-1")
    assert rows[0].checker == "Ana"
    assert [c.article_id for c in checked] == [corpus.seed]
    assert [c.text for c in unrated] == ["Café\u0301 sanctions"]


def test_update_claim_checks_the_verdict_list(corpus: Corpus) -> None:
    with Project.open(corpus.path, backups=False) as project:
        claim = claims(project)[1]
        with pytest.raises(ProjectError, match="verdict 'bogus' is not one of"):
            update_claim(
                project,
                claim.span_id,
                verdict="bogus",
                checker="",
                claim_status="open",
                evidence=[],
            )
        before, after = update_claim(
            project,
            claim.span_id,
            verdict="false",
            checker="Bo",
            claim_status="checked",
            evidence=["a | b", "https://x.example"],
        )
        assert before.attributes == {} and after.attributes["verdict"] == "false"
        # The verdict list is configurable through the Claim label's attribute definition.
        claim_label = project.label_by_name("Claim")
        assert claim_label is not None
        set_attribute_defs(
            project, claim_label.id, [AttributeDef("verdict", "choice", ("ok", "bad"))]
        )
        assert verdicts(project) == ("ok", "bad")
        update_claim(
            project, claim.span_id, verdict="bad", checker="", claim_status="open", evidence=[]
        )
        assert claims(project)[1].verdict == "bad"


def test_claims_cli_csv_and_json_read_back(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "claims.csv"
    assert main(["claims", str(corpus.path), "--csv", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "article_id",
        "title",
        "start",
        "end",
        "text",
        "verdict",
        "checker",
        "claim_status",
        "evidence",
    ]
    assert rows[0]["evidence"] == "https://example.org/a | span:2:0-1"
    assert rows[1]["text"] == "Café\u0301 sanctions"
    assert AWKWARD[int(rows[1]["start"]) : int(rows[1]["end"])] == rows[1]["text"]
    capsys.readouterr()
    assert main(["claims", str(corpus.path), "--json", "--status", "checked"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 1 and records[0]["evidence"] == ["https://example.org/a", "span:2:0-1"]
    assert main(["claims", str(tmp_path / "missing.annot")]) == 2


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Dmitry Peskov", True),
        ("presidential spokesman Dmitry Peskov", True),
        ("Reuters", True),
        ("The Kremlin", True),
        ("Песков", True),
        ("a source familiar with the plans", False),
        ("officials", False),
        ("Officials", False),
        ("White House officials", False),
        ("the spokesman", False),
        ("two senior diplomats", False),
        ("people speaking on condition of anonymity", False),
        ("«مصدر مطلع»", False),
    ],
)
def test_named_or_anonymous_guess(text: str, named: bool) -> None:
    assert guess_named(text) is named


def test_sources_count_quotes_mentions_and_articles(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        rows = {row.key: row for row in sources(project)}
        per_article = sources(project, corpus.awkward)
    assert set(rows) == {
        "peskov",
        "presidential spokesman dmitry peskov",
        "«مصدر مطلع»",
        "officials",
    }
    assert (len(rows["peskov"].quotes), rows["peskov"].mentions, rows["peskov"].named) == (
        1,
        1,
        True,
    )
    assert rows["officials"].named is False and len(rows["officials"].quotes) == 1
    assert rows["«مصدر مطلع»"].named is False
    assert {r.key for r in per_article} == {"«مصدر مطلع»", "officials"}


def test_named_attribute_overrides_the_guess_and_survives(corpus: Corpus) -> None:
    with Project.open(corpus.path, backups=False) as project:
        officials = next(r for r in sources(project) if r.key == "officials")
        span = project.span(officials.span_ids[0])
        project.update_span(span.id, attributes={**span.attributes, "named": "true"})
        again = next(r for r in sources(project) if r.key == "officials")
        assert again.named is True and again.guessed is False
    # Reopened: the analyst's choice is still there, the guess did not overwrite it.
    with Project.open(corpus.path, read_only=True) as project:
        assert next(r for r in sources(project) if r.key == "officials").named is True


def test_sources_cli_json(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", str(corpus.path), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(set(r) == {"source", "named", "quotes", "mentions", "articles"} for r in records)
    by_source = {r["source"]: r for r in records}
    assert by_source["Peskov"] == {
        "source": "Peskov",
        "named": True,
        "quotes": 1,
        "mentions": 1,
        "articles": 1,
    }
    assert by_source["Officials"]["named"] is False
    assert main(["sources", str(corpus.path)]) == 0
    assert capsys.readouterr().out.startswith("quotes\tmentions\tarticles\tnamed\tsource\n")
