"""The plotly report: one self-contained HTML page built from the marts and MLflow.

``build_report`` lives in ``warehouse.report.build`` and is loaded on first use: the module
packages' figure builders import ``warehouse.report.summaries``, and loading the sections
(which import those builders) along with this package would make that import circular.
"""

from __future__ import annotations

import importlib

_BUILD_NAMES = frozenset({"build_report", "build_sections", "DEFAULT_OUTPUT", "DEFAULT_IMAGES_DIR"})


def __getattr__(name: str) -> object:
    if name not in _BUILD_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("warehouse.report.build"), name)
