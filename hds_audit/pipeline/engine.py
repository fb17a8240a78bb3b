"""The pipeline: catalog -> evidence -> checks -> results. No I/O beyond reading the bundle."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hds_audit import __version__
from hds_audit.calendar.period import Period
from hds_audit.catalog.load import Catalog, CatalogError
from hds_audit.checks.interface import CheckInput, CheckSpec, Finding, Outcome
from hds_audit.checks.registry import all_checks, known_ids
from hds_audit.evidence import TABULAR_KINDS, kind_module
from hds_audit.evidence.bundle import Bundle, EvidenceChanged
from hds_audit.evidence.interface import Evidence, FileRead
from hds_audit.evidence.tenant import Tenant
from hds_audit.i18n.messages import msg
from hds_audit.results.model import CheckResult, ControlResult, RunResult
from hds_audit.results.waivers import apply_waivers, refuse_unknown_checks
from hds_audit.states import Status, worst

Progress = Callable[[str], None]


@dataclass
class EvidenceCache:
    """Loads each evidence kind once, on first need."""

    bundle: Bundle
    tenant: Tenant
    loaded: dict[str, Evidence] = field(default_factory=dict)

    def get(self, kind: str) -> Evidence:
        if kind not in self.loaded:
            try:
                self.loaded[kind] = kind_module(kind).load(self.bundle, self.tenant)
            except ModuleNotFoundError:
                self.loaded[kind] = Evidence(kind, note=f"reading {kind} is not implemented yet")
        return self.loaded[kind]


def run_checks(
    catalog: Catalog, bundle: Bundle, tenant: Tenant, period: Period,
    only: set[str] | None = None, progress: Progress | None = None,
    preloaded: dict[str, Evidence] | None = None,
) -> RunResult:
    """`preloaded` replaces evidence kinds before any is read (the gate's planned resources)."""
    specs = all_checks()
    unknown = sorted({ref.id for b in catalog.bindings.values() for ref in b.checks} - known_ids())
    if unknown:
        raise CatalogError(f"bindings.yaml names unknown check id(s): {', '.join(unknown)}")
    cache = EvidenceCache(bundle, tenant, dict(preloaded or {}))
    _prefetch(cache, [s for s in specs.values() if only is None or s.id in only])
    waivers = refuse_unknown_checks(cache.get("waivers"))
    memo: dict[str, CheckResult] = {}
    controls = []
    for control in catalog.controls:
        binding = catalog.bindings.get(control.id)
        refs = binding.check_refs(control) if binding else []
        results = []
        for ref in refs:
            if only is not None and ref.id not in only:
                continue
            key = ref.id + json.dumps(ref.params, sort_keys=True, default=str)
            if key not in memo:
                if progress:
                    progress(ref.id)
                memo[key] = _run_one(ref.id, specs.get(ref.id), ref.params, cache, tenant, period, waivers, catalog)
            results.append(memo[key])
        if binding is None:
            status = Status.MANUAL  # a rule of a reissued matrix that nothing evidences yet
        else:
            status = worst(r.status for r in results)
        controls.append(ControlResult(control, status, results, unbound=binding is None))
    reads = bundle.reads()
    for kind, evidence in cache.loaded.items():  # the checks are done: stores of this run may let their files go
        if kind not in (preloaded or {}) and hasattr(evidence.data, "release"):
            evidence.data.release()
    return RunResult(
        tenant=tenant, period=period, controls=controls, evidence_files=reads,
        evidence_notes={k: e.note for k, e in sorted(cache.loaded.items()) if e.note},
        evidence_problems={k: list(e.problems) for k, e in sorted(cache.loaded.items()) if e.problems},
        run_id=_run_id(reads, period, tenant, only), dropped=list(catalog.dropped),
        trace_cache=getattr(cache.loaded.get("traces"), "cache_use", None),
    )




def _prefetch(cache: EvidenceCache, specs: list[CheckSpec]) -> None:
    """Overlap the two slow starts: great-expectations loads in a thread while DuckDB scans traces."""
    needed = {kind for spec in specs for kind in spec.needs + spec.optional} - set(cache.loaded)
    scanning, replaying = None, False
    if "traces" in needed:
        from hds_audit.evidence.traces import replays
        from hds_audit.evidence.traces import scan_started as scanning

        scanning.clear()
        replaying = replays(cache.tenant)
    if needed & TABULAR_KINDS:
        from hds_audit.evidence.tabular import warm_up

        # a re-run's trace stage is hashing and DuckDB, which leave Python free: the import need not wait for it
        warm_up(after=None if replaying else scanning, spark=getattr(cache.tenant, "engine", "duckdb") == "spark")
    if scanning is not None:
        try:
            cache.get("traces")
        finally:
            scanning.set()


def _run_one(check_id, spec: CheckSpec | None, overrides, cache: EvidenceCache, tenant, period, waivers,
             catalog: Catalog | None = None) -> CheckResult:
    if spec is None:
        return CheckResult(check_id, Status.ERROR, [Finding(check_id, msg("not implemented yet"), status=Status.ERROR)])
    if spec.applies is not None and (reason := spec.applies(tenant)):
        return CheckResult(check_id, Status.NOT_APPLICABLE, [], note=reason)
    findings: list[Finding] = []
    data: dict[str, Any] = {}
    files: dict[str, list[str]] = {}
    runnable = True
    for kind in spec.needs + spec.optional:
        evidence = cache.get(kind)
        files[kind] = [f.path for f in evidence.files]
        for problem in evidence.problems:
            findings.append(Finding(problem.file, problem.finding_message(), (problem.reference,), Status.ERROR))
        if evidence.data is None and kind in spec.needs:
            runnable = False
            if evidence.absent:
                findings.append(Finding(kind, msg("evidence absent: {what}", what=evidence.note_message or evidence.note or kind), status=Status.ERROR))
        data[kind] = evidence.data
    outcome = Outcome()
    if runnable:
        # the catalog in use (the bundled matrix or --matrix) is a parameter of the run: a check that
        # names controls (attestation.current) must know this run's rules, not the bundled ones
        params = tenant.policy.model_dump() | {"catalog": catalog} | dict(overrides)
        try:
            outcome = spec.run(CheckInput(data, params, period, tenant, files))
        except EvidenceChanged as exc:  # a file's bytes are no longer those hashed: nothing of it is cited
            findings.append(Finding(exc.path, str(exc), (exc.path,), status=Status.ERROR))
        except Exception as exc:  # noqa: BLE001 - a check bug must not sink the whole run
            error = f"{type(exc).__name__}: {exc}"
            findings.append(Finding(check_id, msg("the check could not run: {error}", error=error), status=Status.ERROR))
    findings += outcome.findings
    if waivers.data:
        findings = apply_waivers(check_id, findings, waivers.data, period)
    findings.sort(key=Finding.sort_key)
    if findings:
        status = worst(f.status for f in findings)
    elif outcome.not_applicable:
        status = Status.NOT_APPLICABLE
    elif outcome.manual:
        status = Status.MANUAL
    else:
        status = Status.PASS
    note = outcome.not_applicable if status is Status.NOT_APPLICABLE else outcome.manual
    return CheckResult(check_id, status, findings, note=note, details=outcome.details)


def _run_id(reads: list[FileRead], period: Period, tenant: Tenant, only) -> str:
    """Same inputs, same id: it ties a reviewed workbook to the run it came from."""
    digest = hashlib.sha256()
    # an interim period is judged up to the run's time: two interim runs of one period are two runs
    interim = [period.end.isoformat()] if period.interim else []
    for part in [__version__, tenant.tenant_id, period.label, period.start.isoformat(), ",".join(sorted(only or []))] + interim:
        digest.update(part.encode() + b"\0")
    for read in reads:
        digest.update(f"{read.path}\0{read.sha256}\0".encode())
    return digest.hexdigest()[:20]


def now() -> datetime:
    """The run's time (HDS_AUDIT_NOW when set: see timeutil.current_time)."""
    from hds_audit.calendar.instants import current_time

    return current_time()
