"""The known-truth generator: deterministic, the documented volumes, the causal story holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from warehouse.synthetic import generate, images
from warehouse.synthetic.images import degrade, generate_images
from warehouse.synthetic.world import CATEGORIES, World


def digest_tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def scale_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale_one")
    generate(root / "seeds", root / "data", scale=1, seed=42)
    return root


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate(tmp_path / name / "seeds", tmp_path / name / "data", scale=0.2, seed=3)
    first, second = digest_tree(tmp_path / "a"), digest_tree(tmp_path / "b")
    assert first == second
    assert any(name.endswith(".png") for name in first)


def test_other_seed_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a" / "seeds", tmp_path / "a" / "data", scale=0.2, seed=3)
    generate(tmp_path / "b" / "seeds", tmp_path / "b" / "data", scale=0.2, seed=4)
    assert (tmp_path / "a/seeds/raw_sales.csv").read_bytes() != (tmp_path / "b/seeds/raw_sales.csv").read_bytes()


def test_scale_one_volumes(scale_one: Path) -> None:
    sales = pd.read_csv(scale_one / "seeds/raw_sales.csv")
    assert len(sales) == 27_375
    assert list(sales.columns) == ["date", "sales_amount", "product_category", "region", "marketing_spend", "weather_score"]
    assert (sales["date"].min(), sales["date"].max()) == ("2021-01-01", "2023-12-31")
    assert sorted(sales["product_category"].unique()) == sorted(c.name for c in CATEGORIES)
    assert sorted(sales["region"].unique()) == ["Central", "East", "North", "South", "West"]
    feedback = pd.read_csv(scale_one / "seeds/raw_feedback.csv")
    assert len(feedback) >= 1000
    assert feedback["feedback_text"].nunique() >= 500
    images = pd.read_csv(scale_one / "seeds/raw_product_images.csv")
    assert len(images) >= 100
    truth = pd.read_csv(scale_one / "data/truth/image_degradations.csv")
    assert list(truth.columns[:4]) == ["image_id", "blur_sigma", "exposure_gain", "noise_sigma"]
    assert len(truth) == len(images)


def test_scale_grows_volume_with_more_regions(tmp_path: Path) -> None:
    counts = generate(tmp_path / "seeds", tmp_path / "data", scale=2, seed=1)
    assert counts.regions == 10
    assert counts.sales == 2 * 27_375
    regions = pd.read_csv(tmp_path / "seeds/raw_regions.csv")["region"]
    assert regions.is_unique and "North 2" in set(regions)


def test_truth_stays_out_of_the_seeds(scale_one: Path) -> None:
    for seed_file in (scale_one / "seeds").glob("*.csv"):
        header = seed_file.read_text().splitlines()[0]
        assert "expected" not in header and "blur" not in header and "latent" not in header


def test_noise_is_the_documented_multiplicative_noise(scale_one: Path) -> None:
    sales = pd.read_csv(scale_one / "seeds/raw_sales.csv")
    expected = pd.read_csv(scale_one / "data/truth/sales_expected.csv")
    ratio = sales["sales_amount"] / expected["expected_sales"]
    assert ratio.mean() == pytest.approx(1.0, abs=0.005)
    assert np.log(ratio).std() == pytest.approx(World().noise_sigma, rel=0.05)


def driver_regression(series: pd.DataFrame) -> dict[str, float]:
    """OLS of log sales on the drivers, seasonality and trend, from the observed data only."""
    dates = pd.to_datetime(series["date"])
    t = (dates - dates.min()).dt.days.to_numpy() / 365.25
    doy = dates.dt.day_of_year.to_numpy()
    columns = {
        "intercept": np.ones(len(series)),
        "trend": t,
        "marketing": 1 - np.exp(-series["marketing_spend"].to_numpy() / World().marketing_saturation_spend),
        "weather": series["weather_score"].to_numpy() - 0.5,
    }
    for k in (1, 2):
        columns[f"sin{k}"] = np.sin(2 * np.pi * k * doy / 365.25)
        columns[f"cos{k}"] = np.cos(2 * np.pi * k * doy / 365.25)
    for day in range(1, 7):
        columns[f"dow{day}"] = (dates.dt.day_of_week == day).to_numpy().astype(float)
    design = np.column_stack(list(columns.values()))
    coef, *_ = np.linalg.lstsq(design, np.log(series["sales_amount"].to_numpy()), rcond=None)
    return dict(zip(columns, coef))


def test_marketing_and_weather_drive_sales_as_designed(scale_one: Path) -> None:
    sales = pd.read_csv(scale_one / "seeds/raw_sales.csv")
    for category in CATEGORIES:
        rows = sales[(sales["product_category"] == category.name) & (sales["region"] == "North")]
        fitted = driver_regression(rows)
        # log(1 + 0.3 x) is close to 0.27 x on 0..1: the lift learnt from the data alone.
        assert 0.18 < fitted["marketing"] < 0.36, (category.name, fitted["marketing"])
        designed_weather = np.log1p(2 * category.weather_sensitivity * 0.5) / 0.5
        assert fitted["weather"] == pytest.approx(designed_weather, abs=0.06), category.name
        assert fitted["trend"] > 0
    weekend = pd.to_datetime(sales["date"]).dt.day_of_week >= 5
    assert sales.loc[weekend, "sales_amount"].mean() > 1.1 * sales.loc[~weekend, "sales_amount"].mean()


def test_yearly_seasonality_peaks_where_designed(scale_one: Path) -> None:
    sales = pd.read_csv(scale_one / "seeds/raw_sales.csv", parse_dates=["date"])
    monthly = sales.groupby([sales["product_category"], sales["date"].dt.month])["sales_amount"].mean()
    assert monthly["Electronics"].idxmax() in (11, 12, 1)
    assert monthly["Sports"].idxmax() in (6, 7, 8)


def test_ratings_agree_with_latent_sentiment(scale_one: Path) -> None:
    feedback = pd.read_csv(scale_one / "seeds/raw_feedback.csv")
    latent = pd.read_csv(scale_one / "data/truth/feedback_sentiment_truth.csv")
    merged = feedback.merge(latent, on="feedback_id")
    assert spearmanr(merged["rating"], merged["latent_sentiment"]).statistic > 0.7
    assert set(merged["rating"]) == {1, 2, 3, 4, 5}
    texts = merged["feedback_text"].str.lower()
    assert texts.str.contains(r"\bnot\b").mean() > 0.1, "negation should be common"
    assert texts.str.contains(" but ").mean() > 0.05, "mixed opinions should occur"


def test_photos_are_real_pngs(scale_one: Path) -> None:
    images = pd.read_csv(scale_one / "seeds/raw_product_images.csv")
    for path in images["image_path"].head(10):
        pixels = cv2.imread(str(scale_one / "data/images" / path))
        assert pixels is not None and pixels.shape == (256, 256, 3)


def test_each_photo_depends_only_on_seed_and_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ids 1..20 on two processes in tasks of 6 against ids 5..9 alone in this process.
    monkeypatch.setattr(images, "PHOTOS_PER_TASK", 6)
    rows, truth = generate_images(np.random.default_rng(8), World(), 20, tmp_path / "all", workers=2)
    part_rows, part_truth = generate_images(np.random.default_rng(8), World(), 5, tmp_path / "part", first_id=5, workers=1)
    assert rows["image_id"].tolist() == list(range(1, 21))
    pd.testing.assert_frame_equal(part_rows, rows.iloc[4:9].reset_index(drop=True))
    pd.testing.assert_frame_equal(part_truth, truth.iloc[4:9].reset_index(drop=True))
    assert {p.name for p in (tmp_path / "part").iterdir()} == set(part_rows["image_path"])
    for name in part_rows["image_path"]:
        assert (tmp_path / "part" / name).read_bytes() == (tmp_path / "all" / name).read_bytes()


@pytest.mark.parametrize("sigma", [2.0, 8.0, 20.0])
def test_photo_noise_has_the_recorded_sigma(sigma: float) -> None:
    grey = np.full((256, 256, 3), 128, np.uint8)
    photos = [degrade(grey, np.random.default_rng(seed), 0.0, 1.0, sigma) for seed in range(4)]
    residual = np.stack(photos).astype(np.float64) - 128
    # Rounding to whole grey levels adds a uniform error of variance 1/12.
    assert residual.std() == pytest.approx(np.sqrt(sigma**2 + 1 / 12), rel=0.01)
    assert abs(residual.mean()) < 0.05
    assert not np.array_equal(photos[0], photos[1])


def test_rejects_non_positive_scale(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path / "seeds", tmp_path / "data", scale=0)


def test_append_days_continues_the_story(tmp_path: Path) -> None:
    from warehouse.synthetic import append_days

    generate(tmp_path / "seeds", tmp_path / "data", scale=0.2, seed=5)
    before = pd.read_csv(tmp_path / "seeds/raw_sales.csv")
    counts = append_days(tmp_path / "seeds", tmp_path / "data", 7, seed=5)
    after = pd.read_csv(tmp_path / "seeds/raw_sales.csv")
    assert len(after) == len(before) + 7 * 5 == len(before) + counts.sales
    assert after["date"].max() == "2024-01-07"
    assert not after.duplicated(["date", "product_category", "region"]).any()
    # The new week sells like the same week a year earlier, grown by the trend, not from zero.
    new_week = after[after["date"] >= "2024-01-01"]["sales_amount"].sum()
    last_year = after[(after["date"] >= "2023-01-02") & (after["date"] <= "2023-01-08")]["sales_amount"].sum()
    assert 0.9 < new_week / last_year < 1.25
    for seed_file, key in (("raw_feedback.csv", "feedback_id"), ("raw_product_images.csv", "image_id")):
        assert pd.read_csv(tmp_path / "seeds" / seed_file)[key].is_unique
    images = pd.read_csv(tmp_path / "seeds/raw_product_images.csv")
    assert all((tmp_path / "data/images" / p).exists() for p in images["image_path"])
    truth = pd.read_csv(tmp_path / "data/truth/sales_expected.csv")
    assert len(truth) == len(after)
