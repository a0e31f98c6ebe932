"""The `warehouse` command: the project's own verbs around dbt."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from warehouse.build import build_warehouse
from warehouse.database import copy_database, ensure_no_writer, warehouse_path
from warehouse.dbt_invoke import run_dbt
from warehouse.errors import WarehouseError
from warehouse.stages import StageTimer

log = logging.getLogger("warehouse")


def cmd_generate(args: argparse.Namespace) -> None:
    """Write the synthetic seeds, photos and truth files."""
    from warehouse.synthetic import append_days, generate

    if args.append_days:
        append_days(Path(args.seeds_dir), Path(args.data_dir), args.append_days, seed=args.seed)
        return
    counts = generate(Path(args.seeds_dir), Path(args.data_dir), scale=args.scale, seed=args.seed, drift=args.drift)
    log.info(
        "wrote %d sales rows (%d regions), %d feedback rows, %d photos",
        counts.sales, counts.regions, counts.feedback, counts.images,
    )


def cmd_build(args: argparse.Namespace) -> None:
    """Build beside the live warehouse: seeds (or --data-dir's files), models, tests (and with
    --docs the docs site); swap on success."""
    build_warehouse(Path(args.project_dir), Path(args.data_dir) if args.data_dir else None, args.docs, args.dbt_args)


def cmd_run(args: argparse.Namespace) -> None:
    """The whole pipeline in one process: generate (unless --data-dir), build with the docs
    site, report; each stage's wall and CPU seconds logged (and written to --timings)."""
    from warehouse.report import build_report

    timer = StageTimer()
    data_dir = Path(args.data_dir) if args.data_dir else None
    if data_dir is None:
        with timer.stage("generate"):
            cmd_generate(argparse.Namespace(
                append_days=0, seeds_dir=args.seeds_dir, data_dir="data", scale=args.scale, seed=args.seed, drift=False,
            ))
    with timer.stage("build"):
        live = build_warehouse(Path(args.project_dir), data_dir, docs=True)
    with timer.stage("report"):
        build_report(live, Path(args.report), (data_dir or Path("data")) / "images")
    if args.timings:
        timer.write(Path(args.timings))


def cmd_docs(args: argparse.Namespace) -> None:
    """Write the single-file docs site target/static_index.html."""
    live = warehouse_path()
    ensure_no_writer(live)
    with tempfile.TemporaryDirectory() as folder:
        # dbt opens its database for writing; a copy leaves the live file to its readers.
        snapshot = Path(folder) / live.name
        if live.exists():
            copy_database(live, snapshot)
        run_dbt(["docs", "generate", "--static"], Path(args.project_dir), snapshot)


def cmd_serve(args: argparse.Namespace) -> None:
    """Serve the champion sales model over HTTP (mlflow models serve, loopback by default)."""
    from warehouse.server import serve_forever

    serve_forever(args.port, args.host, args.workers)


def cmd_example_data(args: argparse.Namespace) -> None:
    """Write a small folder of your-own-data files (Parquet and CSV) to try --data-dir on."""
    from warehouse.synthetic.example import write_example

    log.info("wrote an example data folder to %s", write_example(Path(args.out)))


def cmd_report(args: argparse.Namespace) -> None:
    """Write the self-contained plotly report (data/report/index.html) from the marts and MLflow."""
    from warehouse.database import warehouse_path
    from warehouse.report import build_report

    build_report(Path(args.database) if args.database else warehouse_path(), Path(args.output), Path(args.images_dir))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warehouse", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    verbs = parser.add_subparsers(dest="verb", required=True)

    generate = verbs.add_parser("generate", help=cmd_generate.__doc__)
    generate.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1 = 5 regions)")
    generate.add_argument("--seed", type=int, default=42, help="random seed; same seed, same bytes")
    generate.add_argument("--drift", action="store_true", help="shift the last quarter's spend and weather")
    generate.add_argument("--append-days", type=int, default=0, metavar="N",
                          help="instead of regenerating, append N new days (sales, feedback, photos)")
    generate.add_argument("--seeds-dir", default="seeds", help="where the raw CSVs go (dbt seeds)")
    generate.add_argument("--data-dir", default="data", help="where photos and truth files go")
    generate.set_defaults(handler=cmd_generate)

    for name, handler in (("build", cmd_build), ("docs", cmd_docs)):
        verb = verbs.add_parser(name, help=handler.__doc__)
        verb.add_argument("--project-dir", default=".", help="dbt project folder")
        verb.set_defaults(handler=handler)
    verbs.choices["build"].add_argument(
        "--data-dir", help="build from your own files in this folder (sales, feedback, product_images: .csv or .parquet)"
    )
    verbs.choices["build"].add_argument(
        "--docs", action="store_true", help="also write the docs site (target/static_index.html) before the swap"
    )
    verbs.choices["build"].add_argument("dbt_args", nargs="*", help="extra dbt build arguments")

    run = verbs.add_parser("run", help=cmd_run.__doc__)
    run.add_argument("--scale", type=float, default=1.0, help="generator volume multiplier")
    run.add_argument("--seed", type=int, default=42, help="generator random seed")
    run.add_argument("--seeds-dir", default="seeds", help="where the generator writes the raw CSVs (dbt seeds)")
    run.add_argument("--data-dir", help="build from your own files in this folder instead of generating data")
    run.add_argument("--project-dir", default=".", help="dbt project folder")
    run.add_argument("--report", default="data/report/index.html", help="the report page to write")
    run.add_argument("--timings", help="also write each stage's wall and CPU seconds to this JSON file")
    run.set_defaults(handler=cmd_run)

    example = verbs.add_parser("example-data", help=cmd_example_data.__doc__)
    example.add_argument("--out", default="data/example", help="folder to write")
    example.set_defaults(handler=cmd_example_data)

    report = verbs.add_parser("report", help=cmd_report.__doc__)
    report.add_argument("--database", default=None, help="warehouse file; default env WAREHOUSE_DB or data/warehouse.duckdb")
    report.add_argument("--output", default="data/report/index.html", help="the page to write")
    report.add_argument("--images-dir", default="data/images", help="the product photos (for the thumbnails)")
    report.set_defaults(handler=cmd_report)

    serve = verbs.add_parser("serve", help=cmd_serve.__doc__)
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5001)), help="env PORT, default 5001")
    serve.add_argument("--host", default="127.0.0.1", help="bind address; loopback unless told otherwise")
    serve.add_argument("--workers", type=int, default=4, help="server worker processes (4 keep 2 cores busy)")
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # a library imported on the way may have set up the root logger already
    )
    try:
        args.handler(args)
    except (WarehouseError, ValueError) as error:
        log.error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
