"""Serving the champion sales model over HTTP with `mlflow models serve`, on loopback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from mlflow.exceptions import MlflowException

from warehouse import tracking
from warehouse.errors import WarehouseError

log = logging.getLogger(__name__)

DEFAULT_PORT = 5001
DEFAULT_HOST = "127.0.0.1"
CHAMPION_URI = f"models:/{tracking.MODEL_NAME}@{tracking.CHAMPION}"


class ServingError(WarehouseError):
    """The model cannot be served; the message says why and what to do."""


def check_champion() -> str:
    """The champion's version; a clear error when the store or the alias is missing."""
    try:
        client = tracking.connect()
    except tracking.TrackingStoreError as error:
        raise ServingError(f"{error}. Run `make run` first, or set MLFLOW_TRACKING_URI.") from error
    try:
        return client.get_model_version_by_alias(tracking.MODEL_NAME, tracking.CHAMPION).version
    except MlflowException as error:
        raise ServingError(
            f"no '{tracking.CHAMPION}' alias on model '{tracking.MODEL_NAME}' in {tracking.tracking_uri()}: "
            "build the warehouse (`make run`) so a model is trained and registered"
        ) from error


def serve_command(port: int, host: str = DEFAULT_HOST, workers: int = 4) -> list[str]:
    """The `mlflow models serve` command line for the champion."""
    mlflow_cli = str(Path(sys.executable).with_name("mlflow"))
    return [
        mlflow_cli, "models", "serve", "-m", CHAMPION_URI, "--env-manager", "local",
        "--host", host, "--port", str(port), "--workers", str(workers),
    ]


def server_env() -> dict[str, str]:
    """The child's environment: the same tracking store (absolute URI), this venv's tools first
    on PATH (mlflow starts `uvicorn` by name), and one BLAS thread per worker."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    # One BLAS thread per worker: the workers already use every core, and BLAS threads on top
    # of them fight for the cores under concurrent requests.
    threads = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    return {**os.environ, **threads, "MLFLOW_TRACKING_URI": tracking.tracking_uri(), "PATH": path}


def start_server(port: int, host: str = DEFAULT_HOST, workers: int = 4) -> subprocess.Popen:
    """Start serving in the background (tests, benchmarks); the caller stops it."""
    version = check_champion()
    log.info("serving %s (version %s) on http://%s:%d", CHAMPION_URI, version, host, port)
    return subprocess.Popen(serve_command(port, host, workers), env=server_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_until_ready(port: int, process: subprocess.Popen, timeout: float = 120.0, host: str = DEFAULT_HOST) -> None:
    """Poll /ping until the server answers; raise with its stderr if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServingError(f"the model server exited with {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/ping", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise ServingError(f"the model server did not answer on port {port} within {timeout:.0f} s")


def serve_forever(port: int, host: str = DEFAULT_HOST, workers: int = 4) -> None:
    """`make serve`: replace this process with the model server (Ctrl-C stops it)."""
    version = check_champion()
    log.info("serving %s (version %s) on http://%s:%d/invocations", CHAMPION_URI, version, host, port)
    command = serve_command(port, host, workers)
    os.execve(command[0], command, server_env())
