"""The report's reads and sections on synthetic marts: what they draw stays bounded as the data grows.

The marts are written straight into a DuckDB file (no dbt build), with as many categories,
regions and rows as a test needs; MLflow is left out (the registry table says so).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from warehouse.report import queries, sections
from warehouse.report.build import build_sections
from warehouse.report.data import Marts
from warehouse.report.page import render_section
from warehouse.report.sections import MAX_CATEGORIES_DRAWN, MAX_REGIONS_DRAWN, STATIONARITY_EXTREMES, ReportContext

DAYS = 400
WEEKS, TEST_WEEKS = 40, 20
MODELS = ("sarimax_fourier", "seasonal_naive", "arima_212")
# A value in [0, 1) from a hash: reproducible noise without a random generator in SQL.
UNIT = "(hash({}) % 100000) / 100000.0"


def write_marts(path: Path, categories: int, regions: int, feedback: int, photos: int) -> Path:
    """A warehouse file holding the marts the report reads, at the given size."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"""create temp table series as
        select 'total' as series_id, 'total' as series_level
        union all select 'category:C' || lpad(c::varchar, 2, '0'), 'category' from range({categories}) t(c)
        union all select 'category:C' || lpad(c::varchar, 2, '0') || '|region:R' || lpad(r::varchar, 3, '0'), 'category_region'
                  from range({categories}) t(c), range({regions}) u(r)""")
    con.execute(f"""create table marts.fct_daily_sales as
        select date '2023-01-01' + d::int as date, 'C' || lpad(c::varchar, 2, '0') as product_category,
               'R' || lpad(r::varchar, 3, '0') as region, 100.0 + 10 * c + r + d % 7 as sales_amount,
               1.0 as marketing_spend, 0.5 as weather_score
        from range({DAYS}) t(d), range({categories}) u(c), range({regions}) v(r)""")
    con.execute(f"""create table marts.sales_decomposition as
        select series_id, date '2023-01-01' + d::int as date, 100.0 + d % 7 + {UNIT.format('series_id')} as observed,
               100.0 as trend, d % 7 * 1.0 as seasonal, 0.1 as resid, 'MSTL' as method
        from series, range({DAYS}) t(d)""")
    con.execute(f"""create table marts.sales_forecast as
        select series_id, model, kind, date '2023-01-01' + d::int as date,
               case when kind = 'backtest' then 100.0 + d % 7 end as actual, 100.0 + d % 5 as forecast,
               90.0 as lower_95, 110.0 as upper_95
        from series, unnest({list(MODELS)}) m(model),
             (select 'backtest' as kind, d from range({DAYS - 80}, {DAYS}) t(d)
              union all select 'future', d from range({DAYS}, {DAYS + 30}) t(d))""")
    con.execute(f"""create table marts.forecast_metrics as
        select series_id, series_level, model, 0.3 + {UNIT.format('series_id || model')} as mase
        from series, unnest({list(MODELS)}) m(model)""")
    con.execute(f"""create table marts.sales_stationarity as
        select series_id, -2.0 as adf_statistic, p as p_value, p < 0.05 as is_stationary, p / 1000 as diff_p_value,
               true as diff_is_stationary
        from (select series_id, {UNIT.format('series_id')} * 0.2 as p from series)""")
    con.execute(f"""create table marts.feedback_sentiment as
        select i as feedback_id, 'C' || lpad((i % {categories})::varchar, 2, '0') as product_category,
               1 + i % 5 as rating, compound, compound * 0.8 as supervised_score,
               case when compound >= 0.05 then 'Positive' when compound <= -0.05 then 'Negative' else 'Neutral' end as sentiment_label
        from (select i, 2 * {UNIT.format('i')} - 1 as compound from range({feedback}) t(i))""")
    con.execute("""create table marts.feedback_sentiment_monthly as
        select product_category, date_trunc('month', date) as month, 0.3 as avg_compound
        from (select distinct product_category, date from marts.fct_daily_sales)""")
    con.execute(f"""create table marts.feedback_top_terms as
        select 'C' || lpad(c::varchar, 2, '0') as product_category, label as sentiment_label, 'term' || k as term,
               1.0 / (k + 1) as tfidf, k + 1 as term_rank
        from range({categories}) t(c), unnest(['All', 'Positive']) l(label), range(5) u(k)""")
    con.execute(f"""create table marts.product_image_scores as
        select i as image_id, 'C' || lpad((i % {categories})::varchar, 2, '0') as product_category,
               'photo_' || i || '.png' as image_path, 'ok' as status, {UNIT.format('i')} as quality_score,
               0.5 as sharpness, 1.0 as noise_level
        from range({photos}) t(i)""")
    con.execute("""create table marts.image_quality_by_category as
        select product_category, avg(quality_score) as avg_image_quality, 100.0 as avg_daily_sales,
               0.5 as quality_sales_correlation from marts.product_image_scores group by all""")
    con.execute(f"""create table marts.sales_model_predictions as
        select date '2023-01-02' + 7 * w::int as week_start, 'C' || lpad(c::varchar, 2, '0') as product_category,
               'R' || lpad(r::varchar, 3, '0') as region, case when w >= {WEEKS - TEST_WEEKS} then 'test' else 'train' end as split,
               actual, actual + 10 * ({UNIT.format('actual')} - 0.5) as predicted, actual - 20 as lower_90, actual + 20 as upper_90
        from (select w, c, r, 1000.0 + 10 * c + r + w as actual
              from range({WEEKS}) t(w), range({categories}) u(c), range({regions}) v(r))""")
    con.execute("""create table marts.feature_importance as
        select 'feature_' || i as feature, 1.0 / (i + 1) as importance, 0.01 as importance_std from range(8) t(i)""")
    con.execute("""create table marts.sales_model_evaluation as
        select 'sales_model' as model_name, 'integrated' as domain, 'test_mae' as metric_name, 10.0 as metric_value""")
    con.execute("""create table marts.model_performance as
        select 'sales_model' as model_name, 'integrated' as domain, 'test_mae' as metric_name, 10.0 as metric_value,
               timestamp '2024-01-01' as timestamp""")
    con.close()
    return path


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two warehouses of the same shape, the second with 10x the regions, feedback and photos."""
    folder = tmp_path_factory.mktemp("report_scale")
    return {
        "small": write_marts(folder / "small.duckdb", categories=3, regions=40, feedback=3_000, photos=300),
        "large": write_marts(folder / "large.duckdb", categories=3, regions=400, feedback=30_000, photos=3_000),
        "wide": write_marts(folder / "wide.duckdb", categories=14, regions=2, feedback=500, photos=140),
    }


@pytest.fixture()
def no_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep MLflow out: the sections get no registry, as when the store cannot be read."""
    monkeypatch.setattr(sections, "champion_summary", lambda: None)


def built(database: Path, images: Path) -> list[sections.Section]:
    with Marts.open(database) as marts:
        return build_sections(marts, ReportContext(images))


def captions(drawn: list[sections.Section]) -> dict[str, list[str]]:
    return {s.anchor: [item.caption for item in s.items] for s in drawn}


def test_page_size_does_not_grow_with_regions_feedback_and_photos(
        warehouses: dict[str, Path], tmp_path: Path, no_registry: None) -> None:
    small, large = (built(warehouses[size], tmp_path) for size in ("small", "large"))
    for drawn in (small, large):
        assert [s.missing for s in drawn if s.anchor not in ("drift", "impact")] == [None] * 6
    small_bytes = {s.anchor: len(render_section(s)) for s in small}
    large_bytes = {s.anchor: len(render_section(s)) for s in large}
    assert sum(large_bytes.values()) <= 1.1 * sum(small_bytes.values()), (small_bytes, large_bytes)
    for anchor, size in large_bytes.items():
        assert size <= 1.2 * small_bytes[anchor], anchor


def test_captions_say_what_is_summarised_with_counts_from_the_data(
        warehouses: dict[str, Path], tmp_path: Path, no_registry: None) -> None:
    text = captions(built(warehouses["large"], tmp_path))
    others = 400 - MAX_REGIONS_DRAWN
    merged = f"The {MAX_REGIONS_DRAWN} regions with the most sales are drawn, the other {others} summed as one bar."
    assert merged in text["overview"][2]
    tested = 3 * 400
    assert (f"The {STATIONARITY_EXTREMES} least and the {STATIONARITY_EXTREMES} most stationary of the {tested:,} tested"
            in text["stationarity"][3])
    assert f"of the {tested:,} category x region series of each category" in text["stationarity"][2]
    assert "all 30,000 feedback texts" in text["sentiment"][0]
    assert "the 3,000 photos scored ok" in text["photos"][0]
    test_rows = 3 * 400 * TEST_WEEKS
    assert f"a random 2,000 of {test_rows:,} test rows" in text["sales-model"][1]
    assert f"over {1 + 3 + tested:,} series (3 category, {tested:,} category_region, 1 total)" in text["forecasting"][3]


def test_large_figures_draw_a_bounded_number_of_points(warehouses: dict[str, Path], tmp_path: Path, no_registry: None) -> None:
    drawn = {s.anchor: s for s in built(warehouses["large"], tmp_path)}
    overview = [i for i in drawn["overview"].items if isinstance(i, sections.Figure)]
    assert len({x for trace in overview[1].figure.data for x in trace.x}) == MAX_REGIONS_DRAWN + 1
    scatter = next(i.figure for i in drawn["sales-model"].items if isinstance(i, sections.Figure))
    assert len(scatter.data[0].x) == 2_000
    assert "a random 2,000 of 24,000 test rows" in scatter.layout.title.text
    histogram = next(i.figure for i in drawn["sentiment"].items if isinstance(i, sections.Figure))
    assert sum(sum(trace.y) for trace in histogram.data) == 30_000
    assert all(len(trace.x) == 40 for trace in histogram.data)


def test_many_categories_are_capped_in_pickers_lines_and_thumbnails(
        warehouses: dict[str, Path], tmp_path: Path, no_registry: None) -> None:
    drawn = {s.anchor: s for s in built(warehouses["wide"], tmp_path)}
    decomposition = drawn["forecasting"].items[0]
    options = [button.label for button in decomposition.figure.layout.updatemenus[0].buttons]
    assert options[0] == "total" and len(options) == 1 + MAX_CATEGORIES_DRAWN
    assert f"the total and the {MAX_CATEGORIES_DRAWN} of 14 categories with the most sales" in decomposition.caption
    weekly = drawn["overview"].items[1]
    assert len(weekly.figure.data) == MAX_CATEGORIES_DRAWN + 1 and "the other 4 summed as one line" in weekly.caption
    grid = drawn["photos"].items[2]
    assert f"the {MAX_CATEGORIES_DRAWN} of 14 categories with the most photos" in grid.caption
    assert len(grid.figure.data) == 4 * MAX_CATEGORIES_DRAWN


def test_forecast_reads_only_the_drawn_series_and_models(warehouses: dict[str, Path]) -> None:
    with Marts.open(warehouses["small"]) as marts:
        series, categories = sections.picked_series(marts)
        assert series == ["total", "category:C00", "category:C01", "category:C02"] and categories == 3
        rows = queries.forecast_rows(marts, series, ["sarimax_fourier", "seasonal_naive"])
        assert set(rows["series_id"]) == set(series) and set(rows["model"]) == {"sarimax_fourier", "seasonal_naive"}
        assert len(rows) == len(series) * 2 * 110
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows["date"].iat[0])
        assert set(queries.decomposition_rows(marts, series)["series_id"]) == set(series)


def test_stationarity_summaries_match_the_whole_mart(warehouses: dict[str, Path]) -> None:
    with Marts.open(warehouses["small"]) as marts:
        whole = marts.get("sales_stationarity")
        leaves = whole[whole["series_id"].str.contains("|region:", regex=False)]
        by_category = queries.leaf_stationarity_by_category(marts).set_index("product_category")
        expected = leaves.assign(product_category=leaves["series_id"].str.extract(r"^category:(.*)\|region:")[0])
        assert by_category["series"].to_dict() == expected.groupby("product_category").size().to_dict()
        assert (by_category["stationary_level"].to_dict()
                == expected.groupby("product_category")["is_stationary"].sum().to_dict())
        extremes = queries.leaf_stationarity_extremes(marts, 5)
        ranked = leaves.sort_values("p_value")
        assert set(extremes["series_id"]) == set(ranked["series_id"].head(5)) | set(ranked["series_id"].tail(5))
        assert (extremes["rank"] == "least stationary").sum() == 5
        assert queries.aggregate_stationarity(marts)["series_id"].iat[0] == "total"


def test_weekly_means_give_the_same_residuals_as_every_row(warehouses: dict[str, Path]) -> None:
    with Marts.open(warehouses["small"]) as marts:
        rows = marts.get("sales_model_predictions")
        expected = (rows.assign(residual=rows["actual"] - rows["predicted"])
                    .groupby(["week_start", "split"])["residual"].mean())
        weekly = queries.weekly_mean_predictions(marts)
        residual = (weekly["actual"] - weekly["predicted"]).to_numpy()
        assert np.allclose(residual, expected.to_numpy())
        assert len(weekly) == WEEKS


def test_overview_aggregates_keep_every_sale(warehouses: dict[str, Path]) -> None:
    with Marts.open(warehouses["small"]) as marts:
        total = marts.query("select sum(sales_amount) as s from marts.fct_daily_sales")["s"].iat[0]
        assert queries.sales_summary(marts)["total_sales"].iat[0] == pytest.approx(total)
        assert queries.weekly_category_sales(marts)["sales_amount"].sum() == pytest.approx(total)
        assert queries.region_category_sales(marts)["sales_amount"].sum() == pytest.approx(total)
        weeks = pd.to_datetime(queries.weekly_category_sales(marts)["week"])
        assert (weeks.dt.day_of_week == 0).all()


def test_missing_marts_are_found_without_reading_them(tmp_path: Path) -> None:
    database = tmp_path / "partial.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.empty_mart (x integer)")
        con.execute("create table marts.filled (x integer)")
        con.execute("insert into marts.filled values (1)")
    with Marts.open(database) as marts:
        assert marts.missing("absent", "empty_mart", "filled") == ["absent", "empty_mart"]
        assert marts._cache == {}  # nothing was read to find out
        assert marts.get("absent") is None and len(marts.get("filled")) == 1


def test_actual_vs_predicted_samples_the_test_rows_of_every_prediction(warehouses: dict[str, Path]) -> None:
    from warehouse.modeling.figures import actual_vs_predicted

    with Marts.open(warehouses["small"]) as marts:
        predictions = marts.get("sales_model_predictions")  # train and test rows, as the MLflow run logs them
    figure = actual_vs_predicted(predictions, max_points=100)
    test = predictions[predictions["split"] == "test"]
    assert len(figure.data[0].x) == 100 and set(figure.data[0].x) <= set(test["actual"])
    assert f"a random 100 of {len(test):,} test rows" in figure.layout.title.text
    again = actual_vs_predicted(predictions.iloc[::-1], max_points=100)
    assert sorted(again.data[0].y) == sorted(figure.data[0].y)
