#!/usr/bin/env python3
"""Generate a synthetic evidence bundle holding N Cloud Trace Service events, for the benchmark.

    python bench/generate.py 1000000 --out bench/cache/1000000

Standard library only, deterministic (fixed seeds, gzip mtime=0): the same N gives the same bytes.
The traces follow the OBS layout CTS writes (docs/user-guide.md, "The evidence bundle"):
`traces/CloudTraces/{region}/{YYYY}/{M}/{D}/{tracker}/{Service}/{prefix}_CloudTrace_{region}_{timestamp}_{hex}.json.gz`,
each file a gzip JSON array of 1,000 traces of one service (the last file may hold fewer): files go to
ECS, EVS, IAM, VPC and OBS in turn, as CTS writes each service into its own folder. The events spread evenly
over 2026-Q3 (Europe/Paris), so `trace.continuity` passes; a small share are SystemAction traces
with `user: null`, and some are reads of the trace bucket by the `trace_reader` account.

Beside the traces the bundle holds what a whole `hds-audit run` needs: `tenant.yaml`, a Terraform
state with the tracker, its bucket and in-scope resources, an access register and IAM users.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
REGION = "eu-west-0"
TRACKER = "system"
PREFIX = "bench"
BUCKET = "ch-bench-cts-traces"
DOMAIN = "prod-cloud-ocb.orange-business.com"
DOMAIN_ID = "5a7e0c1b9d2f4e6a8b0c1d2e3f4a5b6c"
PROJECT_ID = "c0ffee00c0ffee00c0ffee00c0ffee00"
PERIOD_START = datetime(2026, 7, 1, tzinfo=PARIS)
PERIOD_END = datetime(2026, 10, 1, tzinfo=PARIS)
PER_FILE = 1000
FORMAT_VERSION = "2"  # bump when the layout changes, so cached bundles are regenerated

PEOPLE = [
    ("a.martin", "Alice Martin", "admin"), ("b.durand", "Bruno Durand", "admin"),
    ("c.petit", "Chloé Petit", "operator"), ("d.moreau", "David Moreau", "operator"),
    ("e.laurent", "Emma Laurent", "operator"), ("f.simon", "François Simon", "operator"),
    ("g.michel", "Gabrielle Michel", "operator"), ("h.lefevre", "Hugo Lefèvre", "operator"),
    ("i.leroy", "Inès Leroy", "operator"), ("j.roux", "Jules Roux", "operator"),
    ("k.david", "Karima David", "operator"), ("l.bertrand", "Louis Bertrand", "operator"),
    ("m.morel", "Manon Morel", "auditor"), ("n.fournier", "Nathan Fournier", "trace_reader"),
]
SERVICE_ACCOUNT = ("svc-backup-sync", "a.martin")
ACTIONS = {  # service -> (resource_type, [trace names], endpoint host)
    "ECS": ("server", ["createServer", "updateServer", "startServer", "stopServer", "rebootServer"], "ecs"),
    "EVS": ("volume", ["createVolume", "updateVolume", "extendVolume"], "evs"),
    "IAM": ("user", ["login", "logout", "updateUser"], "iam"),
    "VPC": ("vpc", ["updateVpc", "createSecurityGroupRule"], "vpc"),
    "OBS": ("object", ["PutObject", "GetObject", "HeadObject", "ListObjects"], "oss"),
}
# CTS writes each service's traces into its own folder, so a file holds one service: file i holds FILE_SERVICES[i % 5]
FILE_SERVICES = tuple(ACTIONS)
OBS_SHARE = FILE_SERVICES.count("OBS") / len(FILE_SERVICES)


def hexid(*parts: object, n: int = 32) -> str:
    return hashlib.sha256("\x1f".join(("hds-audit-bench",) + tuple(map(str, parts))).encode()).hexdigest()[:n]


def uuid_(*parts: object) -> str:
    h = hexid(*parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def _event(rng: random.Random, n: int, when: int, service: str) -> dict:
    """One CTS trace of `service`: 5 % of all traces are SystemAction (user null, never OBS), 2 % reads of
    the trace bucket by the trace reader (OBS files only)."""
    roll = rng.random()
    if service == "OBS" and roll < 2 / OBS_SHARE / 100:
        user, trace_type = PEOPLE[-1][0], "ObsSDK"  # the trace_reader reads the traces
        name = rng.choice(["GetObject", "ListObjects"])
    elif service != "OBS" and roll < 5 / (1 - OBS_SHARE) / 100:
        user, trace_type = None, "SystemAction"
        name = ("deleteServer" if rng.random() < 0.1 else "createCheckpoint") if service == "ECS" else rng.choice(ACTIONS[service][1])
    else:
        user = SERVICE_ACCOUNT[0] if rng.random() < 0.1 else rng.choice(PEOPLE[:12])[0]
        trace_type = "ObsSDK" if service == "OBS" else rng.choice(["ConsoleAction", "ApiCall"])
        name = rng.choice(ACTIONS[service][1])
    resource_type, _, host = ACTIONS[service]
    if service == "OBS":
        bucket = BUCKET if user == PEOPLE[-1][0] else "ch-bench-exports"
        resource_id, resource_name = f"{bucket}/{PREFIX}/CloudTraces/{REGION}/obj-{n % 997}.json.gz", bucket
    else:
        resource_id, resource_name = uuid_(service, n % 211), f"{service.lower()}-{n % 211:03d}"
    return {
        "trace_id": uuid_("trace", n),
        "trace_name": name,
        "trace_rating": "warning" if rng.random() < 0.01 else "normal",
        "trace_type": trace_type,
        "event_type": "system" if user is None else "global",
        "service_type": service,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "resource_name": resource_name,
        "source_ip": "" if user is None else f"192.168.10.{n % 250 + 1}",
        "user": None if user is None else {"id": hexid("user", user), "name": user, "domain": {"id": DOMAIN_ID, "name": "ch-bench"}},
        "time": when,
        "record_time": when + 300 + n % 500,
        "code": 200 if n % 3 else "200",
        "request": json.dumps({"id": resource_name}) if n % 2 else None,
        "response": {"status": "ok"},
        "endpoint": f"https://{host}.{REGION}.{DOMAIN}",
        "resource_url": f"https://{host}.{REGION}.{DOMAIN}/v2/{PROJECT_ID}/{resource_type}s/{resource_id}",
        "api_version": "v2",
        "project_id": PROJECT_ID,
        "tracker_name": TRACKER,
    }


def _write_file(args: tuple[Path, int, int, int, int]) -> str:
    out, index, first, count, total = args
    rng = random.Random(index)
    span = ms(PERIOD_END) - ms(PERIOD_START)
    # event k of the whole set happens at k/total of the period, plus up to 30 s of jitter
    times = [ms(PERIOD_START) + (first + k) * span // total + rng.randrange(30_000) for k in range(count)]
    service = FILE_SERVICES[index % len(FILE_SERVICES)]
    events = [_event(rng, first + k, t, service) for k, t in enumerate(sorted(times))]
    start = datetime.fromtimestamp(times[0] / 1000, UTC)
    rel = (f"traces/CloudTraces/{REGION}/{start.year}/{start.month}/{start.day}/{TRACKER}/"
           f"{service}/{PREFIX}_CloudTrace_{REGION}_{start:%Y-%m-%dT%H-%M-%SZ}_{hexid('file', index, n=16)}.json.gz")
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps(events, separators=(",", ":")).encode(), compresslevel=6, mtime=0))
    return rel


def _tf_resource(rtype: str, name: str, attributes: dict) -> dict:
    return {
        "mode": "managed", "type": rtype, "name": name,
        "provider": 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]',
        "instances": [{"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}],
    }


def _tfstate() -> dict:
    hds = {"hds": "true"}
    resources = [
        _tf_resource("flexibleengine_cts_tracker_v1", "system", {
            "id": TRACKER, "tracker_name": TRACKER, "region": REGION, "bucket_name": BUCKET,
            "file_prefix_name": PREFIX, "status": "enabled"}),
        _tf_resource("flexibleengine_obs_bucket", "traces", {
            "id": BUCKET, "bucket": BUCKET, "region": REGION, "encryption": True, "sse_algorithm": "kms",
            "kms_key_id": uuid_("kms"), "versioning": False, "tags": hds,
            "lifecycle_rule": [{"name": "expire-after-3-years", "enabled": True, "prefix": f"{PREFIX}/",
                                "expiration": [{"days": 1095}], "transition": []}]}),
    ]
    for i in range(4):
        resources.append(_tf_resource("flexibleengine_compute_instance_v2", f"app{i}", {
            "id": uuid_("server", i), "name": f"bench-app-{i}", "region": REGION, "tags": hds}))
        resources.append(_tf_resource("flexibleengine_blockstorage_volume_v2", f"data{i}", {
            "id": uuid_("volume", i), "name": f"bench-data-{i}", "region": REGION, "size": 100,
            "metadata": {"__system__encrypted": "1", "__system__cmkid": uuid_("kms")}, "tags": hds}))
    return {"version": 4, "terraform_version": "1.9.8", "serial": 1, "lineage": uuid_("lineage"),
            "outputs": {}, "resources": resources}


def _bundle_files(out: Path) -> None:
    (out / "resources").mkdir(parents=True, exist_ok=True)
    (out / "iam").mkdir(parents=True, exist_ok=True)
    (out / "tenant.yaml").write_text(
        f"tenant_id: {DOMAIN_ID}\nname: Centre Hospitalier Bench\nsupport_plan: business\n"
        f"allowed_regions: [{REGION}]\ndefault_region: {REGION}\nscope: {{tag: \"hds=true\"}}\n", encoding="utf-8")
    (out / "resources" / "main.tfstate").write_text(json.dumps(_tfstate(), indent=2), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["account", "person", "email", "role", "granted_at", "revoked_at", "approved_by", "ticket", "owner"])
    for account, person, role in PEOPLE:
        writer.writerow([account, person, f"{account}@ch-bench.example", role, "2025-01-06", "", "Alice Martin", "", ""])
    writer.writerow([SERVICE_ACCOUNT[0], "", "", "service", "2025-01-06", "", "Alice Martin", "", SERVICE_ACCOUNT[1]])
    (out / "access_register.csv").write_text(buffer.getvalue(), encoding="utf-8")
    users = [{"id": hexid("user", a), "name": a, "enabled": True, "access_mode": "default", "is_domain_owner": False,
              "pwd_status": True, "create_time": "2025-01-06T09:00:00.000000"} for a, _, _ in PEOPLE]
    users.append({"id": hexid("user", SERVICE_ACCOUNT[0]), "name": SERVICE_ACCOUNT[0], "enabled": True,
                  "access_mode": "programmatic", "is_domain_owner": False})
    (out / "iam" / "users.json").write_text(json.dumps({"users": users}, indent=1), encoding="utf-8")
    (out / "iam" / "mfa.json").write_text(json.dumps({"virtual_mfa_devices": [
        {"user_id": u["id"], "serial_number": f"mfa-{u['name']}"} for u in users]}, indent=1), encoding="utf-8")


def generate(events: int, out: Path, workers: int | None = None, quiet: bool = False) -> Path:
    """Write the bundle into `out` unless a complete one for the same N is already there."""
    stamp = out / ".complete"
    if stamp.exists() and stamp.read_text() == f"{FORMAT_VERSION} {events}":
        return out
    shutil.rmtree(out / "traces", ignore_errors=True)  # an older layout's files would stay beside the new ones
    out.mkdir(parents=True, exist_ok=True)
    _bundle_files(out)
    jobs = [(out, i, first, min(PER_FILE, events - first), events) for i, first in enumerate(range(0, events, PER_FILE))]
    with ProcessPoolExecutor(workers or os.cpu_count()) as pool:
        for done, _ in enumerate(pool.map(_write_file, jobs, chunksize=8), start=1):
            if not quiet and (done % 100 == 0 or done == len(jobs)):
                print(f"\r{done}/{len(jobs)} files", end="", file=sys.stderr, flush=True)
    if not quiet:
        print(file=sys.stderr)
    stamp.write_text(f"{FORMAT_VERSION} {events}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, help="number of trace events")
    parser.add_argument("--out", type=Path, help="bundle folder (default: bench/cache/N)")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("N must be positive")
    out = args.out or Path(__file__).resolve().parent / "cache" / str(args.events)
    generate(args.events, out)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
