"""Bad input in the raw files: each staging rule fails by name, counting the rows that break it."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import Project

BAD_SALES_ROWS = [
    # date, sales_amount, product_category, region, marketing_spend, weather_score
    ["2021-02-01", "10.0", "", "North", "1", "0.5"],  # null category key
    ["2021-02-02", "-5.0", "Books", "North", "1", "0.5"],  # negative sales, duplicate of a real day
    ["2021-02-03", "abc", "Books", "North", "1", "0.5"],  # non-numeric sales, duplicate
    ["2021-02-04", "10.0", "Toys", "North", "1", "0.5"],  # unknown category
    ["2021-02-05", "10.0", "Books", "Atlantis", "1", "0.5"],  # unknown region
    ["2021-13-45", "10.0", "Books", "North", "1", "0.5"],  # unparseable date
]

# Expected failing rule -> failing rows reported by the test.
EXPECTED_FAILURES = {
    "source_not_null_raw_sales_product_category": 1,
    "source_value_between_raw_sales_double__sales_amount__0": 1,
    "source_castable_raw_sales_sales_amount__double": 1,
    "source_castable_raw_sales_date__date": 1,
    "source_unique_combination_raw_sales_date__product_category__region": 2,
    "source_unique_raw_feedback_feedback_id": 1,
    "source_not_null_raw_feedback_feedback_id": 1,
    "accepted_values_from_stg_sales_product_category__product_category__ref_stg_product_categories_": 1,
    "accepted_values_from_stg_sales_region__region__ref_stg_regions_": 1,
    # Staging repeats the key rules on the cast columns: a bad value is null there.
    "not_null_stg_sales_product_category": 1,
    "not_null_stg_sales_date": 1,
    "not_null_stg_sales_sales_amount": 1,
    "value_between_stg_sales_sales_amount__0": 1,
    "unique_combination_stg_sales_date__product_category__region": 2,
    "not_null_stg_feedback_feedback_id": 1,
    "unique_stg_feedback_feedback_id": 1,
}


def append_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_each_staging_rule_names_itself_and_counts_rows(fresh_project: Project) -> None:
    project = fresh_project
    project.generate()
    append_rows(project.seeds / "raw_sales.csv", BAD_SALES_ROWS)
    first_feedback = (project.seeds / "raw_feedback.csv").read_text().splitlines()[1]
    append_rows(project.seeds / "raw_feedback.csv", [first_feedback.split(",", 1)[0:1] + ["2021-01-01", "Books", "dup", "3"]])
    append_rows(project.seeds / "raw_feedback.csv", [["", "2021-01-01", "Books", "no id", "3"]])

    project.dbt("seed")
    project.dbt("run", "--select", "staging")
    tested = project.dbt("test", "--select", "source:raw", "staging", check=False)
    assert tested.returncode != 0
    results = project.run_results()
    failed = {name: r["failures"] for name, r in results.items() if r["status"] == "fail"}
    for rule, rows in EXPECTED_FAILURES.items():
        assert failed.get(rule) == rows, (rule, failed.get(rule))
        assert f"Failure in test {rule}" in tested.stdout
    assert set(failed) == set(EXPECTED_FAILURES), set(failed) ^ set(EXPECTED_FAILURES)


def test_a_locked_warehouse_gets_a_clear_message(fresh_project: Project) -> None:
    project = fresh_project
    project.db.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(project.db)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        build = subprocess.run(
            [str(Path(sys.executable).with_name("warehouse")), "build", "--project-dir", str(project.root)],
            cwd=project.root, env=project.env(), capture_output=True, text=True,
        )
    finally:
        holder.kill()
    assert build.returncode == 2
    assert f"The warehouse file {project.db} is locked by process {holder.pid}" in build.stderr
    assert "read_only" in build.stderr
    assert "Traceback" not in build.stderr + build.stdout
    assert time.monotonic() - started < 30
