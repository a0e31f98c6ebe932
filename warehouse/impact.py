"""Business impact of the models, from measured results and documented assumptions.

Every figure of the ``business_impact`` mart comes from a function here: the forecast's
backtest error turned into safety stock and holding cost, the sales effect of better photos
and sentiment measured by counterfactual predictions of the champion sales model, and the
ROI, payback and sensitivity that follow. The assumptions are dbt vars (dbt_project.yml).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import norm

from warehouse.modeling.features import KEY_COLUMNS

log = logging.getLogger(__name__)

WEEKS_PER_YEAR = 52.0
LEAF_LEVEL = "category_region"
SCENARIOS = ("low", "base", "high")
IMPACT_COLUMNS = ["metric", "scenario", "value", "unit", "section", "source"]
# The model features each lever moves; the rest of a row stays as it was.
LEVERS: dict[str, tuple[str, ...]] = {
    "photo_quality": ("photo_quality",),
    "sentiment": ("sentiment_compound_4w",),
    "photo_quality_and_sentiment": ("photo_quality", "sentiment_compound_4w"),
}
COMBINED_LEVER = "photo_quality_and_sentiment"


@dataclass(frozen=True)
class ImpactAssumptions:
    """The business assumptions, one dbt var each (see dbt_project.yml for their meaning)."""

    holding_cost_rate: float
    service_level: float
    lead_time_days: float
    gross_margin: float
    implementation_cost: float
    annual_operating_cost: float
    analysis_horizon_years: float
    improvement_quantile: float
    sensitivity_low_multiplier: float
    sensitivity_high_multiplier: float
    forecast_model: str
    baseline_model: str = "seasonal_naive"

    @classmethod
    def from_config(cls, values: Mapping[str, object]) -> ImpactAssumptions:
        """Typed assumptions from dbt config values (which arrive as strings); checks ranges."""
        texts = ("forecast_model", "baseline_model")
        numbers = {name: float(values[name]) for name in cls.__dataclass_fields__ if name not in texts}
        assumptions = cls(**numbers, forecast_model=str(values["forecast_model"]),
                          baseline_model=str(values.get("baseline_model") or "seasonal_naive"))
        assumptions.validate()
        return assumptions

    def validate(self) -> None:
        """Raise ValueError naming the var whose value cannot be right."""
        checks = {
            "impact_service_level": 0.5 <= self.service_level < 1,
            "impact_holding_cost_rate": self.holding_cost_rate >= 0,
            "impact_lead_time_days": self.lead_time_days > 0,
            "impact_gross_margin": 0 <= self.gross_margin < 1,
            "impact_implementation_cost": self.implementation_cost >= 0,
            "impact_annual_operating_cost": self.annual_operating_cost >= 0,
            "impact_analysis_horizon_years": self.analysis_horizon_years > 0,
            "impact_improvement_quantile": 0 < self.improvement_quantile <= 1,
            "impact_sensitivity_low_multiplier": 0 <= self.sensitivity_low_multiplier <= 1,
            "impact_sensitivity_high_multiplier": self.sensitivity_high_multiplier >= 1,
        }
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            raise ValueError(f"business_impact: dbt var(s) out of range: {', '.join(wrong)}")


# --- inventory: forecast error -> safety stock -> holding cost ---------------------------


def service_level_z(service_level: float) -> float:
    """The normal quantile for a cycle service level (0.95 -> 1.645)."""
    return float(norm.ppf(service_level))


def safety_stock(sigma_daily: float, service_level: float, lead_time_days: float) -> float:
    """Safety stock = z(service level) * sigma(daily forecast error) * sqrt(lead time days)."""
    return service_level_z(service_level) * sigma_daily * math.sqrt(lead_time_days)


def annual_holding_cost(stock_at_retail: float, gross_margin: float, holding_cost_rate: float) -> float:
    """Yearly cost of holding stock valued at retail: rate * stock at cost (retail * (1 - margin))."""
    return holding_cost_rate * stock_at_retail * (1.0 - gross_margin)


def leaf_error_sigma(forecast_metrics: pd.DataFrame, model: str) -> pd.Series:
    """Backtest RMSE of ``model`` per category x region series: sigma of its daily error.

    RMSE rather than the standard deviation, so a biased forecast pays for its bias.
    """
    rows = forecast_metrics[(forecast_metrics["model"] == model) & (forecast_metrics["series_level"] == LEAF_LEVEL)]
    rows = rows.dropna(subset=["rmse"])
    if rows.empty:
        raise ValueError(f"business_impact: forecast_metrics has no {LEAF_LEVEL} series with an RMSE for model {model}")
    return rows.set_index("series_id")["rmse"].astype(float)


@dataclass(frozen=True)
class InventoryEffect:
    """Safety stock and holding cost under the baseline forecast and the project's forecast."""

    series_count: int
    sigma_baseline: float
    sigma_model: float
    safety_stock_baseline: float
    safety_stock_model: float
    holding_cost_baseline: float
    holding_cost_model: float

    @property
    def holding_cost_saving(self) -> float:
        return self.holding_cost_baseline - self.holding_cost_model


def inventory_effect(forecast_metrics: pd.DataFrame, assumptions: ImpactAssumptions) -> InventoryEffect:
    """Safety stock summed over the series both models forecast, and its yearly holding cost."""
    baseline = leaf_error_sigma(forecast_metrics, assumptions.baseline_model)
    model = leaf_error_sigma(forecast_metrics, assumptions.forecast_model)
    common = baseline.index.intersection(model.index)
    stock = {
        name: sum(safety_stock(s, assumptions.service_level, assumptions.lead_time_days) for s in sigmas[common])
        for name, sigmas in (("baseline", baseline), ("model", model))
    }
    cost = {name: annual_holding_cost(value, assumptions.gross_margin, assumptions.holding_cost_rate)
            for name, value in stock.items()}
    return InventoryEffect(len(common), float(baseline[common].mean()), float(model[common].mean()),
                           stock["baseline"], stock["model"], cost["baseline"], cost["model"])


# --- sales levers: counterfactual predictions of the champion model ------------------------


def lever_targets(features: pd.DataFrame, quantile: float) -> dict[str, float]:
    """The level each lever raises its feature to: the feature's ``quantile`` over all rows.

    A level already reached in the data, so the forest is not asked to extrapolate.
    """
    columns = sorted({column for moved in LEVERS.values() for column in moved})
    return {column: float(features[column].quantile(quantile)) for column in columns if features[column].notna().any()}


def raise_to(frame: pd.DataFrame, targets: Mapping[str, float], columns: tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``frame`` with each of ``columns`` raised to at least its target.

    Never lowered, and a missing value stays missing: an unknown level is not an improvement.
    """
    raised = frame.copy()
    for column in columns:
        if column in targets:
            values = raised[column]
            raised[column] = values.where(values.isna() | (values >= targets[column]), targets[column])
    return raised


def rows_of_test_weeks(features: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The feature rows of the sales model's test weeks (split = 'test' in its predictions)."""
    keys = list(KEY_COLUMNS)
    test_keys = predictions.loc[predictions["split"] == "test", keys]
    rows = features.merge(test_keys, on=keys, how="inner")
    if rows.empty:
        raise ValueError("business_impact: sales_model_predictions has no test rows to predict")
    return rows


Predictor = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class LeverEffect:
    """A lever's measured effect on the test weeks, annualised, with a bootstrap interval."""

    lever: str
    test_weeks: int
    rows_changed: int
    baseline_sales: float
    counterfactual_sales: float
    annual_uplift: float
    annual_uplift_low: float
    annual_uplift_high: float

    @property
    def uplift_share(self) -> float:
        return self.counterfactual_sales / self.baseline_sales - 1.0 if self.baseline_sales else float("nan")


def weekly_bootstrap(weekly_delta: np.ndarray, quantiles: tuple[float, float], draws: int, seed: int) -> tuple[float, float]:
    """Quantiles of the annualised mean weekly uplift over weeks resampled with replacement."""
    rng = np.random.default_rng(seed)
    samples = rng.choice(weekly_delta, size=(draws, len(weekly_delta)), replace=True).mean(axis=1) * WEEKS_PER_YEAR
    low, high = np.quantile(samples, quantiles)
    return float(low), float(high)


def lever_effect(
    lever: str,
    rows: pd.DataFrame,
    targets: Mapping[str, float],
    predict: Predictor,
    interval: tuple[float, float] = (0.05, 0.95),
    draws: int = 2000,
    seed: int = 0,
) -> LeverEffect:
    """Predicted sales of the test rows as they were and with the lever's features raised.

    The uplift is summed per week and annualised (mean weekly uplift * 52); its interval is
    a bootstrap over weeks, the model's own uncertainty about the effect on these data.
    """
    columns = LEVERS[lever]
    raised = raise_to(rows, targets, columns)
    moved = list(columns)
    changed = (raised[moved].ne(rows[moved]) & rows[moved].notna()).any(axis=1)
    base = np.asarray(predict(rows), dtype=float)
    counterfactual = np.asarray(predict(raised), dtype=float)
    weekly = pd.Series(counterfactual - base).groupby(rows["week_start"].to_numpy()).sum().to_numpy()
    low, high = weekly_bootstrap(weekly, interval, draws, seed)
    return LeverEffect(lever, len(weekly), int(changed.sum()), float(base.sum()), float(counterfactual.sum()),
                       float(weekly.mean() * WEEKS_PER_YEAR), low, high)


# --- ROI -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roi:
    """Yearly benefit against yearly cost, ROI, payback and net value over the horizon."""

    annual_benefit: float
    annualised_cost: float
    annual_net_benefit: float
    annual_roi: float
    payback_months: float
    horizon_net_value: float


def roi(annual_benefit: float, implementation_cost: float, annual_operating_cost: float, horizon_years: float) -> Roi:
    """ROI with the one-off cost spread evenly over the analysis horizon.

    annual ROI = (benefit - cost / horizon - operating) / (cost / horizon + operating);
    payback months = cost / ((benefit - operating) / 12), infinite when that is not positive.
    """
    annualised_cost = implementation_cost / horizon_years + annual_operating_cost
    net = annual_benefit - annualised_cost
    annual_roi = net / annualised_cost if annualised_cost > 0 else float("inf")
    monthly_cash = (annual_benefit - annual_operating_cost) / 12.0
    payback = implementation_cost / monthly_cash if monthly_cash > 0 else float("inf")
    return Roi(annual_benefit, annualised_cost, net, annual_roi, payback, net * horizon_years)


def scenario_assumptions(assumptions: ImpactAssumptions, scenario: str) -> ImpactAssumptions:
    """Low is pessimistic (holding cost rate * low, costs * high), high the reverse, base as set."""
    if scenario == "base":
        return assumptions
    benefit, cost = (
        (assumptions.sensitivity_low_multiplier, assumptions.sensitivity_high_multiplier)
        if scenario == "low"
        else (assumptions.sensitivity_high_multiplier, assumptions.sensitivity_low_multiplier)
    )
    return replace(
        assumptions,
        holding_cost_rate=assumptions.holding_cost_rate * benefit,
        implementation_cost=assumptions.implementation_cost * cost,
        annual_operating_cost=assumptions.annual_operating_cost * cost,
    )


def scenario_uplift(effect: LeverEffect, scenario: str) -> float:
    """The lever's annual sales uplift in a scenario: the bootstrap bounds for low and high."""
    return {"low": effect.annual_uplift_low, "base": effect.annual_uplift, "high": effect.annual_uplift_high}[scenario]


# --- the mart ------------------------------------------------------------------------------


def _row(metric: str, value: float, unit: str, section: str, source: str, scenario: str = "base") -> dict[str, object]:
    """One row of the mart."""
    return {"metric": metric, "scenario": scenario, "value": float(value), "unit": unit, "section": section, "source": source}


def assumption_rows(assumptions: ImpactAssumptions) -> list[dict[str, object]]:
    """The vars themselves, so every derived figure's inputs sit in the same table."""
    units = {
        "holding_cost_rate": "fraction of stock value at cost per year",
        "service_level": "probability",
        "lead_time_days": "days",
        "gross_margin": "fraction of sales",
        "implementation_cost": "currency",
        "annual_operating_cost": "currency per year",
        "analysis_horizon_years": "years",
        "improvement_quantile": "quantile",
        "sensitivity_low_multiplier": "multiplier",
        "sensitivity_high_multiplier": "multiplier",
    }
    return [_row(name, getattr(assumptions, name), unit, "assumption", f"var('impact_{name}')")
            for name, unit in units.items()]


def inventory_rows(effect: InventoryEffect, assumptions: ImpactAssumptions) -> list[dict[str, object]]:
    """Measured forecast error and the safety stock and holding cost that follow from it."""
    base, model = assumptions.baseline_model, assumptions.forecast_model
    stock = "z(service_level) * rmse * sqrt(lead_time_days), summed over category x region series"
    cost = "holding_cost_rate * safety stock * (1 - gross_margin)"
    return [
        _row("forecast_series", effect.series_count, "series", "inventory",
             f"forecast_metrics: {LEAF_LEVEL} series with both models"),
        _row("service_level_z", service_level_z(assumptions.service_level), "standard deviations", "inventory",
             "normal quantile of var('impact_service_level')"),
        _row(f"mean_daily_rmse_{base}", effect.sigma_baseline, "currency per day", "inventory",
             f"forecast_metrics.rmse, model {base}, backtest"),
        _row(f"mean_daily_rmse_{model}", effect.sigma_model, "currency per day", "inventory",
             f"forecast_metrics.rmse, model {model}, backtest"),
        _row(f"safety_stock_{base}", effect.safety_stock_baseline, "currency at retail", "inventory", stock),
        _row(f"safety_stock_{model}", effect.safety_stock_model, "currency at retail", "inventory", stock),
        _row("safety_stock_reduction", effect.safety_stock_baseline - effect.safety_stock_model, "currency at retail",
             "inventory", f"safety_stock_{base} - safety_stock_{model}"),
        _row(f"annual_holding_cost_{base}", effect.holding_cost_baseline, "currency per year", "inventory", cost),
        _row(f"annual_holding_cost_{model}", effect.holding_cost_model, "currency per year", "inventory", cost),
    ]


def lever_rows(effects: list[LeverEffect], targets: Mapping[str, float], model_version: str) -> list[dict[str, object]]:
    """The counterfactual predictions of each lever, and the feature levels they raise to."""
    source = f"champion sales_model v{model_version}, predict_frame on the test weeks' feature rows"
    rows = [_row(f"target_{column}", value, "feature units", "sales_levers",
                 f"quantile var('impact_improvement_quantile') of sales_model_features.{column}")
            for column, value in targets.items()]
    for effect in effects:
        rows += [
            _row(f"{effect.lever}_rows_changed", effect.rows_changed, "feature rows", "sales_levers",
                 f"test rows whose {' and '.join(LEVERS[effect.lever])} was below target"),
            _row(f"{effect.lever}_test_weeks", effect.test_weeks, "weeks", "sales_levers", "sales_model_predictions split = 'test'"),
            _row(f"{effect.lever}_predicted_sales_as_is", effect.baseline_sales, "currency over the test weeks",
                 "sales_levers", source),
            _row(f"{effect.lever}_predicted_sales_raised", effect.counterfactual_sales, "currency over the test weeks",
                 "sales_levers", f"{source}, features raised to target"),
            _row(f"{effect.lever}_uplift_share", effect.uplift_share, "fraction of sales", "sales_levers",
                 "predicted_sales_raised / predicted_sales_as_is - 1"),
            _row(f"{effect.lever}_annual_sales_uplift", effect.annual_uplift, "currency per year", "sales_levers",
                 "mean weekly uplift over the test weeks * 52"),
            _row(f"{effect.lever}_annual_sales_uplift", effect.annual_uplift_low, "currency per year", "sales_levers",
                 "5% quantile of the annual uplift, bootstrap over test weeks", scenario="low"),
            _row(f"{effect.lever}_annual_sales_uplift", effect.annual_uplift_high, "currency per year", "sales_levers",
                 "95% quantile of the annual uplift, bootstrap over test weeks", scenario="high"),
        ]
    return rows


def scenario_rows(
    scenario: str, base: ImpactAssumptions, inventory: InventoryEffect, combined: LeverEffect,
    forecast_metrics: pd.DataFrame,
) -> list[dict[str, object]]:
    """Benefits, costs and ROI under one scenario's assumptions."""
    assumptions = scenario_assumptions(base, scenario)
    effect = inventory if scenario == "base" else inventory_effect(forecast_metrics, assumptions)
    uplift = scenario_uplift(combined, scenario)
    margin = uplift * assumptions.gross_margin
    result = roi(effect.holding_cost_saving + margin, assumptions.implementation_cost,
                 assumptions.annual_operating_cost, assumptions.analysis_horizon_years)
    bound = {"low": "5% bootstrap bound", "base": "point estimate", "high": "95% bootstrap bound"}[scenario]
    rows = [
        _row("scenario_holding_cost_rate", assumptions.holding_cost_rate, "fraction per year", "scenario",
             f"var('impact_holding_cost_rate') * scenario multiplier"),
        _row("annual_holding_cost_saving", effect.holding_cost_saving, "currency per year", "benefit",
             "annual_holding_cost_baseline - annual_holding_cost_model"),
        _row("annual_sales_uplift", uplift, "currency per year", "benefit",
             f"{COMBINED_LEVER}_annual_sales_uplift ({bound})"),
        _row("annual_margin_from_sales_uplift", margin, "currency per year", "benefit",
             "annual_sales_uplift * var('impact_gross_margin')"),
        _row("annual_benefit", result.annual_benefit, "currency per year", "benefit",
             "annual_holding_cost_saving + annual_margin_from_sales_uplift"),
        _row("scenario_implementation_cost", assumptions.implementation_cost, "currency", "cost",
             "var('impact_implementation_cost') * scenario multiplier"),
        _row("scenario_annual_operating_cost", assumptions.annual_operating_cost, "currency per year", "cost",
             "var('impact_annual_operating_cost') * scenario multiplier"),
        _row("annualised_cost", result.annualised_cost, "currency per year", "cost",
             "scenario_implementation_cost / var('impact_analysis_horizon_years') + scenario_annual_operating_cost"),
        _row("annual_net_benefit", result.annual_net_benefit, "currency per year", "roi", "annual_benefit - annualised_cost"),
        _row("annual_roi", result.annual_roi * 100.0, "percent", "roi", "annual_net_benefit / annualised_cost * 100"),
        _row("payback_months", result.payback_months, "months", "roi",
             "scenario_implementation_cost / ((annual_benefit - scenario_annual_operating_cost) / 12); inf when never"),
        _row("horizon_net_value", result.horizon_net_value, "currency", "roi",
             "annual_net_benefit * var('impact_analysis_horizon_years')"),
    ]
    return [{**row, "scenario": scenario} for row in rows]


def business_impact(
    forecast_metrics: pd.DataFrame,
    features: pd.DataFrame,
    predictions: pd.DataFrame,
    predict: Predictor,
    model_version: str,
    assumptions: ImpactAssumptions,
) -> pd.DataFrame:
    """The business_impact mart: one row per metric and scenario, with unit and derivation."""
    inventory = inventory_effect(forecast_metrics, assumptions)
    rows = rows_of_test_weeks(features, predictions)
    targets = lever_targets(features, assumptions.improvement_quantile)
    effects = [lever_effect(lever, rows, targets, predict) for lever in LEVERS]
    combined = next(effect for effect in effects if effect.lever == COMBINED_LEVER)
    for effect in effects:
        log.info("lever %s: annual sales uplift %.0f (90%% bootstrap %.0f to %.0f)",
                 effect.lever, effect.annual_uplift, effect.annual_uplift_low, effect.annual_uplift_high)
    table = assumption_rows(assumptions) + inventory_rows(inventory, assumptions) + lever_rows(effects, targets, model_version)
    table += [_row("champion_model_version", float(model_version), "version", "sales_levers",
                   "registry alias sales_model@champion")]
    for scenario in SCENARIOS:
        table += scenario_rows(scenario, assumptions, inventory, combined, forecast_metrics)
    return pd.DataFrame(table, columns=IMPACT_COLUMNS)


def champion_predictor() -> tuple[Predictor, str]:
    """The champion sales model's point prediction for feature rows, and its version."""
    import mlflow

    from warehouse.tracking import CHAMPION, MODEL_NAME, connect

    client = connect()
    version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@{CHAMPION}").unwrap_python_model()
    return model.predict_sales, str(version)
