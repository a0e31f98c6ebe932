"""Benchmark: scoring product photos against only decoding them with cv2.imread, same run.

Generates the photos with the known-truth generator when the folder does not hold enough,
warms the page cache, then alternates rounds of (sequential decode, parallel decode, scoring)
so that load from other processes hits every phase alike, and prints the median of each.
Target (issue 5): scoring time <= 1.5 x the time just to decode, using both cores.

    .venv/bin/python bench/bench_vision.py --images-dir /tmp/vision_bench/images --n-images 2000
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from results import Figure, write_figures
from warehouse.synthetic.images import generate_images
from warehouse.synthetic.world import World
from warehouse.vision.evaluation import truth_metrics
from warehouse.vision.scoring import score_images

log = logging.getLogger("bench_vision")
TARGET_RATIO = 1.5


def ensure_photos(images_dir: Path, n_images: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The photo list (and truth) of ``images_dir``, generating the photos if there are too few."""
    listing, truth_path = images_dir.parent / "images.csv", images_dir.parent / "image_degradations.csv"
    if listing.is_file() and len(pd.read_csv(listing)) >= n_images:
        truth = pd.read_csv(truth_path) if truth_path.is_file() else None
        return pd.read_csv(listing).head(n_images), truth
    log.info("generating %d photos into %s", n_images, images_dir)
    rows, truth = generate_images(np.random.default_rng(seed), World(), n_images, images_dir)
    rows.to_csv(listing, index=False)
    truth.to_csv(truth_path, index=False)
    return rows, truth


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU (all threads of this process) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def decode_all(paths: list[str], workers: int) -> None:
    """cv2.imread every file, on ``workers`` threads (1 = a plain loop)."""
    if workers == 1:
        for path in paths:
            cv2.imread(path)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(cv2.imread, paths, chunksize=64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images-dir", default="/tmp/vision_bench/images")
    parser.add_argument("--n-images", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--figures", type=Path, help="also write the headline figures here (CSV, bench/results.py)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("warehouse.vision.scoring").setLevel(logging.WARNING)

    images_dir = Path(args.images_dir)
    rows, truth = ensure_photos(images_dir, args.n_images, args.seed)
    paths = [str(images_dir / path) for path in rows["image_path"]]
    for path in paths:  # warm the page cache so no phase pays for the disk
        Path(path).read_bytes()
    cv2.setNumThreads(1)

    phases: dict[str, Callable[[], object]] = {
        "decode (cv2.imread, 1 thread)": lambda: decode_all(paths, 1),
        f"decode (cv2.imread, {args.workers} threads)": lambda: decode_all(paths, args.workers),
        f"score (read+hash+decode+metrics, {args.workers} threads)": lambda: score_images(rows, images_dir, workers=args.workers),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in phases}
    for round_index in range(args.rounds):
        for name, action in phases.items():
            results[name].append(timed(action))
        log.info("round %d of %d done", round_index + 1, args.rounds)
    scores = score_images(rows, images_dir, workers=args.workers)
    unchanged = timed(lambda: score_images(rows, images_dir, previous=scores, workers=args.workers))

    sequential = statistics.median(wall for wall, _ in results[next(iter(phases))])
    parallel = statistics.median(wall for wall, _ in results[list(phases)[1]])
    print(f"\n{len(paths)} photos, {args.workers} workers, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}, median of {args.rounds} rounds\n")
    print(f"{'phase':<55} {'seconds':>8} {'ms/photo':>9} {'photos/s':>9} {'cores':>6} {'cpu ms':>7} {'x seq':>6} {'x par':>6}")
    timings = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for name, runs in results.items()}
    timings["rescore, all unchanged (read+hash only)"] = unchanged
    for name, (wall, cpu) in timings.items():
        print(f"{name:<55} {wall:>8.2f} {1000 * wall / len(paths):>9.2f} {len(paths) / wall:>9.0f} "
              f"{cpu / wall:>6.2f} {1000 * cpu / len(paths):>7.2f} {wall / sequential:>6.2f} {wall / parallel:>6.2f}")
    score_wall, score_cpu = timings[list(phases)[2]]
    decode_cpu = timings[next(iter(phases))][1]
    ratio = score_wall / sequential
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"\nscoring / sequential decode, wall time = {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})")
    print(f"scoring / decode, CPU time = {score_cpu / decode_cpu:.2f}; 'cores' is CPU time / wall time, "
          f"so a value well under {args.workers} means other processes held the cores (see load average)")
    if args.figures:
        case = f"{len(paths):,} photos, {args.workers} workers"
        write_figures([
            Figure("vision", case, "photos/s, scoring (read, hash, decode, metrics)", round(len(paths) / score_wall),
                   "photos/s", "decode only (cv2.imread, 1 thread)", round(len(paths) / sequential)),
            Figure("vision", case, "photos/s, scoring", round(len(paths) / score_wall), "photos/s",
                   f"decode only (cv2.imread, {args.workers} threads)", round(len(paths) / parallel)),
            Figure("vision", case, "scoring time / decode-only time", round(ratio, 2), "x", "target", TARGET_RATIO),
        ], args.figures)
    if truth is not None:
        print("\nvalidation against the generator's truth (Spearman):")
        for name, value in truth_metrics(scores, truth).items():
            print(f"  {name:<50} {value:>8.3f}")


if __name__ == "__main__":
    main()
