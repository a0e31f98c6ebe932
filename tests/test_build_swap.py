"""Build beside, swap at the end: a failed build never replaces the last good warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import Project
from tests.test_staging_rules import append_rows

SELECT = ["--select", "+fct_daily_sales", "+category_features", "--indirect-selection", "cautious"]


def warehouse_build(project: Project) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("warehouse")), "build", "--project-dir", str(project.root), "--", *SELECT]
    return subprocess.run(command, cwd=project.root, env=project.env(), capture_output=True, text=True)


def total_sales(path: Path) -> float:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select sum(sales_amount) from marts.fct_daily_sales").fetchone()[0]


def test_failed_build_leaves_the_live_warehouse_and_says_where_the_failure_is(fresh_project: Project) -> None:
    project = fresh_project
    project.generate()
    first = warehouse_build(project)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    good_total = total_sales(project.db)

    reader = duckdb.connect(str(project.db), read_only=True)  # a BI tool holding the old file
    # A region listed twice breaks the reference list's unique test: an error, not a quarantine.
    append_rows(project.seeds / "raw_regions.csv", [["North"]])
    second = warehouse_build(project)
    assert second.returncode == 2
    assert f"the last good warehouse {project.db} is unchanged" in second.stderr
    assert f"{project.db}.failed" in second.stderr
    assert total_sales(project.db) == good_total
    assert reader.execute("select sum(sales_amount) from marts.fct_daily_sales").fetchone()[0] == good_total
    reader.close()

    lines = (project.seeds / "raw_regions.csv").read_text().splitlines()
    (project.seeds / "raw_regions.csv").write_text("\n".join(lines[:-1]) + "\n")
    third = warehouse_build(project)
    assert third.returncode == 0, third.stderr[-3000:]
    assert not Path(f"{project.db}.next").exists()
