"""Nothing from a file is executed or unpickled, and all SQL is parameterised: checked on the AST.

The SQL check reads every ``.execute``/``.executemany``/``.executescript``/``.query`` call in
annotator/store and annotator/review. Its SQL must be built from string literals; an f-string
may interpolate only a module constant, a run of ``?`` placeholders
(``', '.join('?' * len(xs))``), or one of the vetted expressions in :data:`VETTED`, each with the
reason it cannot carry a value from a file. Anything else, a new f-string interpolating a label
name, say, fails the test: pass the value as a parameter instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"
SQL_PACKAGES = ("store", "review")
SQL_METHODS = frozenset({"execute", "executemany", "executescript", "query"})
UNSAFE_MODULES = frozenset({"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "joblib"})
UNSAFE_BUILTINS = frozenset({"eval", "exec", "compile", "__import__"})
UNSAFE_ATTRIBUTES = frozenset({"read_pickle", "unsafe_load", "full_load", "load_extension"})
PLACEHOLDERS = re.compile(r"', '\.join\('\?' \* len\(\w+\)\)")

# (module, function, interpolated expression): why it cannot carry a value from a file.
VETTED: dict[tuple[str, str, str], str] = {
    ("store/backup_files.py", "count", "table"): "count() is called with the literals 'articles', "
    "'spans' only",
    ("store/opening.py", "prepare", "APPLICATION_ID"): "an int constant of schema.py",
    ("store/layers.py", "delete_rows", "table"): "iterates a literal tuple of table names",
    ("store/readonly.py", "check_schema", "table"): "keys of REQUIRED_COLUMNS that are also in "
    "sqlite_master, so both a literal and an existing table",
    ("store/counts.py", "export_counts", "article_where"): "'WHERE status = ?' or ''",
    ("store/counts.py", "export_counts", "where"): "'WHERE ' joined with literal clauses that "
    "hold only ? placeholders",
    ("store/articles.py", "count", "where"): "ArticleQuery.where(): literal clauses with ? "
    "placeholders",
    ("store/articles.py", "page_ids", "where"): "ArticleQuery.where(): literal clauses with "
    "? placeholders",
    ("store/articles.py", "page_ids", "direction"): "'DESC' if descending else 'ASC'",
    ("store/articles.py", "page_ids", "order"): "ArticleQuery.key (ARTICLE_SORT_KEYS.get("
    "order_by, 'a.id')) and direction, both literals",
    ("store/articles.py", "position", "where"): "ArticleQuery.where(): literal clauses with "
    "? placeholders",
    ("store/articles.py", "position", "joiner"): "'AND' if where else 'WHERE'",
    ("store/articles.py", "position", "key"): "ArticleQuery.key: ARTICLE_SORT_KEYS.get("
    "order_by, 'a.id'), a value of a literal dict, whatever order_by is",
    ("store/articles.py", "position", "before"): "'>' if descending else '<'",
    ("store/labels.py", "update", "assignments"): "'name = ?' for keys checked against "
    "the literal set {'name', 'color', 'hotkey', 'description'}",
    ("store/spans.py", "update", "assignments"): "'\"key\" = ?' for keys checked against "
    "a literal set, plus 'text' and 'updated_at'",
    ("store/stream.py", "iter_article_rows", "span_filter"): "' AND ' before literal clauses "
    "with ? placeholders",
    ("store/stream.py", "_subset", "span_filter"): "iter_article_rows()'s span_filter",
    ("store/stream.py", "_subset", "status_clause"): "' AND status = ?' or ''",
    ("store/filters.py", "filtered_count", "where"): "where_clause(): literal clauses with ? "
    "placeholders",
    ("store/filters.py", "_combined_matches", "where"): "where_clause(): literal clauses with ? "
    "placeholders",
    ("store/filters.py", "status_counts", "where"): "where_clause(): literal clauses with ? "
    "placeholders",
    ("store/filters.py", "filtered_page_ids", "where"): "where_clause(): literal clauses with ? "
    "placeholders",
    ("store/filters.py", "filtered_page_ids", "order"): "ARTICLE_SORT_KEYS.get(order_by, 'a.id') "
    "and 'ASC'/'DESC', both literals",
    ("store/filters.py", "filtered_position", "where"): "where_clause(): literal clauses with ? "
    "placeholders",
    ("store/filters.py", "filtered_position", "joiner"): "'AND' if where else 'WHERE'",
    ("store/filters.py", "filtered_position", "key"): "ARTICLE_SORT_KEYS.get(order_by, 'a.id'): "
    "a value of a literal dict",
    ("store/filters.py", "filtered_position", "before"): "'>' if descending else '<'",
    ("store/search.py", "matching_article_count", "clauses"): "_span_clauses(): literal clauses "
    "with ? placeholders",
    ("store/search.py", "_span_hits", "clauses"): "_span_clauses(): literal clauses with ? "
    "placeholders",
    ("store/sources.py", "sources", "where"): "' AND s.article_id = ?' or ''",
    ("store/sources.py", "sources", "relation_where"): "' AND r.article_id = ?' or ''",
    ("store/articles.py", "summary", "_SUMMARY"): "a module constant built from literals and "
    "_SPAN_COUNT",
    ("store/articles.py", "summary", "_SPAN_COUNT"): "a module constant built from literals and "
    "the literal SUGGESTION_ANNOTATOR",
    ("store/articles.py", "summaries_of", "_SUMMARY"): "a module constant built from literals",
    ("store/filters.py", "filtered_page_ids", "direction"): "'DESC' if descending else 'ASC'",
    ("store/filters.py", "filtered_page_ids", "table"): "_table(): _COVERED or 'articles a', "
    "literals",
    ("store/filters.py", "filtered_count", "_table(f)"): "_COVERED or 'articles a', literals",
    ("store/filters.py", "filtered_position", "_table(f)"): "_COVERED or 'articles a', literals",
    **{
        ("store/schema.py", "_article_notes_search", f"refresh({arg!r})"): "trigger text "
        "around the literal 'new.article_id' or 'old.article_id'"
        for arg in ("new.article_id", "old.article_id")
    },
    **{
        ("store/schema.py", "_article_label_summary", name): "a literal table or column name of "
        "the loop's literal tuple, or trigger text built from them"
        for name in ("table", "column", "kind", "short", "add_new", "remove_old", "new_rank")
    },
    ("store/schema.py", "_article_label_summary", "a_rank"): "a literal CASE expression",
    ("store/bulk_indexes.py", "set_aside", "name"): "a key of _KNOWN: a literal trigger name",
    **{
        ("store/summaries.py", function, name): "_TABLES' literal table, key column and index "
        "names (never input), 'ASC'/'DESC', '<'/'>' or a literal ORDER BY"
        for function, names in (
            ("count", ("table", "column")),
            ("per_status", ("table", "column")),
            ("page_ids", ("table", "column", "index", "order", "direction")),
            ("position", ("table", "column", "before")),
        )
        for name in names
    },
}


def modules(*packages: str) -> Iterator[tuple[str, ast.Module]]:
    roots = [PACKAGE / p for p in packages] if packages else [PACKAGE]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text("utf-8"))


# ------------------------------------------------------------------- nothing is executed
def unsafe_code(name: str, tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [
                f"{where} imports {a.name}" for a in node.names if _top(a.name) in UNSAFE_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and _top(node.module or "") in UNSAFE_MODULES:
            found.append(f"{where} imports from {node.module}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in UNSAFE_BUILTINS:
                found.append(f"{where} calls {func.id}()")
            elif isinstance(func, ast.Attribute):
                if func.attr in UNSAFE_ATTRIBUTES or (
                    func.attr in UNSAFE_BUILTINS and ast.unparse(func.value) == "builtins"
                ):
                    found.append(f"{where} calls .{func.attr}()")
                elif func.attr == "load" and ast.unparse(func.value) == "yaml":
                    loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                    if loader is None or "Safe" not in ast.unparse(loader):
                        found.append(f"{where} calls yaml.load() without SafeLoader")
                elif func.attr == "import_module" and name != "formats/registry.py":
                    found.append(f"{where} imports a module by name")
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def test_no_module_unpickles_evaluates_or_imports_by_a_name_it_read() -> None:
    problems = [p for name, tree in modules() for p in unsafe_code(name, tree)]
    assert problems == []


def test_the_only_import_by_name_is_the_format_registry_with_literal_targets() -> None:
    from annotator.formats.registry import FORMATS

    for spec in FORMATS.values():
        for target in (spec.reader, spec.writer):
            assert target is None or target.startswith("annotator.formats.")


def test_the_code_check_finds_what_it_should() -> None:
    bad = ast.parse(
        "import pickle\nfrom marshal import loads\nimport yaml\n"
        "eval(x)\nexec(y)\ncompile(z, 'f', 'exec')\nyaml.load(s)\n"
        "yaml.load(s, Loader=yaml.SafeLoader)\npandas.read_pickle(p)\n"
        "builtins.eval(q)\nre.compile('ok')\ndialog.exec()\n"
    )
    assert [p.split(" ", 1)[1] for p in unsafe_code("x.py", bad)] == [
        "imports pickle",
        "imports from marshal",
        "calls eval()",
        "calls exec()",
        "calls compile()",
        "calls yaml.load() without SafeLoader",
        "calls .read_pickle()",
        "calls .eval()",
    ]


# ------------------------------------------------------------------ SQL is parameterised
def module_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound once to a literal string or number, here or in the annotator
    module they are imported from."""
    constants = _literal_names(tree)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("annotator."):
            source = PACKAGE.parent / (node.module or "").replace(".", "/")
            path = source.with_suffix(".py") if source.with_suffix(".py").is_file() else None
            if path is not None:
                theirs = _literal_names(ast.parse(path.read_text("utf-8")))
                constants |= {a.asname or a.name for a in node.names if a.name in theirs}
    return constants


def _literal_names(tree: ast.Module) -> set[str]:
    names: dict[str, int] = {}
    literal: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = names.get(target.id, 0) + 1
                    if isinstance(node.value, ast.Constant) and isinstance(
                        node.value.value, str | int
                    ):
                        literal.add(target.id)
    return {name for name in literal if names[name] == 1}


def sql_problems(name: str, tree: ast.Module) -> list[str]:
    constants = module_constants(tree)
    problems: list[str] = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for function in functions:
        for node in _own_nodes(function):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_METHODS
            ):
                continue
            sql = (
                node.args[0]
                if node.args
                else next((k.value for k in node.keywords if k.arg in ("sql", "sql_script")), None)
            )
            if sql is None:
                continue
            for problem in _sql_expr(sql, function, name, constants, set()):
                problems.append(f"{name}:{node.lineno} in {function.name}(): {problem}")
    return problems


def _sql_expr(
    expr: ast.expr, function: ast.FunctionDef, module: str, constants: set[str], seen: set[str]
) -> list[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return []
    if isinstance(expr, ast.JoinedStr):
        return [
            f"interpolates {ast.unparse(part.value)!r}"
            for part in expr.values
            if isinstance(part, ast.FormattedValue)
            and not _safe_interpolation(part.value, function, module, constants)
        ]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _sql_expr(expr.left, function, module, constants, seen) + _sql_expr(
            expr.right, function, module, constants, seen
        )
    if isinstance(expr, ast.IfExp):
        return _sql_expr(expr.body, function, module, constants, seen) + _sql_expr(
            expr.orelse, function, module, constants, seen
        )
    if isinstance(expr, ast.Name):
        if expr.id in constants or expr.id in seen:
            return []
        values = list(_assigned(function, expr.id))
        if not values:
            return [f"SQL in {expr.id!r}, which is not built here from literals"]
        return [
            problem
            for value in values
            for problem in _sql_expr(value, function, module, constants, seen | {expr.id})
        ]
    return [f"SQL built as {ast.unparse(expr)!r}"]


def _own_nodes(function: ast.FunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, those of the functions nested in it left out."""
    stack: list[ast.AST] = [
        node
        for node in function.body
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        )


def _assigned(function: ast.FunctionDef, name: str) -> Iterator[ast.expr]:
    """Every value assigned (or added with +=) to ``name`` in the function."""
    for node in _own_nodes(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            yield node.value
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and (
            isinstance(node.target, ast.Name) and node.target.id == name and node.value
        ):
            assert node.value is not None
            yield node.value


def _safe_interpolation(
    value: ast.expr, function: ast.FunctionDef, module: str, constants: set[str]
) -> bool:
    text = ast.unparse(value)
    if PLACEHOLDERS.fullmatch(text):
        return True
    if isinstance(value, ast.Name) and value.id in constants:
        return True
    return (module, function.name, text) in VETTED


def test_all_sql_in_store_and_review_is_parameterised() -> None:
    problems = [p for name, tree in modules(*SQL_PACKAGES) for p in sql_problems(name, tree)]
    assert problems == []
    calls = sum(
        1
        for _, tree in modules(*SQL_PACKAGES)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_METHODS
    )
    assert calls > 100  # the check saw the store's queries, not an empty list


def test_every_vetted_interpolation_still_exists() -> None:
    """A vetted entry whose code is gone is removed, so the list stays exactly what is used."""
    used = set()
    for name, tree in modules(*SQL_PACKAGES):
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for node in _own_nodes(function):
                if isinstance(node, ast.FormattedValue):
                    used.add((name, function.name, ast.unparse(node.value)))
    assert set(VETTED) - used == set()


@pytest.mark.parametrize(
    "source",
    [
        "def f(conn, name):\n    conn.execute(f\"SELECT * FROM labels WHERE name = '{name}'\")",
        "def f(conn, label):\n    sql = f'DELETE FROM spans WHERE label = {label!r}'\n"
        "    conn.execute(sql)",
        "def f(conn, value):\n    conn.execute('SELECT ' + value)",
        "def f(conn, value):\n    conn.execute('SELECT %s' % value)",
        "def f(conn, value):\n    conn.execute('SELECT {}'.format(value))",
        "def f(db, where):\n    db.query(f'SELECT * FROM articles {where}')",
        "def f(conn, table):\n    conn.executescript(f'DROP TABLE {table}')",
        "def f(conn, sql):\n    conn.execute(sql)",
        "def f(conn, names):\n    sql = 'SELECT 1'\n    sql += f' AND x IN ({names})'\n"
        "    conn.execute(sql)",
    ],
)
def test_the_sql_check_fails_on_interpolated_values(source: str) -> None:
    assert sql_problems("store/new.py", ast.parse(source)) != []


def test_the_sql_check_accepts_placeholders_and_constants() -> None:
    source = (
        "COLUMNS = 'id, name'\n"
        "def f(conn, ids, name):\n"
        "    sql = f'SELECT {COLUMNS} FROM t WHERE name = ?'\n"
        "    sql += f\" AND id IN ({', '.join('?' * len(ids))})\"\n"
        "    conn.execute(sql, [name, *ids])\n"
        "    conn.executemany('UPDATE t SET name = ? WHERE id = ?', [])\n"
    )
    assert sql_problems("store/new.py", ast.parse(source)) == []


def test_vetted_interpolations_hold_up_against_hostile_values(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.annot")
    try:
        article_id, _ = project.add_article(ArticleDraft(text="Some text here.", title="T"))
        before = project.counts()
        hostile = "title; DROP TABLE articles; --"
        assert [s.id for s in project.article_summaries(order_by=hostile)] == [article_id]
        label = project.labels()[0]
        with pytest.raises(ValueError):
            project.update_label(label.id, **{"name = 'x'; --": "y"})
        span = project.add_span(article_id, 0, 4, label.id, "ann")
        with pytest.raises(ValueError):
            project.update_span(span.id, **{"note\" = 'x'; --": "y"})
        project.update_label(label.id, name="Robert'); DROP TABLE labels;--")
        assert project.label(label.id).name == "Robert'); DROP TABLE labels;--"
        assert project.counts() == {**before, "spans": before["spans"] + 1}
    finally:
        project.close()
