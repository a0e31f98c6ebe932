"""The forecasting models: each takes a history and the days to forecast, returns a ModelForecast.

- ``seasonal_naive``: the value 364 days (52 weeks) earlier, or 7 days where the history is
  shorter than that; the baseline every metric is scaled by.
- ``arima_212``: the seed's ARIMA(2,1,2) on the level, kept as the reference to beat.
- ``sarimax_fourier``: the project's model, a regression with ARMA errors (statsmodels SARIMAX)
  on log sales with a trend, yearly Fourier terms, weekday effects and the drivers.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.tsa.arima.estimators.hannan_rissanen import hannan_rissanen
from statsmodels.tsa.statespace.mlemodel import MLEResults
from statsmodels.tsa.statespace.sarimax import SARIMAX

from warehouse.forecasting.features import design_array
from warehouse.forecasting.series import TWO_YEARS_DAYS, WEEKLY_LAG_DAYS, YEARLY_LAG_DAYS, Drivers, Series

log = logging.getLogger(__name__)

Z_95 = float(norm.ppf(0.975))

StartParams = Mapping[str, float]
"""Fitted parameters by statsmodels name (``ar.L1``, ``ma.L1`` ...), to start the next fit from."""


@dataclass(frozen=True)
class ModelForecast:
    """Point forecast (the conditional mean), 95% bounds and standard deviation per day."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    std: np.ndarray
    spec: str
    residuals: pd.Series | None = field(default=None, compare=False)
    params: StartParams | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SarimaxSettings:
    """Search space of the project's model; orders and terms are chosen by AIC on the history."""

    harmonics: tuple[int, ...] = (2, 3, 4)
    spend_saturation_multiples: tuple[float, ...] = (1.0, 2.0, 4.0)
    arma_orders: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2))
    max_iterations: int = 100


def normal_forecast(
    mean: np.ndarray, std: np.ndarray, spec: str, residuals: pd.Series | None = None, params: StartParams | None = None
) -> ModelForecast:
    """A forecast whose 95% interval is mean +- 1.96 std."""
    return ModelForecast(mean, mean - Z_95 * std, mean + Z_95 * std, std, spec, residuals, params)


def flat_forecast(value: float, horizon: int, spec: str) -> ModelForecast:
    """A constant forecast with a zero-width interval, for constant or all-zero series."""
    mean = np.full(horizon, value)
    return ModelForecast(mean, mean.copy(), mean.copy(), np.zeros(horizon), spec)


def seasonal_lag(n_history: int) -> int:
    """364 days where the history holds a full year of 52 weeks, otherwise one week."""
    return YEARLY_LAG_DAYS if n_history >= YEARLY_LAG_DAYS else WEEKLY_LAG_DAYS


def seasonal_naive(history: Series, target: Drivers) -> ModelForecast:
    """Repeat the last seasonal cycle; the spread of past seasonal differences gives the interval."""
    lag = seasonal_lag(len(history))
    if len(history) < lag:
        raise ValueError(f"seasonal naive needs at least {lag} days, got {len(history)}")
    steps = np.arange(len(target))
    mean = history.sales[len(history) - lag + steps % lag]
    differences = history.sales[lag:] - history.sales[:-lag]
    cycles_ahead = steps // lag + 1
    std = np.full(len(target), np.std(differences, ddof=1) if differences.size > 1 else 0.0) * np.sqrt(cycles_ahead)
    return normal_forecast(mean, std, f"y[t-{lag}]")


def start_values(model: SARIMAX, names: list[str], start: StartParams | None) -> np.ndarray | None:
    """``start``'s values of the parameters ``names`` of ``model``, or None when it lacks any of them."""
    if start is None or not names or not set(names) <= set(start):
        return None
    return np.array([start[name] for name in names])


def maximum_likelihood(
    model: SARIMAX, start_params: np.ndarray | None, maxiter: int = 50, fixed: StartParams | None = None
) -> MLEResults:
    """Fit ``model`` by maximum likelihood (``fixed`` parameters held) and filter at the optimum.

    ``fit`` would end with the smoother and the covariance of the parameters (one complex-step
    likelihood per parameter): a third of the CPU of a fit, and the forecasts need neither;
    their standard errors come from the filter alone.
    """
    with model.fix_params(dict(fixed or {})):
        params = model.fit(start_params=start_params, disp=False, maxiter=maxiter, return_params=True)
    return model.filter(params, cov_type="none")


def fitted_params(model: SARIMAX, fitted: MLEResults, names: list[str]) -> dict[str, float]:
    """The fitted values of ``names``, to warm-start the next window's fit."""
    return {name: float(fitted.params[model.param_names.index(name)]) for name in names}


def arima_212(history: Series, target: Drivers) -> ModelForecast:
    """The seed's ARIMA(2,1,2) on the level, without seasonality or drivers."""
    # SARIMAX with the scale concentrated out reaches a higher likelihood than ARIMA's
    # default optimiser on these series, in a fraction of the time.
    model = SARIMAX(history.sales, order=(2, 1, 2), concentrate_scale=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = maximum_likelihood(model, None)
        prediction = fitted.get_forecast(len(target))
    mean = np.asarray(prediction.predicted_mean)
    return normal_forecast(mean, np.asarray(prediction.se_mean), "ARIMA(2,1,2) level")


def information_criterion(residual_variance: float, n_obs: int, n_params: int) -> float:
    """Gaussian AIC up to a constant shared by the candidates: n log(sigma^2) + 2k."""
    return n_obs * np.log(max(residual_variance, 1e-300)) + 2 * n_params


def choose_regression(
    target: np.ndarray, history: Drivers, settings: SarimaxSettings
) -> tuple[int, float | None, float]:
    """(harmonics, spend saturation, AIC) of the best least-squares regression by AIC.

    A history shorter than two years cannot separate the yearly cycle from the trend, so it
    gets no yearly terms (weekly seasonality only) and a logged warning.
    """
    harmonics = settings.harmonics
    if len(target) < TWO_YEARS_DAYS:
        log.warning("History of %d days is shorter than two years: weekly seasonality only", len(target))
        harmonics = (0,)
    saturations: list[float | None] = [None]
    spend = history.marketing_spend
    if spend is not None and np.ptp(spend) > 0:
        typical = float(np.median(spend[spend > 0])) if np.any(spend > 0) else 1.0
        saturations = [typical * multiple for multiple in settings.spend_saturation_multiples]
    best = (harmonics[0], saturations[0], np.inf)
    for k, saturation in product(harmonics, saturations):
        design = design_array(history, history.dates[0], k, saturation)
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        residual = target - design @ coef
        score = information_criterion(float(np.mean(residual**2)), len(target), design.shape[1])
        if score < best[2]:
            best = (k, saturation, score)
    return best


def choose_arma_order(residuals: np.ndarray, orders: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """ARMA (p, q) of the regression residuals by AIC, with fast Hannan-Rissanen estimates."""
    best_order, best_score = (0, 0), np.inf
    for p, q in orders:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                params, _ = hannan_rissanen(residuals, ar_order=p, ma_order=q, demean=True)
            variance = float(params.sigma2)
        except (ValueError, np.linalg.LinAlgError):
            continue
        score = information_criterion(variance, len(residuals), p + q)
        if np.isfinite(score) and score < best_score:
            best_order, best_score = (p, q), score
    return best_order


def sarimax_fourier(
    history: Series, target: Drivers, start: StartParams | None = None, settings: SarimaxSettings = SarimaxSettings()
) -> ModelForecast:
    """The project's model: log-scale regression with ARMA errors, fitted by maximum likelihood.

    Terms (yearly harmonics, spend saturation) and ARMA orders are chosen by AIC on the
    history only. Sales with a zero day are modelled on the level instead of the log. The
    regression is fitted by least squares and the ARMA errors by maximum likelihood given it.
    ``start`` (the backtest fit's ARMA parameters) warm-starts the optimiser when the history
    chose the same ARMA orders.
    """
    use_log = bool(np.all(history.sales > 0))
    endog = np.log(history.sales) if use_log else history.sales.astype(float)
    harmonics, saturation, _ = choose_regression(endog, history.drivers, settings)
    origin = history.dates[0]
    design = design_array(history.drivers, origin, harmonics, saturation)
    coef, *_ = np.linalg.lstsq(design, endog, rcond=None)
    p, q = choose_arma_order(endog - design @ coef, settings.arma_orders)
    model = SARIMAX(endog, exog=design, order=(p, 0, q), trend="n", concentrate_scale=True)
    arma_names = model.param_names[len(coef):]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if p == q == 0:
            # With white-noise errors least squares is the maximum likelihood: no optimiser needed.
            fitted = model.filter(coef, cov_type="none")
        else:
            # Two-step: the regression stays at least squares and the ARMA part gets exact
            # maximum likelihood. Optimising all ~20 parameters jointly took 10x the CPU for the
            # same log-likelihood (964.319 both, on a scale-1 category x region MA(1) fit).
            arma_start = start_values(model, arma_names, start)
            fitted = maximum_likelihood(
                model, np.zeros(p + q) if arma_start is None else arma_start, settings.max_iterations,
                fixed=dict(zip(model.param_names[: len(coef)], coef)),
            )
        prediction = fitted.get_forecast(len(target), exog=design_array(target, origin, harmonics, saturation))
    location = np.asarray(prediction.predicted_mean)
    scale = np.asarray(prediction.se_mean)
    residuals = pd.Series(np.asarray(fitted.resid), index=history.dates)
    spec = sarimax_spec(use_log, p, q, harmonics, saturation, history.drivers.weather_score is not None)
    params = fitted_params(model, fitted, arma_names)
    if not use_log:
        return normal_forecast(location, scale, spec, residuals, params)
    mean = np.exp(location + scale**2 / 2)
    std = mean * np.sqrt(np.expm1(scale**2))
    return ModelForecast(
        mean, np.exp(location - Z_95 * scale), np.exp(location + Z_95 * scale), std, spec, residuals, params
    )


def sarimax_spec(use_log: bool, p: int, q: int, harmonics: int, saturation: float | None, weather: bool) -> str:
    """A readable one-line description of the chosen model."""
    terms = [f"{'log' if use_log else 'level'} SARIMAX({p},0,{q})", "trend", f"yearly Fourier K={harmonics}", "weekday"]
    if saturation is not None:
        terms.append(f"spend 1-exp(-s/{saturation:.0f})")
    if weather:
        terms.append("weather")
    return " + ".join(terms)
