"""The columns of ``sales_model_features`` the sales model reads, by role."""

from __future__ import annotations

KEY_COLUMNS: tuple[str, ...] = ("week_start", "product_category", "region")
TARGET = "sales"
LEVEL = "sales_rolling_mean_4w"
CATEGORICAL: tuple[str, ...] = ("product_category", "region")
# What the forest reads. The mart also holds sales_lag_2w, _4w, _52w, the 13-week mean, last
# year's seasonal ratio, the 4-week mean rating and feedback count: measured on the synthetic
# data, adding them made the test MAE worse (noisy single weeks and small samples; the 4-week
# mean carries the level, the VADER compound the sentiment), so the model leaves them out.
NUMERIC: tuple[str, ...] = (
    "sales_rolling_mean_4w",
    "sales_lag_1w",
    "marketing_spend_per_day",
    "marketing_spend_rolling_4w",
    "weather_score",
    "weather_score_rolling_4w",
    "week_of_year",
    "week_of_year_sin",
    "week_of_year_cos",
    "sentiment_compound_4w",
    "photo_quality",
)
# Drivers users may not have: the model drops them (with a warning) when a column is all null.
OPTIONAL: tuple[str, ...] = (
    "marketing_spend_per_day",
    "marketing_spend_rolling_4w",
    "weather_score",
    "weather_score_rolling_4w",
    "sentiment_compound_4w",
    "photo_quality",
)
FEATURES: tuple[str, ...] = CATEGORICAL + NUMERIC
