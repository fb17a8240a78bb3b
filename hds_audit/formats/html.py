"""`report.html`: the jinja2 template in report_templates/, autoescaped, in the report's language
(jinja2's i18n extension over the gettext catalog of hds_audit/i18n/__init__.py)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from hds_audit.formats import digest, evidence_listing
from hds_audit.formats.interface import RenderContext, notices, to_seconds, visible_bidi
from hds_audit.formats.pdf import responsibility
from hds_audit.formats.pdf_style import status_label
from hds_audit.i18n import _, current, day, moment, number, translations
from hds_audit.i18n.matrix import translation_note, worded_context
from hds_audit.paths import data_dir
from hds_audit.states import SEVERITY

FILENAME = "report.html"
TEMPLATE = "report.html.j2"
MAX_ATTENTION = 12  # controls listed under "Controls needing attention", as in the PDF; the table Controls lists all
SNAPSHOT = "evidence"  # the folder `run --snapshot` copies the evidence into, beside the report


def _visible_bidi(value):
    if isinstance(value, str) and not hasattr(value, "__html__"):  # leave markup the template built alone
        return visible_bidi(value)
    return value


def evidence_link(reference: str) -> str:
    """A relative link to the snapshot's copy of the file a reference (`file#record`) points at."""
    path = reference.split("#", 1)[0]
    return f"{SNAPSHOT}/{quote(path)}"


def _first_listing(result) -> dict[str, str | None]:
    """`control/check index` -> the control whose section already lists that shared check's findings."""
    first: dict[int, str] = {}
    out: dict[str, str | None] = {}
    for control in result.controls:
        for index, check in enumerate(control.checks):
            out[f"{control.control.id}/{index}"] = first.get(id(check))
            if check.findings:
                first.setdefault(id(check), control.control.id)
    return out


def _indicators(result) -> list:
    """Inline SVG charts (trusted markup this tool draws; evidence inside is escaped by html_charts)."""
    from markupsafe import Markup

    from hds_audit.formats import html_charts

    checks = {c.id: c for c in result.unique_checks()}
    policy = result.tenant.policy
    continuity, coverage = checks.get("trace.continuity"), checks.get("backup.coverage")
    charts = [html_charts.status_by_responsibility(result, status_label)]
    if continuity is not None:
        gap = (continuity.details or {}).get("max_gap_hours") or policy.trace_max_gap_hours
        charts += html_charts.trace_volume(continuity.details, float(gap))
    if coverage is not None:
        rpo = (coverage.details or {}).get("rpo_hours") or policy.backup_rpo_hours
        charts.append(html_charts.backup_intervals(coverage.details, float(rpo)))
    return [(caption, Markup(svg)) for caption, svg in filter(None, charts)]


def _attention(result) -> list:
    """The controls that fail or could not be concluded, those with the most findings first (as the PDF)."""
    from hds_audit.states import Status, is_blocking

    blocking = [c for c in result.controls if is_blocking(c.status)]
    return sorted(blocking, key=lambda c: (c.status is not Status.FAIL, -sum(len(k.findings) for k in c.checks)))


def render(ctx: RenderContext) -> bytes:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("report_templates"))),
        autoescape=True,  # every string from evidence is text, never markup
        keep_trailing_newline=True,
        finalize=_visible_bidi,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(current()), newstyle=True)
    from hds_audit.i18n.messages import finding_text, note_text, waiver_text

    ctx = worded_context(ctx)  # the matrix's texts in the report's language (doc below is drawn from it)
    env.filters["seconds"] = to_seconds  # messages and notes only: evidence names print as written
    result = ctx.result
    by_responsibility: dict[str, Counter] = {}
    for control in result.controls:
        by_responsibility.setdefault(control.control.responsibility, Counter())[control.status.value] += 1
    doc = result.to_json()
    live = _live(result, doc)
    changes = {"new": _("new"), "fixed": _("fixed"), "persisting": _("persisting")}
    html = env.get_template(TEMPLATE).render(
        result=result, doc=doc, states=[s.value for s in SEVERITY], lang=current(),
        evidence=evidence_listing.entries(result.evidence_files),
        evidence_summarised=evidence_listing.summarised(result.evidence_files),
        by_responsibility={k: dict(v) for k, v in sorted(by_responsibility.items())},
        signer=ctx.signer, demo=ctx.demo, comparison=ctx.extras.get("comparison"), notices=notices(result),
        period_start=day(result.period.start), period_end=day(result.period.end), generated=moment(result.generated_at),
        headline=digest.headline(result), cause_counts=digest.cause_counts(result), actions=result.planned_actions(),
        causes=result.root_causes(), top=digest.TOP, trend=digest.trend(result, ctx.extras.get("comparison")),
        rules={c.control.id: c.control.rule for c in result.controls}, shown_under=_first_listing(result),
        snapshot=ctx.snapshot, evidence_link=evidence_link,
        cause_text=digest.cause_text, severity_label=digest.severity_label, owner_label=digest.owner_label,
        due_label=digest.due_label, advice_label=digest.advice_label, status_label=status_label,
        responsibility=responsibility, change_label=changes.get, number=number,
        indicators=_indicators(result), attention=_attention(result), max_attention=MAX_ATTENTION,
        colon=_(": "),  # French sets a space before the colon
        finding_text=lambda f: finding_text(live.get(id(f), f)), note_text=lambda k: note_text(live.get(id(k), k)),
        waiver_text=lambda f: waiver_text(live.get(id(f), f)), scope_text=_scope_text,
        matrix_note=translation_note(),
    )
    return html.encode("utf-8")


def _live(result, doc) -> dict:
    """id of each check and finding of `doc` (results.json's form) -> the run's own object, whose message knows what
    each value is (a rule's name, which the JSON form keeps as plain text): the HTML then words them as the PDF does."""
    found: dict = {}
    for control, c in zip(result.controls, doc["controls"]):
        for check, k in zip(control.checks, c["checks"]):
            found[id(k)] = check
            found.update((id(f), finding) for finding, f in zip(check.findings, k["findings"]))
    return found


def _scope_text(described: str) -> str:
    """results.json's scope (English) in the report's language."""
    from hds_audit.evidence.tenant import Scope

    try:
        return Scope.from_description(described).describe_message().render()
    except ValueError:
        return described
