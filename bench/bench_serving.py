"""Serving benchmark: latency and throughput of the champion sales model on loopback.

Run after `make run` (it serves the champion of the project's MLflow store):

    .venv/bin/python bench/bench_serving.py [--requests 2000] [--clients 8]

Prints single-row p50/p95/p99 latency (one client), requests/s with 8 concurrent clients,
and the same for 100-row requests; writes the table to data/bench/serving.csv.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from results import Figure, write_figures
from warehouse.database import connect_read_only
from warehouse.modeling.serving import request_rows
from warehouse.server import start_server, wait_until_ready


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request_bodies(n_rows: int) -> list[bytes]:
    """Bodies of ``n_rows`` real feature rows each, from sales_model_features."""
    with connect_read_only() as connection:
        frame = connection.sql("select * from marts.sales_model_features where sales_lag_1w is not null and sales_rolling_mean_4w is not null").df()
    records = request_rows(frame)
    return [json.dumps({"inputs": records[i : i + n_rows]}).encode() for i in range(0, len(records) - n_rows, n_rows)]


def client_loop(port: int, bodies: list[bytes], n_requests: int) -> list[float]:
    """One keep-alive client sending ``n_requests``; returns each request's latency in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    for i in range(n_requests):
        started = time.perf_counter()
        connection.request("POST", "/invocations", bodies[i % len(bodies)], {"Content-Type": "application/json"})
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status}: {body[:600]!r}")
        latencies.append((time.perf_counter() - started) * 1000)
    connection.close()
    return latencies


def measure(port: int, bodies: list[bytes], clients: int, n_requests: int) -> dict[str, float]:
    per_client = max(1, n_requests // clients)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [ms for part in pool.map(lambda _: client_loop(port, bodies, per_client), range(clients)) for ms in part]
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "p50_ms": quantiles[49], "p95_ms": quantiles[94],
            "p99_ms": quantiles[98], "requests_per_s": len(latencies) / elapsed}


def serving_figures(table: pd.DataFrame, clients: int, workers: int) -> list[Figure]:
    """Latency and throughput of 1- and 100-row requests; the issue's targets for single rows."""
    def cell(rows: int, n_clients: int, column: str) -> float:
        return round(float(table.loc[(table["rows_per_request"] == rows) & (table["clients"] == n_clients), column].iat[0]), 1)

    case = f"mlflow models serve, {workers} workers"
    return [
        Figure("serving", case, "p50 latency, 1 row, 1 client", cell(1, 1, "p50_ms"), "ms", "target", 20.0),
        Figure("serving", case, "p99 latency, 1 row, 1 client", cell(1, 1, "p99_ms"), "ms"),
        Figure("serving", case, f"requests/s, 1 row, {clients} clients", cell(1, clients, "requests_per_s"), "requests/s", "target", 150.0),
        Figure("serving", case, "p50 latency, 100 rows, 1 client", cell(100, 1, "p50_ms"), "ms"),
        Figure("serving", case, f"requests/s, 100 rows, {clients} clients", cell(100, clients, "requests_per_s"), "requests/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--figures", type=Path, help="also write the headline figures here (CSV, bench/results.py)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    port = free_port()
    server = start_server(port, workers=args.workers)
    rows = []
    try:
        wait_until_ready(port, server)
        for n_rows in (1, 100):
            bodies = request_bodies(n_rows)
            client_loop(port, bodies, 20)  # warm-up
            for clients in (1, args.clients):
                n_requests = args.requests if n_rows == 1 else args.requests // 10
                rows.append({"rows_per_request": n_rows, "clients": clients, **measure(port, bodies, clients, n_requests)})
    finally:
        server.terminate()
        server.wait(timeout=30)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    out = Path("data/bench")
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "serving.csv", index=False)
    if args.figures:
        write_figures(serving_figures(table, args.clients, args.workers), args.figures)


if __name__ == "__main__":
    main()
