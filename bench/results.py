"""The one table every benchmark reports into, and measuring a child process's cost.

A figure is one measured number with what it is compared with: a target from the issues or
a reference implementation measured in the same run. ``make bench`` (bench_all.py) collects
the figures of every benchmark, prints them as one table and writes them as one CSV.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

FIGURE_COLUMNS = ["section", "case", "measure", "value", "unit", "compared_with", "reference"]


@dataclass(frozen=True)
class Figure:
    """``value`` (in ``unit``) of ``measure`` for ``case``; ``reference`` is what ``compared_with`` names."""

    section: str
    case: str
    measure: str
    value: float
    unit: str
    compared_with: str = ""
    reference: float | None = None


def write_figures(figures: list[Figure], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([asdict(f) for f in figures], columns=FIGURE_COLUMNS).to_csv(path, index=False)


def read_figures(path: Path) -> list[Figure]:
    frame = pd.read_csv(path, keep_default_na=False, na_values={"reference": [""]})
    return [Figure(**{**row, "reference": None if pd.isna(row["reference"]) else float(row["reference"])})
            for row in frame.to_dict(orient="records")]


def figures_table(figures: list[Figure]) -> pd.DataFrame:
    """The figures as a frame, with the ratio of each value to its reference where there is one."""
    frame = pd.DataFrame([asdict(f) for f in figures], columns=FIGURE_COLUMNS)
    frame["ratio"] = frame["value"] / frame["reference"].astype(float)
    return frame


def tree_memory_bytes(root: int) -> int:
    """Proportional set size (PSS) of ``root`` and all its descendants: shared pages counted once
    in all, so forked workers do not count their parent's memory again."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return total


@dataclass(frozen=True)
class ChildCost:
    """What running one command cost: wall and CPU seconds, peak memory of its process tree."""

    ok: bool
    wall_s: float
    cpu_s: float
    peak_memory_bytes: int
    output: str


def run_measured(command: list[str], env: dict[str, str], cwd: Path, sample_seconds: float = 0.25) -> ChildCost:
    """Run ``command``, sampling the memory of its process tree until it ends."""
    before = os.times()
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_memory_bytes(child.pid))
            done.wait(sample_seconds)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return ChildCost(child.returncode == 0, time.perf_counter() - started, cpu, peak[0], output)
