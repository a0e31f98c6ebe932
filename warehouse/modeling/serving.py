"""The served sales model: an MLflow pyfunc around the trained forest.

Requests are validated against ``SalesFeatures`` (a pydantic model that forbids unknown
fields), so a missing, extra or wrongly typed column gets HTTP 400 with its name from
`mlflow models serve`, and the answer per row is the point prediction, its 90% interval and
the registered model version that produced it.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from warehouse.modeling.features import FEATURES, NUMERIC
from warehouse.modeling.forest import RelativeQuantileForest


class SalesFeatures(BaseModel):
    """One row of model input: the feature columns of ``sales_model_features``."""

    model_config = ConfigDict(extra="forbid")

    product_category: str
    region: str
    sales_rolling_mean_4w: float
    sales_rolling_mean_13w: float | None = None
    sales_lag_52w: float | None = None
    marketing_spend_per_day: float | None = None
    marketing_spend_rolling_4w: float | None = None
    weather_score: float | None = None
    weather_score_rolling_4w: float | None = None
    week_of_year: float
    week_of_year_sin: float
    week_of_year_cos: float
    sentiment_compound_4w: float | None = None
    photo_quality: float | None = None


class SalesPrediction(BaseModel):
    """One row of model output."""

    predicted_sales: float
    lower_90: float
    upper_90: float
    model_version: str



def request_rows(frame: pd.DataFrame) -> list[dict]:
    """Feature rows as a client posts them: the model's columns, JSON-ready, nulls as None."""
    return [
        {key: (None if pd.isna(value) else value) for key, value in record.items()}
        for record in frame[list(FEATURES)].to_dict(orient="records")
    ]


class SalesModel(mlflow.pyfunc.PythonModel):
    """Predicts weekly sales with a 90% interval for rows of named feature columns."""

    def __init__(self, model: RelativeQuantileForest, feature_columns: list[str], model_version: str) -> None:
        self.model = model
        self.feature_columns = feature_columns
        self.model_version = model_version

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The same answer as the endpoint, for a data frame of feature rows."""
        predicted, bounds = self.model.predict_with_interval(frame[self.feature_columns])
        return pd.DataFrame(
            {
                "predicted_sales": predicted,
                "lower_90": bounds[:, 0],
                "upper_90": bounds[:, 1],
                "model_version": self.model_version,
            }
        )

    def predict_sales(self, frame: pd.DataFrame) -> np.ndarray:
        """Point predictions only (no interval), for bulk what-if predictions."""
        return self.model.predict(frame[self.feature_columns])

    def predict(self, context, model_input: list[SalesFeatures], params=None) -> list[SalesPrediction]:
        frame = pd.DataFrame([row.model_dump() for row in model_input], columns=list(FEATURES))
        answer = self.predict_frame(frame.astype({c: float for c in NUMERIC}))
        return [SalesPrediction(**row) for row in answer.to_dict(orient="records")]
