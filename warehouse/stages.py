"""Wall and CPU seconds of the stages of a pipeline run in this process, logged and kept."""

from __future__ import annotations

import json
import logging
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


def cpu_seconds() -> float:
    """User and system CPU of this process and its finished children (worker pools included)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class StageTime:
    stage: str
    wall_s: float
    cpu_s: float


@dataclass
class StageTimer:
    """``with timer.stage("build"): ...`` records each stage; ``write`` saves them as JSON."""

    stages: list[StageTime] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started_wall, started_cpu = time.perf_counter(), cpu_seconds()
        log.info("stage %s", name)
        yield
        timed = StageTime(name, round(time.perf_counter() - started_wall, 2), round(cpu_seconds() - started_cpu, 2))
        self.stages.append(timed)
        log.info("stage %s: %.1f s wall, %.1f s CPU", name, timed.wall_s, timed.cpu_s)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([asdict(s) for s in self.stages], indent=2) + "\n")
