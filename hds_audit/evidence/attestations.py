"""`attestations/*.yaml`: signed attestations, the evidence of organisational rules.

One file holds one attestation (a mapping), a list of them, or `{"attestations": [...]}`:
`control` (a control id, or the rule's name as the matrix writes it), `statement`, `owner`,
`signed_at` (a date alone is 00:00 Europe/Paris), `document` (a path inside the bundle) and its
`sha256`. The document is hashed here, through the bundle, so the manifest lists it too.

An attestation whose `control` can be read is kept even when something else is wrong with it
(no owner, a document path leaving the bundle, a missing document): its `issue` says what, and
`attestation.current` reports it as `error` for that control only. An entry without a usable
`control` cannot be attributed to any rule, so it is a problem of the whole kind.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.timeutil import TimeParseError, parse_instant

NAME = "attestations"
DESCRIPTION = "attestations/*.yaml: signed attestations of organisational rules"
PATTERNS = ("attestations/*.yaml", "attestations/*.yml")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Attestation:
    control: str
    statement: str | None
    owner: str | None
    signed_at: datetime | None
    document: str | None
    sha256: str | None  # as declared, normalized to lower-case hex
    actual_sha256: str | None  # of the document as found in the bundle
    issue: str | None  # why this attestation cannot be judged (None when it can)
    file: str
    ref: str

    @property
    def hash_matches(self) -> bool:
        return self.sha256 is not None and self.sha256 == self.actual_sha256

    def matches(self, control_id: str, rule: str | None) -> bool:
        """`control` names the control by id or by its rule, in any case and spacing."""
        mine = _words(self.control)
        return mine == _words(control_id) or (rule is not None and mine == _words(rule))


def load(bundle: Bundle, tenant=None) -> Evidence[list[Attestation]]:
    evidence: Evidence[list[Attestation]] = Evidence(NAME)
    files = sorted({f for pattern in PATTERNS for f in bundle.glob(pattern)})
    if not files:
        evidence.note = "no attestation in the bundle (attestations/*.yaml)"
        return evidence
    found: list[Attestation] = []
    for rel in files:
        entries, problem = yaml_entries(bundle, rel, "attestations")
        if problem:
            evidence.problems.append(problem)
            continue
        evidence.files.append(bundle.record(rel))
        evidence.files[-1].records = len(entries)
        for where, entry in entries:
            control = entry.get("control") if isinstance(entry, dict) else None
            if not isinstance(control, str) or not control.strip():
                evidence.problems.append(Problem(rel, where, "no 'control' (a control id or the rule's name): the attestation evidences nothing"))
                continue
            found.append(_attestation(bundle, rel, where, entry, control.strip()))
    if evidence.files:
        evidence.data = found
    return evidence


def _attestation(bundle: Bundle, rel: str, where: str | None, entry: dict, control: str) -> Attestation:
    issues = []
    statement, owner = _text(entry.get("statement")), _text(entry.get("owner"))
    if statement is None:
        issues.append("no 'statement'")
    if owner is None:
        issues.append("no 'owner' (who signs it)")
    signed_at, reason = instant_field(entry, "signed_at")
    if reason:
        issues.append(reason)
    document, declared, actual, reason = verify_document(bundle, entry)
    if reason:
        issues.append(reason)
    return Attestation(
        control=control, statement=statement, owner=owner, signed_at=signed_at, document=document,
        sha256=declared, actual_sha256=actual, issue="; ".join(issues) or None,
        file=rel, ref=f"{rel}#{where}" if where else rel,
    )


# --- shared with provider_docs -----------------------------------------------------------------

def yaml_entries(bundle: Bundle, rel: str, key: str) -> tuple[list[tuple[str | None, Any]], Problem | None]:
    """The entries of a YAML file: one mapping, a list, or `{key: [...]}`; each with its place."""
    try:
        document = yaml.safe_load(bundle.read_bytes(rel).decode("utf-8-sig"))
    except OSError as exc:
        return [], Problem(rel, None, f"cannot be read: {exc}")
    except UnicodeDecodeError as exc:
        return [], Problem(rel, None, f"not UTF-8 text (byte {exc.start})")
    except yaml.YAMLError as exc:
        return [], Problem(rel, None, f"not readable YAML: {str(exc).splitlines()[0]}")
    if isinstance(document, dict) and isinstance(document.get(key), list):
        document = document[key]
    if isinstance(document, dict):
        return [(None, document)], None
    if isinstance(document, list) and document:
        return [(f"entry {n}", item) for n, item in enumerate(document, start=1)], None
    return [], Problem(rel, None, "expected a mapping of fields (or a list of them)")


def instant_field(entry: dict, name: str, end_of_day: bool = False) -> tuple[datetime | None, str | None]:
    """A date or date-time field (a date alone at 00:00 Paris, or at the end of its day)."""
    value = entry.get(name)
    if value is None or value == "":
        return None, f"no '{name}'"
    if not isinstance(value, (str, date)):
        return None, f"'{name}' is not a date: {value!r}"
    try:
        return parse_instant(value, end_of_day=end_of_day), None
    except TimeParseError as exc:
        return None, f"'{name}': {exc}"


def verify_document(bundle: Bundle, entry: dict) -> tuple[str | None, str | None, str | None, str | None]:
    """(document, declared sha256, actual sha256, issue) for the entry's `document` and `sha256`.

    The path must stay inside the bundle (no `..`, no absolute path, no link out): a document
    outside it is not part of the evidence that the manifest seals.
    """
    document = _text(entry.get("document"))
    declared = _text(entry.get("sha256"))
    if declared is not None:
        declared = declared.lower().removeprefix("sha256:").strip()
    if document is None:
        return None, declared, None, "no 'document'"
    if not bundle.contains(document):
        return document, declared, None, f"document path '{document}' leaves the bundle; refused"
    if declared is None:
        issue = "no 'sha256' of the document"
    elif not _SHA256.match(declared):
        issue = f"'sha256' is not 64 hexadecimal digits: {declared!r}"
    else:
        issue = None
    try:
        exists = bundle.exists(document)
    except Exception:  # noqa: BLE001 - a backend refusing the path is the same as not finding it
        exists = False
    if not exists:
        return document, declared, None, f"document '{document}' is not in the bundle"
    try:
        actual = hashlib.sha256(bundle.read_bytes(document)).hexdigest()
    except OSError as exc:
        return document, declared, None, f"document '{document}' cannot be read: {exc}"
    return document, declared, actual, issue


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def _words(text: str) -> str:
    return " ".join(text.casefold().split())
