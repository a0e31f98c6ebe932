"""Series as the models see them: one daily sales array with its drivers and its filled days."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

TOTAL_SERIES_ID = "total"
DAYS_PER_YEAR = 365.25
YEARLY_LAG_DAYS = 364  # 52 weeks: the same weekday one year earlier
WEEKLY_LAG_DAYS = 7
TWO_YEARS_DAYS = 730  # the least history from which a yearly cycle is told apart from the trend


@dataclass(frozen=True)
class Drivers:
    """Calendar days and the exogenous drivers known (or assumed) for them."""

    dates: pd.DatetimeIndex
    marketing_spend: np.ndarray | None = None
    weather_score: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.dates)

    def slice(self, start: int, stop: int | None = None) -> Drivers:
        """The drivers of positions ``start:stop``."""
        cut = slice(start, stop)
        return Drivers(
            self.dates[cut],
            None if self.marketing_spend is None else self.marketing_spend[cut],
            None if self.weather_score is None else self.weather_score[cut],
        )


@dataclass(frozen=True)
class Series:
    """One daily series: sales with drivers on a gap-free calendar and the count of filled days."""

    series_id: str
    drivers: Drivers
    sales: np.ndarray
    filled_days: int = 0

    @property
    def dates(self) -> pd.DatetimeIndex:
        return self.drivers.dates

    def __len__(self) -> int:
        return len(self.sales)

    def head(self, n_days: int) -> Series:
        """The first ``n_days`` days (the training window of a backtest)."""
        return Series(self.series_id, self.drivers.slice(0, n_days), self.sales[:n_days], self.filled_days)


def series_level(series_id: str) -> str:
    """'total', 'category' or 'category_region', read from the id's shape."""
    if series_id == TOTAL_SERIES_ID:
        return "total"
    return "category_region" if "|region:" in series_id else "category"


def is_component_of(leaf_id: str, aggregate_id: str) -> bool:
    """Whether the category x region series ``leaf_id`` adds up into ``aggregate_id``."""
    if series_level(leaf_id) != "category_region":
        return False
    return aggregate_id == TOTAL_SERIES_ID or leaf_id.startswith(aggregate_id + "|")


def optional_driver(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """A driver column as floats, or None when it is absent or entirely missing."""
    if column not in frame or frame[column].isna().all():
        return None
    values = frame[column].astype(float)
    return values.fillna(values.mean()).to_numpy()


def series_from_frame(frame: pd.DataFrame) -> list[Series]:
    """Split the rows of ``int_sales_series_daily`` into Series, sorted by id and date.

    Expects columns series_id, date, sales_amount, marketing_spend, weather_score and
    filled_rows (how many category x region rows of that day were filled in).
    """
    result = []
    for series_id, rows in frame.groupby("series_id", sort=True):
        rows = rows.sort_values("date")
        dates = pd.DatetimeIndex(pd.to_datetime(rows["date"]))
        drivers = Drivers(dates, optional_driver(rows, "marketing_spend"), optional_driver(rows, "weather_score"))
        filled = int((rows["filled_rows"].fillna(0) > 0).sum()) if "filled_rows" in rows else 0
        result.append(Series(str(series_id), drivers, rows["sales_amount"].astype(float).to_numpy(), filled))
    log.info("Built %d series from %d rows", len(result), len(frame))
    return result


def backtest_start(dates: pd.DatetimeIndex, train_share: float = 0.8) -> pd.Timestamp:
    """First test day: the last (1 - train_share) of the calendar is held out, as the seed did."""
    n_days = (dates.max() - dates.min()).days + 1
    return dates.min() + pd.Timedelta(days=int(n_days * train_share))


def constant_status(sales: np.ndarray) -> str | None:
    """'all_zero' or 'constant_series' for a series no model can learn from, else None."""
    if len(sales) == 0 or np.all(sales == 0):
        return "all_zero"
    if np.allclose(sales, sales[0]):
        return "constant_series"
    return None
