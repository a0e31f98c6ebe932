"""The report's reads of the marts that grow with the data: only the rows and columns it draws.

Filters and aggregations run in DuckDB, so a section's cost and the page's size follow the
number of categories and days, not the number of regions or rows.
"""

from __future__ import annotations

import pandas as pd

from warehouse.report.data import Marts

# A category x region series id (series_id is total, category:<name> or category:<name>|region:<name>).
LEAF_SERIES = "contains(series_id, '|region:')"
LEAF_CATEGORY = r"regexp_extract(series_id, '^category:(.*)\|region:', 1)"
# Text dates: plotly still draws a date axis, at half the bytes of timestamps.
DAY_LABEL = "strftime(date, '%Y-%m-%d')"


def sales_summary(marts: Marts) -> pd.DataFrame:
    """One row: first and last date, days, categories, regions, rows and total sales of fct_daily_sales."""
    return marts.query("""
        select min(date) as first_date, max(date) as last_date, count(distinct date) as days,
               count(distinct product_category) as categories, count(distinct region) as regions,
               count(*) as rows, sum(sales_amount) as total_sales
        from marts.fct_daily_sales""")


def weekly_category_sales(marts: Marts) -> pd.DataFrame:
    """Sales per week (starting Monday) and category, summed over regions."""
    return marts.query("""
        select date_trunc('week', date) as week, product_category, sum(sales_amount) as sales_amount
        from marts.fct_daily_sales group by all order by week, product_category""")


def region_category_sales(marts: Marts) -> pd.DataFrame:
    """Total sales per region and category."""
    return marts.query("""
        select region, product_category, sum(sales_amount) as sales_amount
        from marts.fct_daily_sales group by all order by region, product_category""")


def aggregate_series_sales(marts: Marts) -> pd.Series:
    """Summed observed sales of the total and of each category series, by series_id."""
    totals = marts.query(f"""
        select series_id, sum(observed) as sales from marts.sales_decomposition
        where not {LEAF_SERIES} group by series_id order by series_id""")
    return totals.set_index("series_id")["sales"]


def decomposition_rows(marts: Marts, series: list[str]) -> pd.DataFrame:
    """The decomposition of the given series, dates as text."""
    return marts.query(f"""
        select series_id, {DAY_LABEL} as date, observed, trend, seasonal, resid, method
        from marts.sales_decomposition where list_contains(?, series_id) order by series_id, date""", [series])


def forecast_rows(marts: Marts, series: list[str], models: list[str]) -> pd.DataFrame:
    """The backtest and future forecasts of the given series and models, dates as text."""
    return marts.query(f"""
        select series_id, model, kind, {DAY_LABEL} as date, actual, forecast, lower_95, upper_95
        from marts.sales_forecast where list_contains(?, series_id) and list_contains(?, model)
        order by series_id, model, kind, date""", [series, models])


def forecast_mase(marts: Marts) -> pd.DataFrame:
    """Backtest MASE per series and model, where it was computed."""
    return marts.query("""
        select series_id, series_level, model, mase from marts.forecast_metrics
        where mase is not null order by series_id, model""")


STATIONARITY_COLUMNS = "series_id, adf_statistic, p_value, is_stationary, diff_p_value, diff_is_stationary"


def aggregate_stationarity(marts: Marts) -> pd.DataFrame:
    """ADF results of the total and the category series, the total first."""
    return marts.query(f"""
        select {STATIONARITY_COLUMNS} from marts.sales_stationarity
        where not {LEAF_SERIES} order by series_id <> 'total', series_id""")


def leaf_stationarity_by_category(marts: Marts) -> pd.DataFrame:
    """Per category, how many of its category x region series are stationary on the level and differenced."""
    return marts.query(f"""
        select {LEAF_CATEGORY} as product_category, count(*) as series,
               count(*) filter (where is_stationary) as stationary_level,
               count(*) filter (where not is_stationary) as nonstationary_level,
               count(*) filter (where diff_is_stationary) as stationary_differenced,
               count(*) filter (where p_value is null) as not_tested
        from marts.sales_stationarity where {LEAF_SERIES} group by all order by product_category""")


def leaf_stationarity_extremes(marts: Marts, per_side: int) -> pd.DataFrame:
    """The ``per_side`` category x region series with the highest and the lowest level p-values.

    Every tested series when there are no more than twice ``per_side``; ``rank`` says which end.
    """
    return marts.query(f"""
        with tested as (
            select {STATIONARITY_COLUMNS},
                   row_number() over (order by p_value desc, series_id) as from_top,
                   row_number() over (order by p_value, series_id) as from_bottom
            from marts.sales_stationarity where {LEAF_SERIES} and p_value is not null
        )
        select case when from_top <= ? then 'least stationary' else 'most stationary' end as rank,
               {STATIONARITY_COLUMNS}
        from tested where from_top <= ? or from_bottom <= ? order by p_value desc, series_id""",
        [per_side, per_side, per_side])


def feedback_scores(marts: Marts) -> pd.DataFrame:
    """The columns the sentiment figures summarise, one row per feedback."""
    return marts.query("""
        select product_category, rating, compound, supervised_score, sentiment_label
        from marts.feedback_sentiment order by feedback_id""")


def photo_scores(marts: Marts) -> pd.DataFrame:
    """The columns the photo figures use, one row per photo."""
    return marts.query("""
        select image_id, product_category, image_path, status, quality_score, sharpness, noise_level
        from marts.product_image_scores order by image_id""")


def held_out_predictions(marts: Marts) -> pd.DataFrame:
    """The test rows of sales_model_predictions."""
    return marts.query("""
        select week_start, product_category, region, split, actual, predicted, lower_90, upper_90
        from marts.sales_model_predictions where split = 'test' order by week_start, product_category, region""")


def weekly_mean_predictions(marts: Marts) -> pd.DataFrame:
    """Mean actual and mean prediction per week and split, over the rows holding both.

    The mean residual is the mean actual minus the mean prediction, so these rows draw the
    same residuals-over-time figure as every prediction row.
    """
    return marts.query("""
        select week_start, split, avg(actual) as actual, avg(predicted) as predicted
        from marts.sales_model_predictions where actual is not null and predicted is not null
        group by all order by week_start, split""")
