"""The indicators of report.html as inline SVG (no script, no network: the page's CSP allows
neither), drawn from the same check details as the PDF's charts (hds_audit/formats/pdf_charts.py):
controls by responsibility and status, traces per day per region with the gaps, and the longest
interval between backups per resource against the RPO. Every text from evidence is escaped."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from xml.sax.saxutils import escape

from hds_audit.formats.pdf_style import wording
from hds_audit.i18n import _, number
from hds_audit.states import SEVERITY

WIDTH = 720
MAX_BARS = 25  # resources in the backup chart; results.json has them all


def _colour(name: str) -> str:
    return str(wording()["chart_colours"][name])


def _svg(height: int, title: str, body: list[str]) -> tuple[str, str]:
    """(caption, SVG markup)."""
    return title, (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'aria-label="{escape(title, {chr(34): "&quot;"})}"><title>{escape(title)}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, value: str, size: int = 11, anchor: str = "start", fill: str = "#1d2433") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">{escape(value)}</text>'


def status_by_responsibility(result, label) -> tuple[str, str]:
    """One stacked bar per responsibility, a segment per status; `label` words a status."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in result.controls:
        counts[c.control.responsibility][c.status.value] += 1
    rows = sorted(counts.items())
    height = 40 + 28 * len(rows)
    total = max((sum(v.values()) for _r, v in rows), default=1)
    body, y = [], 24
    for party, states in rows:
        body.append(_text(0, y + 14, party))
        x = 110.0
        for status in SEVERITY:
            n = states.get(status.value, 0)
            if not n:
                continue
            w = (WIDTH - 130) * n / total
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" fill="{_colour(status.value)}">'
                        f'<title>{escape(label(status.value))}: {n}</title></rect>')
            if w > 18:
                body.append(_text(x + w / 2, y + 14, str(n), 10, "middle", "#ffffff"))
            x += w
        y += 28
    legend = " · ".join(label(s.value) for s in SEVERITY)
    body.append(_text(0, height - 4, legend, 10, fill="#4f586b"))
    return _svg(height, _("Controls by responsibility and status"), body)


def trace_volume(details: dict | None, max_gap_hours: float) -> list[tuple[str, str]]:
    """One chart per region: a bar per day, gaps over the limit shaded."""
    details = details or {}
    per_region: dict[str, dict[str, int]] = defaultdict(dict)
    for row in details.get("daily") or []:
        per_region[str(row.get("region"))][str(row.get("day"))] = int(row.get("count") or 0)
    charts = []
    for region, days in sorted(per_region.items()):
        ordered = sorted(days)
        if not ordered:
            continue
        first, last = date.fromisoformat(ordered[0]), date.fromisoformat(ordered[-1])
        span = max((last - first).days + 1, 1)
        top = max(days.values()) or 1
        height, base = 160, 130
        body = []
        step = (WIDTH - 40) / span
        for gap in details.get("gaps") or []:
            if str(gap.get("region")) != region:
                continue
            try:
                g0 = (date.fromisoformat(str(gap["start"])[:10]) - first).days
                g1 = (date.fromisoformat(str(gap["end"])[:10]) - first).days + 1
            except (KeyError, ValueError):
                continue
            body.append(f'<rect x="{30 + g0 * step:.1f}" y="10" width="{max(g1 - g0, 1) * step:.1f}" height="{base - 10}" '
                        f'fill="{_colour("gap")}" opacity="0.18"><title>{escape(str(gap.get("hours")))} h</title></rect>')
        for day, n in days.items():
            i = (date.fromisoformat(day) - first).days
            h = (base - 20) * n / top
            body.append(f'<rect x="{30 + i * step:.1f}" y="{base - h:.1f}" width="{max(step - 1, 1):.1f}" height="{h:.1f}" '
                        f'fill="{_colour("bars")}"><title>{escape(day)}: {n}</title></rect>')
        body += [_text(30, base + 16, ordered[0], 10), _text(WIDTH - 10, base + 16, ordered[-1], 10, "end"),
                 _text(0, 20, number(top), 10)]
        body.append(_text(30, height - 4, _("Bars: traces per day. Shaded: gaps longer than {hours} h with no trace.",
                                            hours=number(max_gap_hours)), 10, fill="#4f586b"))
        charts.append(_svg(height, _("Audit trail volume per day ({region})", region=region), body))
    return charts


def backup_intervals(details: dict | None, rpo_hours: float) -> tuple[str, str] | None:
    resources = [r for r in (details or {}).get("resources") or [] if isinstance(r, dict)]
    if not resources:
        return None

    def longest(r):
        value = r.get("longest_interval_hours")
        return float(value) if isinstance(value, (int, float)) else None

    ordered = sorted(resources, key=lambda r: (longest(r) is not None, -(longest(r) or 0)))[:MAX_BARS]
    top = max([longest(r) or 0 for r in ordered] + [rpo_hours]) * 1.1
    height = 30 + 18 * len(ordered)
    label_w, room = 200, WIDTH - 240
    body = []
    for i, r in enumerate(ordered):
        y = 10 + 18 * i
        name = str(r.get("name") or r.get("resource_id") or "?")
        body.append(_text(0, y + 11, name[:32], 10))
        hours = longest(r)
        if hours is None:
            body.append(_text(label_w + 4, y + 11, _("no backup in the period"), 10, fill=_colour("threshold")))
            continue
        colour = _colour("fail") if hours > rpo_hours else _colour("bars")
        body.append(f'<rect x="{label_w}" y="{y}" width="{room * hours / top:.1f}" height="14" fill="{colour}">'
                    f'<title>{escape(name)}: {hours:g} h</title></rect>')
        body.append(_text(label_w + room * hours / top + 4, y + 11, f"{number(round(hours, 1))} h", 10))
    x_rpo = label_w + room * rpo_hours / top
    body.append(f'<line x1="{x_rpo:.1f}" y1="4" x2="{x_rpo:.1f}" y2="{height - 18}" stroke="{_colour("threshold")}" stroke-dasharray="4 3"/>')
    body.append(_text(x_rpo, height - 4, f"RPO {number(rpo_hours)} h", 10, "middle", _colour("threshold")))
    return _svg(height, _("Longest interval between backups, per resource (hours)"), body)
