"""The `warehouse` command: the project's own verbs around dbt."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from warehouse.database import WarehouseLockedError
from warehouse.dbt_invoke import DbtCommandError, run_dbt

log = logging.getLogger("warehouse")


def cmd_generate(args: argparse.Namespace) -> None:
    """Write the synthetic seeds, photos and truth files."""
    from warehouse.synthetic import generate

    counts = generate(Path(args.seeds_dir), Path(args.data_dir), scale=args.scale, seed=args.seed)
    log.info(
        "wrote %d sales rows (%d regions), %d feedback rows, %d photos",
        counts.sales, counts.regions, counts.feedback, counts.images,
    )


def cmd_build(args: argparse.Namespace) -> None:
    """Seed, build and test everything with `dbt build`."""
    run_dbt(["build", *args.dbt_args], Path(args.project_dir))


def cmd_docs(args: argparse.Namespace) -> None:
    """Write the single-file docs site target/static_index.html."""
    run_dbt(["docs", "generate", "--static"], Path(args.project_dir))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warehouse", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    verbs = parser.add_subparsers(dest="verb", required=True)

    generate = verbs.add_parser("generate", help=cmd_generate.__doc__)
    generate.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1 = 5 regions)")
    generate.add_argument("--seed", type=int, default=42, help="random seed; same seed, same bytes")
    generate.add_argument("--seeds-dir", default="seeds", help="where the raw CSVs go (dbt seeds)")
    generate.add_argument("--data-dir", default="data", help="where photos and truth files go")
    generate.set_defaults(handler=cmd_generate)

    for name, handler in (("build", cmd_build), ("docs", cmd_docs)):
        verb = verbs.add_parser(name, help=handler.__doc__)
        verb.add_argument("--project-dir", default=".", help="dbt project folder")
        verb.set_defaults(handler=handler)
    verbs.choices["build"].add_argument("dbt_args", nargs="*", help="extra dbt build arguments")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        args.handler(args)
    except (WarehouseLockedError, DbtCommandError, ValueError) as error:
        log.error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
