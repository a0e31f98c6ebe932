"""Building the report: every section from the marts, then the page written to disk."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from warehouse.report.data import Marts
from warehouse.report.page import figure_count, render_page
from warehouse.report.sections import SECTIONS, ReportContext, Section

log = logging.getLogger(__name__)

DEFAULT_OUTPUT = Path("data/report/index.html")
DEFAULT_IMAGES_DIR = Path("data/images")


def build_sections(marts: Marts, context: ReportContext) -> list[Section]:
    """Every section; one that raises is shown as an error so the rest of the page still stands."""
    sections = []
    for build in SECTIONS:
        started = time.perf_counter()
        try:
            section = build(marts, context)
        except Exception as error:  # a broken mart must not take the whole report down
            log.exception("report section %s failed", build.__name__)
            section = Section(build.__name__, build.__name__.replace("_", " ").capitalize(), "",
                              missing=f"Error: this section could not be drawn: {error}")
        log.info("section %s: %.1f s", build.__name__, time.perf_counter() - started)
        sections.append(section)
    return sections


def build_report(database: Path, output: Path = DEFAULT_OUTPUT, images_dir: Path = DEFAULT_IMAGES_DIR) -> Path:
    """Write the report for the warehouse file ``database`` to ``output``; return its path."""
    started = time.perf_counter()
    with Marts.open(database) as marts:
        sections = build_sections(marts, ReportContext(images_dir))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_page(sections, str(database)), encoding="utf-8")
    log.info("wrote %s: %d figures, %.1f MB in %.1f s", output, figure_count(sections),
             output.stat().st_size / 1e6, time.perf_counter() - started)
    return output
