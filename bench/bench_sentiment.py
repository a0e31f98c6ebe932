"""Throughput of the project's VADER scoring against the reference vaderSentiment package.

Generates N synthetic feedback texts (default 100,000) with the known-truth generator, then
times, in one run: the reference package scoring every text on one core; the project's
scoring (input checks, de-duplication, scores, labels) on one core and on all cores; and the
project's analyzer alone per text, without de-duplication. One-core runs are pinned to a single
CPU. With --evaluate it also trains and evaluates the supervised model on the same texts.

    .venv/bin/python bench/bench_sentiment.py [--n-texts 100000] [--evaluate]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as ReferenceAnalyzer

from results import Figure, write_figures
from warehouse.sentiment.evaluation import evaluate
from warehouse.sentiment.pipeline import feedback_sentiment
from warehouse.sentiment.scoring import score_feedback
from warehouse.sentiment.vader import ReferenceVader
from warehouse.synthetic.feedback import generate_feedback
from warehouse.synthetic.world import World

log = logging.getLogger("bench_sentiment")


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of one call, and its result.

    CPU seconds do not grow when other jobs share the machine, so they compare fairly on a
    busy host; wall-clock seconds are what a user waits.
    """
    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    result = run()
    return time.perf_counter() - start_wall, cpu_seconds() - start_cpu, result


def pinned(cores: set[int], run: Callable[[], object]) -> tuple[float, float, object]:
    """Time ``run`` with this process (and its children) restricted to ``cores``."""
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cores)
    try:
        return timed(run)
    finally:
        os.sched_setaffinity(0, previous)


def sentiment_figures(rows: list[dict], equal: bool) -> list[Figure]:
    """Texts per second (wall, and per CPU second) of each project run beside the reference's."""
    reference, *project = rows
    case = f"{reference['texts']:,} texts"
    figures = []
    for run in project:
        figures += [
            Figure("sentiment", case, f"texts/s, {run['implementation']} ({run['cores']} cores)", run["texts_per_s"],
                   "texts/s", "reference vaderSentiment, 1 core", reference["texts_per_s"]),
            Figure("sentiment", case, f"texts per CPU-s, {run['implementation']}", run["texts_per_cpu_s"],
                   "texts/CPU-s", "reference vaderSentiment", reference["texts_per_cpu_s"]),
        ]
    figures.append(Figure("sentiment", case, "scores equal to the reference on every text", float(equal), "bool"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-texts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--evaluate", action="store_true", help="also evaluate VADER and the supervised model")
    parser.add_argument("--figures", type=Path, help="also write the headline figures here (CSV, bench/results.py)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    log.info("generating %d feedback texts", args.n_texts)
    feedback, _ = generate_feedback(np.random.default_rng(args.seed), World(), args.n_texts)
    feedback = feedback.rename(columns={"date": "feedback_date"})
    texts = feedback["feedback_text"].tolist()
    all_cores = os.sched_getaffinity(0)
    one_core = {min(all_cores)}
    nltk_dir = Path(tempfile.mkdtemp(prefix="bench_nltk_"))
    os.environ["WAREHOUSE_NLTK_DATA"] = str(nltk_dir)
    reference, ours = ReferenceAnalyzer(), ReferenceVader(nltk_dir)
    frame = feedback[["feedback_id", "feedback_text"]]

    runs = {
        "reference vaderSentiment, every text": (one_core, lambda: [reference.polarity_scores(t) for t in texts]),
        "project analyzer alone, every text": (one_core, lambda: [ours.polarity_scores(t) for t in texts]),
        "project scoring (checks, de-dup, labels)": (one_core, lambda: score_feedback(frame, 1, nltk_dir)),
        f"project scoring on {len(all_cores)} processes": (all_cores, lambda: score_feedback(frame, len(all_cores), nltk_dir)),
    }
    rows, results = [], {}
    for name, (cores, run) in runs.items():
        seconds, cpu, results[name] = pinned(cores, run)
        rows.append(
            {
                "implementation": name, "cores": len(cores), "texts": len(texts),
                "wall_s": round(seconds, 2), "texts_per_s": round(len(texts) / seconds),
                "cpu_s": round(cpu, 2), "texts_per_cpu_s": round(len(texts) / cpu),
            }
        )
    reference_scores = pd.DataFrame(results["reference vaderSentiment, every text"])
    project_scores = results["project scoring (checks, de-dup, labels)"]
    equal = bool((reference_scores[["compound", "pos", "neu", "neg"]].to_numpy() == project_scores[["compound", "pos", "neu", "neg"]].to_numpy()).all())

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{len(texts):,} texts, {len(set(texts)):,} distinct; CPUs available: {len(all_cores)}; load average {load}")
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"project scores equal the reference on every text: {equal}")
    if args.figures:
        write_figures(sentiment_figures(rows, equal), args.figures)

    if args.evaluate:
        feedback["rating"] = feedback["rating"].astype("Int64")
        seconds, _, sentiment = timed(lambda: feedback_sentiment(feedback, score_feedback(frame, len(all_cores), nltk_dir).assign(text_hash="")))
        print(f"\nevaluation on the test split ({seconds:.1f} s to score, train and predict):")
        print(evaluate(sentiment).to_string(index=False))


if __name__ == "__main__":
    main()
