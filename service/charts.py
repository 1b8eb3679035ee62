"""The statistics' charts: SVG drawn on the server by pygal, shown as pictures.

pygal (pure Python, maintained) writes a whole SVG document with its own stylesheet; the page
shows it as ``<img src="data:image/svg+xml;base64,...">``: a picture runs no script and its
stylesheet stays inside it, so the pages keep their Content-Security-Policy without
'unsafe-inline', and the printed monthly report carries the same pictures with no request to
make. Each chart has its table beside it (the numbers, for a screen reader and for copying).
Labels are set in Noto Sans CJK (fonts-noto-cjk), which the browser and the PDF printer have.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pygal
from pygal.style import Style

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Source Han Sans SC', sans-serif"
STYLE = Style(font_family=FONT, background="white", plot_background="white",
              foreground="#222", foreground_strong="#111", foreground_subtle="#666",
              colors=("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f"),
              title_font_size=16, label_font_size=12, major_label_font_size=12,
              legend_font_size=12, value_font_size=11)


def _options(title: str, height: int) -> dict:
    return {"title": title, "style": STYLE, "js": [], "width": 720, "height": height,
            "legend_at_bottom": True, "print_values": False, "show_y_guides": True,
            "truncate_label": 12, "truncate_legend": 20}


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
         horizontal: bool = False, percent: bool = False) -> str:
    """A bar chart (one group per label, one bar per series) as an SVG document."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(280, 60 + 28 * len(labels) * max(1, len(series))) if horizontal else 340
    chart = kind(**_options(title, height), x_label_rotation=0 if horizontal else 30)
    if percent:
        chart.value_formatter = lambda v: f"{v:.0%}"
    else:
        chart.value_formatter = lambda v: f"{v:g}"
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, [None if v is None else float(v) for v in values])
    if not labels:
        chart.no_data_text = "—"
    return chart.render(is_unicode=True)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


__all__ = ["bars", "data_uri"]
