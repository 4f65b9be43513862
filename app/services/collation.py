"""Text sorted and searched the same way in a file and in an office database.

SQLite compares text byte for byte, and its lower() and LIKE fold the ASCII letters A-Z only.
A PostgreSQL server compares text by its database's collation, which on most servers is
linguistic (en_US.UTF-8: "Ärzte" among the A's, spaces and hyphens ignored at first), and its
lower() and ILIKE fold every letter. Lists ordered and searched in SQL use the expressions here,
which ask the server for SQLite's rules (the "C" collation): an office database then lists and
finds exactly what a file does, and app.services.jurisdictions.list_order places a row where
the list has it, whatever the server's collation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, literal
from sqlalchemy.sql.functions import FunctionElement

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower_text(text: str) -> str:
    """What SQLite's lower() makes of text: only A-Z change."""
    return text.translate(_ASCII_LOWER)


class ascii_lower(FunctionElement[str]):  # noqa: N801 - an SQL function, named as SQL names them
    """lower(text) folding A-Z only, compared byte for byte: a sort key for ORDER BY."""

    type = String()
    name = "ascii_lower"
    inherit_cache = True


@compiles(ascii_lower)
def _ascii_lower_default(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(ascii_lower, "postgresql")
def _ascii_lower_postgresql(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    # Under the "C" collation lower() folds A-Z only, and its result compares bytewise.
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "C")'


class contains_ascii_nocase(FunctionElement[bool]):  # noqa: N801 - an SQL expression
    """Whether text contains what was searched for, ignoring the case of A-Z only, as SQLite's
    LIKE does: ``lower(text) LIKE %search%``. % and _ typed in the search are wildcards on both
    stores, a backslash a plain character on both."""

    type = Boolean()
    name = "contains_ascii_nocase"
    inherit_cache = True

    def __init__(
        self, column: ColumnElement[Any] | InstrumentedAttribute[Any], search: str
    ) -> None:
        super().__init__(column, literal(f"%{ascii_lower_text(search)}%", String()))


@compiles(contains_ascii_nocase)
def _contains_default(element: contains_ascii_nocase, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(lower({column}) LIKE {pattern})"


@compiles(contains_ascii_nocase, "postgresql")
def _contains_postgresql(element: contains_ascii_nocase, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL's LIKE takes a backslash as its escape character unless told otherwise;
    # SQLite's has none.
    column, pattern = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(lower(({column}) COLLATE \"C\") LIKE {pattern} ESCAPE '')"
