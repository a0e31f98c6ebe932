"""Your own files as sources: checked before dbt starts, read in place, gaps filled or named."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.sources import SourceFileError, quote_literal, source_vars

SALES_HEADER = "date,sales_amount,product_category,region,marketing_spend,weather_score\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def rows_of(sql: str) -> list[tuple]:
    return duckdb.connect().execute(f"select * from {sql}").fetchall()


def test_a_folder_without_sales_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="sales.csv or sales.parquet is required"):
        source_vars(tmp_path)


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    write(tmp_path / "sales.csv", "date,sales_amount,product_category\n2024-01-01,1,Toys\n")
    with pytest.raises(SourceFileError, match=r"sales.csv: required column 'region' is missing"):
        source_vars(tmp_path)


def test_a_column_of_the_wrong_type_fails_fast(tmp_path: Path) -> None:
    write(tmp_path / "sales.csv", SALES_HEADER + "2024-01-01,lots,Toys,Mars,1,0.5\n2024-01-02,many,Toys,Mars,1,0.5\n")
    with pytest.raises(SourceFileError, match=r"column 'sales_amount' should hold double values, but none of its 2"):
        source_vars(tmp_path)


def test_one_bad_value_is_left_to_the_staging_rules(tmp_path: Path) -> None:
    write(tmp_path / "sales.csv", SALES_HEADER + "2024-01-01,lots,Toys,Mars,1,0.5\n2024-01-02,3.5,Toys,Mars,1,0.5\n")
    variables = source_vars(tmp_path)
    assert len(rows_of(variables["raw_sales_location"])) == 2


def test_optional_columns_and_tables_may_be_absent(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "sales.csv", "date,sales_amount,product_category,region\n2024-01-01,1,Toys,Mars\n")
    variables = source_vars(tmp_path)
    sales = duckdb.connect().execute(f"select * from {variables['raw_sales_location']}").df()
    assert list(sales.columns) == ["date", "sales_amount", "product_category", "region", "marketing_spend", "weather_score"]
    assert sales["marketing_spend"].isna().all()
    assert "has no 'marketing_spend' column" in caplog.text
    assert rows_of(variables["raw_feedback_location"]) == []
    assert "building without feedback" in caplog.text
    assert rows_of(variables["raw_product_categories_location"]) == [("Toys", None)]
    assert rows_of(variables["raw_regions_location"]) == [("Mars",)]


def test_parquet_is_read_in_place(tmp_path: Path) -> None:
    target = tmp_path / "sales.parquet"
    duckdb.connect().execute(
        f"copy (select date '2024-01-01' as date, 2.5 as sales_amount, 'Toys' as product_category, "
        f"'Mars' as region) to {quote_literal(str(target))} (format parquet)"
    )
    variables = source_vars(tmp_path)
    assert "read_parquet(" in variables["raw_sales_location"]
    assert rows_of(variables["raw_sales_location"])[0][:4][1] == 2.5


def test_paths_are_quoted_not_pasted(tmp_path: Path) -> None:
    folder = tmp_path / "it's here"
    write(folder / "sales.csv", "date,sales_amount,product_category,region\n2024-01-01,1,Toys,Mars\n")
    variables = source_vars(folder)
    assert "it''s here" in variables["raw_sales_location"]
    assert len(rows_of(variables["raw_sales_location"])) == 1
