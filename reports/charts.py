"""Charts drawn on the server as SVG, for the PDF (WeasyPrint renders SVG natively). Every
label is escaped; every chart in a report sits next to its table."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.numbers import figure


def bar_chart_svg(
    *,
    title: str,
    labels: list[str],
    values: list[float],
    unit: str = "",
    reference: float | None = None,
    reference_label: str = "",
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one per label; an optional reference line (e.g. the median proposed)."""
    bar_height, gap, left, right, top = 16, 6, 170, 120, 28
    height = top + len(labels) * (bar_height + gap) + 24
    top_value = max([*values, reference or 0, 1])
    scale = (width - left - right) / top_value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * (bar_height + gap)
        bar = max(value * scale, 1)
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" font-size="10" text-anchor="end">{escape(label[:32])}</text>'
            f'<rect x="{left}" y="{y}" width="{bar:.1f}" height="{bar_height}" fill="#1f3a5f"/>'
            f'<text x="{left + bar + 4:.1f}" y="{y + 12}" font-size="10">'
            f"{figure(value)} {escape(unit)}</text>"
        )
    if reference is not None:
        x = left + reference * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 18}" stroke="#8b0000" '
            f'stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{height - 4}" font-size="10" fill="#8b0000" text-anchor="middle">'
            f"{escape(reference_label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
