"""Your own files as sources: checked before dbt starts, read in place, gaps filled or named."""

from __future__ import annotations

import json
import subprocess
import sys
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


def warehouse_build(project, data_dir: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("warehouse")), "build", "--project-dir", str(project.root),
               "--data-dir", str(data_dir)]
    return subprocess.run(command, cwd=project.root, env=project.env(), capture_output=True, text=True)


def test_the_example_folder_runs_everything(fresh_project, tmp_path: Path) -> None:
    """`make run DATA_DIR=...`: build, docs site and report in one process, every section drawn."""
    from warehouse.synthetic.example import write_example

    files = write_example(tmp_path / "files")
    report, timings = tmp_path / "report.html", tmp_path / "timings.json"
    command = [str(Path(sys.executable).with_name("warehouse")), "run", "--project-dir", str(fresh_project.root),
               "--data-dir", str(files), "--report", str(report), "--timings", str(timings)]
    built = subprocess.run(command, cwd=fresh_project.root, env=fresh_project.env(), capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    assert "has no 'weather_score' column" in built.stderr
    assert [stage["stage"] for stage in json.loads(timings.read_text())] == ["build", "report"]
    assert (fresh_project.root / "target" / "static_index.html").stat().st_size > 0
    # The report reads the swapped-in file in the same process: every write of the build is in it.
    assert "No data: the mart" not in report.read_text(), "a section found its marts missing"
    with duckdb.connect(str(fresh_project.db), read_only=True) as connection:
        sentiment = connection.execute("select count(*), count(rating) from marts.feedback_sentiment").fetchone()
        assert sentiment[0] > 0 and sentiment[1] == 0, "feedback without ratings is still scored"
        features = [row[0] for row in connection.execute("select feature from marts.feature_importance").fetchall()]
        assert "weather_score" not in features and "marketing_spend_per_day" in features
        truth_rows = connection.execute(
            "select count(*) from marts.forecast_evaluation where metric_name like '%noise_floor%'"
        ).fetchone()[0]
        assert truth_rows == 0, "no truth for your own data: the truth-based checks are skipped"


def test_sales_alone_still_build_the_rest(fresh_project, tmp_path: Path) -> None:
    from warehouse.synthetic import generate

    generate(tmp_path / "gen" / "seeds", tmp_path / "gen" / "data", scale=0.2, seed=3)
    files = tmp_path / "files"
    files.mkdir()
    (files / "sales.csv").write_bytes((tmp_path / "gen/seeds/raw_sales.csv").read_bytes())
    built = warehouse_build(fresh_project, files)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    assert "building without feedback" in built.stderr and "building without product images" in built.stderr
    with duckdb.connect(str(fresh_project.db), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.sales_forecast").fetchone()[0] > 0
        assert connection.execute("select count(*) from marts.feedback_sentiment").fetchone()[0] == 0
        assert connection.execute("select count(*) from marts.sales_model_predictions").fetchone()[0] > 0
