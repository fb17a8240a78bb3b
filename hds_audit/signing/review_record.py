"""What `review import` keeps in the report folder, so that every verdict traces to hashed bytes.

Each import adds, under `review/`:

    review-N.xlsx       the reviewed workbook, byte for byte
    review-N.json       the review record: run id, reviewer, dates, the workbook's SHA-256, the
                        manifest the review was made against, and every verdict read from it
    review-N.json.sig   with `--reviewer-key`: the auditor's own detached CMS signature over the
                        record (DER, SHA-256), checked like manifest.json.sig:
                        openssl cms -verify -binary -inform DER -in review-N.json.sig
                                -content review-N.json -CAfile AUDITOR.pem

The folder's manifest lists them like every other file. `verify` checks each record against its
workbook and signature, and that every verdict in results.json is the one its record states.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from hds_audit.calendar.instants import iso

RECORD_DIR = "review"
SCHEMA = "hds-audit/review/v1"
REVIEWER_PASSWORD_ENV = "HDS_AUDIT_REVIEWER_KEY_PASSWORD"
_RECORD = re.compile(r"^review/review-(\d+)\.json$")


def _number(rel: str) -> int | None:
    match = _RECORD.match(rel)
    return int(match.group(1)) if match else None


def next_base(directory: Path) -> str:
    """`review/review-N` for the next import into `directory` (N counts from 1)."""
    folder = Path(directory) / RECORD_DIR
    numbers = [_number(f"{RECORD_DIR}/{p.name}") for p in folder.glob("review-*.json")] if folder.is_dir() else []
    return f"{RECORD_DIR}/review-{max([n for n in numbers if n] or [0]) + 1}"


def record_bytes(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def record_files(directory: Path, review, reviewer: str, reviewed_at: datetime, workbook: Path,
                 reviewer_identity=None, imported_at: datetime | None = None) -> tuple[str, dict[str, bytes]]:
    """(the record's path, {path in the folder: bytes}) for this import."""
    from hds_audit.signing.manifest import MANIFEST_NAME

    base = next_base(directory)
    data = Path(workbook).read_bytes()
    record: dict[str, Any] = {
        "schema": SCHEMA, "run_id": review.run_id, "reviewer": reviewer, "reviewed_at": iso(reviewed_at),
        "imported_at": iso(imported_at) if imported_at else None,
        # the review was made against exactly this signed state of the folder
        "folder_manifest_sha256": hashlib.sha256((Path(directory) / MANIFEST_NAME).read_bytes()).hexdigest(),
        "workbook": {"path": f"{base}.xlsx", "name": Path(workbook).name, "sha256": hashlib.sha256(data).hexdigest(),
                     "size": len(data)},
        "controls": review.verdicts, "findings": review.findings,
    }
    if reviewer_identity is not None:
        from hds_audit.signing.cms import fingerprint
        from hds_audit.signing.identity import subject_text

        cert = reviewer_identity.certificate
        record["reviewer_certificate"] = {"subject": subject_text(cert), "sha256_fingerprint": fingerprint(cert)}
    body = record_bytes(record)
    files = {f"{base}.xlsx": data, f"{base}.json": body}
    if reviewer_identity is not None:
        from hds_audit.signing.cms import sign_detached

        files[f"{base}.json.sig"] = sign_detached(body, reviewer_identity)
    return f"{base}.json", files


def reviewed(directory: Path) -> str | None:
    """Why `directory` holds an auditor's review (which `run` must not erase without --force), or None."""
    directory = Path(directory)
    records = sorted((directory / RECORD_DIR).glob("review-*.json")) if (directory / RECORD_DIR).is_dir() else []
    if records:
        return f"it holds {len(records)} imported review(s) ({RECORD_DIR}/)"
    try:
        document = json.loads((directory / "results.json").read_text(encoding="utf-8"))
        count = sum(1 for c in document.get("controls") or [] if isinstance(c, dict) and c.get("review"))
        count += len(document.get("finding_reviews") or {})
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return f"its results.json holds {count} auditor verdict(s)" if count else None


# -- verify ---------------------------------------------------------------------------------------

def check_records(out, out_dir: Path, present: set[str], trust_pem: bytes | None) -> None:
    """Each review record against its workbook and signature, and results.json's verdicts against the records.

    `out` is the VerifyOutcome to report into (fail: altered or missing; distrust: the reviewer
    does not chain to `trust_pem`; notes: who signed each review).
    """
    expected: dict[tuple[str, str], tuple[str, dict]] = {}  # (kind, id) -> (record path, verdict), the last import wins
    for rel in sorted((p for p in present if _number(p)), key=_number):
        record = _load(out, out_dir, rel)
        if record is None:
            continue
        _check_workbook(out, out_dir, present, rel, record)
        _check_signature(out, out_dir, present, rel, record, trust_pem)
        for kind in ("controls", "findings"):
            verdicts = record.get(kind) or {}
            if not isinstance(verdicts, dict) or not all(isinstance(v, dict) for v in verdicts.values()):
                out.fail(rel, f"`{kind}` is not a map of verdicts")
                continue
            for key, verdict in verdicts.items():
                expected[(kind, key)] = (rel, verdict)
    for rel in sorted(p for p in present if p.startswith(f"{RECORD_DIR}/")):
        if rel.endswith(".json.sig") and rel.removesuffix(".sig") not in present:
            out.fail(rel, "a reviewer's signature without its review record")
        elif rel.endswith(".xlsx") and rel.removesuffix(".xlsx") + ".json" not in present:
            out.fail(rel, "a reviewed workbook without its review record")
    if "results.json" in present:
        _check_verdicts(out, out_dir, expected)


def _load(out, out_dir: Path, rel: str) -> dict | None:
    try:
        record = json.loads((out_dir / rel).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        out.fail(rel, f"not a readable review record ({type(exc).__name__})")
        return None
    if not isinstance(record, dict) or record.get("schema") != SCHEMA:
        out.fail(rel, f"not a {SCHEMA} record")
        return None
    return record


def _check_workbook(out, out_dir: Path, present: set[str], rel: str, record: dict) -> None:
    workbook = record.get("workbook") if isinstance(record.get("workbook"), dict) else {}
    path = workbook.get("path")
    if path not in present:
        out.fail(rel, f"its reviewed workbook {path!r} is missing")
    elif hashlib.sha256((out_dir / path).read_bytes()).hexdigest() != workbook.get("sha256"):
        out.fail(path, f"altered: its SHA-256 is not the one {rel} states")


def _check_signature(out, out_dir: Path, present: set[str], rel: str, record: dict, trust_pem: bytes | None) -> None:
    from hds_audit.signing.cms import fingerprint, verify_detached
    from hds_audit.signing.identity import subject_text

    signature = f"{rel}.sig"
    if signature not in present:
        if record.get("reviewer_certificate"):
            out.fail(signature, "missing: the review record says the reviewer signed it")
            return
        # the folder's signer vouches for this review, not the reviewer: say so, and with --reviewer-trust it is not enough
        out.notes.append(f"{rel}: review by {record.get('reviewer')}, not signed by the reviewer")
        if trust_pem is not None:
            out.distrust(rel, "not signed by the reviewer (no review signature), so --reviewer-trust cannot be met")
        return
    result = verify_detached((out_dir / rel).read_bytes(), (out_dir / signature).read_bytes(), trust_pem)
    if not result.intact:
        out.fail(signature, f"the reviewer's signature check failed: {result.reason}")
        return
    cert = result.signer_cert
    out.notes.append(f"{rel}: review by {record.get('reviewer')}, signed by {subject_text(cert)} "
                     f"(certificate SHA-256 fingerprint {fingerprint(cert)})")
    if trust_pem is not None and not result.trusted:
        out.distrust(signature, f"reviewer not trusted: {result.reason}")


def _check_verdicts(out, out_dir: Path, expected: dict) -> None:
    """results.json states each verdict exactly as the last record that gave it, and no other."""
    try:
        document = json.loads((out_dir / "results.json").read_bytes().decode("utf-8"))
        stated = {("controls", c["id"]): c["review"] for c in document.get("controls") or [] if c.get("review")}
        stated |= {("findings", fid): v for fid, v in (document.get("finding_reviews") or {}).items()}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return  # an unreadable results.json is not the review's fault; its hash is checked already
    for key in sorted(set(stated) | set(expected)):
        kind, ident = key[0].removesuffix("s"), key[1]
        verdict = stated.get(key)
        if verdict is not None and not isinstance(verdict, dict):
            out.fail("results.json", f"{kind} {ident}: its review is not a verdict")
            continue
        if key not in expected:
            out.fail("results.json", f"{kind} {ident}: verdict {verdict.get('verdict')!r} backed by no review record")
            continue
        rel, entry = expected[key]
        if verdict is None:
            out.fail("results.json", f"{kind} {ident}: the verdict of {rel} is missing")
        elif (verdict.get("verdict"), verdict.get("comment"), verdict.get("record")) != (entry.get("verdict"), entry.get("comment"), rel):
            out.fail("results.json", f"{kind} {ident}: verdict {verdict.get('verdict')!r} is not the one {rel} states "
                                     f"({entry.get('verdict')!r})")
