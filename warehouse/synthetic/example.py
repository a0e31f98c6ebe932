"""A small "bring your own data" folder: the shape a user's files take, in CSV and Parquet.

It is generated rather than shipped, from the simulator at a small scale, and deliberately
differs from the seeds: sales in Parquet without a weather column, feedback in CSV without
ratings, photo metadata with its images folder, no category or region reference lists.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from warehouse.sources import quote_literal
from warehouse.synthetic import generate


def write_example(out_dir: Path, scale: float = 0.2, seed: int = 11) -> Path:
    """Write sales.parquet, feedback.csv, product_images.csv and images/ into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        generate(work / "seeds", work / "data", scale=scale, seed=seed)
        with duckdb.connect() as connection:
            connection.sql(
                f"""
                copy (
                    select cast(date as date) as date, sales_amount, product_category, region, marketing_spend
                    from read_csv({quote_literal(str(work / "seeds/raw_sales.csv"))})
                ) to {quote_literal(str(out_dir / "sales.parquet"))} (format parquet)
                """
            )
            connection.sql(
                f"""
                copy (
                    select feedback_id, date, product_category, feedback_text
                    from read_csv({quote_literal(str(work / "seeds/raw_feedback.csv"))})
                ) to {quote_literal(str(out_dir / "feedback.csv"))} (header, delimiter ',')
                """
            )
        shutil.copy2(work / "seeds/raw_product_images.csv", out_dir / "product_images.csv")
        shutil.copytree(work / "data/images", out_dir / "images", dirs_exist_ok=True)
    return out_dir
