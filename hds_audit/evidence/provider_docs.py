"""`provider/*.yaml`: the provider's documents (HDS and ISO 27001 certificates, ...).

One file holds one document (a mapping), a list, or `{"documents": [...]}`: `kind`
(hds_certificate, iso27001_certificate, ...), `issuer`, `valid_from` (a date alone is 00:00
Europe/Paris), `valid_until` (a date alone runs to the end of its day), `document` (a path inside
the bundle) and its `sha256`, checked here against the document as found in the bundle.

As for attestations, an entry whose `kind` can be read is kept with an `issue` when something else
is wrong (a validity date missing, the document outside the bundle or absent), so the check can
say `error` about that certificate; an entry without a `kind` is a problem of the whole kind.
The files with such a problem (unreadable YAML, an entry without a `kind`) are listed in the
data's `unreadable`: a certificate not found may be in one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hds_audit.evidence.documents import instant_field, load_documents, verify_document
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence
from hds_audit.i18n.messages import Message, msg, semicolons

NAME = "provider_docs"
DESCRIPTION = "provider/*.yaml: the provider's certificates"
PATTERNS = ("provider/*.yaml", "provider/*.yml")


@dataclass(frozen=True)
class ProviderDocument:
    kind: str  # lower-case
    issuer: str | None
    valid_from: datetime | None
    valid_until: datetime | None  # exclusive: the first instant it is no longer valid
    document: str | None
    sha256: str | None
    actual_sha256: str | None
    issue: str | None
    file: str
    ref: str
    issue_message: Message | None = field(default=None, compare=False)  # `issue` in the reports' languages

    @property
    def hash_matches(self) -> bool:
        return self.sha256 is not None and self.sha256 == self.actual_sha256


class ProviderDocuments(list):
    """The documents read, and the files that could not be (wholly) read."""

    unreadable: tuple[str, ...] = ()


def load(bundle: Bundle, tenant=None) -> Evidence[ProviderDocuments]:
    evidence = load_documents(
        bundle, NAME, PATTERNS, "documents", "kind", msg("no 'kind' (hds_certificate, iso27001_certificate, ...)"),
        lambda b, rel, where, entry, kind: _document(b, rel, where, entry, kind.lower()),
        absent=msg("no provider document in the bundle (provider/*.yaml)"),
    )
    if evidence.data is not None:
        evidence.data = ProviderDocuments(evidence.data)
        evidence.data.unreadable = tuple(sorted({p.file for p in evidence.problems}))
    return evidence


def _document(bundle: Bundle, rel: str, where: str | None, entry: dict, kind: str) -> ProviderDocument:
    issues = []
    valid_from, reason = instant_field(entry, "valid_from")
    if reason:
        issues.append(reason)
    valid_until, reason = instant_field(entry, "valid_until", end_of_day=True)
    if reason:
        issues.append(reason)
    if valid_from and valid_until and valid_until <= valid_from:
        issues.append(msg("'valid_until' is not after 'valid_from'"))
    document, declared, actual, reason = verify_document(bundle, entry)
    if reason:
        issues.append(reason)
    issuer = entry.get("issuer")
    return ProviderDocument(
        kind=kind, issuer=str(issuer).strip() if issuer not in (None, "") else None,
        valid_from=valid_from, valid_until=valid_until, document=document, sha256=declared,
        actual_sha256=actual, issue="; ".join(map(str, issues)) or None, file=rel, ref=f"{rel}#{where}" if where else rel,
        issue_message=semicolons(issues) if issues else None,
    )
