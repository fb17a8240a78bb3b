"""`report.pdf`: the report a compliance officer hands to a board (reportlab platypus, A4).

Cover, summary with charts, the matrix with each control's status, findings per control (long
lists cut, pointing at the workbook), and an evidence appendix. audit.py signs it (PAdES) after
rendering. Wording and colours live in report_templates/pdf.yaml.
"""

from __future__ import annotations

from collections import Counter

from hds_audit import __version__
from hds_audit.calendar.instants import iso
from hds_audit.checks.details import ContinuityDetails, CoverageDetails
from hds_audit.formats import digest, pdf_charts
from hds_audit.formats.interface import RenderContext, notices, to_seconds
from hds_audit.formats.pdf_causes import executive_summary, root_cause_list
from hds_audit.formats.pdf_style import (
    badge,
    build_pdf,
    content_width,
    demo_banner,
    grid,
    header_row,
    key_values,
    markup,
    notice_stamp,
    refs,
    status_colours,
    status_label,
    text,
    verdict_box,
    words,
)
from hds_audit.formats.sampling import hidden_text, representative
from hds_audit.i18n import _, day, moment, ngettext, number
from hds_audit.i18n.matrix import translation_note, worded_context
from hds_audit.results.reviews import headline as review_headline
from hds_audit.states import SEVERITY, Status, is_blocking

FILENAME = "report.pdf"
MAX_FINDINGS = 15  # per check; the workbook has them all
MAX_REFS = 3  # evidence references shown per finding
MAX_ATTENTION = 12  # controls listed on the summary page; the matrix lists them all
MATRIX_START = 200  # points: room for the matrix title, intro and a few rows, else it starts a page


def render(ctx: RenderContext) -> bytes:
    ctx = worded_context(ctx)  # the matrix's texts in the report's language, everywhere the PDF quotes them
    result = ctx.result
    story = (cover(ctx) + executive_summary(ctx) + summary(ctx) + root_cause_list(ctx) + changes(ctx) + matrix(ctx)
             + findings(ctx) + appendix(ctx))
    footer = words("report", "footer", tenant=result.tenant.name, period=result.period.label, run_id=result.run_id)
    return build_pdf(
        story, title=f"{words('report', 'title')} — {result.tenant.name} — {result.period.label}",
        author=ctx.signer or "hds-audit", subject=_("HDS audit, period {period}, run {run_id}", period=result.period.label, run_id=result.run_id),
        footer=footer, created=result.generated_at, on_page=notice_stamp(notices(result)),
    )


def _period_text(period) -> str:
    # the dates as the reader's locale writes them, then the exact instants (ISO 8601, as every report states times)
    return (_("{label}: {start} to {end} (end excluded)", label=period.label, start=day(period.start), end=day(period.end))
            + f"\n{iso(period.start)} → {iso(period.end)}")


def _reviews(result) -> list[str]:
    seen = Counter()
    for control in result.controls:
        if control.review:
            seen[(control.review.get("reviewer") or "?", str(control.review.get("reviewed_at") or "")[:10])] += 1
    return [f"{who}, {when} ({ngettext('{n} control', '{n} controls', n)})" for (who, when), n in sorted(seen.items())]


# -- cover ----------------------------------------------------------------------------------------

def cover(ctx: RenderContext) -> list:
    from reportlab.platypus import PageBreak, Spacer

    result = ctx.result
    tenant = result.tenant
    story = [Spacer(1, 36), text(words("report", "title"), "title"), Spacer(1, 6),
             text(words("report", "subtitle"), "subtitle"), Spacer(1, 22)]
    if ctx.demo:
        story += [demo_banner(words("report", "demo_banner")), Spacer(1, 16)]
    for word, sentence in notices(result):
        story += [demo_banner(f"{word} — {sentence}"), Spacer(1, 16)]
    pairs = [
        (_("Organisation"), tenant.name),
        (_("Tenant"), tenant.tenant_id),
        (_("Period"), _period_text(result.period)),
        (_("Generated"), f"{moment(result.generated_at)}\n{to_seconds(iso(result.generated_at)) or '—'}"
         if result.generated_at else "—"),
        (_("Signed by"), ctx.signer or words("report", "unsigned")),
        (_("Support plan"), tenant.support_plan),
        (_("Allowed regions"), ", ".join(tenant.allowed_regions)),
        (_("Scope"), tenant.scope.describe_message().render()),
        (_("Run id"), result.run_id),
        (_("Tool"), f"hds-audit {__version__}"),
    ]
    reviews = _reviews(result)
    if reviews:
        pairs.append((_("Reviewed by"), "; ".join(reviews)))
    story += [key_values(pairs), Spacer(1, 20)]
    blocking = [c for c in result.controls if is_blocking(c.status)]
    story += [verdict_box(digest.headline(result), not blocking), Spacer(1, 10)]
    disagreement = review_headline(result)
    if disagreement:  # the auditor's word sits beside the tool's, never below the fold
        story += [verdict_box(disagreement, False), Spacer(1, 10)]
    story += [status_table(result), Spacer(1, 18),
              text(words("report", "signature_note"), "muted"), PageBreak()]
    return story


def status_table(result):
    """Counts of controls and checks per status, with the status colours in the header."""
    states = [s.value for s in SEVERITY]
    controls, checks = result.summary(), result.check_summary()
    rows = [[text("", "cell")] + [badge(s) for s in states],
            [text(_("Controls"), "cell_bold")] + [text(number(controls[s]), "cell") for s in states],
            [text(_("Checks"), "cell_bold")] + [text(number(checks[s]), "cell") for s in states]]
    width = (content_width() - 80) / len(states)
    return grid(rows, [80] + [width] * len(states), repeat=False,
                extra=[("ALIGN", (1, 1), (-1, -1), "CENTER")])


# -- summary --------------------------------------------------------------------------------------

def _check(result, check_id: str):
    return next((c for c in result.unique_checks() if c.id == check_id), None)


def summary(ctx: RenderContext) -> list:
    from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

    result = ctx.result
    policy = result.tenant.policy
    story = [text(words("report", "summary_title"), "h1"), text(words("report", "summary_intro"), "muted"),
             Spacer(1, 8), status_table(result), Spacer(1, 12), pdf_charts.status_by_responsibility(result),
             Spacer(1, 6), text(words("report", "attention_title"), "h2")]
    blocking = [c for c in result.controls if is_blocking(c.status)]
    if blocking:
        rows = [header_row(_("Control"), _("Domain"), _("Status"), _("Findings"))]
        ranked = sorted(blocking, key=lambda c: (c.status is not Status.FAIL, -sum(len(k.findings) for k in c.checks)))
        for c in ranked[:MAX_ATTENTION]:
            n = sum(len(k.findings) for k in c.checks)
            rows.append([text(c.control.rule, "cell"), text(c.control.domain, "cell"), badge(c.status.value), text(number(n), "cell")])
        story.append(grid(rows, [225, content_width() - 341, 66, 50]))
        if len(ranked) > MAX_ATTENTION:
            story.append(text(words("report", "attention_more", n=len(ranked) - MAX_ATTENTION), "muted"))
    else:
        story.append(text(words("report", "attention_none"), "base"))
    story += [Spacer(1, 6), CondPageBreak(180), text(words("report", "charts_title"), "h2")]  # the heading with its first chart
    continuity = _check(result, "trace.continuity")
    max_gap = ContinuityDetails.model_validate(continuity.details or {}).max_gap_hours if continuity else None
    for chart in pdf_charts.trace_volume(continuity.details if continuity else None, result.period,
                                         float(max_gap or policy.trace_max_gap_hours)):
        story += [KeepTogether([chart]), Spacer(1, 10)]
    coverage = _check(result, "backup.coverage")
    rpo = CoverageDetails.model_validate(coverage.details or {}).rpo_hours if coverage else None
    story += [KeepTogether([pdf_charts.backup_intervals(coverage.details if coverage else None,
                                                         float(rpo or policy.backup_rpo_hours))]),
              Spacer(1, 16), CondPageBreak(MATRIX_START)]  # the matrix follows the charts when its start fits below them
    return story


# -- changes since a previous run (`run --previous DIR`) ------------------------------------------

MAX_CHANGES = 40  # rows per kind; report.xlsx, sheet Changes, lists them all


def changes(ctx: RenderContext) -> list:
    from reportlab.platypus import PageBreak, Spacer

    comparison = ctx.extras.get("comparison")
    if not comparison:
        return []
    kinds = {"new": _("new"), "fixed": _("fixed"), "persisting": _("persisting")}
    counts = ", ".join(f"{number(len(comparison.get(kind) or []))} {label}" for kind, label in kinds.items())
    story = [text(_("Changes since {period}", period=comparison.get("previous_period") or _("the previous run")), "h1"),
             text(_("Findings by check and object: {counts}.", counts=counts), "muted"), Spacer(1, 6)]
    if comparison.get("previous_verification"):  # whether the folder compared with verified, as `run` found it
        story += [text(comparison["previous_verification"] + ".", "muted"), Spacer(1, 6)]
    rows = [header_row(_("Change"), _("Check"), _("Object"), _("Finding"))]
    for kind in ("new", "fixed", "persisting"):
        items = comparison.get(kind) or []
        for item in items[:MAX_CHANGES]:
            rows.append([text(kinds[kind], "cell_bold"), text(item.get("check"), "small"), text(item.get("object"), "cell"), text(to_seconds(item.get("message")), "cell")])
        if len(items) > MAX_CHANGES:
            rows.append([text(kinds[kind], "cell"), text(""), text(""),
                         text(_("{n} more: see report.xlsx, sheet Changes", n=number(len(items) - MAX_CHANGES)), "muted")])
    rest = content_width() - 62 - 120
    return story + [grid(rows, [62, 120, rest * 0.35, rest * 0.65]), PageBreak()]


# -- the matrix -----------------------------------------------------------------------------------

def matrix(ctx: RenderContext) -> list:
    from reportlab.platypus import PageBreak, Spacer

    result = ctx.result
    reviewed = any(c.review for c in result.controls)
    head = [_("Control"), _("Domain"), _("Responsibility"), _("Status"), _("Findings")] + ([_("Auditor")] if reviewed else [])
    rows = [header_row(*head)]
    for c in result.controls:
        n = sum(len(k.findings) for k in c.checks)
        control = [text(c.control.rule, "cell_bold"), text(f"{c.control.id} · §{c.control.section}", "small")]
        row = [control, text(c.control.domain, "cell"), text(responsibility(c.control.responsibility), "cell"), badge(c.status.value),
               text(number(n) if n else "", "cell")]
        if reviewed:
            row.append(text((c.review or {}).get("verdict") or "", "cell"))
        rows.append(row)
    rest = content_width() - 66 - 46 - 70 - (64 if reviewed else 0)
    widths = [rest * 0.6, rest * 0.4, 70, 66, 46] + ([64] if reviewed else [])
    intro = [text(words("report", "matrix_title"), "h1"), text(words("report", "matrix_intro"), "muted")]
    note = translation_note()  # once, where the matrix is first quoted in full
    if note:
        intro.append(text(note, "muted"))
    return intro + [Spacer(1, 6), grid(rows, widths), PageBreak()]


# -- findings per control -------------------------------------------------------------------------

def findings(ctx: RenderContext) -> list:
    from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

    result = ctx.result
    story = [text(words("report", "findings_title"), "h1"), text(words("report", "findings_intro"), "muted")]
    quiet = []
    shown: dict[int, str] = {}  # a check shared by several controls lists its findings once
    for c in result.controls:
        has_findings = any(k.findings for k in c.checks)
        if not has_findings and c.status in (Status.PASS, Status.NOT_APPLICABLE) and not c.review:
            quiet.append(c)
            continue
        heading = Table([[text(c.control.rule, "h3"), badge(c.status.value)]], colWidths=[content_width() - 66, 66])
        heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 0.8, status_colours(c.status.value)[1])]))
        block = [Spacer(1, 6), heading,
                 text(_("{id} · {domain} · §{section} · {responsibility} responsibility", id=c.control.id, domain=c.control.domain,
                        section=c.control.section, responsibility=responsibility(c.control.responsibility)), "muted")]
        duty = c.control.customer_responsibility
        if duty and duty != "N/A":
            block.append(text(_("Customer: {duty}", duty=duty), "muted"))
        if c.unbound:
            block.append(text(_("No evidence is bound to this rule in controls/bindings.yaml."), "muted"))
        if c.review:
            r = c.review
            block.append(text(f"{_('Auditor')}: {r.get('verdict') or '—'}{' — ' + r['comment'] if r.get('comment') else ''} "
                              f"({r.get('reviewer') or '?'}, {r.get('reviewed_at') or '?'})", "base", bold=True))
        groups = _check_blocks(c.checks, shown, c.control.rule)
        if groups and groups[0][1]:
            groups[0] = (block + groups[0][0], True)
        else:
            groups.insert(0, (block, True))
        story.append(CondPageBreak(90))  # a control's title never ends a page
        for group, keep in groups:
            story += [KeepTogether(group)] if keep else group
    if quiet:
        story += [Spacer(1, 8), text(words("report", "passing_title"), "h2")]
        rows = [header_row(_("Control"), _("Status"), _("Checks"))]
        for c in quiet:
            checks = ", ".join(f"{k.id} ({status_label(k.status.value)})" for k in c.checks) or "—"
            rows.append([text(c.control.rule, "cell"), badge(c.status.value), text(checks, "cell")])
        story.append(grid(rows, [200, 66, content_width() - 266]))
    story.append(PageBreak())
    return story


def _check_blocks(checks, shown: dict[int, str], rule: str) -> list[tuple[list, bool]]:
    """(flowables, keep together) per check. A long findings table may break across pages; a
    conditional page break keeps its title off the bottom of a page. (KeepTogether must not nest:
    an inner one reports an infinite height to the outer.)"""
    from reportlab.platypus import CondPageBreak, Spacer

    out: list[tuple[list, bool]] = []
    for check in checks:
        line = f"<b>{_esc(check.id)}</b> — {_esc(status_label(check.status.value))}"
        if check.note:
            line += f" — {_esc(to_seconds(check.note_text()))}"
        if check.findings and id(check) in shown:
            line += " — " + _esc(_("{findings}, listed under “{rule}” above",
                                   findings=ngettext("{n} finding", "{n} findings", len(check.findings)), rule=shown[id(check)]))
        head = [Spacer(1, 3), markup(line, "base")]
        if not check.findings or id(check) in shown:
            out.append((head, True))
            continue
        shown[id(check)] = rule
        rows = [header_row(_("Status"), _("Object"), _("Finding"), _("Evidence"))]
        shown_findings = representative(check.findings, MAX_FINDINGS)  # every kind, not the first 15 of one
        for f in shown_findings:
            shown_refs = [short_ref(r) for r in f.evidence[:MAX_REFS]] + ([_("(+{n} more)", n=number(len(f.evidence) - MAX_REFS))] if len(f.evidence) > MAX_REFS else [])
            message = to_seconds(f.text() + (f"\n{f.waiver_text()}" if f.waiver else ""))
            rows.append([badge(f.status.value), text(f.object, "cell"), text(message, "cell"), refs(shown_refs, content_width() - 342)])
        table = grid(rows, [62, 105, 175, content_width() - 342])
        group = head + [Spacer(1, 2), table]
        hidden = len(check.findings) - len(shown_findings)
        if hidden > 0:
            kinds = hidden_text(check.findings, shown_findings)
            group.append(text(words("report", "findings_cut_kinds", n=hidden, kinds=kinds) if kinds
                              else words("report", "findings_cut", n=hidden), "muted"))
        long = len(rows) > 6
        out.append(([CondPageBreak(110)] + group if long else group, not long))
    return out


def short_ref(reference: str) -> str:
    """A CTS trace reference without its folders (traces/CloudTraces/{region}/{YYYY}/{M}/{D}/{tracker}/{Service}/):
    the file name repeats the region and the time, and a findings table must not spend 8 lines on one path.
    The workbook and results.json keep the full reference."""
    parts = reference.split("/")
    if parts[0] == "traces" and len(parts) > 4:
        return f"traces/…/{parts[-1]}"
    return reference


def responsibility(party: str) -> str:
    return {"customer": _("customer"), "provider": _("provider"), "shared": _("shared")}.get(party, party)


def _esc(value) -> str:
    from xml.sax.saxutils import escape

    return escape(str(value))


# -- appendix -------------------------------------------------------------------------------------

def appendix(ctx: RenderContext) -> list:
    from reportlab.platypus import Spacer

    result = ctx.result
    story = [text(words("report", "evidence_title"), "h1"), text(words("report", "evidence_intro"), "muted"), Spacer(1, 6)]
    entries = evidence_entries(result.evidence_files)
    if any(e["files"] > 1 for e in entries):
        story += [text(words("report", "evidence_groups"), "muted"), Spacer(1, 4)]
    if entries:
        rows = [header_row(_("File"), "SHA-256", _("Records"), _("Time covered"))]
        for e in entries:
            covered = _("{first}\nto {last}", first=_when(e["first"]), last=_when(e["last"])) if e["first"] or e["last"] else "—"
            what = ngettext("{n} file", "{n} files", e["files"]) + ", " if e["files"] > 1 else ""
            rows.append([refs([e["path"]], 170) + [text(what + ngettext("{n} byte", "{n} bytes", e["size"]), "small")],
                         text(e["sha256"], "mono"), text("" if e["records"] is None else number(e["records"]), "cell"), text(covered, "small")])
        story.append(grid(rows, [170, 150, 45, content_width() - 365]))
    else:
        story.append(text(_("No evidence file was read."), "base"))
    if result.dropped:  # a replaced matrix left these bindings without a rule, and the user dropped them on purpose
        story += [text(words("report", "dropped_checks"), "h2")]
        rows = [header_row(_("Binding"), _("Checks not run"), _("Dropped by"))] + [
            [text(d.binding, "cell_bold"), text(", ".join(d.checks), "cell"), text(d.by, "cell")] for d in result.dropped]
        story.append(grid(rows, [150, content_width() - 270, 120]))
    if result.evidence_notes:
        story += [text(words("report", "evidence_notes"), "h2")]
        rows = [header_row(_("Evidence"), _("Note"))] + [[text(k, "cell_bold"), text(to_seconds(v), "cell")] for k, v in sorted(result.evidence_notes.items())]
        story.append(grid(rows, [120, content_width() - 120]))
    return story


def evidence_entries(files) -> list[dict]:
    """One entry per evidence file, except CTS trace files when there are many: those are grouped by
    folder down to the month (traces/CloudTraces/{region}/{YYYY}/{M}/), each group with the digest of
    its listing (hds_audit/formats/evidence_listing.py). The signed manifest lists every file."""
    from hds_audit.formats import evidence_listing

    return evidence_listing.entries(files, group=evidence_listing.month_folder)


def _when(instant) -> str:
    return iso(instant.replace(microsecond=0)) if instant else "—"
