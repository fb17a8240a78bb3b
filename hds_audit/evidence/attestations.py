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

from dataclasses import dataclass, field
from datetime import datetime

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.documents import instant_field, load_documents, text_field, verify_document
from hds_audit.evidence.interface import Evidence
from hds_audit.i18n.messages import Message, msg, semicolons

NAME = "attestations"
DESCRIPTION = "attestations/*.yaml: signed attestations of organisational rules"
PATTERNS = ("attestations/*.yaml", "attestations/*.yml")


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
    issue_message: Message | None = field(default=None, compare=False)  # `issue` in the reports' languages

    @property
    def hash_matches(self) -> bool:
        return self.sha256 is not None and self.sha256 == self.actual_sha256

    def matches(self, control_id: str, rule: str | None) -> bool:
        """`control` names the control by id or by its rule, in any case and spacing."""
        mine = words(self.control)
        return mine == words(control_id) or (rule is not None and mine == words(rule))


def load(bundle: Bundle, tenant=None) -> Evidence[list[Attestation]]:
    return load_documents(
        bundle, NAME, PATTERNS, "attestations", "control",
        msg("no 'control' (a control id or the rule's name): the attestation evidences nothing"),
        lambda b, rel, where, entry, control: _attestation(b, rel, where, entry, control),
        absent=msg("no attestation in the bundle (attestations/*.yaml)"),
    )


def _attestation(bundle: Bundle, rel: str, where: str | None, entry: dict, control: str) -> Attestation:
    issues = []
    statement, owner = text_field(entry.get("statement")), text_field(entry.get("owner"))
    if statement is None:
        issues.append(msg("no 'statement'"))
    if owner is None:
        issues.append(msg("no 'owner' (who signs it)"))
    signed_at, reason = instant_field(entry, "signed_at")
    if reason:
        issues.append(reason)
    document, declared, actual, reason = verify_document(bundle, entry)
    if reason:
        issues.append(reason)
    return Attestation(
        control=control, statement=statement, owner=owner, signed_at=signed_at, document=document,
        sha256=declared, actual_sha256=actual, issue="; ".join(map(str, issues)) or None,
        file=rel, ref=f"{rel}#{where}" if where else rel, issue_message=semicolons(issues) if issues else None,
    )


def words(text: str) -> str:
    """A control id or rule name as it is matched: any case, any spacing."""
    return " ".join(text.casefold().split())
