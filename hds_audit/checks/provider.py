"""The provider's certificates (matrix: Compliance rows; the HDS certificate is what certifies the
provider's side of every shared rule).

provider.certificates_valid conventions:

* Required kinds: `hds_certificate` and `iso27001_certificate`. Without `provider/` at all the
  evidence is absent (`error`, from the engine). A `provider/` folder that lacks one of them is an
  `error` naming the kind: evidence that is absent makes the check `error`, never `fail`
  (docs/user-guide.md, provider.certificates_valid); when a provider file could not be read, the
  message names it, since the certificate may be in it.
* A certificate counts when its document is in the bundle and matches its `sha256`. The period
  must be covered: `valid_from` <= period start and `valid_until` >= period end, where a renewal
  may take over from the certificate it replaces (the union of the counted certificates must
  leave no gap; a date alone in `valid_until` runs to the end of its day).
* Every certificate entry is judged, even when another covers the period: a document that does not
  match its hash is a `fail`, one that cannot be verified (outside the bundle, absent) an `error`.
"""

from __future__ import annotations

from datetime import datetime

from hds_audit.calendar.instants import iso
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.i18n.messages import Message, msg, semicolons
from hds_audit.states import Status

REQUIRED_KINDS: tuple[str, ...] = ("hds_certificate", "iso27001_certificate")


def uncovered(start: datetime, end: datetime, spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) that no [low, high) of `spans` covers."""
    gaps, cursor = [], start
    for low, high in sorted(spans):
        if high <= cursor:
            continue
        if low > cursor:
            gaps.append((cursor, min(low, end)))
        cursor = max(cursor, high)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [g for g in gaps if g[0] < g[1]]


@check("provider.certificates_valid", "The provider's HDS and ISO 27001 certificates are valid over the period", needs=("provider_docs",),
       category="document", severity="high")
def certificates_valid(inp: CheckInput) -> Outcome:
    start, end = inp.period.start, inp.period.end
    documents = inp["provider_docs"]
    findings = []
    for kind in REQUIRED_KINDS:
        docs = [d for d in documents if d.kind == kind]
        if not docs:
            findings.append(Finding(kind, _absent(kind, getattr(documents, "unreadable", ())),
                                    tuple(sorted({d.file for d in documents})), Status.ERROR))
            continue
        unverified = [d for d in docs if d.issue]
        for doc in unverified:
            findings.append(Finding(kind, msg("{file}: {issue}", file=doc.file, issue=doc.issue_message or str(doc.issue)), (doc.ref,), Status.ERROR))
        for doc in docs:
            if not doc.issue and not doc.hash_matches:
                findings.append(Finding(kind, msg("{file}: the document {document} has sha256 {actual}, the entry declares {declared}",
                                                  file=doc.file, document=str(doc.document), actual=str(doc.actual_sha256),
                                                  declared=str(doc.sha256)), (doc.ref, doc.document)))
        counted = [d for d in docs if not d.issue and d.hash_matches]
        gaps = uncovered(start, end, [(d.valid_from, d.valid_until) for d in counted])
        if gaps and not unverified:
            validity = (semicolons([msg("{file} valid from {start} until {end}", file=d.file, start=d.valid_from, end=d.valid_until)
                                    for d in counted]) if counted else msg("no certificate with a matching document"))
            missing = tuple(msg("{start} to {end}", start=a, end=b) for a, b in gaps)
            findings.append(Finding(kind, msg("not valid over the whole period: nothing covers {missing} ({validity})",
                                              missing=missing, validity=validity), tuple(d.ref for d in docs)))
    details = {"certificates": [{
        "kind": d.kind, "issuer": d.issuer, "valid_from": iso(d.valid_from), "valid_until": iso(d.valid_until),
        "document": d.document, "sha256_matches": d.hash_matches, "issue": d.issue, "file": d.file,
    } for d in sorted(documents, key=lambda d: (d.kind, d.valid_from or start, d.file))]}
    return Outcome(findings, details=details)


def _absent(kind: str, unreadable: tuple[str, ...]) -> Message:
    if unreadable:
        return msg("{kind} absent from the provider documents that could be read; it may be in {files}, which could not be read",
                   kind=kind, files=tuple(unreadable))
    return msg("{kind} absent: no {kind} among the provider's documents (provider/*.yaml)", kind=kind)
