"""The main job behind `hds-audit run`: results -> every output format -> signatures -> manifest.

Outputs are built in a staging folder beside `--out` and swapped in only when complete
(hds_audit/outdir.py), so a failed run never leaves a half-written report over a good one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from hds_audit.calendar.period import Period
from hds_audit.catalog.load import Catalog
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import Tenant
from hds_audit.formats.interface import RenderContext
from hds_audit.outdir import staged, write_atomic
from hds_audit.pipeline.engine import now, run_checks
from hds_audit.results.model import RunResult

# Output formats in the order they are written; the PDF is signed after it is rendered.
FORMATS: tuple[str, ...] = (
    "hds_audit.formats.json_results",
    "hds_audit.formats.html",
    "hds_audit.formats.junit",
    "hds_audit.formats.xlsx",
    "hds_audit.formats.pdf",
    "hds_audit.formats.oscal",
    "hds_audit.formats.ciso_assistant",
)


@dataclass
class AuditOptions:
    bundle: Bundle
    tenant: Tenant
    catalog: Catalog
    period: Period
    out: Path
    identity: object  # hds_audit.signing.identity.Identity
    snapshot: bool = False
    extras: dict = field(default_factory=dict)
    preloaded: dict = field(default_factory=dict)  # evidence kinds already read (run_checks)
    sample: bool = False  # the bundle is a fictional sample: every report says SAMPLE
    language: str = "en"  # of the reports (hds_audit/i18n/__init__.py)
    previous: object | None = None  # hds_audit.pipeline.compare.PreviousRun: `run --previous DIR`


def available_formats() -> list:
    modules = []
    for name in FORMATS:
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def run_audit(options: AuditOptions, progress=None) -> RunResult:
    result = run_checks(options.catalog, options.bundle, options.tenant, options.period, progress=progress,
                        preloaded=options.preloaded)
    result.generated_at = now()
    result.sample = options.sample
    result.language = options.language
    if options.previous is not None:  # `run --previous DIR`: compare with the run just made
        from hds_audit.pipeline.compare import finish

        options.extras["comparison"] = finish(options.previous, result.to_json())
    write_outputs(result, options)
    return result


def write_outputs(result: RunResult, options: AuditOptions) -> None:
    from hds_audit.signing.identity import subject_text

    identity = options.identity
    ctx = RenderContext(result, signer=subject_text(identity.certificate), demo=identity.is_demo, extras=options.extras,
                        snapshot=options.snapshot)
    with staged(options.out) as staging:
        render_reports(staging, ctx, identity, reason=f"hds-audit report {result.period.label}")
        if options.snapshot:
            _snapshot(options.bundle, result, staging / "evidence")
        seal(staging, result, identity)


def render_reports(folder: Path, ctx: RenderContext, identity, reason: str) -> None:
    """Every output format into `folder`; each PDF signed (PAdES) as soon as it is rendered."""
    from hds_audit.i18n import language
    from hds_audit.signing.pades import sign_pdf

    for module in available_formats():
        target = folder / module.FILENAME
        with language(ctx.result.language):
            content = module.render(ctx)
        write_atomic(target, content)
        if target.suffix == ".pdf":
            sign_pdf(target, target, identity, reason=reason)


def seal(folder: Path, result: RunResult, identity) -> None:
    """signer.pem, then manifest.json over every file of `folder` and its detached signature."""
    from hds_audit.signing.manifest import build_manifest, write_signed_manifest

    write_atomic(folder / "signer.pem", identity.certificate_pem)
    evidence = [{"path": f.path, "sha256": f.sha256, "size": f.size, "records": f.records} for f in result.evidence_files]
    generated = result.generated_at or now()
    write_signed_manifest(folder, build_manifest(folder, result.run_id, generated.isoformat(), evidence), identity)


def _snapshot(bundle: Bundle, result: RunResult, target: Path) -> None:
    """Copy every evidence file read, byte for byte, under evidence/ (the manifest then covers it).

    Each file is hashed again as it is copied: one changed since it was read raises EvidenceChanged and no
    report is written, since the snapshot would not be what the results were drawn from.
    """
    for read in result.evidence_files:
        write_atomic(target.joinpath(*read.path.split("/")), bundle.read_again(read))
