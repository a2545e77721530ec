"""The project file's schema, kept as sqlite-utils migrations so files can be upgraded."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# "NANT" in the file header: tells a News Annotator project from any other SQLite file.
APPLICATION_ID = int.from_bytes(b"NANT", "big")
MIGRATION_SET = "news-annotator"

migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in progress', 'done')),
            meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            color TEXT NOT NULL,
            hotkey TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            annotator TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            attributes TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (0 <= start AND start < "end")
        );
        CREATE INDEX spans_by_article ON spans(article_id, start);
        CREATE INDEX spans_by_label ON spans(label_id);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            head_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            child_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            annotator TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX relations_by_article ON relations(article_id);
        CREATE INDEX relations_by_head ON relations(head_id);
        CREATE INDEX relations_by_child ON relations(child_id);
        CREATE TABLE project_info (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
    db.table("articles").enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")


@migrations(name="0002_article_list_indexes")
def _article_list_indexes(db: Database) -> None:
    """Indexes that let the article list sort and filter 50,000 articles page by page.

    Each ORDER BY of :data:`annotator.store.articles.ARTICLE_SORT_KEYS` for status, title and
    source is an index scan that stops after one page (status is ranked new, in progress, done;
    the expression must stay the same as the query's). Filtering by label looks up
    (label, article) pairs instead of every span of a label for each article; that index also
    serves everything the old one on the label alone did, so it replaces it.

    The search index is refreshed when an article's title or text changes, no longer on every
    update of its row: each status change (and the first span on a new article) removed and
    re-added the whole text to the index. The index holds title and text only, so it stays
    exactly the same.
    """
    db.executescript(
        """
        DROP TRIGGER articles_au;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
          INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE INDEX articles_by_status ON articles(
            CASE status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END, id
        );
        CREATE INDEX articles_by_title ON articles(title COLLATE NOCASE);
        CREATE INDEX articles_by_source ON articles(source COLLATE NOCASE);
        CREATE INDEX spans_by_label_article ON spans(label_id, article_id);
        DROP INDEX spans_by_label;
        """
    )


@migrations(name="0003_suggestion_rejections")
def _suggestion_rejections(db: Database) -> None:
    """Suggestions an analyst rejected, so that running the suggester again never proposes them
    anew. Keyed by the label's name, not its id: a label deleted and made again still counts."""
    db.executescript(
        """
        CREATE TABLE suggestion_rejections (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            rejected_by TEXT NOT NULL DEFAULT '',
            rejected_at TEXT NOT NULL,
            UNIQUE (article_id, start, "end", label)
        );
        """
    )


@migrations(name="0004_article_list_by_date")
def _article_list_by_date(db: Database) -> None:
    """The article list sorts by publication date too: an index scan that stops after a page,
    as for title, source and status (the expression matches ARTICLE_SORT_KEYS["published"])."""
    db.execute("CREATE INDEX articles_by_published ON articles(published)")


@migrations(name="0005_corpus_schema")
def _corpus_schema(db: Database) -> None:
    """The label schema and document-level labels.

    A label may sit under a parent label (Source ▸ Anonymous) and define the attributes its
    spans carry (a Claim's verdict: one of a list of choices). Document-level label fields
    (Frame: conflict / economic ...) are defined per project; an article holds values of them,
    each stored as a string (several for a multiple-choice field).

    Span texts get a full-text index of their own, so that "quotes containing sanctions" reads
    the matching spans of a label instead of highlighting every article that mentions the word.
    An index serves the article-list filter by annotator.
    """
    db.executescript(
        """
        CREATE TABLE label_parents (
            label_id INTEGER PRIMARY KEY REFERENCES labels(id) ON DELETE CASCADE,
            parent_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            CHECK (label_id != parent_id)
        );
        CREATE TABLE label_attributes (
            id INTEGER PRIMARY KEY,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('choice', 'text', 'number')),
            choices TEXT NOT NULL DEFAULT '[]',
            minimum REAL,
            maximum REAL,
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (label_id, name)
        );
        CREATE TABLE doc_fields (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'number', 'text')),
            choices TEXT NOT NULL DEFAULT '[]',
            minimum REAL,
            maximum REAL,
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE doc_labels (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            field_id INTEGER NOT NULL REFERENCES doc_fields(id) ON DELETE CASCADE,
            value TEXT NOT NULL,
            PRIMARY KEY (article_id, field_id, value)
        ) WITHOUT ROWID;
        CREATE INDEX doc_labels_by_field ON doc_labels(field_id, value, article_id);
        CREATE INDEX spans_by_annotator_article ON spans(annotator, article_id);
        CREATE VIRTUAL TABLE spans_fts USING fts5(
            text, content='spans', content_rowid='id', tokenize='unicode61'
        );
        CREATE TRIGGER spans_fts_ai AFTER INSERT ON spans BEGIN
          INSERT INTO spans_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER spans_fts_ad AFTER DELETE ON spans BEGIN
          INSERT INTO spans_fts (spans_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER spans_fts_au AFTER UPDATE OF text ON spans BEGIN
          INSERT INTO spans_fts (spans_fts, rowid, text) VALUES ('delete', old.id, old.text);
          INSERT INTO spans_fts (rowid, text) VALUES (new.id, new.text);
        END;
        INSERT INTO spans_fts (spans_fts) VALUES ('rebuild');
        """
    )


@migrations(name="0006_corpus_covering_indexes")
def _corpus_covering_indexes(db: Database) -> None:
    """Indexes that answer corpus statistics and list filters without reading article rows.

    An article's row holds its text before its status, source and date, so reading any of
    those from the table walks the text's overflow pages: 50,000 articles meant reading the
    whole corpus. This index holds them (and the id) on their own. Spans per label and
    annotator, with the articles they are in, are counted from the second index alone.
    """
    db.executescript(
        """
        CREATE INDEX articles_meta ON articles(status, source, published);
        CREATE INDEX spans_by_label_annotator ON spans(label_id, annotator, article_id);
        """
    )


@migrations(name="0007_article_ids_relation_types")
def _article_ids_relation_types(db: Database) -> None:
    """Two narrow indexes for a window that comes up at once over 100,000 articles.

    The article list in id order pages and finds an article's row by counting ids: over the
    table itself that walks every article row before it (each holds its text's first part),
    over this index a few hundred small pages. The relation types offered in the window are
    the distinct types in use: read from an index instead of every relation.
    """
    db.executescript(
        """
        CREATE INDEX articles_ids ON articles(id);
        CREATE INDEX relations_by_type ON relations(type);
        """
    )


@migrations(name="0008_article_notes_search")
def _article_notes_search(db: Database) -> None:
    """Search covers the analysts' notes on spans as well as titles and bodies.

    The notes of each article are indexed together, one row per article with the article's id
    as its rowid (its notes in span order, one per line), so that the search walks notes in
    article order alongside the title-and-text index, a page at a time, however many notes
    match. Triggers keep the row in step with every span that has (or had) a note.
    """

    def refresh(article: str) -> str:
        return (
            f"DELETE FROM article_notes_fts WHERE rowid = {article};"
            " INSERT INTO article_notes_fts (rowid, notes)"
            f" SELECT {article}, n FROM (SELECT group_concat(note, char(10)) AS n FROM"
            f" (SELECT note FROM spans WHERE article_id = {article} AND note != ''"
            " ORDER BY id)) WHERE n IS NOT NULL;"
        )

    db.executescript(
        f"""
        CREATE VIRTUAL TABLE article_notes_fts USING fts5(notes, tokenize='unicode61');
        CREATE TRIGGER article_notes_ai AFTER INSERT ON spans WHEN new.note != '' BEGIN
          {refresh("new.article_id")}
        END;
        CREATE TRIGGER article_notes_ad AFTER DELETE ON spans WHEN old.note != '' BEGIN
          {refresh("old.article_id")}
        END;
        CREATE TRIGGER article_notes_au AFTER UPDATE OF note, article_id ON spans
        WHEN old.note != '' OR new.note != '' BEGIN
          {refresh("old.article_id")}
          {refresh("new.article_id")}
        END;
        INSERT INTO article_notes_fts (rowid, notes)
          SELECT article_id, group_concat(note, char(10)) FROM
            (SELECT article_id, note FROM spans WHERE note != '' ORDER BY article_id, id)
          GROUP BY article_id;
        """
    )


@migrations(name="0009_article_label_summary")
def _article_label_summary(db: Database) -> None:
    """Which labels and annotators each article holds, with the rank of the article's status,
    kept by triggers: the article-list filters by label or annotator, their counts per status,
    their pages and an article's row in them read these instead of every span.

    ``article_labels`` has one row per (article, label) that has spans, counting them, and
    ``article_annotators`` one per (article, annotator); every insert, delete and change of a
    span, and every status change, keeps them in step. The status is kept as its rank in the
    list's order (new 0, in progress 1, done 2). Their index by (label or annotator, rank,
    article) answers "how many articles hold a Claim, per status" and pages the list sorted by
    status from one range of small entries; the index by (label or annotator, article) pages it
    in id order; "does this article hold one" is one lookup of the key.

    An index on (id, status) gives an article's status without reading its row (which holds
    the text before the status: reading it walks the text's pages); it also pages the list in
    id order, so it replaces the index on ids alone.
    """
    rank = "CASE {s} WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END"

    def add(table: str, column: str, value: str) -> str:
        return (
            f"INSERT INTO {table} (article_id, {column}, status_rank, spans)"
            f" SELECT new.article_id, {value}, {rank.format(s='a.status')}, 1"
            " FROM articles a INDEXED BY articles_status_by_id WHERE a.id = new.article_id"
            f" ON CONFLICT (article_id, {column}) DO UPDATE SET spans = spans + 1;"
        )

    def remove(table: str, column: str, value: str) -> str:
        return (
            f"UPDATE {table} SET spans = spans - 1"
            f" WHERE article_id = old.article_id AND {column} = {value};"
            f" DELETE FROM {table}"
            f" WHERE article_id = old.article_id AND {column} = {value} AND spans <= 0;"
        )

    db.executescript(
        """
        CREATE INDEX articles_status_by_id ON articles(id, status);
        DROP INDEX articles_ids;
        """
    )
    for table, column in (("article_labels", "label_id"), ("article_annotators", "annotator")):
        kind = "INTEGER" if column == "label_id" else "TEXT"
        short = column.removesuffix("_id")
        add_new = add(table, column, f"new.{column}")
        remove_old = remove(table, column, f"old.{column}")
        new_rank, a_rank = rank.format(s="new.status"), rank.format(s="a.status")
        db.executescript(
            f"""
            CREATE TABLE {table} (
                article_id INTEGER NOT NULL,
                {column} {kind} NOT NULL,
                status_rank INTEGER NOT NULL,
                spans INTEGER NOT NULL,
                PRIMARY KEY (article_id, {column})
            ) WITHOUT ROWID;
            CREATE INDEX {table}_by_{short}_status ON {table}({column}, status_rank, article_id);
            CREATE INDEX {table}_by_{short}_article ON {table}({column}, article_id);
            CREATE TRIGGER {table}_ai AFTER INSERT ON spans BEGIN
              {add_new}
            END;
            CREATE TRIGGER {table}_ad AFTER DELETE ON spans BEGIN
              {remove_old}
            END;
            CREATE TRIGGER {table}_au AFTER UPDATE OF {column}, article_id ON spans
            WHEN old.{column} != new.{column} OR old.article_id != new.article_id BEGIN
              {remove_old}
              {add_new}
            END;
            CREATE TRIGGER {table}_status AFTER UPDATE OF status ON articles
            WHEN old.status != new.status BEGIN
              UPDATE {table} SET status_rank = {new_rank} WHERE article_id = new.id;
            END;
            INSERT INTO {table} (article_id, {column}, status_rank, spans)
              SELECT s.article_id, s.{column}, {a_rank}, count(*)
              FROM spans s JOIN articles a INDEXED BY articles_status_by_id
                ON a.id = s.article_id
              GROUP BY s.article_id, s.{column};
            """
        )


KNOWN_MIGRATIONS = frozenset(m.name for m in migrations._migrations)
