"""Same evidence, same results.json (apart from `generated_at`): whatever order the files were
created in on disk, and whatever PYTHONHASHSEED the interpreter runs with.

The bundle is the corpus base plus findings spread over many files (unregistered accounts acting
in several trace files and regions, a second state file with faults, a second backup listing),
so that any order-dependent set or listing would show in the findings and their evidence.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from bundle_builder import trace

sys.path.insert(0, str(Path(__file__).parents[1] / "corpus"))

from corpus_base import PERIOD, USERS, build_base, tf, tfstate  # noqa: E402

FIXED = datetime.fromisoformat("2026-10-01T09:00:00+02:00")


def build_source(root: Path) -> Path:
    b = build_base(root)
    b.users(*USERS, *({"name": f"x.{n}", "access_mode": "console"} for n in ("one", "two", "three", "four")))
    for n, (who, region) in enumerate([("x.one", "eu-west-0"), ("x.two", "eu-west-1"), ("x.three", "eu-west-0"),
                                       ("x.four", "eu-central-1"), ("x.one", "eu-west-1"), ("x.two", "eu-west-0")]):
        name = f"CloudTraces/{region}/2026/8/{n + 1}/system/ECS/cts_CloudTrace_{region}_2026-08-{n + 1:02d}T00-00-00Z_{n:04x}.json.gz"
        b.traces([trace(who, f"2026-08-{n + 1:02d}T1{h}:00:00+02:00", trace_id=f"d-{n}-{h}") for h in range(3)], region=region, name=name)
    b.write("resources/zz-extra.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "plain", {"id": "ch-plain", "bucket": "ch-plain", "region": "eu-west-0", "tags": {"hds": "true"}}),
        tf("flexibleengine_obs_bucket", "far", {"id": "ch-far", "bucket": "ch-far", "region": "eu-west-1", "tags": {"hds": "true"}}),
        tf("flexibleengine_lb_listener_v2", "http", {"id": "lst-http", "protocol": "HTTP", "region": "eu-west-0"}),
        tf("flexibleengine_compute_instance_v2", "nobackup", {"id": "srv-nobackup", "region": "eu-west-0", "tags": {"hds": "true"}}),
    ))
    b.write("backups/csbs.json", json.dumps({"checkpoint_items": [
        {"id": f"cp-{i}", "resource_id": "srv-nobackup", "status": "error", "created_at": f"2026-08-{i + 1:02d}T01:00:00",
         "extend_info": {"resource_az": "eu-west-0a", "encrypted": False}} for i in range(5)]}))
    return b.root


def copy_in_order(source: Path, target: Path, reverse: bool) -> None:
    """The same files, created one by one in sorted or reversed order (directories likewise)."""
    files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    target.mkdir(parents=True)
    for rel in reversed(files) if reverse else files:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("determinism")
    source = build_source(root / "source")
    a, b = root / "a", root / "b"
    copy_in_order(source, a, reverse=False)
    copy_in_order(source, b, reverse=True)
    return a, b


def results_bytes(root: Path) -> bytes:
    """results.json as `run` writes it, with generated_at fixed."""
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.formats import json_results
    from hds_audit.formats.interface import RenderContext
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(root))
    # the cache off: the scan itself is what must not depend on order (the cache's identity: test_trace_cache)
    tenant = load(bundle).model_copy(update={"cache": False})
    result = run_checks(load_catalog(), bundle, tenant, parse_period(PERIOD))
    result.generated_at = FIXED
    return json_results.render(RenderContext(result))


def without_generated_at(data: bytes) -> dict:
    doc = json.loads(data)
    assert doc.pop("generated_at")
    return doc


def test_the_bundle_has_findings_everywhere(bundles):
    doc = json.loads(results_bytes(bundles[0]))
    statuses = {k["id"]: k["status"] for c in doc["controls"] for k in c["checks"]}
    for check_id in ("access.nominative_accounts", "access.register_covers_activity", "access.mfa", "residency.activity",
                     "residency.resources", "storage.encrypted_at_rest", "transport.tls_only", "backup.coverage"):
        assert statuses[check_id] == "fail", (check_id, statuses[check_id])


def test_file_order_on_disk_changes_nothing(bundles):
    a, b = bundles
    listing = [os.listdir(a / "traces" / "CloudTraces"), os.listdir(b / "traces" / "CloudTraces")]
    first, second = results_bytes(a), results_bytes(b)
    assert first == second, f"results differ between creation orders (listings {listing})"


class _Listing:
    """What os.scandir returns, its entries in another order."""

    def __init__(self, entries, order):
        self.entries = iter(order(list(entries)))
        entries.close()

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        pass


@pytest.mark.parametrize("order", ["reversed", "rotated"])
def test_directory_listing_order_changes_nothing(bundles, monkeypatch, order):
    """Filesystems list a folder in their own order (ext4 by hash, tmpfs by creation): every
    listing of the run comes out reversed or rotated here, and nothing changes."""
    a, _ = bundles
    expected = results_bytes(a)
    rearrange = (lambda xs: xs[::-1]) if order == "reversed" else (lambda xs: xs[1:] + xs[:1])
    real_scandir, real_listdir = os.scandir, os.listdir
    seen = []

    def scandir(path="."):
        seen.append(path)
        return _Listing(real_scandir(path), rearrange)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda path=".": rearrange(real_listdir(path)))
    got = results_bytes(a)
    monkeypatch.undo()
    assert any("traces" in str(p) for p in seen), "the bundle was listed through os.scandir"
    assert got == expected


def run_cli(*runs: tuple[Path, Path, str]) -> list[dict]:
    """`hds-audit run` for each (bundle, out, PYTHONHASHSEED), side by side."""
    procs = []
    for bundle, out, seed in runs:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HDS_AUDIT_")} | {"PYTHONHASHSEED": seed}
        procs.append(subprocess.Popen([sys.executable, "-m", "hds_audit", "run", str(bundle), "--period", PERIOD, "--out", str(out), "--no-cache"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=out.parent))
    outputs = []
    for proc, (_, out, _) in zip(procs, runs):
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 1, stderr
        outputs.append({name: (out / name).read_bytes() for name in ("results.json", "junit.xml", "manifest.json")})
    return outputs


def test_hash_seed_and_file_order_change_nothing_through_the_cli(bundles, tmp_path):
    a, b = bundles
    first, second = run_cli((a, tmp_path / "one", "0"), (b, tmp_path / "two", "2718281"))
    assert without_generated_at(first["results.json"]) == without_generated_at(second["results.json"])
    lines = [[line for line in doc["results.json"].splitlines() if b'"generated_at"' not in line] for doc in (first, second)]
    assert lines[0] == lines[1], "byte for byte, apart from the generated_at line"
    assert first["junit.xml"] == second["junit.xml"]
    manifests = [json.loads(doc["manifest.json"]) for doc in (first, second)]
    assert manifests[0]["evidence"] == manifests[1]["evidence"] and manifests[0]["run_id"] == manifests[1]["run_id"]
    in_process = without_generated_at(results_bytes(a))
    assert in_process == without_generated_at(first["results.json"]), "the CLI writes what the engine computes"
