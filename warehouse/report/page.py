"""One self-contained HTML page: plotly.js inlined once, every figure and table after it."""

from __future__ import annotations

import html
from datetime import datetime, timezone

import plotly.io as pio
from plotly.offline import get_plotlyjs

from warehouse.report.sections import Figure, Section, Table

FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; }
header { background: #1f2d3d; color: #fff; padding: 16px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 22px; }
nav { background: #eef1f4; padding: 8px 32px; position: sticky; top: 0; z-index: 10; }
nav a { margin-right: 16px; color: #1f4e79; text-decoration: none; font-size: 14px; }
main { padding: 0 32px 48px 32px; max-width: 1200px; }
section { border-bottom: 1px solid #ddd; padding-bottom: 24px; }
figure { margin: 16px 0; }
figcaption { font-size: 13px; color: #555; margin-top: 4px; }
.missing { background: #fff4e5; border-left: 4px solid #f0a020; padding: 8px 12px; }
.section-error { background: #fdecea; border-left: 4px solid #d62728; padding: 8px 12px; }
table.report-table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
table.report-table th, table.report-table td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
table.report-table th { background: #f4f6f8; }
table.report-table td:first-child, table.report-table th:first-child { text-align: left; }
.table-wrap { max-height: 420px; overflow: auto; }
"""


def render_figure(item: Figure) -> str:
    """A figure's div (drawn by the page's single plotly.js) and its caption."""
    div = pio.to_html(item.figure, full_html=False, include_plotlyjs=False, config=FIGURE_CONFIG)
    return f'<figure class="report-figure">{div}<figcaption>{html.escape(item.caption)}</figcaption></figure>'


def format_number(value: float) -> str:
    """Thousands separators for large figures, four significant digits for small ones."""
    return f"{value:,.0f}" if abs(value) >= 1000 and value != float("inf") else f"{value:.4g}"


def render_table(item: Table) -> str:
    """A table and its caption (the frame's column index name is not a column)."""
    frame = item.frame.rename_axis(columns=None)
    table = frame.to_html(index=False, classes="report-table", border=0, na_rep="", float_format=format_number)
    return f'<figure class="report-table-figure"><div class="table-wrap">{table}</div><figcaption>{html.escape(item.caption)}</figcaption></figure>'


def render_section(section: Section) -> str:
    """A section: its title, intro, and either its items or why it has none."""
    if section.missing is not None:
        body = f'<p class="{"section-error" if section.missing.startswith("Error") else "missing"}">{html.escape(section.missing)}</p>'
    else:
        body = "\n".join(render_figure(i) if isinstance(i, Figure) else render_table(i) for i in section.items)
    return (f'<section id="{section.anchor}"><h2>{html.escape(section.title)}</h2>'
            f"<p>{html.escape(section.intro)}</p>{body}</section>")


def figure_count(sections: list[Section]) -> int:
    """How many plotly figures the page holds (the browser test expects that many drawn)."""
    return sum(isinstance(i, Figure) for s in sections if s.missing is None for i in s.items)


def render_page(sections: list[Section], source: str) -> str:
    """The whole page; ``source`` names the warehouse file it was built from."""
    built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in sections)
    body = "\n".join(render_section(s) for s in sections)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retail analytics warehouse report</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>
<body data-figure-count="{figure_count(sections)}">
<header><h1>Retail analytics warehouse report</h1>
<div>Built {built} from the marts of {html.escape(source)} and the MLflow registry.</div></header>
<nav>{nav}</nav>
<main>{body}</main>
</body></html>
"""
