"""Signed proofs for a customer (a hospital's DPO): where the data lives, and that it was deleted.

`hds-audit residency` and `hds-audit deletion` run only the checks a proof needs, then write a
report folder that `hds-audit verify` checks like any other: a signed PDF, the same facts as JSON,
signer.pem, and a manifest signed in CMS. A proof is *proven* only when every one of its checks
passes or does not apply; an error (evidence absent or invalid) is never proof.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hds_audit import __version__
from hds_audit.calendar.instants import iso
from hds_audit.formats.interface import notice_messages
from hds_audit.i18n.messages import Message, msg, nmsg
from hds_audit.results.model import CheckResult, RunResult, _jsonable
from hds_audit.states import Status

PROVEN_STATES = frozenset({Status.PASS, Status.NOT_APPLICABLE})


@dataclass
class ProofKind:
    name: str  # residency | deletion
    checks: tuple[str, ...]
    build: Callable[[RunResult, dict[str, CheckResult]], dict[str, Any]]  # the kind's own facts
    sections: Callable[[dict[str, Any]], list]  # PDF flowables for those facts
    statement: Callable[[dict[str, Any]], str | None] | None = None  # what exactly is proven, in one sentence
    annex: Callable[[dict[str, Any]], list] | None = None  # long tables, after the checks

    @property
    def stem(self) -> str:
        return f"{self.name}-proof"


@dataclass
class Proof:
    kind: ProofKind
    document: dict[str, Any]
    proven: bool
    reasons: list[str] = field(default_factory=list)


def assess(kind: ProofKind, result: RunResult) -> Proof:
    """The proof's document and verdict from a run restricted to the kind's checks."""
    checks = {c.id: c for c in result.unique_checks()}
    reasons = []
    for check_id in kind.checks:
        check = checks.get(check_id)
        if check is None:
            reasons.append(msg("{check} did not run (no control binds it)", check=check_id))
        elif check.status not in PROVEN_STATES:
            count = len(check.findings)
            status = Message(check.status.value)  # fail, error, manual, waived: the statuses' labels are their ids
            reasons.append(nmsg("{check} is {status} ({n} finding(s))", "{check} is {status} ({n} finding(s))", n=count,
                                check=check_id, status=status)
                           if count else msg("{check} is {status}", check=check_id, status=status))
    proven = not reasons
    facts = _jsonable(kind.build(result, checks))
    document: dict[str, Any] = {
        "schema": f"hds-audit/{kind.stem}/v1",
        "tool": {"name": "hds-audit", "version": __version__},
        "run_id": result.run_id,
        "generated_at": iso(result.generated_at),
        "tenant": {"id": result.tenant.tenant_id, "name": result.tenant.name},
        "period": result.period.to_json(),
        # a proof of the bundled sample, or of a period not yet ended, says so first (as every report does)
        "sample": result.sample,
        "interim": result.interim,
        "notices": [{"word": word, "text": str(sentence), **_template(sentence)} for word, sentence in notice_messages(result)],
        "verdict": "proven" if proven else "not proven",
        "reasons": [str(r) for r in reasons],
        "reason_templates": [r.to_json() for r in reasons],  # additive: the reasons rendered in the PDF's language
        **facts,
        "statement": kind.statement(facts) if kind.statement else None,
        "checks": [checks[c].to_json() for c in kind.checks if c in checks],
        "evidence": [{"path": f.path, "sha256": f.sha256, "size": f.size, "records": f.records} for f in result.evidence_files],
    }
    return Proof(kind, document, proven, [str(r) for r in reasons])


def _template(sentence: Message) -> dict[str, Any]:
    """A notice's sentence as a template and its values (as findings carry theirs), for the PDF's language."""
    words = sentence.to_json()
    return {"template": words["template"], "params": words["params"]}


def write_proof(proof: Proof, result: RunResult, identity, out: Path) -> None:
    """PDF (signed) + JSON + signer.pem + signed manifest, staged beside `out` and swapped in whole."""
    from hds_audit.i18n import language
    from hds_audit.outdir import staged, write_atomic
    from hds_audit.pipeline.publish import seal
    from hds_audit.signing.identity import subject_text
    from hds_audit.signing.pades import sign_pdf
    from hds_audit.workflows.proofs.document import render_pdf

    with staged(out) as staging:
        stem = proof.kind.stem
        pdf = staging / f"{stem}.pdf"
        with language(result.language):
            content = render_pdf(proof, signer=subject_text(identity.certificate), demo=identity.is_demo)
        write_atomic(pdf, content)
        sign_pdf(pdf, pdf, identity, reason=f"hds-audit {proof.kind.name} proof {result.period.label}")
        write_atomic(staging / f"{stem}.json", (json.dumps(proof.document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        seal(staging, result, identity)


def kind(name: str) -> ProofKind:
    from hds_audit.workflows.proofs import deletion, residency

    return {"residency": residency.KIND, "deletion": deletion.KIND}[name]
