"""The reports' cost per evidence file: every report format timed on a bundle of many small trace files.

    python bench/run.py --events --report-files 10000   # this case alone; its section of results.md is replaced

The files hold one trace each (bench/generate.py with one trace a file), so what grows is the number of
files the reports list, not the events. In one run, on the same files: the bare DuckDB scan of bench/run.py,
the checks (`run_checks`, in this process), then each format's `render` in turn, the PDF's signature, the
manifest (SHA-256 of every report file, the evidence list, its CMS signature) and the whole `hds-audit run`
in a child process. Each step runs `repeat` times and keeps its best; ratios are to the best bare scan.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import generate

PERIOD = "2026-Q3"
HEADING = "## Reports at {n:,} trace files"


def bundle_of_files(files: int, cache: Path) -> Path:
    """A bundle of `files` trace files of one trace each, generated once into cache/files-N."""
    # one trace a file: the per-file costs without the per-event ones
    return generate.generate(files, cache / f"files-{files}", per_file=1)


def _best(step, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - started)
    return best


def measure(files: int, cache: Path, repeat: int, bare_scan, trace_paths, whole_run) -> str:
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog.load import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load as load_tenant
    from hds_audit.formats.interface import RenderContext
    from hds_audit.i18n import language
    from hds_audit.pipeline.engine import now, run_checks
    from hds_audit.pipeline.publish import available_formats
    from hds_audit.signing.identity import demo_identity, subject_text
    from hds_audit.signing.manifest import build_manifest, write_signed_manifest
    from hds_audit.signing.pades import sign_pdf

    bundle = bundle_of_files(files, cache)
    paths = trace_paths(bundle)
    bare = min(bare_scan(paths)[0].wall for _ in range(repeat))
    source = Bundle(str(bundle))
    tenant = load_tenant(source)
    catalog, period = load_catalog(), parse_period(PERIOD)
    started = time.perf_counter()
    result = run_checks(catalog, source, tenant, period)
    checks = time.perf_counter() - started
    result.generated_at = now()
    identity = demo_identity()
    ctx = RenderContext(result, signer=subject_text(identity.certificate), demo=True)
    rows: list[tuple[str, float]] = [("checks (`run_checks`, every evidence kind read)", checks)]
    with tempfile.TemporaryDirectory(prefix="hds-audit-bench-") as folder:
        out = Path(folder)
        for module in available_formats():
            target = out / module.FILENAME

            def render(module=module, target=target):
                with language(result.language):
                    target.write_bytes(module.render(ctx))

            rows.append((f"`{module.FILENAME}`", _best(render, repeat)))
            if target.suffix == ".pdf":
                unsigned = target.read_bytes()

                def sign(target=target, unsigned=unsigned):
                    target.write_bytes(unsigned)
                    sign_pdf(target, target, identity, reason="bench")

                rows.append(("PDF signature (PAdES)", _best(sign, repeat)))
        evidence = [{"path": f.path, "sha256": f.sha256, "size": f.size, "records": f.records} for f in result.evidence_files]

        def manifest():
            write_signed_manifest(out, build_manifest(out, result.run_id, result.generated_at.isoformat(), evidence), identity)

        rows.append(("`manifest.json` and its signature", _best(manifest, repeat)))
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    wall, _cpu, rss, _code = whole_run(bundle)
    lines = [
        HEADING.format(n=files),
        "",
        f"{len(paths):,} trace files of one trace each ({len(result.evidence_files):,} evidence files in all), "
        f"each step the best of {repeat}; × (a) is the step's seconds over the bare DuckDB scan of the same files "
        f"({bare:.2f} s, best of {repeat}).",
        "",
        "| step | wall s (best) | × (a) | size of the file |",
        "|---|---:|---:|---:|",
    ]
    for label, seconds in rows:
        name = label.strip("`").split("`")[0]
        size = f"{sizes[name] / 1e6:,.2f} MB" if name in sizes else ""
        lines.append(f"| {label} | {seconds:.2f} | {seconds / bare:.2f} | {size} |")
    reports = sum(s for label, s in rows[1:])
    lines += [f"| every report, signatures and manifest | {reports:.2f} | {reports / bare:.2f} | |",
              f"| whole `hds-audit run` (child process, peak RSS {rss:,.0f} MB) | {wall:.2f} | {wall / bare:.2f} | |"]
    return "\n".join(lines) + "\n"


def replace_section(text: str, heading: str, section: str) -> str:
    """`text` with the section under `heading` (up to the next `## `) replaced by `section`, or added before the profile."""
    start = text.find(heading + "\n")
    if start >= 0:
        end = text.find("\n## ", start + len(heading))
        return text[:start] + section + (text[end + 1:] if end >= 0 else "")
    anchor = text.find("## Against the targets")
    if anchor < 0:
        return text.rstrip("\n") + "\n\n" + section
    return text[:anchor] + section + "\n" + text[anchor:]
