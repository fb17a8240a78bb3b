"""An auditor's review, round trip: report.xlsx (verdicts, comments) -> results.json -> every report.

`import_review` reads the reviewed workbook, refuses one made for another run, records each verdict
under its control in results.json, re-renders every format from the updated results and re-signs
the folder (PDF signature, signer.pem, manifest). Controls the reviewer left blank keep any review
they already had: importing an older, emptier copy of the workbook never erases a verdict.

Re-rendering needs a RunResult; `load_result` rebuilds one from results.json (which holds every
field the formats use), so a review needs neither the evidence bundle nor a new audit run.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hds_audit.calendar.instants import PARIS, iso, parse_instant
from hds_audit.calendar.period import period_from_json
from hds_audit.catalog.matching import DroppedBinding
from hds_audit.catalog.models import Control
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import FileRead, Problem
from hds_audit.evidence.tenant import Scope, Tenant
from hds_audit.i18n.messages import Message
from hds_audit.results.model import SCHEMA, CheckResult, ControlResult, RunResult
from hds_audit.results.reviews import VERDICTS
from hds_audit.states import Status

RESULTS = "results.json"
VERDICT_HEADER, COMMENT_HEADER = "Auditor verdict", "Auditor comment"
FINDINGS_SHEET, FINDING_ID_HEADER = "Findings", "Finding id"
KEPT_ON_RERENDER = frozenset({"manifest.json", "manifest.json.sig", "signer.pem"})


class ReviewError(Exception):
    """The review cannot be imported; the message says why (exit 2)."""


# -- results.json -> RunResult --------------------------------------------------------------------

def load_result(document: dict[str, Any]) -> tuple[RunResult, dict[str, Any]]:
    """A RunResult from the `results.json` form, and the extras it carried (comparison)."""
    if document.get("schema") != SCHEMA:
        raise ReviewError(f"{RESULTS} is not a {SCHEMA} document")
    try:
        t = document["tenant"]
        tenant = Tenant.model_validate({
            "tenant_id": t["id"], "name": t["name"], "support_plan": t.get("support_plan") or "business",
            "allowed_regions": t.get("allowed_regions") or ["unknown"],
            "scope": Scope.from_description(t.get("scope") or "all resources"),
        })
        period = period_from_json(document["period"])
        shared: dict[str, CheckResult] = {}  # a check shared by several controls is one object, as in a run
        controls = []
        for c in document["controls"]:
            control = Control.model_validate({k: c[k] for k in Control.model_fields if k in c})
            checks = []
            for k in c.get("checks", []):
                key = json.dumps(k, sort_keys=True)
                if key not in shared:
                    shared[key] = _check(k)
                checks.append(shared[key])
            controls.append(ControlResult(control, Status(c["status"]), checks, unbound="note" in c, review=c.get("review")))
        evidence = [FileRead(e["path"], e["sha256"], int(e.get("size") or 0), e.get("records"),
                             _instant(e.get("first")), _instant(e.get("last"))) for e in document.get("evidence", [])]
        problems: dict[str, list[Problem]] = {}
        for p in document.get("evidence_problems") or []:
            problems.setdefault(p["kind"], []).append(Problem(p["file"], p.get("record"), p["reason"]))
        result = RunResult(tenant, period, controls, evidence, dict(document.get("evidence_notes") or {}),
                           run_id=document["run_id"], generated_at=_instant(document.get("generated_at")),
                           evidence_problems=problems, sample=document.get("sample") is True,
                           language=document.get("language") or "en", actions=_kept_actions(document),
                           finding_reviews=dict(document.get("finding_reviews") or {}),
                           dropped=[DroppedBinding(d["binding"], d["rule"], tuple(d["checks"]), d["dropped_by"])
                                    for d in document.get("dropped_checks") or []])
    except ReviewError:
        raise
    except Exception as exc:  # KeyError, ValidationError, ValueError: all mean "not a usable results.json"
        raise ReviewError(f"{RESULTS} cannot be read back ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None
    extras = {"comparison": document["comparison"]} if document.get("comparison") else {}
    return result, extras


def _kept_actions(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The owners and due dates an officer set (workbook, sheet Root causes), as results.json holds them."""
    kept = {}
    for cause in document.get("root_causes") or []:
        entry = {"owner": cause.get("owner")} if cause.get("owner") else {}
        if cause.get("due_set_by_owner") and cause.get("due"):
            entry["due"] = cause["due"]
        if entry:
            kept[str(cause.get("id"))] = entry
    return kept


def _check(k: dict) -> CheckResult:
    check = CheckResult(k["id"], Status(k["status"]), [_finding(f) for f in k.get("findings", [])],
                        note=k.get("note"), details=k.get("details") or {}, note_template=_note_template(k))
    if check.id == "attestation.current":  # the rule it names is plain text in results.json: typed again, for French
        from hds_audit.checks.attestation import rule_named

        check.findings = [replace(f, template=rule_named(f.template, check.details)) for f in check.findings]
        check.note_template = rule_named(check.note_template, check.details)
    return check


def _finding(f: dict) -> Finding:
    return Finding(str(f["object"]), str(f["message"]), tuple(f.get("evidence") or ()),
                   Status(f.get("status") or "fail"), Finding.waiver_from_json(f), f.get("cause"), Finding.template_from_json(f))


def _note_template(check: dict) -> Message | None:
    if "note_template" not in check:
        return None
    return Message.from_json({"template": check["note_template"], "params": check.get("note_params")})


def _instant(value: Any) -> datetime | None:
    return None if not value else parse_instant(value)


# -- the reviewed workbook ------------------------------------------------------------------------

@dataclass
class Review:
    run_id: str
    reviewer: str | None
    reviewed_at: datetime | None
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # control id -> {verdict, comment}
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)  # root cause id -> {owner, due}
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)  # finding id -> {verdict, comment}


def read_workbook(path: Path) -> Review:
    from openpyxl import load_workbook

    from hds_audit.formats.xlsx import CONTROL_HEADERS, META_SHEET, RUN_ID_NAME, find_sheet

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # a damaged or non-xlsx file
        raise ReviewError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    run_id = None
    if META_SHEET in wb.sheetnames:
        ws = wb[META_SHEET]
        run_id = next((str(row[1]) for row in ws.iter_rows(values_only=True) if row and row[0] == "run_id"), None)
    if run_id is None and RUN_ID_NAME in wb.defined_names:
        for sheet, ref in wb.defined_names[RUN_ID_NAME].destinations:
            run_id = str(wb[sheet][ref.replace("$", "")].value)
    ws = find_sheet(wb, "Controls")
    if not run_id or ws is None:
        raise ReviewError(f"{path}: not an hds-audit workbook (no run id, or no Controls sheet)")
    reviewer, reviewed_at = _summary_reviewer(wb)
    review = Review(run_id, reviewer, reviewed_at)
    review.verdicts = _verdict_rows(path, ws, CONTROL_HEADERS[0], required=True)
    findings = find_sheet(wb, FINDINGS_SHEET)
    if findings is not None:  # workbooks made before findings had ids have no Finding id column
        review.findings = _verdict_rows(path, findings, FINDING_ID_HEADER, required=False)
    review.actions = _actions(path, find_sheet(wb, "Root causes"))
    return review


def _verdict_rows(path: Path, ws, key_header: str, required: bool) -> dict[str, dict[str, Any]]:
    """key -> {verdict, comment} for each row of the sheet the reviewer filled in (headers in either language).

    One key on several rows (a finding under each control it concerns) must carry one verdict.
    """
    from hds_audit.formats.xlsx import find_column

    header = [str(v or "").strip() for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())]
    try:
        col_key, col_verdict, col_comment = (find_column(header, name) for name in (key_header, VERDICT_HEADER, COMMENT_HEADER))
    except ValueError:
        if not required:
            return {}
        raise ReviewError(f"{path}: sheet {ws.title} lacks the columns {key_header}, {VERDICT_HEADER} and {COMMENT_HEADER}") from None
    allowed = {v.lower(): v for v in VERDICTS}
    found: dict[str, dict[str, Any]] = {}
    rows: dict[str, int] = {}
    for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        key = _clean(row[col_key]) if col_key < len(row) else None
        verdict = _clean(row[col_verdict]) if col_verdict < len(row) else None
        comment = _clean(row[col_comment]) if col_comment < len(row) else None
        if not key or not (verdict or comment):
            continue
        if verdict and verdict.lower() not in allowed:
            raise ReviewError(f"{path}: sheet {ws.title} row {number} ({key}): verdict '{verdict}' is not one of: {', '.join(VERDICTS)}")
        entry = {"verdict": allowed[verdict.lower()] if verdict else None, "comment": comment}
        if key in found and found[key] != entry:
            raise ReviewError(f"{path}: sheet {ws.title} rows {rows[key]} and {number} give {key} two different verdicts or comments")
        found[key], rows[key] = entry, rows.get(key, number)
    return found


def _actions(path: Path, ws) -> dict[str, dict[str, Any]]:
    """Owner and Due date of each root cause, as the officer filled them in (sheet Root causes)."""
    from hds_audit.formats.xlsx import find_column
    from hds_audit.formats.xlsx_causes import DUE_HEADER, ID_HEADER, OWNER_HEADER

    if ws is None:
        return {}
    header = [str(v or "").strip() for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())]
    try:
        col_id, col_owner, col_due = (find_column(header, name) for name in (ID_HEADER, OWNER_HEADER, DUE_HEADER))
    except ValueError:
        raise ReviewError(f"{path}: sheet Root causes lacks the columns {ID_HEADER}, {OWNER_HEADER} and {DUE_HEADER}") from None
    actions: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        cells = list(row) + [None] * 3
        cause, owner, due = _clean(cells[col_id]), _clean(cells[col_owner]), cells[col_due]
        if not cause or not (owner or due not in (None, "")):
            continue
        entry: dict[str, Any] = {"owner": owner} if owner else {}
        if due not in (None, ""):
            try:
                entry["due"] = _review_instant(due).date().isoformat()
            except ReviewError:
                raise ReviewError(f"{path}: sheet Root causes row {number} ({cause}): due date '{due}' is not a date (YYYY-MM-DD)") from None
        actions[cause] = entry
    return actions


def _clean(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _summary_reviewer(wb) -> tuple[str | None, datetime | None]:
    """The "Reviewer" and "Review date" cells of the Summary sheet (label in column A, value in B)."""
    from hds_audit.formats.xlsx import find_sheet
    from hds_audit.i18n import every_language

    ws = find_sheet(wb, "Summary")
    if ws is None:
        return None, None
    reviewer = reviewed = None
    reviewer_labels = {w.lower() for w in every_language("Reviewer")}
    date_labels = {w.lower() for w in every_language("Review date")}
    for row in ws.iter_rows(values_only=True):
        if not row or len(row) < 2 or not isinstance(row[0], str):
            continue
        label = row[0].strip().lower()
        if label in reviewer_labels:
            reviewer = _clean(row[1])
        elif label in date_labels and row[1] not in (None, ""):
            reviewed = _review_instant(row[1])
    return reviewer, reviewed


def _review_instant(value: Any) -> datetime:
    """A date or date-time the reviewer typed: a date alone is 00:00 Europe/Paris; Excel's are naive, Paris."""
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=PARIS)
        return value.replace(hour=0, minute=0, second=0, microsecond=0) if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return parse_instant(value)
    try:
        return parse_instant(str(value).strip())
    except ValueError:
        raise ReviewError(f"Summary: review date '{value}' is not a date (YYYY-MM-DD)") from None


# -- applying and re-rendering --------------------------------------------------------------------

def apply_review(result: RunResult, review: Review, reviewer: str, reviewed_at: datetime, record: str | None = None) -> list[str]:
    """Record each verdict under its control, and each finding's by its id; returns the ids reviewed.

    `record` names the review record file (review/review-N.json) each verdict comes from.
    """
    from hds_audit.results.reviews import findings_by_id

    by_id = {c.control.id: c for c in result.controls}
    unknown = sorted(set(review.verdicts) - set(by_id))
    if unknown:
        raise ReviewError(f"the workbook names control(s) this run does not have: {', '.join(unknown)}")
    findings = findings_by_id(result)
    unknown = sorted(set(review.findings) - set(findings))
    if unknown:
        raise ReviewError(f"the workbook names finding id(s) this run does not have: {', '.join(unknown)}")
    stamp = {"reviewer": reviewer, "reviewed_at": iso(reviewed_at)} | ({"record": record} if record else {})
    for control_id, entry in review.verdicts.items():
        by_id[control_id].review = {"verdict": entry["verdict"], "comment": entry["comment"]} | stamp
    for fid, entry in review.findings.items():
        check, finding = findings[fid]
        result.finding_reviews[fid] = {"check": check.id, "object": finding.object, "status": finding.status.value,
                                       "verdict": entry["verdict"], "comment": entry["comment"]} | stamp
    causes = {cause.id for cause in result.root_causes()}
    unknown = sorted(set(review.actions) - causes)
    if unknown:
        raise ReviewError(f"the workbook's sheet Root causes names root cause(s) this run does not have: {', '.join(unknown)}")
    for cause_id, entry in review.actions.items():  # an owner or date left blank keeps the one recorded before
        result.actions[cause_id] = {**result.actions.get(cause_id, {}), **entry}
    return sorted(review.verdicts) + sorted(review.findings)


def rerender(directory: Path, result: RunResult, identity, extras: dict, added: dict[str, bytes] | None = None) -> None:
    """Render every format again into a copy of `directory`, sign it, and swap it in.

    Files the formats do not write (an evidence/ snapshot, earlier reviews) are carried over
    unchanged, `added` ({path: bytes}, this import's review record) is written beside them; the
    new manifest covers them all.
    """
    from hds_audit.formats.interface import RenderContext
    from hds_audit.outdir import staged, write_atomic
    from hds_audit.pipeline.publish import render_reports, seal
    from hds_audit.signing.identity import subject_text

    directory = directory.resolve()
    with staged(directory, "review") as staging:
        for item in directory.iterdir():
            if item.name in KEPT_ON_RERENDER:
                continue
            target = staging / item.name
            shutil.copytree(item, target) if item.is_dir() else shutil.copy2(item, target)
        for rel, data in (added or {}).items():
            write_atomic(staging.joinpath(*rel.split("/")), data)
        ctx = RenderContext(result, signer=subject_text(identity.certificate), demo=identity.is_demo, extras=extras,
                            snapshot=(directory / "evidence").is_dir())
        render_reports(staging, ctx, identity, reason=f"hds-audit report {result.period.label}, reviewed")
        seal(staging, result, identity)


def read_results(directory: Path) -> dict[str, Any]:
    path = Path(directory) / RESULTS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewError(f"{path} is missing: --into must be the folder a run wrote") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewError(f"{path} cannot be read ({exc})") from None
