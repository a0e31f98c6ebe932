"""Vision module: each metric on photos drawn here, every bad input, incrementality, the dbt models."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import cv2
import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import Project
from warehouse.vision import loading, measure, score_partition
from warehouse.vision.evaluation import evaluation_metrics
from warehouse.vision.figures import quality_by_category_figure, thumbnail_data_uri, thumbnail_grid_figure

VISION_SELECTION = ("+image_quality_by_category", "+image_quality_evaluation")


def draw_photo(side: int = 256, seed: int = 0) -> np.ndarray:
    """A clean product-like shot: a vertical gradient, hard-edged shapes and a printed label."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(70, 170, side, dtype=np.float32)[:, None, None]
    image = np.broadcast_to(ramp * np.array([1.0, 0.9, 0.8], np.float32), (side, side, 3)).astype(np.uint8).copy()
    s = side / 256
    cv2.rectangle(image, (int(40 * s), int(60 * s)), (int(210 * s), int(190 * s)), (30, 60, 200), -1)
    cv2.circle(image, (int(128 * s), int(125 * s)), int(45 * s), tuple(int(c) for c in rng.integers(150, 220, 3)), -1)
    cv2.putText(image, "LABEL", (int(70 * s), int(230 * s)), cv2.FONT_HERSHEY_SIMPLEX, 0.8 * s, (20, 20, 20), max(1, int(2 * s)))
    return image


def blurred(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def noisy(image: np.ndarray, sigma: float, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, sigma, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def exposed(image: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(image.astype(np.float32) * gain, 0, 255).astype(np.uint8)


# Metrics, each on a photo and a copy changed in one known way.

def test_sharp_photo_is_sharper_than_its_blurred_copies_in_order() -> None:
    photo = draw_photo()
    scores = [measure(blurred(photo, sigma) if sigma else photo).sharpness for sigma in (0, 0.7, 1.5, 3.0)]
    assert scores == sorted(scores, reverse=True) and scores[0] - scores[-1] > 0.5


def test_sharpness_tracks_blur_not_noise() -> None:
    photo = draw_photo()
    assert measure(noisy(photo, 15)).sharpness > measure(blurred(photo, 1.5)).sharpness
    # The classic Laplacian variance is fooled by the same noise.
    assert measure(noisy(blurred(photo, 1.5), 15)).laplacian_variance > measure(photo).laplacian_variance


def test_sharpness_is_comparable_across_resolutions() -> None:
    small, large = measure(draw_photo(256)), measure(draw_photo(1024))
    assert abs(small.sharpness - large.sharpness) < 0.15
    assert (large.width, large.height) == (1024, 1024)


def test_noisy_copy_has_higher_noise_estimate_close_to_the_truth() -> None:
    photo = draw_photo()
    levels = [measure(noisy(photo, sigma)).noise_level for sigma in (0, 5, 10, 20)]
    assert levels == sorted(levels) and levels[0] < 1.0
    # Gaussian noise of 10 per channel is about 6.7 grey levels in BT.601 luminance.
    assert 5.0 < levels[2] < 8.5


def test_brighter_copy_is_brighter_and_exposure_bias_has_the_right_sign() -> None:
    photo = draw_photo()
    dark, normal, bright = (measure(exposed(photo, gain)) for gain in (0.6, 1.0, 1.6))
    assert dark.brightness < normal.brightness < bright.brightness
    assert dark.exposure_bias < normal.exposure_bias < bright.exposure_bias
    assert bright.overexposed_share > normal.overexposed_share
    assert measure(exposed(photo, 0.01)).underexposed_share > 0.5


def test_contrast_and_colorfulness() -> None:
    photo = draw_photo()
    flat = (photo.astype(np.float32) * 0.3 + 90).astype(np.uint8)
    assert measure(flat).contrast < measure(photo).contrast
    grey = cv2.cvtColor(cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert measure(grey).colorfulness < 1.0 < measure(photo).colorfulness


def test_quality_score_falls_with_every_degradation() -> None:
    photo = draw_photo()
    clean = measure(photo).quality_score
    singles = [measure(degraded).quality_score
               for degraded in (blurred(photo, 2.0), noisy(photo, 15), exposed(photo, 0.55), exposed(photo, 1.8))]
    assert all(0.0 <= single < clean <= 1.0 for single in singles)
    combined = measure(noisy(exposed(blurred(photo, 3.0), 0.55), 20)).quality_score
    assert combined < min(singles)


# Bad input: each file gets a row with a status and a message, the others are still scored.

@pytest.fixture()
def image_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    photo = draw_photo()
    cv2.imwrite(str(folder / "good.png"), photo)
    cv2.imwrite(str(folder / "good.jpg"), photo)
    (folder / "empty.png").write_bytes(b"")
    png = cv2.imencode(".png", photo)[1].tobytes()
    (folder / "truncated.png").write_bytes(png[: len(png) // 2])
    (folder / "text.png").write_text("this is not a picture\n")
    cv2.imwrite(str(folder / "grey.png"), cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY))
    rgba = cv2.cvtColor(photo, cv2.COLOR_BGR2BGRA)
    rgba[:, :128, 3] = 0
    cv2.imwrite(str(folder / "rgba.png"), rgba)
    cv2.imwrite(str(folder / "deep.png"), photo.astype(np.uint16) * 257)
    cv2.imwrite(str(folder / "huge.png"), cv2.resize(photo, (8000, 8000), interpolation=cv2.INTER_NEAREST))
    cv2.imwrite(str(folder / "tiny.png"), photo[:16, :16])
    (folder / "sub").mkdir()
    (tmp_path / "secret.png").write_bytes(png)
    os.symlink(tmp_path / "secret.png", folder / "link_out.png")
    os.symlink(folder / "good.png", folder / "sub" / "link_in.png")
    return folder


BAD_AND_GOOD = {
    "good.png": "ok", "good.jpg": "ok", "grey.png": "ok", "rgba.png": "ok", "deep.png": "ok", "huge.png": "ok",
    "sub/link_in.png": "ok", "missing.png": "missing", "empty.png": "empty", "truncated.png": "corrupt",
    "text.png": "not_an_image", "tiny.png": "too_small", "sub": "unreadable",
    "../../etc/passwd": "outside_images_dir", "/etc/passwd": "outside_images_dir",
    "link_out.png": "outside_images_dir", "../secret.png": "outside_images_dir",
}


def rows_for(paths: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"image_id": range(1, len(paths) + 1), "product_category": "Books", "image_path": paths})


def test_every_bad_input_gets_a_status_and_message_and_the_rest_are_scored(
    image_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    real_read = loading.read_bytes
    monkeypatch.setattr("warehouse.vision.scoring.read_bytes", lambda path: opened.append(path) or real_read(path))
    scores = score_partition(rows_for(list(BAD_AND_GOOD)), image_folder).set_index("image_path")
    assert scores["status"].to_dict() == BAD_AND_GOOD
    assert scores["status_message"].str.len().gt(0).all()
    ok = scores[scores["status"] == "ok"]
    assert ok["quality_score"].between(0, 1).all() and ok["sharpness"].notna().all()
    assert scores.loc[scores["status"] != "ok", "quality_score"].isna().all()
    assert (scores.loc["huge.png", ["width", "height"]] == 8000).all()
    assert abs(scores.loc["huge.png", "sharpness"] - scores.loc["good.png", "sharpness"]) < 0.15
    assert scores.loc["deep.png", "brightness"] == pytest.approx(scores.loc["good.png", "brightness"], abs=0.01)
    assert scores.loc["rgba.png", "brightness"] > scores.loc["good.png", "brightness"]  # composited on white
    assert scores.loc["grey.png", "colorfulness"] == 0.0
    assert "uint16" in scores.loc["deep.png", "status_message"]
    assert "4 channel" in scores.loc["rgba.png", "status_message"]
    # Nothing outside the folder was ever opened.
    root = image_folder.resolve()
    assert opened and all(path.is_relative_to(root) for path in opened)


def test_unchanged_file_is_not_rescored_and_a_changed_one_is(
    image_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = rows_for(["good.png", "grey.png", "missing.png"])
    first = score_partition(rows, image_folder, scored_at=pd.Timestamp("2024-01-01"))
    cv2.imwrite(str(image_folder / "grey.png"), blurred(cv2.imread(str(image_folder / "grey.png")), 2.0))
    decoded: list[str] = []
    real_decode = loading.decode
    monkeypatch.setattr("warehouse.vision.scoring.decode", lambda data, name: decoded.append(name) or real_decode(data, name))
    second = score_partition(rows, image_folder, previous=first, scored_at=pd.Timestamp("2024-02-01"))
    by_path = second.set_index("image_path")
    assert decoded == ["grey.png"]
    assert by_path.loc["good.png", "scored_at"] == pd.Timestamp("2024-01-01")
    assert by_path.loc["good.png", "quality_score"] == first.set_index("image_path").loc["good.png", "quality_score"]
    assert by_path.loc["grey.png", "scored_at"] == pd.Timestamp("2024-02-01")
    assert by_path.loc["grey.png", "content_hash"] != first.set_index("image_path").loc["grey.png", "content_hash"]
    assert by_path.loc["grey.png", "sharpness"] < first.set_index("image_path").loc["grey.png", "sharpness"]


def test_evaluation_without_truth_has_no_validation_rows(image_folder: Path) -> None:
    scores = score_partition(rows_for(["good.png", "missing.png"]), image_folder)
    frame = evaluation_metrics(scores, None)
    assert list(frame.columns) == ["model_name", "domain", "metric_name", "metric_value"]
    metrics = frame.set_index("metric_name")["metric_value"]
    assert metrics["share_ok"] == 0.5 and metrics["images_missing"] == 1.0
    assert not frame["metric_name"].str.startswith("spearman").any()


def test_figures_embed_thumbnails_and_never_read_outside(image_folder: Path) -> None:
    scores = score_partition(rows_for(["good.png", "grey.png", "rgba.png", "deep.png"]), image_folder)
    grid = thumbnail_grid_figure(scores, image_folder, per_side=2)
    assert len(grid.layout.images) == 4
    assert all(image.source.startswith("data:image/png;base64,") for image in grid.layout.images)
    assert thumbnail_data_uri(image_folder, "../secret.png") is None
    assert len(quality_by_category_figure(scores).data) == 1


# The dbt models, built twice in a throwaway copy of the project.

def add_photo_rows(project: Project, rows: list[tuple[int, str, str]]) -> None:
    with open(project.seeds / "raw_product_images.csv", "a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows((i, category, path, "2023-06-01") for i, category, path in rows)


def query(project: Project, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(project.db), read_only=True) as connection:
        return connection.sql(sql).df()


def test_dbt_models_score_every_row_and_rescore_only_changed_files(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    project.generate()
    images = project.data / "images"
    (images / "empty.png").write_bytes(b"")
    (images / "notes.png").write_text("not a picture")
    add_photo_rows(project, [(9001, "Books", "empty.png"), (9002, "Home", "../../etc/passwd"),
                             (9003, "Home", "notes.png"), (9004, "Books", "gone.png")])
    # Seeds are selected too, so one dbt process loads them and builds the vision models.
    selection = ["-s", "resource_type:seed", *VISION_SELECTION, "--indirect-selection", "buildable"]
    project.dbt("build", *selection)

    first = query(project, "select * from marts.product_image_scores").set_index("image_id")
    listed = query(project, "select count(*) as n from staging.stg_product_images")["n"].iloc[0]
    assert len(first) == listed
    assert first.loc[[9001, 9002, 9003, 9004], "status"].tolist() == ["empty", "outside_images_dir", "not_an_image", "missing"]
    assert (first["status"] == "ok").sum() == listed - 4
    evaluation = query(project, "select * from marts.image_quality_evaluation").set_index("metric_name")["metric_value"]
    assert evaluation["spearman_sharpness_vs_blur_sigma"] < -0.8
    assert evaluation["spearman_noise_level_vs_noise_sigma"] > 0.9
    by_category = query(project, "select * from marts.image_quality_by_category")
    assert by_category["avg_image_quality"].between(0, 1).all() and by_category["quality_sales_correlation"].notna().all()

    changed_path = first[first["status"] == "ok"]["image_path"].iloc[0]
    changed = images / changed_path
    cv2.imwrite(str(changed), blurred(cv2.imread(str(changed)), 2.5))
    removed_id = int(first[first["status"] == "ok"].index[-1])
    seed_rows = pd.read_csv(project.seeds / "raw_product_images.csv", dtype=str)
    seed_rows[seed_rows["image_id"] != str(removed_id)].to_csv(project.seeds / "raw_product_images.csv", index=False)
    project.dbt("build", *selection)

    second = query(project, "select * from marts.product_image_scores").set_index("image_id")
    changed_id = int(first.index[first["image_path"] == changed_path][0])
    unchanged = first.index[(first["status"] == "ok") & ~first.index.isin([changed_id, removed_id])]
    assert removed_id not in second.index and len(second) == len(first) - 1
    assert (second.loc[unchanged, "scored_at"] == first.loc[unchanged, "scored_at"]).all()
    assert second.loc[changed_id, "scored_at"] > first.loc[changed_id, "scored_at"]
    assert second.loc[changed_id, "content_hash"] != first.loc[changed_id, "content_hash"]
    assert second.loc[changed_id, "sharpness"] < first.loc[changed_id, "sharpness"]
