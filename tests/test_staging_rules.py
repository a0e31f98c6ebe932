"""Bad input: every kind ends in quarantine (with every good row kept) or a clear error that
names the file, the row or the column. One build of a folder holding every row-level defect at
once, then the file-level defects checked before dbt starts."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import Project
from warehouse.sources import SourceFileError, source_vars
from warehouse.synthetic import generate

# (kind, row appended to sales.csv, expected (column, rule) in rejected_records)
BAD_SALES = [
    ("null key", ["2021-02-01", "10.0", "", "North", "1", "0.5"], ("product_category", "missing_value")),
    ("negative amount", ["2021-02-02", "-5.0", "Books", "North 9", "1", "0.5"], ("sales_amount", "negative")),
    ("non-numeric amount", ["2021-02-03", "abc", "Books", "North 9", "1", "0.5"], ("sales_amount", "not_a_number")),
    ("unknown category", ["2021-02-04", "10.0", "Toys", "North", "1", "0.5"], ("product_category", "unknown_value")),
    ("unknown region", ["2021-02-05", "10.0", "Books", "Atlantis", "1", "0.5"], ("region", "unknown_value")),
    ("unparseable date", ["2021-13-45", "10.0", "Books", "North", "1", "0.5"], ("date", "not_a_date")),
    ("date in the future", ["2999-01-01", "10.0", "Books", "North", "1", "0.5"], ("date", "date_in_future")),
    ("weather out of range", ["2021-02-06", "10.0", "Books", "North 9", "1", "7"], ("weather_score", "out_of_range")),
    ("non-numeric spend", ["2021-02-07", "10.0", "Books", "North 9", "lots", "0.5"], ("marketing_spend", "not_a_number")),
    ("missing date", ["", "10.0", "Books", "North", "1", "0.5"], ("date", "missing_value")),
    ("duplicate key", ["2021-01-01", "99.0", "Books", "North", "1", "0.5"], ("date+product_category+region", "duplicate_key")),
]
BAD_FEEDBACK = [
    ("null feedback id", ["", "2021-01-01", "Books", "no id", "3"], ("feedback_id", "missing_value")),
    ("non-integer id", ["abc", "2021-01-01", "Books", "bad id", "3"], ("feedback_id", "not_an_integer")),
    ("duplicate feedback id", ["1", "2021-01-01", "Books", "a copy", "3"], ("feedback_id", "duplicate_key")),
    ("unknown feedback category", ["90001", "2021-01-01", "Toys", "fine", "4"], ("product_category", "unknown_value")),
]
# Kept and flagged in feedback_sentiment.status by the NLP module.
FLAGGED_FEEDBACK = [
    ("huge text field", ["90002", "2021-01-02", "Books", "good " * 20000, "4"], "long_text"),
    ("rating out of range", ["90003", "2021-01-02", "Books", "fine book", "9"], "rating_out_of_range"),
    ("empty text", ["90004", "2021-01-02", "Books", "", "3"], "empty_text"),
]
# Kept and given a status in product_image_scores by the vision module.
BAD_IMAGES = [
    ("path traversal", ["90001", "Books", "../../etc/passwd", "2021-01-01"], "outside_images_dir"),
    ("missing image", ["90002", "Books", "nowhere.png", "2021-01-01"], "missing"),
    ("corrupt image", ["90003", "Books", "corrupt.png", "2021-01-01"], "corrupt"),
]


def append_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_files(root: Path) -> Path:
    """A your-own-data folder from a small generated set, every row-level defect appended."""
    generate(root / "gen" / "seeds", root / "gen" / "data", scale=0.2, seed=9)
    files = root / "files"
    files.mkdir()
    for name in ("sales", "feedback", "product_images", "product_categories", "regions"):
        shutil.copy2(root / "gen" / "seeds" / f"raw_{name}.csv", files / f"{name}.csv")
    shutil.copytree(root / "gen" / "data" / "images", files / "images")
    png = next((files / "images").glob("*.png")).read_bytes()
    (files / "images" / "corrupt.png").write_bytes(png[: len(png) // 3])
    append_rows(files / "regions.csv", [["North 9"]])
    append_rows(files / "sales.csv", [row for _, row, _ in BAD_SALES])
    append_rows(files / "feedback.csv", [row for _, row, _ in BAD_FEEDBACK + FLAGGED_FEEDBACK])
    append_rows(files / "product_images.csv", [row for _, row, _ in BAD_IMAGES])
    return files


def warehouse(project: Project, *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("warehouse")), *args]
    return subprocess.run(command, cwd=project.root, env=project.env(), capture_output=True, text=True)


@pytest.fixture(scope="module")
def quarantined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("quarantine")
    project = Project(root / "project")
    files = write_files(root)
    built = warehouse(
        project, "build", "--project-dir", str(project.root), "--data-dir", str(files), "--",
        "--select", "+rejected_records", "+fct_daily_sales", "+feedback_sentiment", "+product_image_scores",
        "--indirect-selection", "cautious",
    )
    return project, files, built


def query(project: Project, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(project.db), read_only=True) as connection:
        return connection.execute(sql).df()


def test_the_build_goes_on_and_warns_per_source(quarantined) -> None:
    project, _, built = quarantined
    assert built.returncode == 0, built.stdout[-5000:]
    counts = query(project, "select source_table, count(*) as n from marts.rejected_records group by 1")
    for source, n in zip(counts["source_table"], counts["n"]):
        name = source.replace(".", "_")
        assert f"Warning in test has_no_rows_for_rejected_records_source_table__{name}" in built.stdout
        assert f"WARN {n} has_no_rows_for_rejected_records_source_table__{name}" in built.stdout
    assert set(counts["source_table"]) == {"raw.sales", "raw.feedback"}


@pytest.mark.parametrize("kind, row, expected", BAD_SALES + BAD_FEEDBACK, ids=[k for k, *_ in BAD_SALES + BAD_FEEDBACK])
def test_each_bad_row_is_quarantined_by_its_rule(quarantined, kind: str, row: list[str], expected: tuple[str, str]) -> None:
    project, _, _ = quarantined
    rejected = query(project, "select * from marts.rejected_records")
    column, rule = expected
    hits = rejected[(rejected["column_name"] == column) & (rejected["rule"] == rule)]
    assert len(hits) >= 1, (kind, rejected[["column_name", "rule", "raw_value"]].to_string())
    assert (hits["built_at"].notna()).all()


def test_every_good_row_is_still_there(quarantined) -> None:
    project, files, _ = quarantined
    generated = pd.read_csv(files.parent / "gen" / "seeds" / "raw_sales.csv")
    facts = query(project, "select count(*) as n, sum(sales_amount) as total from marts.fct_daily_sales")
    # The duplicate key quarantines both copies of 2021-01-01 Books North (one was good).
    duplicated = generated[(generated["date"] == "2021-01-01") & (generated["product_category"] == "Books")]
    assert facts["n"][0] == len(generated) - len(duplicated)
    assert facts["total"][0] == pytest.approx(generated["sales_amount"].sum() - duplicated["sales_amount"].sum())
    feedback = query(project, "select feedback_id, status from marts.feedback_sentiment")
    generated_feedback = pd.read_csv(files.parent / "gen" / "seeds" / "raw_feedback.csv")
    assert len(feedback) == len(generated_feedback) - 1 + len(FLAGGED_FEEDBACK)  # id 1 was duplicated


@pytest.mark.parametrize("kind, row, status", FLAGGED_FEEDBACK, ids=[k for k, *_ in FLAGGED_FEEDBACK])
def test_odd_feedback_is_kept_and_flagged(quarantined, kind: str, row: list[str], status: str) -> None:
    project, _, _ = quarantined
    flagged = query(project, f"select status from marts.feedback_sentiment where feedback_id = {int(row[0])}")
    assert status in flagged["status"][0], (kind, flagged)


@pytest.mark.parametrize("kind, row, status", BAD_IMAGES, ids=[k for k, *_ in BAD_IMAGES])
def test_bad_images_get_a_status_and_the_rest_are_scored(quarantined, kind: str, row: list[str], status: str) -> None:
    project, files, _ = quarantined
    scores = query(project, "select image_id, status from marts.product_image_scores")
    assert scores.set_index("image_id").loc[int(row[0]), "status"] == status
    generated = pd.read_csv(files.parent / "gen" / "seeds" / "raw_product_images.csv")
    assert (scores["status"] == "ok").sum() == len(generated)


def sales_file(folder: Path, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sales.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


HEADER = "date,sales_amount,product_category,region,marketing_spend,weather_score"


@pytest.mark.parametrize(
    "kind, content, message",
    [
        ("header missing a column", "date,sales_amount,product_category\n2021-01-01,1,Books\n", r"sales.csv: required column 'region' is missing"),
        ("empty file", "", r"sales.csv: "),
        ("invalid UTF-8", (HEADER + "\n2021-01-01,1,Bo\xff,North,1,0.5\n").encode("latin-1"), r"sales.csv: line 2, byte 16: invalid UTF-8"),
        ("text where numbers belong", HEADER + "\n2021-01-01,lots,Books,North,1,0.5\n", r"column 'sales_amount' should hold double values"),
    ],
)
def test_file_level_defects_fail_fast_naming_file_row_or_column(tmp_path: Path, kind: str, content, message: str) -> None:
    sales_file(tmp_path, content)
    with pytest.raises(SourceFileError, match=message):
        source_vars(tmp_path)


@pytest.mark.parametrize(
    "kind, content",
    [
        ("byte order mark", "\ufeff" + HEADER + "\n2021-01-01,1,Books,North,1,0.5\n"),
        ("CRLF line ends", HEADER + "\r\n2021-01-01,1,Books,North,1,0.5\r\n"),
        ("semicolon delimiter (sniffed)", HEADER.replace(",", ";") + "\n2021-01-01;1;Books;North;1;0.5\n"),
        ("extra columns", HEADER + ",store_id\n2021-01-01,1,Books,North,1,0.5,77\n"),
    ],
)
def test_harmless_file_variants_are_read(tmp_path: Path, kind: str, content: str) -> None:
    sales_file(tmp_path, content)
    variables = source_vars(tmp_path)
    rows = duckdb.connect().execute(f"select date, sales_amount, region from {variables['raw_sales_location']}").fetchall()
    assert rows == [("2021-01-01", "1", "North")], kind


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
        build = warehouse(project, "build", "--project-dir", str(project.root))
    finally:
        holder.kill()
    assert build.returncode == 2
    assert f"The warehouse file {project.db} is locked by process {holder.pid}" in build.stderr
    assert "read_only" in build.stderr
    assert "Traceback" not in build.stderr + build.stdout
    assert time.monotonic() - started < 30
