"""Run a per-series function over many series on all cores, one BLAS thread per worker."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import wraps
from typing import TypeVar

from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Set the BLAS thread variables to 1 while workers start, so N workers use N cores, not N^2."""
    previous = {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES}
    os.environ.update({name: "1" for name in BLAS_THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def limit_worker_threads() -> None:
    """Worker initializer: cap threads of any BLAS already loaded."""
    threadpool_limits(1)


def single_blas_thread(function: Callable[..., Result]) -> Callable[..., Result]:
    """Decorator: run ``function`` with BLAS capped at one thread in this process."""

    @wraps(function)
    def limited(*args: object, **kwargs: object) -> Result:
        with threadpool_limits(1):
            return function(*args, **kwargs)

    return limited


def default_workers() -> int:
    """All cores of the machine (env FORECAST_WORKERS overrides)."""
    return int(os.environ.get("FORECAST_WORKERS", os.cpu_count() or 1))


# What every worker needs, imported once in the fork server instead of once per worker.
WORKER_MODULES = ("warehouse.forecasting.pipeline", "warehouse.forecasting.decomposition")


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that preloaded ``WORKER_MODULES``.

    Not forked from this process, which dbt runs threads in (a fork would copy their locks);
    not spawned either, which imports statsmodels anew in every worker of every pool, about
    2.5 CPU-s each. The fork server is one clean single-threaded process that imports them
    once and lives as long as this process, so every pool after the first starts at once.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))
    return context


def start_worker_server() -> None:
    """Start the fork server now: it imports ``WORKER_MODULES`` (about 4 CPU-s) while the
    build's first steps run, instead of holding up the first pool. Returns at once."""
    with single_threaded_blas():
        worker_context()
        multiprocessing.forkserver.ensure_running()


def map_parallel(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int | None = None, min_items_per_worker: int = 1
) -> list[Result]:
    """``[function(item) for item in items]`` in worker processes, in order, logging progress.

    A cheap ``function`` sets ``min_items_per_worker`` to run few items in this process
    instead of shipping them to workers. Items go to the workers in chunks, so thousands of
    series are not thousands of round trips.
    """
    workers = min(workers or default_workers(), len(items) // max(min_items_per_worker, 1))
    if workers <= 1:
        return [function(item) for item in items]
    results: list[Result] = []
    chunksize = max(1, len(items) // (workers * 20))
    with single_threaded_blas(), ProcessPoolExecutor(
        max_workers=workers, mp_context=worker_context(), initializer=limit_worker_threads
    ) as pool:
        for index, result in enumerate(pool.map(function, items, chunksize=chunksize), start=1):
            results.append(result)
            if index % max(5, chunksize) == 0 or index == len(items):
                log.info("%s: %d of %d done", getattr(function, "__name__", "task"), index, len(items))
    return results
