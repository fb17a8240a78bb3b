"""The charts of report.pdf, drawn with reportlab.graphics from the checks' `details`.

- status of the controls by responsibility (stacked bars);
- audit-trail volume per day and region, gaps shaded (`trace.continuity` details: daily, gaps);
- longest interval between backups per resource against the RPO (`backup.coverage` details).

Details may hold Python objects (a fresh run) or their JSON form (a run reloaded from results.json):
both are accepted. A chart without data says "no data" in its place.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from hds_audit.calendar.instants import PARIS, parse_instant
from hds_audit.formats.pdf_style import chart_colour, colour, content_width, fonts, status_label, words
from hds_audit.i18n import _, locale, ngettext, number
from hds_audit.states import SEVERITY

MAX_BACKUP_ROWS = 24


def _string(x, y, value, size=7, anchor="start", bold=False, fill=None):
    from reportlab.graphics.shapes import String

    regular, heavy, _ = fonts()
    return String(x, y, str(value), fontName=heavy if bold else regular, fontSize=size,
                  textAnchor=anchor, fillColor=fill or colour("ink"))


def no_data(title: str, reason: str | None = None, height: float = 70):
    """The chart's frame with "no data" in it: absence is shown, never hidden."""
    from reportlab.graphics.shapes import Drawing, Rect

    width = content_width()
    drawing = Drawing(width, height)
    drawing.add(_string(0, height - 10, title, size=8.5, bold=True))
    drawing.add(Rect(0, 0, width, height - 18, fillColor=colour("header"), strokeColor=colour("rule"), strokeWidth=0.5))
    drawing.add(_string(width / 2, (height - 18) / 2 - 3, reason or words("report", "no_data"), size=9, anchor="middle", fill=colour("muted")))
    return drawing


# -- status by responsibility -----------------------------------------------------------------------

def status_by_responsibility(result) -> Any:
    from reportlab.graphics.shapes import Drawing, Rect

    title = words("report", "chart_status")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for control in result.controls:
        counts[control.control.responsibility][control.status.value] += 1
    if not counts:
        return no_data(title)
    rows = sorted(counts)
    width, label_w, bar_h, gap = content_width(), 70, 16, 8
    legend_h = 26
    height = 18 + len(rows) * (bar_h + gap) + legend_h
    drawing = Drawing(width, height)
    drawing.add(_string(0, height - 10, title, size=8.5, bold=True))
    most = max(sum(c.values()) for c in counts.values())
    scale = (width - label_w - 30) / most
    y = height - 18 - bar_h - 4
    for resp in rows:
        drawing.add(_string(0, y + 5, {"customer": _("customer"), "provider": _("provider"), "shared": _("shared")}.get(resp, resp),
                            size=8))
        x = label_w
        for status in SEVERITY:
            n = counts[resp].get(status.value, 0)
            if not n:
                continue
            w = n * scale
            drawing.add(Rect(x, y, w, bar_h, fillColor=chart_colour(status.value), strokeColor=None))
            if w >= 12:
                drawing.add(_string(x + w / 2, y + 5, n, size=7, anchor="middle", bold=True, fill=colour("header")))
            x += w
        drawing.add(_string(x + 4, y + 5, sum(counts[resp].values()), size=7, fill=colour("muted")))
        y -= bar_h + gap
    x = label_w
    for status in SEVERITY:
        drawing.add(Rect(x, 4, 8, 8, fillColor=chart_colour(status.value), strokeColor=None))
        label = status_label(status.value)
        drawing.add(_string(x + 11, 5, label, size=7))
        x += 22 + len(label) * 4.2
    return drawing


# -- traces per day -----------------------------------------------------------------------------------

def _instant(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(PARIS).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def trace_volume(details: dict | None, period, max_gap_hours: float) -> list:
    """One chart per region (a tenant rarely uses more than two)."""
    generic = words("report", "chart_traces_generic")
    details = details or {}
    daily, gaps = details.get("daily") or [], details.get("gaps") or []
    if not daily and not gaps:
        return [no_data(generic, words("report", "no_data_reason"))]
    per_region: dict[str, dict[date, int]] = defaultdict(dict)
    for row in daily:
        day = _day(row.get("day"))
        if day is not None:
            per_region[str(row.get("region"))][day] = per_region[str(row.get("region"))].get(day, 0) + int(row.get("count") or 0)
    gaps_by_region: dict[str, list] = defaultdict(list)
    for gap in gaps:
        gaps_by_region[str(gap.get("region"))].append(gap)
        per_region.setdefault(str(gap.get("region")), {})
    return [_trace_chart(region, per_region[region], gaps_by_region.get(region, []), period, max_gap_hours)
            for region in sorted(per_region)]


def _trace_chart(region: str, counts: dict[date, int], gaps: list, period, max_gap_hours: float):
    from reportlab.graphics.shapes import Drawing, Line, Rect

    width, height = content_width(), 150
    left, bottom, top = 38, 26, 22
    plot_w, plot_h = width - left - 6, height - bottom - top
    drawing = Drawing(width, height)
    drawing.add(_string(0, height - 10, words("report", "chart_traces", region=region), size=8.5, bold=True))
    start, end = period.start, period.end
    span = (end - start).total_seconds()
    first_day = start.astimezone(PARIS).date()
    days = []
    day = first_day
    while day < end.astimezone(PARIS).date():
        days.append(day)
        day += timedelta(days=1)
    days = days or [first_day]

    def x_of(instant: datetime) -> float:
        return left + max(0.0, min(1.0, (instant - start).total_seconds() / span)) * plot_w

    drawing.add(Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=colour("rule"), strokeWidth=0.5))
    for gap in gaps:
        g0, g1 = _instant(gap.get("start")), _instant(gap.get("end"))
        if g0 is None or g1 is None:
            continue
        x0, x1 = x_of(g0), x_of(g1)
        drawing.add(Rect(x0, bottom, max(x1 - x0, 1.2), plot_h, fillColor=chart_colour("gap"), fillOpacity=0.22,
                         strokeColor=chart_colour("gap"), strokeWidth=0.4))
        hours = gap.get("hours")
        if hours is not None:
            drawing.add(_string((x0 + x1) / 2, bottom + plot_h + 2, _("gap {hours} h", hours=_num(float(hours))), size=6.5, anchor="middle", fill=chart_colour("threshold")))
    most = max(counts.values(), default=0)
    slot = plot_w / len(days)
    if most > 0:
        for i, day in enumerate(days):
            n = counts.get(day, 0)
            if n:
                h = n / most * (plot_h - 12)
                drawing.add(Rect(left + i * slot + slot * 0.12, bottom, max(slot * 0.76, 0.6), h,
                                 fillColor=chart_colour("bars"), strokeColor=None))
    # axes: 0 and the maximum on y; month starts (or weeks, for short periods) on x
    drawing.add(_string(left - 4, bottom - 2, "0", size=6.5, anchor="end", fill=colour("muted")))
    drawing.add(_string(left - 4, bottom + plot_h - 14, number(most), size=6.5, anchor="end", fill=colour("muted")))
    drawing.add(Line(left, bottom + plot_h - 12, left + plot_w, bottom + plot_h - 12, strokeColor=colour("rule"), strokeWidth=0.3, strokeDashArray=[2, 2]))
    for i, day in enumerate(days):
        if (len(days) > 45 and day.day == 1) or (len(days) <= 45 and (i % 7 == 0)):
            x = left + i * slot
            drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=colour("muted"), strokeWidth=0.4))
            drawing.add(_string(x + 1, bottom - 11, _axis_day(day, len(days) <= 45), size=6.5, fill=colour("muted")))
    drawing.add(_string(left, 2, words("report", "chart_traces_legend", hours=_num(max_gap_hours)), size=6.5, fill=colour("muted")))
    if not counts:
        drawing.add(_string(left + plot_w / 2, bottom + plot_h / 2, words("report", "no_data"), size=9, anchor="middle", fill=colour("muted")))
    return drawing


# -- backup intervals ---------------------------------------------------------------------------------

def backup_intervals(details: dict | None, rpo_hours: float):
    from reportlab.graphics.shapes import Drawing, Line, Rect

    title = words("report", "chart_backups")
    resources = (details or {}).get("resources") or []
    if not resources:
        return no_data(title, words("report", "no_data_reason"))

    def longest(r: dict) -> float | None:
        value = r.get("longest_interval_hours")
        return None if value is None else float(value)

    ordered = sorted(resources, key=lambda r: (longest(r) is not None, -(longest(r) or 0), str(r.get("name") or r.get("resource_id"))))
    shown, hidden = ordered[:MAX_BACKUP_ROWS], len(ordered) - MAX_BACKUP_ROWS
    width, label_w, row_h = content_width(), 150, 13
    height = 30 + len(shown) * row_h + (12 if hidden > 0 else 0) + 14
    drawing = Drawing(width, height)
    drawing.add(_string(0, height - 10, title, size=8.5, bold=True))
    values = [longest(r) for r in shown if longest(r) is not None]
    top = max(values + [rpo_hours]) * 1.1
    plot_w = width - label_w - 48
    y = height - 22 - row_h
    for r in shown:
        name = str(r.get("name") or r.get("resource_id") or "?")
        label = name if len(name) <= 34 else name[:33] + "…"
        drawing.add(_string(label_w - 6, y + 3, label, size=7, anchor="end"))
        value = longest(r)
        if value is None:
            drawing.add(Rect(label_w, y, plot_w, row_h - 4, fillColor=chart_colour("gap"), fillOpacity=0.18, strokeColor=None))
            drawing.add(_string(label_w + 4, y + 3, ngettext("no backup ({n} in the period)", "no backup ({n} in the period)", int(r.get('backups') or 0)), size=7, fill=chart_colour("threshold")))
        else:
            w = value / top * plot_w
            over = value > rpo_hours
            drawing.add(Rect(label_w, y, max(w, 0.8), row_h - 4, fillColor=chart_colour("fail" if over else "bars"), strokeColor=None))
            drawing.add(_string(label_w + w + 4, y + 3, f"{_num(value)} h", size=6.5, fill=chart_colour("threshold") if over else colour("muted")))
        y -= row_h
    x_rpo = label_w + rpo_hours / top * plot_w
    drawing.add(Line(x_rpo, y + row_h - 2, x_rpo, height - 20, strokeColor=chart_colour("threshold"), strokeWidth=0.8, strokeDashArray=[3, 2]))
    drawing.add(_string(x_rpo, height - 19, f"RPO {_num(rpo_hours)} h", size=6.5, anchor="middle", fill=chart_colour("threshold")))
    if hidden > 0:
        drawing.add(_string(label_w, y + 3, ngettext("{n} more resource(s): see results.json (backup.coverage details)",
                                                        "{n} more resource(s): see results.json (backup.coverage details)", hidden), size=7, fill=colour("muted")))
    drawing.add(_string(0, 2, words("report", "chart_backups_legend", hours=_num(rpo_hours)), size=6.5, fill=colour("muted")))
    return drawing


def _num(value: float) -> str:
    """Hours as the locale writes them: 90.5, 90,5."""
    from babel.numbers import format_decimal

    value = float(value)
    return format_decimal(round(value) if value == int(value) or value >= 100 else round(value, 1), format="0.#",
                          locale=locale())


def _axis_day(day: date, short_period: bool) -> str:
    """A tick of the time axis in the locale's words: 01 Jul / Jul 2026, 01 juil. / juil. 2026."""
    from babel.dates import format_date

    return format_date(day, "dd MMM" if short_period else "MMM y", locale=locale())
