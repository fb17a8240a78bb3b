"""`oscal-assessment-results.json`: the run as OSCAL 1.1 assessment results, for GRC tools.

One result for the run; its reviewed controls are every control of the catalog; one finding per
control (target: the control id as an objective, satisfied or not-satisfied); one observation per
check, whose relevant evidence names each evidence file the check's findings point at, with its
SHA-256. Every evidence file read is also a back-matter resource carrying its hash, except trace
files when there are many (hds_audit/formats/evidence_listing.py): those are one resource for the
kind, its props giving the number of files, bytes, records, first and last time and the digest of
their listing, its rlink the signed manifest.json that lists each file with its SHA-256. OSCAL's
back-matter resource (metadata model: title, description, props, rlinks with optional hashes,
remarks) points at "one or more equivalent" copies of one resource, and a hash is "a digest
generated over a resource", so the digest of a listing is a namespaced prop, not a hash of the
rlink (https://pages.nist.gov/OSCAL/reference/1.1.2/assessment-results/json-reference/
#/assessment-results/back-matter/resources). UUIDs are uuid5 of the run id and the object, so the
same run always gives the same document.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from hds_audit import __version__
from hds_audit.calendar.instants import iso
from hds_audit.formats import evidence_listing
from hds_audit.formats.interface import RenderContext, notice_messages
from hds_audit.results.reviews import headline as review_headline
from hds_audit.states import Status

FILENAME = "oscal-assessment-results.json"
OSCAL_VERSION = "1.1.2"
NS = "urn:hds-audit:oscal"  # namespace of the properties hds-audit defines
# The assessment plan is not produced by hds-audit: the catalog and bindings play its part.
IMPORT_AP = "#hds-audit-assessment-plan"
_NAMESPACE = uuid.UUID("6f1d7c4e-2b1a-5e0f-9c3d-8a7b6c5d4e3f")
MAX_REMARK_FINDINGS = 50

# status -> (objective state, reason)
_OBJECTIVE = {
    Status.PASS: ("satisfied", "pass"),
    Status.NOT_APPLICABLE: ("satisfied", "other"),
    Status.FAIL: ("not-satisfied", "fail"),
    Status.ERROR: ("not-satisfied", "other"),
    Status.MANUAL: ("not-satisfied", "other"),
    Status.WAIVED: ("not-satisfied", "other"),
}
_MEANING = {
    Status.PASS: "every check passed",
    Status.NOT_APPLICABLE: "not applicable to this tenant or period",
    Status.FAIL: "a check failed",
    Status.ERROR: "could not be concluded: evidence absent or invalid",
    Status.MANUAL: "needs a human attestation that is not there",
    Status.WAIVED: "failing, covered by an accepted risk (waiver)",
}


def uid(run_id: str, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\0".join((run_id, *parts))))


def _prop(name: str, value: Any) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": str(value)}


def _text(value: Any, default: str = "—") -> str:
    """OSCAL strings must not be empty nor start or end with whitespace."""
    text = " ".join(str(value or "").split())
    return text or default


def render(ctx: RenderContext) -> bytes:
    return (json.dumps(document(ctx), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def document(ctx: RenderContext) -> dict[str, Any]:
    result = ctx.result
    run = result.run_id
    stamp = iso(result.generated_at) or iso(result.period.end)
    hashes = {f.path: f for f in result.evidence_files}
    observations, observation_of = [], {}
    for check in result.unique_checks():
        key = uid(run, "check", check.id, json.dumps(check.to_json(), sort_keys=True))
        observation_of[id(check)] = key
        observations.append(_observation(key, check, hashes, stamp))
    findings = []
    for control in result.controls:
        state, reason = _OBJECTIVE[control.status]
        remarks = _MEANING[control.status]
        props = [_prop("hds-audit-status", control.status.value), _prop("responsibility", control.control.responsibility)]
        if control.review:
            props.append(_prop("auditor-verdict", control.review.get("verdict") or "none"))
            remarks += (f". Auditor ({_text(control.review.get('reviewer'))}, {_text(control.review.get('reviewed_at'))}): "
                        f"{_text(control.review.get('verdict'))}; {_text(control.review.get('comment'), 'no comment')}")
        finding = {
            "uuid": uid(run, "control", control.control.id),
            "title": _text(control.control.rule),
            "description": _text(control.control.customer_responsibility if control.control.customer_responsibility not in ("", "N/A")
                                 else control.control.detail or control.control.rule),
            "props": props,
            "target": {
                "type": "objective-id", "target-id": control.control.id,
                "title": _text(f"{control.control.domain}: {control.control.rule}"),
                "status": {"state": state, "reason": reason, "remarks": _text(remarks)},
            },
        }
        related = list(dict.fromkeys(observation_of[id(c)] for c in control.checks))
        if related:
            finding["related-observations"] = [{"observation-uuid": u} for u in related]
        findings.append(finding)
    doc: dict[str, Any] = {
        "uuid": uid(run, "assessment-results"),
        "metadata": {
            "title": _text(f"HDS audit of {result.tenant.name}, {result.period.label}"),
            "last-modified": stamp,
            "version": _text(f"hds-audit {__version__}, run {run}"),
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("run-id", run), _prop("tenant-id", _text(result.tenant.tenant_id))],
            "remarks": "Signed together with the other report files by manifest.json.sig (CMS)."
                       + (" DEMO: signed with a throwaway identity." if ctx.demo else "")
                       + "".join(f" {word}: {sentence.render('en')}." for word, sentence in notice_messages(ctx.result))
                       + (f" {_text(review_headline(result))}" if review_headline(result) else ""),
        },
        "import-ap": {"href": IMPORT_AP, "remarks": "hds-audit's control catalog and evidence bindings (controls/) stand for the assessment plan."},
        "results": [{
            "uuid": uid(run, "result"),
            "title": _text(f"hds-audit run {run}"),
            "description": _text(f"Automated assessment of tenant {result.tenant.name} ({result.tenant.tenant_id}) against the HDS "
                                 f"responsibility matrix and Service Description commitments, period {result.period.label}."),
            "start": iso(result.period.start),
            "end": iso(result.period.end),
            "props": [_prop(f"controls-{s}", n) for s, n in result.summary().items()],
            "reviewed-controls": {
                "control-selections": [{"include-controls": [{"control-id": c.control.id} for c in result.controls]}],
            },
            "observations": observations,
            "findings": findings,
        }],
    }
    if result.dropped:  # a replaced matrix left these bindings without a rule, dropped on purpose
        doc["results"][0]["remarks"] = _text("Checks dropped on purpose (no rule of the matrix in use): " + "; ".join(
            f"{d.binding} ({', '.join(d.checks)}; {d.by})" for d in result.dropped))
    if result.evidence_files:
        files = result.evidence_files
        listing = (evidence_listing.entries(files) if evidence_listing.summarised(files)
                   else [evidence_listing.file_entry(f) for f in files])  # as read
        doc["back-matter"] = {"resources": [_resource(run, e) for e in listing]}
    return {"assessment-results": doc}


def _resource(run: str, entry: dict) -> dict[str, Any]:
    """A back-matter resource: one evidence file with its SHA-256, or every trace file at once (module docstring)."""
    if not entry["group"]:
        resource = {"uuid": uid(run, "evidence", entry["path"]), "title": _text(entry["path"])}
        if entry["records"] is not None:
            resource["props"] = [_prop("records", entry["records"])]
        resource["rlinks"] = [{"href": entry["path"], "hashes": [{"algorithm": "SHA-256", "value": entry["sha256"]}]}]
        return resource
    props = [_prop("files", entry["files"]), _prop("bytes", entry["size"]), _prop("listing-sha256", entry["sha256"])]
    if entry["records"] is not None:
        props.append(_prop("records", entry["records"]))
    props += [_prop(name, iso(entry[name])) for name in ("first", "last") if entry[name]]
    return {
        "uuid": uid(run, "evidence-group", entry["path"]),
        "title": _text(f"{entry['path']} ({entry['files']} files)"),
        "description": _text(f"{entry['files']} evidence files under {entry['path']}, summarised: their paths and SHA-256 are in "
                             "the signed manifest.json (evidence) and in results.json."),
        "props": props,
        # the manifest is written and signed after this document, over it: its own hash cannot be given here
        "rlinks": [{"href": "manifest.json", "media-type": "application/json"}],
        "remarks": _text(f"listing-sha256 is the SHA-256 of the files' sha256sum lines sorted by path; from the bundle's root: "
                         f"find {entry['path'].rstrip('/')} -type f | LC_ALL=C sort | xargs sha256sum | sha256sum. "
                         "manifest.json.sig (CMS) signs the manifest."),
    }


def _observation(key: str, check, hashes: dict, stamp: str) -> dict[str, Any]:
    description = f"{check.id}: {check.status.value}, {len(check.findings)} finding(s)"
    if check.note:
        description += f" ({check.note})"
    observation: dict[str, Any] = {
        "uuid": key,
        "title": check.id,
        "description": _text(description),
        "props": [_prop("check", check.id), _prop("hds-audit-status", check.status.value)],
        "methods": ["TEST"],
        "types": ["finding" if check.findings else "control-objective"],
        "collected": stamp,
    }
    files = list(dict.fromkeys(ref.split("#", 1)[0] for f in check.findings for ref in f.evidence if ref))
    evidence = []
    for path in files:
        read = hashes.get(path)
        item: dict[str, Any] = {"href": path, "description": _text(f"evidence file {path}")}
        if read is not None:
            item["props"] = [_prop("sha256", read.sha256)]
            item["remarks"] = f"SHA-256 {read.sha256}, {read.size} bytes"
        evidence.append(item)
    if evidence:
        observation["relevant-evidence"] = evidence
    if check.findings:
        lines = [f"[{f.status.value}] {f.object}: {f.message} ({', '.join(f.evidence)})" for f in check.findings[:MAX_REMARK_FINDINGS]]
        if len(check.findings) > MAX_REMARK_FINDINGS:
            lines.append(f"{len(check.findings) - MAX_REMARK_FINDINGS} more: see results.json")
        observation["remarks"] = "\n".join(lines)
    return observation
