"""The export/import formats: one :class:`FormatSpec` per format in :data:`FORMATS`.

To add a format, add ONE entry to the ``FORMATS`` dict literal below. Writers and readers are
named as ``"package.module:function"`` strings and imported only when used, so an optional
dependency (pyarrow) is needed only by the format that uses it and this module stays cheap.

- writer: ``write(docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label])
  -> ExportReport`` (see :mod:`annotator.formats.export`). ``out`` is a file, or a folder when
  ``folder`` is true.
- reader: ``read(path: Path, options: ReadOptions) -> ReadResult`` yielding
  :class:`~annotator.formats.records.ArticleRecord` (or ``AnnotationRecord``) and
  :class:`~annotator.formats.records.RecordError` items; the importer writes them in one
  transaction. ``path`` is a file, or for a folder format the folder the user named.
- suffixes: file suffixes a folder is searched for when the format is named with
  ``annotator import --format`` and the user gives a folder (file formats only); the first one is
  also the default suffix of an exported file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from annotator.formats.errors import ExportError


@dataclass(frozen=True, slots=True)
class FormatSpec:
    name: str
    description: str
    writer: str | None  # "module:function", or None for an import-only format
    reader: str | None  # "module:function", or None for an export-only format
    folder: bool = False  # True: writes/reads a folder, False: one file
    suffixes: tuple[str, ...] = ()  # e.g. (".jsonl",); first = default export suffix
    extra: str | None = None  # pip extra the format needs, e.g. "parquet"

    @property
    def suffix(self) -> str:
        return self.suffixes[0] if self.suffixes else ""

    def load_writer(self) -> Callable[..., Any]:
        if self.writer is None:
            raise ExportError(f"{self.name} is an import-only format")
        return self._load(self.writer)

    def load_reader(self) -> Callable[..., Any]:
        if self.reader is None:
            raise ExportError(f"{self.name} can be exported but not imported")
        return self._load(self.reader)

    def _load(self, target: str) -> Callable[..., Any]:
        module_name, _, function = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if self.extra and exc.name and not exc.name.startswith("annotator"):
                raise ExportError(
                    f"the {self.name} format needs {exc.name}; install it with "
                    f"pip install 'news-annotator[{self.extra}]'"
                ) from exc
            raise
        result: Callable[..., Any] = getattr(module, function)
        return result


FORMATS: dict[str, FormatSpec] = {
    "jsonl": FormatSpec(
        name="jsonl",
        description="JSON Lines, one article per line with meta, spans and relations "
        "(spaCy/Prodigy-style; the native interchange format)",
        writer="annotator.formats.jsonl_export:write_jsonl",
        reader="annotator.formats.jsonl:read_jsonl_file",
        suffixes=(".jsonl",),
    ),
    "doccano": FormatSpec(
        name="doccano",
        description="doccano sequence-labeling JSONL ('label' lists, or 'entities' and "
        "'relations' when there are relations)",
        writer="annotator.formats.doccano:write_doccano",
        reader="annotator.formats.doccano:read_doccano",
        suffixes=(".jsonl",),
    ),
    "csv": FormatSpec(
        name="csv",
        description="CSV, one row per span (no article text: re-imports onto articles already "
        "in the project, matched by content hash)",
        writer="annotator.formats.csv_spans:write_csv_spans",
        reader="annotator.formats.csv_spans:read_csv_file",
        suffixes=(".csv",),
    ),
    "csv-articles": FormatSpec(
        name="csv-articles",
        description="CSV, one row per article: its fields, metadata, text and document labels "
        "(a doc_labels.FIELD column per field; no spans)",
        writer="annotator.formats.csv_article_export:write_csv_articles",
        reader="annotator.formats.csv_articles:read_csv_articles",
        suffixes=(".csv",),
    ),
    "labelstudio": FormatSpec(
        name="labelstudio",
        description="Label Studio JSON tasks with annotations, plus a labeling config "
        "(OUT.config.xml)",
        writer="annotator.formats.labelstudio:write_labelstudio",
        reader="annotator.formats.labelstudio:read_labelstudio",
        suffixes=(".json",),
    ),
    "parquet": FormatSpec(
        name="parquet",
        description="Apache Parquet tables articles/spans/relations.parquet in a folder "
        "(needs pyarrow)",
        writer="annotator.formats.parquet:write_parquet",
        reader="annotator.formats.parquet:read_parquet",
        folder=True,
        extra="parquet",
    ),
    "brat": FormatSpec(
        name="brat",
        description="brat standoff: a folder of NAME.txt + NAME.ann pairs with annotation.conf "
        "and visual.conf (spans, relations, attributes, notes)",
        writer="annotator.formats.brat:write_brat",
        reader="annotator.formats.brat:read_brat",
        folder=True,
    ),
    "conll": FormatSpec(
        name="conll",
        description="CoNLL-2003-style token<TAB>tag lines, IOB2 (or --scheme IOB1/BIOES); "
        "articles imported from CoNLL keep their tokens and sentences (labels only; overlaps, "
        "relations, notes and attributes are dropped and counted)",
        writer="annotator.formats.conll:write_conll",
        reader="annotator.formats.conll:read_conll",
        suffixes=(".conll",),
    ),
    "spacy": FormatSpec(
        name="spacy",
        description="spaCy DocBin (.spacy): spans in doc.spans['sc'] (overlaps kept), "
        "entities where they do not overlap, document labels as cats (needs spaCy)",
        writer="annotator.formats.spacy_docbin:write_spacy",
        reader="annotator.formats.spacy_docbin:read_spacy",
        suffixes=(".spacy",),
        extra="spacy",
    ),
    "hf": FormatSpec(
        name="hf",
        description="Hugging Face datasets token classification: a folder written by "
        "save_to_disk (tokens, ner_tags as ClassLabel, plus text, spans, relations and meta "
        "columns; needs datasets)",
        writer="annotator.formats.hf_datasets:write_hf",
        reader="annotator.formats.hf_datasets:read_hf",
        folder=True,
        extra="hf",
    ),
    "xmi": FormatSpec(
        name="xmi",
        description="UIMA CAS XMI for INCEpTION and DKPro: a folder of one .xmi per article "
        "plus TypeSystem.xml, spans as webanno.custom.Span with a label feature (needs "
        "dkpro-cassis)",
        writer="annotator.formats.xmi:write_xmi",
        reader="annotator.formats.xmi:read_xmi",
        folder=True,
        suffixes=(".xmi",),
        extra="xmi",
    ),
    "webanno-tsv": FormatSpec(
        name="webanno-tsv",
        description="WebAnno/INCEpTION TSV 3.3: a folder of one .tsv per article (tokens, "
        "stacked spans with disambiguation ids, relations; no titles or metadata)",
        writer="annotator.formats.webanno_tsv:write_webanno_tsv",
        reader="annotator.formats.webanno_tsv:read_webanno_tsv",
        folder=True,
        suffixes=(".tsv",),
    ),
    "labelstudio-min": FormatSpec(
        name="labelstudio-min",
        description="Label Studio JSON-MIN: a JSON array of flat records, one per article and "
        "annotator (regions with start, end, text, labels)",
        writer="annotator.formats.labelstudio_min:write_labelstudio_min",
        reader="annotator.formats.labelstudio_min:read_labelstudio_min",
        suffixes=(".json",),
    ),
}


def get_format(name: str) -> FormatSpec:
    """The format of that name; :class:`ExportError` listing the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(
            f"unknown format {name!r}; known formats: " + ", ".join(sorted(FORMATS))
        ) from None


def export_formats() -> list[FormatSpec]:
    return [spec for spec in FORMATS.values() if spec.writer is not None]


def import_formats() -> list[FormatSpec]:
    return [spec for spec in FORMATS.values() if spec.reader is not None]
