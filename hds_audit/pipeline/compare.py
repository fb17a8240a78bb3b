"""Two runs side by side: new, fixed and persisting findings, and the controls whose status changed.

A finding is identified by its check id and object
(docs/ci-gate.md "Quarter over quarter: `compare` and `run --previous`";
docs/user-guide.md "Reading the results": the object names the thing at fault as the evidence names
it), so a finding whose message changed is still the same finding.
Every finding counts, whatever its status (`fail`, `error`, `manual`, `waived`): a persisting finding
whose status changed (say `fail` -> `waived`) says so in `previous_status`.

`hds-audit compare OLD NEW` prints the result; `hds-audit run --previous DIR` puts it into the
reports as `extras["comparison"]` (and into `results.json` as `comparison`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hds_audit.i18n.messages import TEMPLATE_KEYS
from hds_audit.results.documents import UnreadableDocument, read_document
from hds_audit.results.model import SCHEMA

RESULTS = "results.json"
KINDS = ("new", "fixed", "persisting")


class CompareError(Exception):
    """A run's results.json is missing or unusable (the message says why)."""


def load_results(location: Path) -> dict[str, Any]:
    """A run's `results.json`, from its report folder or the file itself."""
    location = Path(location)
    path = location / RESULTS if location.is_dir() else location
    try:
        document = read_document(path, SCHEMA)
    except UnreadableDocument as exc:
        hint = f": is {location} the folder of an `hds-audit run`?" if exc.missing else ""
        raise CompareError(f"{path} {exc.reason}{hint}") from None
    if not isinstance(document.get("controls"), list):
        raise CompareError(f"{path} has no controls list")
    return document


def _findings(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for control in document.get("controls") or []:
        for check in control.get("checks") or []:
            for f in check.get("findings") or []:
                key = (str(check.get("id")), str(f.get("object")))
                entry = out.setdefault(key, {"check": key[0], "object": key[1], "status": f.get("status") or "fail",
                                             "message": f.get("message") or "", "controls": []})
                entry.update({k: f[k] for k in TEMPLATE_KEYS if k in f})  # to render the message in the report's language
                if control.get("id") not in entry["controls"]:
                    entry["controls"].append(control.get("id"))
    return out


def _label(document: dict[str, Any]) -> str | None:
    period = document.get("period")
    return period.get("label") if isinstance(period, dict) else None


def compare_results(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from the `old` results document to the `new` one."""
    before, after = _findings(old), _findings(new)
    persisting = []
    for key in sorted(set(before) & set(after)):
        entry = dict(after[key])
        if before[key]["status"] != entry["status"]:
            entry["previous_status"] = before[key]["status"]
        persisting.append(entry)
    old_controls = {c.get("id"): c for c in old.get("controls") or []}
    new_controls = {c.get("id"): c for c in new.get("controls") or []}
    changes = []
    for cid in sorted(set(old_controls) | set(new_controls), key=str):
        was, now = old_controls.get(cid, {}).get("status"), new_controls.get(cid, {}).get("status")
        if was != now:
            rule = (new_controls.get(cid) or old_controls.get(cid) or {}).get("rule")
            changes.append({"control": cid, "rule": rule, "was": was, "now": now})
    out: dict[str, Any] = {
        "previous_period": _label(old), "period": _label(new),
        "previous_run_id": old.get("run_id"), "run_id": new.get("run_id"),
        # for the trend of the executive summary: how many controls failed, and from how many causes
        "previous_summary": old.get("summary"),
        "previous_root_causes": len(old["root_causes"]) if isinstance(old.get("root_causes"), list) else None,
        "new": [after[k] for k in sorted(set(after) - set(before))],
        "fixed": [before[k] for k in sorted(set(before) - set(after))],
        "persisting": persisting,
        "status_changes": changes,
    }
    out["counts"] = {kind: len(out[kind]) for kind in (*KINDS, "status_changes")}
    old_tenant, new_tenant = (old.get("tenant") or {}).get("id"), (new.get("tenant") or {}).get("id")
    if old_tenant != new_tenant:
        out["warning"] = f"the runs are of different tenants ({old_tenant} and {new_tenant})"
    return out


# -- run --previous DIR ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviousRun:
    """A verified previous run, waiting for the current run to be compared with (`finish`)."""

    folder: str
    period: str
    document: dict[str, Any]  # its results.json
    verification: str  # what verify said of its folder, in one sentence


def comparison_from_dir(previous_dir: Path, trust_pem: bytes | None = None) -> PreviousRun:
    """The previous run, ready to be compared once the current run is done (see `finish`).

    Its folder is verified first: an altered one is refused; an intact one whose signer does not
    chain to `trust_pem` (the --key's certificate) is used with a warning the reports repeat.
    Raises CompareError (the command line makes it an exit 2) when the folder cannot be compared.
    """
    try:
        document = load_results(previous_dir)
    except CompareError as exc:
        raise CompareError(f"--previous: {exc}") from None
    return PreviousRun(str(previous_dir), _label(document), document, verify_previous(previous_dir, trust_pem))


def verify_previous(previous_dir: Path, trust_pem: bytes | None) -> str:
    """What `verify` says of the previous folder, in one sentence; CompareError when it is altered.

    An intact folder of an untrusted signer is used: the warning is returned (the reports repeat it)
    and logged, for the command line to show."""
    from hds_audit.exitcodes import ExitCode
    from hds_audit.signing.verify import verify_report_dir

    outcome = verify_report_dir(Path(previous_dir), trust_pem)
    signer = f"{outcome.signer} (certificate SHA-256 {outcome.fingerprint})"
    if outcome.status is ExitCode.OK:
        return f"the previous run's folder verified: intact, signed by {signer}"
    if outcome.status is not ExitCode.UNTRUSTED:
        problems = "; ".join(str(p) for p in outcome.problems if not p.untrusted)
        raise CompareError(f"--previous {previous_dir} does not verify ({problems}): refusing to compare with an altered run")
    warning = (f"WARNING: the previous run's folder is intact but its signer, {signer}, is not "
               + ("the signer of this run" if trust_pem else "trusted (no --key: nothing to trust it against)")
               + ": the comparison rests on results nobody vouched for")
    return warning


def finish(previous: PreviousRun, current: dict[str, Any]) -> dict[str, Any]:
    """The comparison of `current` with the previous run, as the reports and results.json show it."""
    comparison = compare_results(previous.document, current)
    comparison["previous_verification"] = previous.verification
    return comparison


# -- printing -------------------------------------------------------------------------------------
def format_table(comparison: dict[str, Any], every_persisting: bool = False) -> str:
    """New and fixed findings, persisting ones whose status changed (all with `every_persisting`), control changes."""
    import io

    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, highlight=False)
    title = f"Changes from {comparison.get('previous_period')} to {comparison.get('period')}"
    if comparison.get("warning"):
        console.print(f"warning: {comparison['warning']}")
    table = Table(title=title, show_lines=False)
    for column in ("change", "check", "object", "status", "message"):
        table.add_column(column, overflow="fold")
    hidden: dict[str, int] = {}
    for kind in KINDS:
        for f in comparison[kind]:
            if kind == "persisting" and "previous_status" not in f and not every_persisting:
                hidden[f["check"]] = hidden.get(f["check"], 0) + 1
                continue
            status = f["status"] if "previous_status" not in f else f"{f['previous_status']} -> {f['status']}"
            table.add_row(kind, f["check"], f["object"], status, f["message"])
    if table.row_count:
        console.print(table)
    else:
        console.print(f"{title}: no new or fixed finding, no status change of a finding.")
    if hidden:
        listed = ", ".join(f"{check} {n}" for check, n in sorted(hidden.items()))
        console.print(f"Persisting with the same status (--all lists them): {listed}", soft_wrap=True)
    if comparison["status_changes"]:
        controls = Table(title="Control status changes")
        for column in ("control", "rule", "was", "now"):
            controls.add_column(column, overflow="fold")
        for c in comparison["status_changes"]:
            controls.add_row(str(c["control"]), c.get("rule") or "", c["was"] or "(absent)", c["now"] or "(absent)")
        console.print(controls)
    counts = comparison["counts"]
    console.print(f"new {counts['new']} · fixed {counts['fixed']} · persisting {counts['persisting']} · "
                  f"controls changed {counts['status_changes']}")
    return buffer.getvalue()
