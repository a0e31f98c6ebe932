"""The refit policy: expensive models keep their fit until the data has moved on far enough."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from tests.conftest import Project
from warehouse.refit import refit_due


@pytest.fixture()
def session() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("create table fitted as select date '2024-01-10' as date")
    return connection


def test_refit_when_there_is_no_previous_fit(session) -> None:
    assert refit_due(session, None, "select max(date) from {this}", date(2024, 1, 11), 7)


def test_keep_the_fit_until_it_is_every_days_behind(session) -> None:
    sql = "select max(date) from {this}"
    assert not refit_due(session, "fitted", sql, date(2024, 1, 16), 7)
    assert refit_due(session, "fitted", sql, date(2024, 1, 17), 7)
    assert refit_due(session, "fitted", sql, date(2024, 1, 11), 1)


def test_a_table_from_before_the_policy_is_refitted(session) -> None:
    assert refit_due(session, "fitted", "select max(trained_through) from {this}", date(2024, 1, 11), 7)


def run_ids(project: Project) -> tuple[set[str], tuple[int, int]]:
    with duckdb.connect(str(project.db), read_only=True) as connection:
        runs = {r[0] for r in connection.execute("select mlflow_run_id from marts.sales_model_evaluation").fetchall()}
        counts = connection.execute(
            "select (select count(*) from marts.sales_forecast), (select count(*) from marts.sales_stationarity)"
        ).fetchall()[0]
    return runs, counts


def test_a_rebuild_without_new_data_keeps_the_fits_and_a_due_one_refits(built_project: Project) -> None:
    models = ["sales_forecast", "sales_decomposition", "sales_stationarity", "sales_model_evaluation"]
    before = run_ids(built_project)
    built_project.dbt("run", "--select", *models)
    assert run_ids(built_project) == before, "nothing new: the fits are kept"
    built_project.dbt("run", "--select", *models, "--vars", "{refit_every_days: 0, retrain_every_days: 0}")
    runs, counts = run_ids(built_project)
    assert runs != before[0] and counts == before[1], "due: refitted, and the tables replaced, not appended"
