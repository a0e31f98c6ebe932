"""Benchmark of the whole pipeline: generate, build (seed, models, tests) with the docs site, report.

For each scale it generates the data into its own folder, points the sources at the files in
place (`warehouse build --data-dir`, as a user with big files would), then times every stage
as a child process: wall seconds, CPU seconds (user + system of the children) and peak
resident memory of the largest child; and counts the rows of every mart. At the scale given
by --incremental-scale it then appends one day (`warehouse generate --append-days 1`) and
rebuilds, against the full build of the same scale.

    .venv/bin/python bench/bench_pipeline.py --scales 1 10 100 --incremental-scale 10

Prints one table and writes it to data/bench/pipeline.csv. The component benchmarks
(bench_sentiment, bench_vision, bench_forecasting, bench_serving) print their own figures
beside their references; `make bench` runs them all.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEED_FILES = {
    "sales.csv": "seeds/raw_sales.csv",
    "feedback.csv": "seeds/raw_feedback.csv",
    "product_images.csv": "seeds/raw_product_images.csv",
    "product_categories.csv": "seeds/raw_product_categories.csv",
    "regions.csv": "seeds/raw_regions.csv",
    "images": "data/images",
    "truth": "data/truth",
}

FIRST_BUILD_STAGES = ("generate", "build_and_docs", "report")

log = logging.getLogger("bench")


def timed(stage: str, command: list[str], env: dict[str, str]) -> dict[str, object]:
    """Run one stage in a child process; its wall, CPU and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        log.error("%s failed:\n%s\n%s", stage, completed.stdout[-3000:], completed.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log.info("%s: %.1f s wall, %.1f s CPU", stage, wall, cpu)
    # ru_maxrss of children is the largest child so far (KiB on Linux), not this stage's.
    return {"stage": stage, "ok": completed.returncode == 0, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "peak_rss_mib_so_far": round(after.ru_maxrss / 1024)}


def files_folder(root: Path) -> Path:
    """The generated data laid out as a your-own-data folder (links, nothing copied)."""
    folder = root / "files"
    folder.mkdir(exist_ok=True)
    for name, target in SEED_FILES.items():
        link = folder / name
        if not link.exists():
            link.symlink_to(root / target)
    return folder


def mart_rows(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        return {t: connection.execute(f'select count(*) from marts."{t}"').fetchone()[0] for (t,) in tables}


def run_scale(scale: float, root: Path, incremental: bool) -> list[dict[str, object]]:
    """Generate and build one scale; with ``incremental`` also the append-one-day rebuild."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = {**os.environ, "WAREHOUSE_DB": str(root / "warehouse.duckdb"),
           "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}", "DBT_TARGET_PATH": str(root / "target"),
           "DBT_LOG_PATH": str(root / "logs")}
    warehouse = str(BIN / "warehouse")
    generate = [warehouse, "generate", "--scale", str(scale), "--seeds-dir", str(root / "seeds"),
                "--data-dir", str(root / "data")]
    rows = [timed("generate", generate, env)]
    # As `make build` runs it: the build, then the docs site from the new file before the swap.
    build = [warehouse, "build", "--docs", "--data-dir", str(files_folder(root))]
    rows.append(timed("build_and_docs", build, env))
    report = [warehouse, "report", "--output", str(root / "report" / "index.html"),
              "--images-dir", str(root / "data" / "images")]
    rows.append(timed("report", report, env))
    counts = mart_rows(root / "warehouse.duckdb")
    if incremental:
        rows.append(timed("append_one_day", [*generate[:2], "--append-days", "1", *generate[4:]], env))
        rows.append(timed("incremental_build", build, env))
    for row in rows:
        row["scale"] = scale
    rows.append({"scale": scale, "stage": "total (first build)",
                 "wall_s": round(sum(r["wall_s"] for r in rows if r["stage"] in FIRST_BUILD_STAGES), 1),
                 "cpu_s": round(sum(r["cpu_s"] for r in rows if r["stage"] in FIRST_BUILD_STAGES), 1),
                 "peak_rss_mib_so_far": max(r["peak_rss_mib_so_far"] for r in rows),
                 **{f"rows.{k}": v for k, v in counts.items()}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--incremental-scale", type=float, default=10.0)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/warehouse_bench"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    rows = []
    for scale in args.scales:
        rows += run_scale(scale, args.work_dir / f"scale_{scale:g}", incremental=scale == args.incremental_scale)
    table = pd.DataFrame(rows)
    counts = [c for c in table if c.startswith("rows.")]
    log.info("stages:\n%s", table.drop(columns=counts).to_string(index=False))
    totals = table[table["stage"] == "total (first build)"].set_index("scale")[counts]
    log.info("rows per mart:\n%s", totals.rename(columns=lambda c: c[5:]).T.to_string())
    out = PROJECT / "data" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "pipeline.csv", index=False)


if __name__ == "__main__":
    main()
