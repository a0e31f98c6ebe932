"""Pointing the raw sources at a user's own files (CSV or Parquet), read in place by DuckDB.

``source_vars(data_dir)`` checks the files before dbt starts (a required column missing or of
the wrong type fails fast, naming the file and the column), fills optional columns that are
absent with nulls (with a warning), stands in an empty table for missing feedback or photo
metadata, derives the category and region lists from the sales when they are not given, and
returns the dbt vars that set each source's `external_location`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError

log = logging.getLogger(__name__)


class SourceFileError(WarehouseError, ValueError):
    """A user's file cannot serve as a source; the message names the file and the column."""


@dataclass(frozen=True)
class TableSpec:
    """The columns a raw table needs, may have, and the type each required column must hold."""

    required: dict[str, str]
    optional: tuple[str, ...] = ()
    may_be_absent: bool = False


TABLES: dict[str, TableSpec] = {
    "sales": TableSpec(
        {"date": "date", "sales_amount": "double", "product_category": "varchar", "region": "varchar"},
        ("marketing_spend", "weather_score"),
    ),
    "feedback": TableSpec(
        {"feedback_id": "bigint", "date": "date", "product_category": "varchar", "feedback_text": "varchar"},
        ("rating",),
        may_be_absent=True,
    ),
    "product_images": TableSpec(
        {"image_id": "bigint", "product_category": "varchar", "image_path": "varchar"},
        ("uploaded_at",),
        may_be_absent=True,
    ),
    "product_categories": TableSpec({"product_category": "varchar"}, ("department",), may_be_absent=True),
    "regions": TableSpec({"region": "varchar"}, may_be_absent=True),
}


def quote_literal(text: str) -> str:
    """A SQL string literal: single quotes doubled, so a path can never end the literal."""
    return "'" + text.replace("'", "''") + "'"


def find_file(data_dir: Path, table: str) -> Path | None:
    """``<table>.csv`` or ``<table>.parquet`` in the folder, whichever exists."""
    for suffix in (".csv", ".parquet"):
        candidate = data_dir / f"{table}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def check_utf8(path: Path) -> None:
    """A CSV must be UTF-8: name the first bad line and byte instead of a reader's stack trace."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceFileError(
            f"{path}: line {line}, byte {column}: invalid UTF-8 ({data[error.start:error.start + 1]!r}); "
            "re-export the file as UTF-8"
        ) from error


def reader_sql(path: Path) -> str:
    """DuckDB table function reading the file in place; CSV columns stay text for staging."""
    literal = quote_literal(str(path.resolve()))
    if path.suffix == ".parquet":
        return f"read_parquet({literal})"
    return f"read_csv({literal}, header = true, all_varchar = true)"


def file_columns(connection: duckdb.DuckDBPyConnection, reader: str, path: Path) -> dict[str, str]:
    """Column name (lower case) to DuckDB type, or a clear error when the file cannot be read."""
    try:
        described = connection.execute(f"describe select * from {reader}").fetchall()
    except duckdb.Error as error:
        raise SourceFileError(f"{path}: cannot be read as {path.suffix[1:]}: {error}") from error
    return {name.lower(): str(kind) for name, kind, *_ in described}


def check_required(
    connection: duckdb.DuckDBPyConnection, reader: str, path: Path, spec: TableSpec, columns: dict[str, str]
) -> None:
    """Fail fast on a missing required column, or one where no value has the needed type."""
    for column, kind in spec.required.items():
        if column not in columns:
            raise SourceFileError(
                f"{path}: required column '{column}' is missing (found: {', '.join(columns) or 'none'})"
            )
        if kind == "varchar":
            continue
        quoted = '"' + column.replace('"', '""') + '"'
        present, castable = connection.execute(
            f"select count({quoted}), count(try_cast({quoted} as {kind})) from {reader}"
        ).fetchone()
        if present and not castable:
            raise SourceFileError(
                f"{path}: column '{column}' should hold {kind} values, but none of its {present} values "
                f"converts (type {columns[column]})"
            )


def table_sql(connection: duckdb.DuckDBPyConnection, path: Path, spec: TableSpec) -> str:
    """A subquery over the file with every optional column present (null when absent)."""
    if path.suffix == ".csv":
        check_utf8(path)
    reader = reader_sql(path)
    columns = file_columns(connection, reader, path)
    check_required(connection, reader, path, spec, columns)
    missing = [c for c in spec.optional if c not in columns]
    for column in missing:
        log.warning("%s has no '%s' column: it is treated as unknown and what needs it is dropped", path, column)
    if not missing:
        return f"(select * from {reader})"
    nulls = ", ".join(f"cast(null as varchar) as {c}" for c in missing)
    return f"(select *, {nulls} from {reader})"


def empty_table_sql(spec: TableSpec) -> str:
    """A typed empty table with the raw columns, for a data set without this table."""
    columns = ", ".join(f"cast(null as varchar) as {c}" for c in (*spec.required, *spec.optional))
    return f"(select {columns} where false)"


def source_vars(data_dir: Path) -> dict[str, str]:
    """The dbt vars that point every raw source at the user's files in ``data_dir``."""
    if not data_dir.is_dir():
        raise SourceFileError(f"{data_dir}: no such folder")
    variables: dict[str, str] = {}
    with duckdb.connect() as connection:
        sales_file = find_file(data_dir, "sales")
        if sales_file is None:
            raise SourceFileError(f"{data_dir}: sales.csv or sales.parquet is required")
        for table, spec in TABLES.items():
            path = find_file(data_dir, table)
            if path is not None:
                variables[f"raw_{table}_location"] = table_sql(connection, path, spec)
            elif table in ("product_categories", "regions"):
                key = "product_category" if table == "product_categories" else "region"
                extra = ", cast(null as varchar) as department" if table == "product_categories" else ""
                log.info("no %s file in %s: the list comes from the sales", table, data_dir)
                variables[f"raw_{table}_location"] = f"(select distinct {key}{extra} from {reader_sql(sales_file)})"
            else:
                log.warning("no %s file in %s: building without %s", table, data_dir, table.replace("_", " "))
                variables[f"raw_{table}_location"] = empty_table_sql(spec)
    images = data_dir / "images"
    variables["images_dir"] = str(images.resolve())
    variables["truth_dir"] = str((data_dir / "truth").resolve())
    return variables
