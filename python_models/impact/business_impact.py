"""Business impact: forecast error -> safety stock and holding cost, champion-model counterfactuals -> ROI."""

from warehouse.impact import ImpactAssumptions, business_impact, champion_predictor


def model(dbt, session):
    dbt.config(materialized="table")
    assumptions = ImpactAssumptions.from_config({
        "holding_cost_rate": dbt.config.get("holding_cost_rate"),
        "service_level": dbt.config.get("service_level"),
        "lead_time_days": dbt.config.get("lead_time_days"),
        "gross_margin": dbt.config.get("gross_margin"),
        "implementation_cost": dbt.config.get("implementation_cost"),
        "annual_operating_cost": dbt.config.get("annual_operating_cost"),
        "analysis_horizon_years": dbt.config.get("analysis_horizon_years"),
        "improvement_quantile": dbt.config.get("improvement_quantile"),
        "sensitivity_low_multiplier": dbt.config.get("sensitivity_low_multiplier"),
        "sensitivity_high_multiplier": dbt.config.get("sensitivity_high_multiplier"),
        "forecast_model": dbt.config.get("forecast_model"),
    })
    # Never read: the ref makes the champion be read after this build's registration.
    dbt.ref("sales_model_registration")
    predict, version = champion_predictor()
    return business_impact(
        dbt.ref("forecast_metrics").df(),
        dbt.ref("sales_model_features").df(),
        dbt.ref("sales_model_predictions").df(),
        predict,
        version,
        assumptions,
    )
