"""The business impact formulas against hand-computed cases (no warehouse needed)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from warehouse.impact import (
    ImpactAssumptions,
    annual_holding_cost,
    business_impact,
    inventory_effect,
    lever_effect,
    lever_targets,
    raise_to,
    roi,
    safety_stock,
    scenario_assumptions,
    service_level_z,
)

Z_95 = 1.6448536269514722  # normal quantile of 0.95


def assumptions(**overrides: object) -> ImpactAssumptions:
    """Round numbers that make the hand computations below easy to follow."""
    values = dict(
        holding_cost_rate=0.25, service_level=0.95, lead_time_days=4.0, gross_margin=0.4,
        implementation_cost=90_000.0, annual_operating_cost=10_000.0, analysis_horizon_years=3.0,
        improvement_quantile=0.9, sensitivity_low_multiplier=0.5, sensitivity_high_multiplier=2.0,
        forecast_model="project",
    )
    return ImpactAssumptions(**{**values, **overrides})


def forecast_metrics() -> pd.DataFrame:
    """Two category x region series forecast by both models, plus rows the saving must ignore."""
    return pd.DataFrame(
        [
            ("category:A|region:N", "category_region", "seasonal_naive", 100.0),
            ("category:A|region:N", "category_region", "project", 50.0),
            ("category:B|region:N", "category_region", "seasonal_naive", 200.0),
            ("category:B|region:N", "category_region", "project", 100.0),
            # an aggregate: its stock is already held in its category x region series
            ("category:A", "category", "seasonal_naive", 1000.0),
            ("category:A", "category", "project", 10.0),
            # forecast by the baseline only: no comparison possible
            ("category:C|region:N", "category_region", "seasonal_naive", 999.0),
        ],
        columns=["series_id", "series_level", "model", "rmse"],
    )


def test_service_level_z_is_the_normal_quantile() -> None:
    assert service_level_z(0.95) == pytest.approx(Z_95)
    assert service_level_z(0.5) == pytest.approx(0.0)


def test_safety_stock_is_z_sigma_sqrt_lead_time() -> None:
    # 1.6449 * 100 * sqrt(4) = 328.97
    assert safety_stock(100.0, 0.95, 4.0) == pytest.approx(328.9707, abs=1e-3)


def test_holding_cost_values_stock_at_cost() -> None:
    # 1000 at retail with a 40% margin is 600 at cost; 25% of it per year is 150
    assert annual_holding_cost(1000.0, 0.4, 0.25) == pytest.approx(150.0)


def test_inventory_effect_sums_the_compared_leaf_series() -> None:
    effect = inventory_effect(forecast_metrics(), assumptions())
    # baseline: z * (100 + 200) * 2 = 986.91; project: z * (50 + 100) * 2 = 493.46
    assert effect.series_count == 2
    assert effect.safety_stock_baseline == pytest.approx(Z_95 * 300 * 2)
    assert effect.safety_stock_model == pytest.approx(Z_95 * 150 * 2)
    # holding: 0.25 * stock * 0.6 -> 148.04 and 74.02, saving 74.02
    assert effect.holding_cost_baseline == pytest.approx(0.15 * Z_95 * 600)
    assert effect.holding_cost_saving == pytest.approx(0.15 * Z_95 * 300)


def test_inventory_effect_names_a_model_without_series() -> None:
    with pytest.raises(ValueError, match="no category_region series with an RMSE for model arima"):
        inventory_effect(forecast_metrics(), assumptions(forecast_model="arima"))


def test_roi_spreads_the_implementation_cost_over_the_horizon() -> None:
    result = roi(annual_benefit=60_000, implementation_cost=90_000, annual_operating_cost=10_000, horizon_years=3)
    # cost per year 90000 / 3 + 10000 = 40000; net 20000; ROI 50%
    assert result.annualised_cost == pytest.approx(40_000)
    assert result.annual_net_benefit == pytest.approx(20_000)
    assert result.annual_roi == pytest.approx(0.5)
    # 90000 / ((60000 - 10000) / 12) = 21.6 months
    assert result.payback_months == pytest.approx(21.6)
    assert result.horizon_net_value == pytest.approx(60_000)


def test_roi_never_pays_back_when_benefit_does_not_cover_running_cost() -> None:
    result = roi(annual_benefit=8_000, implementation_cost=90_000, annual_operating_cost=10_000, horizon_years=3)
    assert math.isinf(result.payback_months)
    assert result.annual_roi == pytest.approx((8_000 - 40_000) / 40_000)


def test_scenarios_move_benefit_and_cost_assumptions_in_opposite_directions() -> None:
    base = assumptions()
    low, high = scenario_assumptions(base, "low"), scenario_assumptions(base, "high")
    assert (low.holding_cost_rate, low.implementation_cost, low.annual_operating_cost) == (0.125, 180_000, 20_000)
    assert (high.holding_cost_rate, high.implementation_cost, high.annual_operating_cost) == (0.5, 45_000, 5_000)
    assert scenario_assumptions(base, "base") == base


def test_raise_to_only_raises_and_keeps_missing_values() -> None:
    frame = pd.DataFrame({"photo_quality": [0.2, 0.9, np.nan], "other": [1.0, 2.0, 3.0]})
    raised = raise_to(frame, {"photo_quality": 0.5}, ("photo_quality",))
    assert raised["photo_quality"].tolist()[:2] == [0.5, 0.9]
    assert np.isnan(raised["photo_quality"].iloc[2])
    assert raised["other"].tolist() == [1.0, 2.0, 3.0]
    assert frame["photo_quality"].iloc[0] == 0.2  # the input is not changed


def test_lever_targets_are_the_observed_quantile() -> None:
    frame = pd.DataFrame({"photo_quality": np.arange(11) / 10, "sentiment_compound_4w": np.linspace(-1, 1, 11)})
    targets = lever_targets(frame, 0.9)
    assert targets == pytest.approx({"photo_quality": 0.9, "sentiment_compound_4w": 0.8})


def linear_sales(frame: pd.DataFrame) -> np.ndarray:
    """A stand-in model with known effects: +100 per photo-quality point, +50 per sentiment point."""
    return (1000 + 100 * frame["photo_quality"] + 50 * frame["sentiment_compound_4w"]).to_numpy()


def lever_rows() -> pd.DataFrame:
    """Two test weeks of two rows each."""
    return pd.DataFrame({
        "week_start": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08"]),
        "product_category": ["A", "B", "A", "B"],
        "region": ["N"] * 4,
        "photo_quality": [0.5, 0.8, 0.6, 0.9],
        "sentiment_compound_4w": [0.0, 0.0, 0.0, 0.0],
    })


def test_lever_effect_annualises_the_counterfactual_difference() -> None:
    effect = lever_effect("photo_quality", lever_rows(), {"photo_quality": 0.8, "sentiment_compound_4w": 0.5}, linear_sales)
    # week 1: (0.8 - 0.5) * 100 = 30; week 2: (0.8 - 0.6) * 100 = 20; mean 25 * 52 = 1300
    assert effect.test_weeks == 2
    assert effect.rows_changed == 2
    assert effect.annual_uplift == pytest.approx(1300.0)
    assert effect.counterfactual_sales - effect.baseline_sales == pytest.approx(50.0)
    assert effect.uplift_share == pytest.approx(50.0 / (4000 + 100 * 2.8))
    assert 20 * 52 <= effect.annual_uplift_low <= effect.annual_uplift <= effect.annual_uplift_high <= 30 * 52


def test_combined_lever_moves_both_features() -> None:
    effect = lever_effect("photo_quality_and_sentiment", lever_rows(),
                          {"photo_quality": 0.8, "sentiment_compound_4w": 0.5}, linear_sales)
    # photo adds 30 + 20; sentiment adds 0.5 * 50 = 25 on each of four rows: 150 over two weeks
    assert effect.annual_uplift == pytest.approx(75.0 * 52)


def test_a_model_that_ignores_the_levers_shows_no_uplift() -> None:
    effect = lever_effect("photo_quality", lever_rows(), {"photo_quality": 0.8},
                          lambda frame: np.full(len(frame), 1000.0))
    assert effect.annual_uplift == 0.0
    assert effect.annual_uplift_low == effect.annual_uplift_high == 0.0


def test_business_impact_table_adds_up() -> None:
    rows = lever_rows()
    features = rows.assign(sales=1000.0)
    predictions = rows[["week_start", "product_category", "region"]].assign(split="test")
    table = business_impact(forecast_metrics(), features, predictions, linear_sales, "3", assumptions())
    assert not table.duplicated(["metric", "scenario"]).any()
    assert table["unit"].str.len().gt(0).all() and table["source"].str.len().gt(0).all()
    value = table.set_index(["metric", "scenario"])["value"]
    saving = 0.15 * Z_95 * 300  # from the inventory case above
    uplift = value["photo_quality_and_sentiment_annual_sales_uplift", "base"]
    assert value["annual_holding_cost_saving", "base"] == pytest.approx(saving)
    assert value["annual_benefit", "base"] == pytest.approx(saving + 0.4 * uplift)
    expected = roi(saving + 0.4 * uplift, 90_000, 10_000, 3)
    assert value["annual_roi", "base"] == pytest.approx(expected.annual_roi * 100)
    assert value["payback_months", "base"] == pytest.approx(expected.payback_months)
    assert value["champion_model_version", "base"] == 3
    # the pessimistic scenario is never better than the base, the optimistic never worse
    assert value["annual_roi", "low"] <= value["annual_roi", "base"] <= value["annual_roi", "high"]


def test_business_impact_needs_test_rows() -> None:
    rows = lever_rows()
    predictions = rows[["week_start", "product_category", "region"]].assign(split="train")
    with pytest.raises(ValueError, match="no test rows"):
        business_impact(forecast_metrics(), rows, predictions, linear_sales, "1", assumptions())


def test_assumptions_from_dbt_config_strings() -> None:
    config = {name: str(value) for name, value in assumptions().__dict__.items()}
    assert ImpactAssumptions.from_config(config) == assumptions()
    with pytest.raises(ValueError, match="impact_service_level"):
        ImpactAssumptions.from_config({**config, "service_level": "1.2"})
