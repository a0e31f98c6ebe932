"""Benchmark of the whole pipeline at several scales, and of one incremental day.

For each scale it generates the data into a folder of its own (`warehouse generate`), then
runs the pipeline a user runs on those files, read in place (`warehouse run --data-dir`: dbt
build with every data test, the docs site, the report, in one process), as child processes:
wall seconds, CPU seconds, and the peak memory (PSS) of the whole process tree, sampled, the
dbt and worker processes included. At scale 1 it runs the pipeline a second time on a fresh
warehouse file with the first run's dbt state kept (the warm environment of a second `make
run`). At --incremental-scale it then appends one day (`warehouse generate --append-days 1`)
and runs the pipeline again, an incremental build, against the full build of that scale.

    .venv/bin/python bench/bench_pipeline.py --scales 1 10 100 --incremental-scale 10

Prints the figures and the rows of every table, and writes them to data/bench/pipeline.csv
(the figures) and data/bench/pipeline_rows.csv (rows per table and scale).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd

from results import ChildCost, Figure, figures_table, run_measured, write_figures

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = PROJECT / "data" / "bench"
GIB = 1024**3
SCHEMAS = ("staging", "intermediate", "marts")
# The pipeline targets of the benchmark issue, seconds by scale (whole pipeline) and GiB.
WALL_TARGETS = {1.0: 30.0, 100.0: 900.0}
MEMORY_TARGET_GIB = 8.0
INCREMENTAL_TARGET_SHARE = 0.25
# Generated files as a your-own-data folder: name in the folder -> path under the scale's root.
SEED_FILES = {
    "sales.csv": "seeds/raw_sales.csv",
    "feedback.csv": "seeds/raw_feedback.csv",
    "product_images.csv": "seeds/raw_product_images.csv",
    "product_categories.csv": "seeds/raw_product_categories.csv",
    "regions.csv": "seeds/raw_regions.csv",
    "images": "data/images",
    "truth": "data/truth",
}

log = logging.getLogger("bench_pipeline")


def files_folder(root: Path) -> Path:
    """The generated data laid out as a your-own-data folder (links, nothing copied)."""
    folder = root / "files"
    folder.mkdir(exist_ok=True)
    for name, target in SEED_FILES.items():
        link = folder / name
        if not link.exists():
            link.symlink_to(root / target)
    return folder


def scale_env(root: Path) -> dict[str, str]:
    """Every piece of state of one scale inside its folder: warehouse, MLflow, dbt target and logs."""
    return {**os.environ, "WAREHOUSE_DB": str(root / "warehouse.duckdb"),
            "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}", "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs")}


def measured(step: str, command: list[str], env: dict[str, str]) -> ChildCost:
    cost = run_measured(command, env, PROJECT)
    if not cost.ok:
        raise RuntimeError(f"{step} failed:\n{cost.output[-4000:]}")
    log.info("%s: %.1f s wall, %.1f s CPU, peak %.2f GiB", step, cost.wall_s, cost.cpu_s, cost.peak_memory_bytes / GIB)
    return cost


def run_pipeline(root: Path, env: dict[str, str], label: str) -> tuple[ChildCost, dict[str, float]]:
    """`warehouse run` on the scale's files; its cost and its stages' wall seconds."""
    timings = root / f"timings_{label}.json"
    command = [str(BIN / "warehouse"), "run", "--data-dir", str(files_folder(root)),
               "--report", str(root / "report" / "index.html"), "--timings", str(timings)]
    cost = measured(f"pipeline ({label})", command, env)
    return cost, {stage["stage"]: stage["wall_s"] for stage in json.loads(timings.read_text())}


def remove_warehouse_state(root: Path) -> None:
    """A fresh warehouse and MLflow store; the dbt target (its parse state) stays: a warm run."""
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal", "mlflow.db"):
        (root / name).unlink(missing_ok=True)
    shutil.rmtree(root / "mlartifacts", ignore_errors=True)


def table_rows(db: Path) -> dict[str, int]:
    """Rows of every table and view of the warehouse, by schema.name."""
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in "
            f"({', '.join(repr(s) for s in SCHEMAS)}) order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": connection.execute(f'select count(*) from {s}."{t}"').fetchone()[0] for s, t in tables}


def pipeline_figures(case: str, scale: float, generate: ChildCost, run: ChildCost,
                     stages: dict[str, float]) -> list[Figure]:
    """The whole pipeline's figures at one scale: totals against their targets, then stages."""
    wall = generate.wall_s + run.wall_s
    memory = max(generate.peak_memory_bytes, run.peak_memory_bytes) / GIB
    target = WALL_TARGETS.get(scale)
    figures = [
        Figure("pipeline", case, "wall, whole pipeline", round(wall, 1), "s", "target" if target else "", target),
        Figure("pipeline", case, "CPU, whole pipeline", round(generate.cpu_s + run.cpu_s, 1), "s"),
        Figure("pipeline", case, "peak memory (PSS of the process tree)", round(memory, 2), "GiB",
               "target" if scale == 100 else "", MEMORY_TARGET_GIB if scale == 100 else None),
        Figure("pipeline", case, "wall, generate", round(generate.wall_s, 1), "s"),
    ]
    figures += [Figure("pipeline", case, f"wall, {stage}", round(seconds, 1), "s") for stage, seconds in stages.items()]
    return figures


def run_scale(scale: float, root: Path, incremental: bool) -> tuple[list[Figure], dict[str, int]]:
    """Generate and run one scale (twice at scale 1: cold and warm); with ``incremental`` also
    the one-day increment."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = scale_env(root)
    generate = [str(BIN / "warehouse"), "generate", "--scale", str(scale), "--seeds-dir", str(root / "seeds"),
                "--data-dir", str(root / "data")]
    generated = measured(f"generate (scale {scale:g})", generate, env)
    run, stages = run_pipeline(root, env, "full")
    case = f"scale {scale:g}"
    if scale == 1:
        figures = pipeline_figures(f"{case}, first run (cold dbt state)", scale, generated, run, stages)
        remove_warehouse_state(root)
        run, stages = run_pipeline(root, env, "warm")
        figures += pipeline_figures(f"{case}, warm", scale, generated, run, stages)
    else:
        figures = pipeline_figures(case, scale, generated, run, stages)
    rows = table_rows(root / "warehouse.duckdb")
    if incremental:
        measured("append one day", [*generate[:2], "--append-days", "1", *generate[4:]], env)
        increment, increment_stages = run_pipeline(root, env, "incremental")
        figures += [
            Figure("incremental", case, "wall, build after appending one day", increment_stages["build"], "s",
                   "the full build's wall", stages["build"]),
            Figure("incremental", case, "share of the full build", round(increment_stages["build"] / stages["build"], 3),
                   "x", "target", INCREMENTAL_TARGET_SHARE),
            Figure("incremental", case, "wall, whole pipeline after appending one day", round(increment.wall_s, 1), "s",
                   "the full pipeline's wall", round(run.wall_s, 1)),
        ]
    return figures, rows


def growth_figures(figures: list[Figure], low: float, high: float) -> list[Figure]:
    """How the whole pipeline's wall and CPU grow from scale ``low`` to ``high`` against linear."""
    def value(scale: float, measure: str) -> float:
        return next(f.value for f in figures if f.case == f"scale {scale:g}" and f.measure == measure)

    case = f"scale {low:g} to {high:g}"
    return [
        Figure("pipeline", case, f"growth of the {what}", round(value(high, f"{what}, whole pipeline") / value(low, f"{what}, whole pipeline"), 2),
               "x", "data growth (linear)", high / low)
        for what in ("wall", "CPU")
    ]


def measure_pipeline(scales: list[float], incremental_scale: float, work_dir: Path) -> list[Figure]:
    """Every scale's figures (and growth where 10 and 100 ran); writes the rows per table."""
    figures, rows = [], {}
    for scale in scales:
        scale_figures, rows[f"scale {scale:g}"] = run_scale(scale, work_dir / f"scale_{scale:g}", scale == incremental_scale)
        figures += scale_figures
    if {10.0, 100.0} <= set(scales):
        figures += growth_figures(figures, 10.0, 100.0)
    table = pd.DataFrame(rows).rename_axis("table")
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "pipeline_rows.csv")
    log.info("rows per table:\n%s", table.to_string())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--incremental-scale", type=float, default=10.0)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/warehouse_bench"))
    parser.add_argument("--figures", type=Path, default=OUT / "pipeline.csv", help="where the figures go (CSV)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    figures = measure_pipeline(args.scales, args.incremental_scale, args.work_dir)
    write_figures(figures, args.figures)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.max_colwidth", 60):
        log.info("pipeline figures:\n%s", figures_table(figures).to_string(index=False))


if __name__ == "__main__":
    main()
