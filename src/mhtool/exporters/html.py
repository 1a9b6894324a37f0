"""One self-contained HTML file: inline CSS, an inline SVG chart, no scripts, no external
resources (a Content-Security-Policy forbids loading any). Every piece of text goes through
`html.escape`, so a value can never become markup."""

from __future__ import annotations

import datetime as dt
import html
from typing import BinaryIO

from mhtool.domain.reports import Cell, Chart, Document, Table

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f")
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;
color:#222;max-width:75rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right}td:first-child{white-space:nowrap}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:bold}
.leeg{font-style:italic;color:#555}.noot{color:#555;font-size:.9rem}
.legenda span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem}
"""


def esc(value: object) -> str:
    if isinstance(value, dt.date):
        value = value.strftime("%d-%m-%Y")
    return html.escape(str(value), quote=True)


def _cell(value: Cell) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    if isinstance(value, dt.date):
        return f"<td>{value.strftime('%d-%m-%Y')}</td>"
    return f"<td>{esc(value)}</td>"


def _table(table: Table) -> str:
    parts = [f"<h2>{esc(table.title)}</h2>"]
    if not table.rows:
        parts.append(f'<p class="leeg">{esc(table.empty_text)}</p>')
    else:
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in table.columns)
        body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in table.rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if table.footnote:
        parts.append(f'<p class="noot">{esc(table.footnote)}</p>')
    return "\n".join(parts)


def svg_chart(chart: Chart, width: int = 760, height: int = 280) -> str:
    """Stacked bars: one bar per period, one colour per series."""
    left, right, top, bottom = 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = chart.totals()
    peak = max(max(totals, default=0), 1)
    slot = plot_w / max(len(chart.periods), 1)
    bar = slot * 0.7
    out = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(chart.title)}">',
        f"<title>{esc(chart.title)}</title>",
    ]
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
        )
    for i, period in enumerate(chart.periods):
        x = left + i * slot + (slot - bar) / 2
        base = float(top + plot_h)
        for s_index, series in enumerate(chart.series):
            value = series.values[i]
            if value <= 0:
                continue
            h = plot_h * value / peak
            base -= h
            colour = PALETTE[s_index % len(PALETTE)]
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{esc(series.name)}, {esc(period)}: {value}</title></rect>'
            )
        label = period.split("-")[-1]
        out.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{esc(label)}</text>'
        )
    out.append("</svg>")
    legend = "".join(
        f'<span style="background:{PALETTE[i % len(PALETTE)]}"></span>{esc(s.name)}'
        for i, s in enumerate(chart.series)
    )
    return "\n".join(out) + f'\n<p class="legenda">{legend}</p>'


def text(document: Document) -> str:
    facts = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in document.facts)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(document.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(document.title)}</h1>",
        f"<dl>{facts}</dl>",
    ]
    if document.chart is not None:
        parts += [f"<h2>{esc(document.chart.title)}</h2>", svg_chart(document.chart)]
    parts += [_table(t) for t in document.tables]
    parts += [f'<p class="noot">{esc(n)}</p>' for n in document.footnotes]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(document: Document, out: BinaryIO) -> None:
    out.write(text(document).encode("utf-8"))
