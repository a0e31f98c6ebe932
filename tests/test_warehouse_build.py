"""End to end: `dbt build` of a small generated data set, then the marts as users query them."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tests.conftest import Project

FOUNDATION_MARTS = ("fct_daily_sales", "dim_product_category", "dim_region", "category_features")


def query(project: Project, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(project.db), read_only=True) as connection:
        return connection.sql(sql).df()


def test_schemas_are_exactly_the_documented_ones(built_project: Project) -> None:
    schemas = query(
        built_project,
        "select distinct table_schema from information_schema.tables where table_catalog = 'warehouse'",
    )
    assert set(schemas["table_schema"]) == {"raw", "staging", "intermediate", "marts"}


def test_marts_have_one_row_per_grain(built_project: Project) -> None:
    sales = pd.read_csv(built_project.seeds / "raw_sales.csv")
    counts = {
        mart: int(query(built_project, f"select count(*) as n from marts.{mart}")["n"][0])
        for mart in FOUNDATION_MARTS
    }
    assert counts["fct_daily_sales"] == len(sales) == 1095 * 5
    assert counts["dim_product_category"] == 5
    assert counts["dim_region"] == sales["region"].nunique()
    assert counts["category_features"] == 5


def test_fct_daily_sales_matches_the_seed(built_project: Project) -> None:
    mart = query(built_project, "select * from marts.fct_daily_sales order by date, product_category, region")
    seed = pd.read_csv(built_project.seeds / "raw_sales.csv").sort_values(["date", "product_category", "region"])
    assert mart["sales_amount"].sum() == pytest.approx(seed["sales_amount"].sum())
    assert str(mart["date"].dtype).startswith("datetime64")
    assert list(mart.columns[:6]) == ["date", "product_category", "region", "sales_amount", "marketing_spend", "weather_score"]


def test_category_features_agree_with_the_facts(built_project: Project) -> None:
    features = query(built_project, "select * from marts.category_features").set_index("product_category")
    facts = pd.read_csv(built_project.seeds / "raw_sales.csv")
    totals = facts.groupby("product_category")["sales_amount"].sum()
    for category, total in totals.items():
        assert features.loc[category, "total_sales"] == pytest.approx(total)
    assert features["share_of_total_sales"].sum() == pytest.approx(1.0)
    assert features["sales_growth_yoy"].notna().all(), "three years of data give a growth figure"
    # The generator's marketing lift shows up in the observed correlation.
    assert (features["marketing_sales_correlation"] > 0).all()
