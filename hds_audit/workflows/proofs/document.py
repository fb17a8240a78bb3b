"""The PDF of a proof: who, what period, the verdict, the kind's own tables, then the checks.

Built from the proof's JSON document, so the PDF and the JSON always state the same facts.
"""

from __future__ import annotations

import re
from typing import Any

from hds_audit.formats import pdf_style as style
from hds_audit.i18n import _, ngettext, number
from hds_audit.i18n.messages import Message, finding_text, note_text, waiver_text

MAX_FINDINGS = 60  # per check; the JSON has them all
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:")


def render_pdf(proof, signer: str | None, demo: bool) -> bytes:
    from reportlab.platypus import Spacer

    doc = proof.document
    section = proof.kind.name
    period = doc["period"]
    story = [style.text(style.words(section, "title"), "title"), Spacer(1, 4), style.text(style.words(section, "subtitle"), "subtitle"), Spacer(1, 14)]
    if demo:
        story += [style.demo_banner(style.words("report", "demo_banner_proof")), Spacer(1, 10)]
    marks = [(_(n["word"]), _said(n)) for n in doc.get("notices") or []]
    for word, sentence in marks:
        story += [style.demo_banner(f"{word} — {sentence}"), Spacer(1, 10)]
    story += [
        style.key_values([
            (_("Organisation"), doc["tenant"]["name"]), (_("Tenant"), doc["tenant"]["id"]),
            (_("Period"), _("{label}: {start} to {end} (end excluded)", label=period["label"], start=when(period["start"]),
                            end=when(period["end"]))),
            (_("Generated"), when(doc.get("generated_at"))), (_("Signed by"), signer or style.words("report", "unsigned")),
            (_("Run id"), doc["run_id"]), (_("Tool"), f"hds-audit {doc['tool']['version']}"),
        ]),
        Spacer(1, 12),
        style.verdict_box(style.words(section, "proven" if proof.proven else "not_proven"), proof.proven),
    ]
    said = proof.kind.statement(doc) if proof.kind.statement else None  # again: in the PDF's language
    if said:
        story += [Spacer(1, 4), style.text(said, "base", bold=True)]
    said_reasons = [Message.from_json(r).render() for r in doc["reason_templates"]] if "reason_templates" in doc else doc.get("reasons", [])
    for reason in said_reasons:
        story.append(style.text(f"• {reason}", "base"))
    story += [Spacer(1, 6), style.text(style.words("report", "signature_note"), "muted")]
    story += proof.kind.sections(doc)
    story += checks_section(doc, style.words(section, "checks_title"))
    if proof.kind.annex:
        story += proof.kind.annex(doc)
    footer = style.words("report", "footer", tenant=doc["tenant"]["name"], period=period["label"], run_id=doc["run_id"])
    return style.build_pdf(story, title=f"{style.words(section, 'title')} — {doc['tenant']['name']} — {period['label']}",
                     author=signer or "hds-audit", subject=_("{title}, run {run_id}", title=style.words(section, "title"), run_id=doc["run_id"]),
                     footer=footer, on_page=style.notice_stamp(marks))


def _said(notice: dict[str, Any]) -> str:
    """A notice in the PDF's language (its template), or as the JSON wrote it."""
    if "template" not in notice:
        return str(notice.get("text") or "")
    return Message.from_json({"template": notice["template"], "params": notice.get("params")}).render()


def checks_section(doc: dict[str, Any], title: str) -> list:
    from reportlab.platypus import CondPageBreak, Spacer

    story = [CondPageBreak(120), style.text(title, "h2")]
    rows = [style.header_row(_("Check"), _("Status"), _("Note"))]
    for check in doc.get("checks", []):
        rows.append([style.text(check["id"], "cell_bold"), style.badge(check["status"]), style.text(note_text(check) or ngettext("{n} finding", "{n} findings", len(check["findings"])), "cell")])
    story.append(style.grid(rows, [170, 66, style.content_width() - 236]))
    for check in doc.get("checks", []):
        if not check["findings"]:
            continue
        story += [Spacer(1, 6), style.text(_("{check} — findings", check=check["id"]), "h3")]
        rows = [style.header_row(_("Status"), _("Object"), _("Finding"), _("Evidence"))]
        for f in check["findings"][:MAX_FINDINGS]:
            rows.append([style.badge(f.get("status") or "fail"), style.text(f["object"], "cell"),
                         style.text(finding_text(f) + (f"\n{waiver_text(f)}" if f.get("waiver") else ""), "cell"),
                         style.text("\n".join(f.get("evidence", [])[:3]), "mono")])
        story.append(style.grid(rows, [62, 110, 180, style.content_width() - 352]))
        hidden = len(check["findings"]) - MAX_FINDINGS
        if hidden > 0:
            story.append(style.text(_("{n} more findings: see the JSON file beside this PDF.", n=number(hidden)), "muted"))
    return story


def short_time(value: str) -> str:
    """`2026-05-31T00:00:00.123+02:00` -> `2026-05-31 00:00+02:00`: to the minute, offset kept, and a
    space where a narrow column may wrap. The JSON beside the PDF keeps the full value."""
    match = re.match(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$", value)
    if not match:
        return value
    return f"{match[1]} {match[2]}{match[3] or ''}"


def when(value: Any) -> str:
    """An instant of the JSON document (ISO 8601) as the PDF's language writes it; any other value as written."""
    from hds_audit.calendar.instants import TimeParseError, parse_instant
    from hds_audit.i18n import moment

    if not value:
        return "—"
    try:
        return moment(parse_instant(value))
    except (TimeParseError, TypeError):
        return str(value)


def table(rows: list[dict], columns: list[tuple[str, str, float]], verdict_key: str | None = None,
          verdict_status=None, empty: str | None = None, shown: dict[str, Any] | None = None) -> list:
    """A table of `rows` (dicts from the checks' details), columns (key, label, width; 0 = the rest).

    Values are evidence: each is escaped text. The verdict column is coloured by `verdict_status(value)`.
    `shown` maps a column's key to how its values read (a word of the tool's own, in the PDF's language).
    """
    if not rows:
        return [style.text(empty or _("Nothing listed."), "muted")]
    fixed = sum(w for _key, _label, w in columns)
    widths = [w or style.content_width() - fixed for _key, _label, w in columns]
    data = [style.header_row(*[label for _key, label, _width in columns])]
    extra = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, (key, _label, _width) in enumerate(columns):
            value = row.get(key)
            if shown and key in shown and value is not None:
                value = shown[key](value)
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif isinstance(value, str) and _ISO.match(value):
                value = short_time(value)
            elif isinstance(value, list):
                value = "\n".join(str(v) for v in value[:3]) + ("\n" + _("(+{n} more)", n=number(len(value) - 3)) if len(value) > 3 else "")
            cells.append(style.text("—" if value is None or value == "" else value, "cell"))
            if key == verdict_key and verdict_status is not None:
                fill, ink = style.status_colours(verdict_status(row.get(key)))
                extra += [("BACKGROUND", (c, r), (c, r), fill)]
        data.append(cells)
    return [style.grid(data, widths, extra=extra)]
