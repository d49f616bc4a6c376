"""Charts drawn on the server as SVG: no script, no build step, readable on a phone."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ("#1d4e89", "#c0392b", "#d68910", "#1e8449", "#6c3483", "#117a65", "#7b7d7d")


def bar_chart(rows: list[tuple[str, int]], *, title: str) -> Markup:
    """Horizontal bars, one per (label, value), as HTML so that the text keeps its size on a phone."""
    peak = max((v for _label, v in rows), default=0) or 1
    items = "".join(
        f'<li><span class="bar-label">{escape(label)}</span><span class="bar-track">'
        f'<span class="bar c{i % len(PALETTE)}" style="width:{max(1, round(100 * value / peak)) if value else 0}%">'
        f"</span><b>{value}</b></span></li>"
        for i, (label, value) in enumerate(rows)
    )
    return Markup(f'<ul class="bars" role="list" aria-label="{escape(title)}">{items}</ul>')


def day_chart(rows: list[tuple[str, int, int]], *, title: str, width: int = 1000) -> Markup:
    """Columns per day: all visits, with mass visits in a second colour; zero days stay blank."""
    height, base, top = 190, 160, 18
    n = max(1, len(rows))
    step = (width - 20) / n
    peak = max((total for _d, total, _m in rows), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<line x1="10" y1="{base}" x2="{width - 5}" y2="{base}" stroke="#999"/>'
    ]
    label_every = max(1, round(n / 10))
    for i, (day, total, mass) in enumerate(rows):
        x = 14 + i * step
        w = max(4, step * 0.6)
        h = (base - top) * total / peak
        hm = (base - top) * mass / peak
        if total:
            parts += [
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>',
                f'<rect x="{x:.1f}" y="{base - hm:.1f}" width="{w:.1f}" height="{hm:.1f}" fill="{PALETTE[1]}"/>',
                f'<text x="{x + w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" font-size="13">{total}</text>',
            ]
        if i % label_every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{base + 18}" text-anchor="middle" font-size="13">{escape(day)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
