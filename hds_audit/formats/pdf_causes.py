"""The pages of report.pdf that lead: the executive summary (one page: status, root causes, top
actions, trend) and the full list of root causes, each with the controls it stops."""

from __future__ import annotations

from xml.sax.saxutils import escape

from hds_audit.formats import digest
from hds_audit.formats.interface import RenderContext
from hds_audit.formats.pdf_style import badge, content_width, grid, header_row, markup, text, verdict_box
from hds_audit.i18n import _, number
from hds_audit.states import is_blocking

MAX_CAUSES = 60  # rows of the root-cause list; report.xlsx, sheet Root causes, has them all
SEVERITY_WIDTH = 52


def _cause_cell(cause, width_hint: str = "cell") -> list:
    """The object in bold, what is wrong, and how many findings stem from it."""
    words_ = digest.cause_text(cause)
    cell = [markup(f"<b>{escape(words_.object)}</b>", width_hint), text(words_.message, width_hint)]
    if words_.related:
        cell.append(text(words_.related, "muted"))
    return cell


def executive_summary(ctx: RenderContext) -> list:
    from reportlab.platypus import PageBreak, Spacer

    result = ctx.result
    actions = result.planned_actions()
    blocking = any(is_blocking(c.status) for c in result.controls)
    story = [text(_("Executive summary"), "h1"), verdict_box(digest.headline(result), not blocking), Spacer(1, 6)]
    if actions:
        story += [text(digest.cause_counts(result), "base"), Spacer(1, 4), text(_("Root causes first"), "h2")]
        rows = [header_row(_("Severity"), _("Root cause"), _("Controls"), _("Findings"))]
        for action in actions[:digest.TOP]:
            cause = action.cause
            rows.append([text(digest.severity_label(cause.severity), "cell_bold"), _cause_cell(cause),
                         text(number(len(cause.controls)), "cell"), text(number(len(cause.findings)), "cell")])
        story.append(grid(rows, [SEVERITY_WIDTH, content_width() - SEVERITY_WIDTH - 100, 50, 50]))
        story += [text(_("Top actions"), "h2")]
        rows = [header_row(_("What to do"), _("About"), _("Owner"), _("Due"))]
        for action in actions[:digest.TOP]:
            rows.append([text(digest.advice_label(action), "cell"), text(action.cause.object, "cell"),
                         text(digest.owner_label(action), "cell"), text(digest.due_label(action), "cell")])
        story.append(grid(rows, [content_width() - 330, 120, 110, 100]))
        story.append(text(_("Owners and due dates are set in report.xlsx, sheet Root causes; `hds-audit review import` keeps them."), "muted"))
    else:
        story.append(text(_("Nothing to act on: no finding fails, errs or waits for a person."), "base"))
    trend = digest.trend(result, ctx.extras.get("comparison"))
    if trend:
        story += [text(_("Trend"), "h2"), text(trend, "base")]
    story.append(PageBreak())
    return story


def root_cause_list(ctx: RenderContext) -> list:
    from reportlab.platypus import PageBreak, Spacer

    result = ctx.result
    causes = result.root_causes()
    if not causes:
        return []
    titles = {c.control.id: c.control.rule for c in result.controls}
    story = [text(_("Root causes"), "h1"),
             text(_("Each finding that needs action belongs to one root cause: a check shared by several controls, "
                    "a resource and what stems from it (its backups), or an unreadable evidence file. Fixing the cause "
                    "clears every finding and control listed with it."), "muted"), Spacer(1, 6)]
    rows = [header_row(_("Severity"), _("Status"), _("Root cause"), _("Controls it stops"))]
    for cause in causes[:MAX_CAUSES]:
        controls = "; ".join(titles.get(cid, cid) for cid in cause.controls)
        rows.append([text(digest.severity_label(cause.severity), "cell_bold"), badge(cause.status.value),
                     _cause_cell(cause) + [text(f"{cause.id} · {digest.cause_text(cause).where}", "small")],
                     text(f"{number(len(cause.controls))} — {controls}", "small")])
    story.append(grid(rows, [SEVERITY_WIDTH, 66, (content_width() - SEVERITY_WIDTH - 66) * 0.58,
                             (content_width() - SEVERITY_WIDTH - 66) * 0.42]))
    if len(causes) > MAX_CAUSES:
        story.append(text(_("{n} more root causes: see report.xlsx, sheet Root causes.", n=number(len(causes) - MAX_CAUSES)), "muted"))
    return story + [PageBreak()]
