"""`make bench`: the whole pipeline at each scale and every component beside its reference, in
one run; prints one table of figures and writes it to data/bench/bench.csv.

1. bench_pipeline: generate + `warehouse run` at scale 1 (cold and warm), 10 and 100 (wall, CPU,
   peak memory of the process tree, rows per table), the one-day increment at scale 10
   against the full build, and the growth from scale 10 to 100 against linear;
2. bench_sentiment: texts/s against the reference vaderSentiment;
3. bench_vision: photos/s against decoding alone;
4. bench_forecasting: series/s and accuracy against statsforecast's AutoARIMA, on the scale-1
   warehouse the pipeline built;
5. bench_serving: latency and requests/s of the scale-1 champion over HTTP.

    .venv/bin/python bench/bench_all.py [--scales 1 10 100] [--incremental-scale 10]

Each component runs as its own process so it has the machine to itself, as the pipeline did.
Figures are compared with the issue's targets or with a reference measured in the same run.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd

from bench_pipeline import OUT, PROJECT, measure_pipeline, scale_env
from results import figures_table, read_figures, write_figures

BENCH = Path(__file__).resolve().parent

log = logging.getLogger("bench_all")


def component(script: str, arguments: list[str], env: dict[str, str] | None, figures_path: Path) -> list:
    """Run one component benchmark; its figures (none, with a warning, when it failed)."""
    command = [sys.executable, str(BENCH / script), *arguments, "--figures", str(figures_path)]
    log.info("running %s", " ".join(command[1:]))
    completed = subprocess.run(command, cwd=PROJECT, env=env)
    if completed.returncode != 0 or not figures_path.exists():
        log.warning("%s failed (exit %d): its figures are missing from the table", script, completed.returncode)
        return []
    return read_figures(figures_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--incremental-scale", type=float, default=10.0)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/warehouse_bench"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    figures = measure_pipeline(args.scales, args.incremental_scale, args.work_dir)
    parts = OUT / "parts"
    figures += component("bench_sentiment.py", ["--n-texts", "100000"], None, parts / "sentiment.csv")
    figures += component("bench_vision.py", ["--images-dir", str(args.work_dir / "vision" / "images")], None,
                         parts / "vision.csv")
    if 1.0 in args.scales:
        scale_1 = args.work_dir / "scale_1"
        env = scale_env(scale_1)
        figures += component("bench_forecasting.py", ["--db", str(scale_1 / "warehouse.duckdb"),
                                                      "--truth", str(scale_1 / "data" / "truth" / "sales_expected.csv")],
                             env, parts / "forecasting.csv")
        figures += component("bench_serving.py", [], env, parts / "serving.csv")
    else:
        log.warning("forecasting and serving benchmarks use the scale-1 warehouse: add 1 to --scales")
    write_figures(figures, OUT / "bench.csv")
    with pd.option_context("display.width", 220, "display.max_rows", 500, "display.max_colwidth", 70):
        print(figures_table(figures).to_string(index=False, na_rep=""))
    print(f"\nwritten to {OUT / 'bench.csv'} (rows per table: {OUT / 'pipeline_rows.csv'})")


if __name__ == "__main__":
    main()
