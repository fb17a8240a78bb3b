#!/usr/bin/env python3
"""Generate a synthetic evidence bundle holding N Cloud Trace Service events, for the benchmark.

    python bench/generate.py 1000000 --out bench/cache/1000000
    python bench/generate.py 1000000 --layout mixed --out bench/cache/1000000-mixed

Deterministic (fixed seeds, gzip mtime=0): the same N and layout give the same bytes. It writes through
hds_audit.bundle_writer, the writer of the sample and test bundles. In CTS's own layout (`--layout cts`,
the default) the traces follow the OBS layout CTS writes (docs/user-guide.md, "The evidence bundle"):
`traces/CloudTraces/{region}/{YYYY}/{M}/{D}/{tracker}/{Service}/{prefix}_CloudTrace_{region}_{timestamp}_{hex}.json.gz`,
each file a gzip JSON array of 1,000 traces of one service (the last file may hold fewer): files go to
ECS, EVS, IAM, VPC and OBS in turn, as CTS writes each service into its own folder. The events spread evenly
over 2026-Q3 (Europe/Paris), so `trace.continuity` passes; a small share are SystemAction traces
with `user: null`, and some are reads of the trace bucket by the `trace_reader` account.

The other layouts hold the very same traces, in files the contract accepts but CTS does not write
(LAYOUTS). Beside the traces the bundle holds what a whole `hds-audit run` needs: `tenant.yaml`, a
Terraform state with the tracker, its bucket and in-scope resources, an access register and IAM users.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # hds_audit, when run from a checkout

from hds_audit.bundle_writer.clock import PARIS, epoch_ms, from_ms  # noqa: E402
from hds_audit.bundle_writer.files import REGISTER_COLUMNS, BundleFiles  # noqa: E402
from hds_audit.bundle_writer.ids import Ids  # noqa: E402
from hds_audit.bundle_writer.terraform import PROVIDER_NEW, tf_resource, tf_state  # noqa: E402
from hds_audit.bundle_writer.traces import FE_DOMAIN, cts_key, cts_trace, cts_user, write_trace_file  # noqa: E402

REGION = "eu-west-0"
TRACKER = "system"
PREFIX = "bench"
BUCKET = "ch-bench-cts-traces"
DOMAIN_ID = "5a7e0c1b9d2f4e6a8b0c1d2e3f4a5b6c"
PROJECT_ID = "c0ffee00c0ffee00c0ffee00c0ffee00"
PERIOD_START = datetime(2026, 7, 1, tzinfo=PARIS)
PERIOD_END = datetime(2026, 10, 1, tzinfo=PARIS)
PER_FILE = 1000
FORMAT_VERSION = "3"  # bump when the layout changes, so cached bundles are regenerated
IDS = Ids("hds-audit-bench")

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
INTRUDER = "x.inconnu"  # with `planted`: an account absent from the register and from IAM
# With `full` (a bundle full of findings, the bench's "findings" case): a third of the accounted traces by one of
# OUTSIDERS accounts in neither the register nor IAM, half the OBS traces reads of the trace bucket by operators, and
# every OUTSIDE_EVERY-th file in OUTSIDE_REGION, a region the tenant does not allow: checks write out most files.
OUTSIDERS, OUTSIDE_REGION, OUTSIDE_EVERY = 400, "eu-west-1", 10
ACTIONS = {  # service -> (resource_type, [trace names], endpoint host)
    "ECS": ("server", ["createServer", "updateServer", "startServer", "stopServer", "rebootServer"], "ecs"),
    "EVS": ("volume", ["createVolume", "updateVolume", "extendVolume"], "evs"),
    "IAM": ("user", ["login", "logout", "updateUser"], "iam"),
    "VPC": ("vpc", ["updateVpc", "createSecurityGroupRule"], "vpc"),
    "OBS": ("object", ["PutObject", "GetObject", "HeadObject", "ListObjects"], "oss"),
}
# CTS writes each service's traces into its own folder, so a file holds one service: block i holds FILE_SERVICES[i % 5]
FILE_SERVICES = tuple(ACTIONS)
OBS_SHARE = FILE_SERVICES.count("OBS") / len(FILE_SERVICES)
# Valid layouts the trace reader accepts (CONTRACT.md §2, traces/**), each holding the same traces:
# layout -> (file name ending, file shape, service folder: "own", a fixed one, or None for none)
LAYOUTS = {
    "cts": ("json.gz", "array", "own"),  # CTS's own: one service a file, in its folder
    "mixed": ("json.gz", "array", "ECS"),  # files mixing services, all in a non-OBS service folder
    "no-service": ("json.gz", "array", None),  # a tracker without service folders: {tracker}/{file}
    "lines": ("jsonl.gz", "lines", "own"),  # JSON lines
    "envelope": ("json.gz", "envelope", "own"),  # the CTS API's {"traces": [...]} answer
    "plain": ("json", "array", "own"),  # uncompressed
}


def _who(rng: random.Random, n: int, service: str, planted: bool, full: bool = False) -> tuple[str | None, str, str, bool]:
    """Account, trace type, trace name and whether it reads the trace bucket: 5 % of all traces are SystemAction
    (user null, never OBS), 2 % reads of the trace bucket by the trace reader (OBS files only); `planted` adds a
    few findings (an operator reading the trace bucket, an account in neither the register nor IAM)."""
    roll = rng.random()
    if full and service == "OBS" and roll >= 0.5:
        return rng.choice(PEOPLE[2:12])[0], "ObsSDK", rng.choice(["GetObject", "ListObjects"]), True
    if service == "OBS" and roll < 2 / OBS_SHARE / 100:
        reader = "c.petit" if planted and n % 7 == 0 else PEOPLE[-1][0]
        return reader, "ObsSDK", rng.choice(["GetObject", "ListObjects"]), True
    if service != "OBS" and roll < 5 / (1 - OBS_SHARE) / 100:
        name = ("deleteServer" if rng.random() < 0.1 else "createCheckpoint") if service == "ECS" else rng.choice(ACTIONS[service][1])
        return None, "SystemAction", name, False
    user = SERVICE_ACCOUNT[0] if rng.random() < 0.1 else rng.choice(PEOPLE[:12])[0]
    trace_type = "ObsSDK" if service == "OBS" else rng.choice(["ConsoleAction", "ApiCall"])
    if full and n % 3 == 0:
        user = f"ext.{n % OUTSIDERS:03d}"
    return INTRUDER if planted and n % 499 == 0 else user, trace_type, rng.choice(ACTIONS[service][1]), False


def _event(rng: random.Random, n: int, when: int, service: str, planted: bool = False, full: bool = False) -> dict:
    """Trace number n of the bundle, of `service`, at `when` (epoch ms)."""
    user, trace_type, name, reads_traces = _who(rng, n, service, planted, full)
    resource_type, _, host = ACTIONS[service]
    if service == "OBS":
        bucket = BUCKET if reads_traces else "ch-bench-exports"
        resource_id, resource_name = f"{bucket}/{PREFIX}/CloudTraces/{REGION}/obj-{n % 997}.json.gz", bucket
    else:
        resource_id, resource_name = IDS.uuid(service, n % 211), f"{service.lower()}-{n % 211:03d}"
    return cts_trace(
        IDS.uuid("trace", n), name, rating="warning" if rng.random() < 0.01 else "normal", trace_type=trace_type,
        event_type="system" if user is None else "global", service=service, resource_type=resource_type,
        resource_id=resource_id, resource_name=resource_name, source_ip="" if user is None else f"192.168.10.{n % 250 + 1}",
        user=None if user is None else cts_user(IDS.hex("user", user), user, DOMAIN_ID, "ch-bench"),
        time=when, record_time=when + 300 + n % 500, code=200 if n % 3 else "200",
        request=json.dumps({"id": resource_name}) if n % 2 else None, response={"status": "ok"},
        endpoint=f"https://{host}.{REGION}.{FE_DOMAIN}",
        resource_url=f"https://{host}.{REGION}.{FE_DOMAIN}/v2/{PROJECT_ID}/{resource_type}s/{resource_id}",
        api_version="v2", project_id=PROJECT_ID, tracker_name=TRACKER)


def _block(index: int, first: int, count: int, total: int, planted: bool, full: bool = False) -> list[dict]:
    """The traces of block `index` (events first .. first+count-1), sorted by time: one CTS file's worth."""
    rng = random.Random(index)
    span = epoch_ms(PERIOD_END) - epoch_ms(PERIOD_START)
    # event k of the whole set happens at k/total of the period, plus up to 30 s of jitter
    times = [epoch_ms(PERIOD_START) + (first + k) * span // total + rng.randrange(30_000) for k in range(count)]
    service = FILE_SERVICES[index % len(FILE_SERVICES)]
    return [_event(rng, first + k, t, service, planted, full) for k, t in enumerate(sorted(times))]


def _files_of(blocks: list[tuple[int, list[dict]]], layout: str) -> list[tuple[int, str | None, list[dict]]]:
    """(file index, service folder, traces) of the files a group of blocks makes in `layout`."""
    _, _, folder = LAYOUTS[layout]
    if layout != "mixed":
        return [(i, b[0]["service_type"] if folder == "own" else folder, b) for i, b in blocks]
    # round robin over the group's blocks (one of each service): every file mixes services, the traces stay the same
    width = len(blocks)
    merged = [t for _, b in blocks for t in b]
    return [(i, folder, sorted(merged[j::width], key=lambda t: t["time"])) for j, (i, _) in enumerate(blocks)]


def _write_group(args: tuple[Path, int, int, int, str, bool, bool]) -> int:
    """Write the files of one group of consecutive blocks (one per service); returns how many."""
    out, group, events, per_file, layout, planted, full = args
    ext, shape, _ = LAYOUTS[layout]
    width = len(FILE_SERVICES)
    firsts = range(group * width * per_file, min(events, (group + 1) * width * per_file), per_file)
    blocks = [(first // per_file, _block(first // per_file, first, min(per_file, events - first), events, planted, full))
              for first in firsts]
    files = BundleFiles(out)
    for index, folder, traces in _files_of(blocks, layout):
        region = OUTSIDE_REGION if full and index % OUTSIDE_EVERY == OUTSIDE_EVERY - 1 else REGION
        rel = cts_key(PREFIX, region, from_ms(traces[0]["time"]), IDS.hex("file", index, n=16), ext,
                      tracker=TRACKER, service=folder)
        write_trace_file(files, rel, traces, shape, level=6)
    return len(blocks)


def _tfstate() -> dict:
    hds = {"hds": "true"}

    def tf(rtype: str, name: str, attributes: dict) -> dict:
        return tf_resource(rtype, name, PROVIDER_NEW, [attributes], private=False)

    resources = [
        tf("flexibleengine_cts_tracker_v1", "system", {
            "id": TRACKER, "tracker_name": TRACKER, "region": REGION, "bucket_name": BUCKET,
            "file_prefix_name": PREFIX, "status": "enabled"}),
        tf("flexibleengine_obs_bucket", "traces", {
            "id": BUCKET, "bucket": BUCKET, "region": REGION, "encryption": True, "sse_algorithm": "kms",
            "kms_key_id": IDS.uuid("kms"), "versioning": False, "tags": hds,
            "lifecycle_rule": [{"name": "expire-after-3-years", "enabled": True, "prefix": f"{PREFIX}/",
                                "expiration": [{"days": 1095}], "transition": []}]}),
    ]
    for i in range(4):
        resources.append(tf("flexibleengine_compute_instance_v2", f"app{i}", {
            "id": IDS.uuid("server", i), "name": f"bench-app-{i}", "region": REGION, "tags": hds}))
        resources.append(tf("flexibleengine_blockstorage_volume_v2", f"data{i}", {
            "id": IDS.uuid("volume", i), "name": f"bench-data-{i}", "region": REGION, "size": 100,
            "metadata": {"__system__encrypted": "1", "__system__cmkid": IDS.uuid("kms")}, "tags": hds}))
    return tf_state("bench", 1, resources, lineage=IDS.uuid("lineage"))


def _bundle_files(out: Path) -> None:
    files = BundleFiles(out)
    files.write("tenant.yaml", f"tenant_id: {DOMAIN_ID}\nname: Centre Hospitalier Bench\nsupport_plan: business\n"
                               f"allowed_regions: [{REGION}]\ndefault_region: {REGION}\nscope: {{tag: \"hds=true\"}}\n")
    files.json("resources/main.tfstate", _tfstate())
    rows = [[account, person, f"{account}@ch-bench.example", role, "2025-01-06", "", "Alice Martin", "", ""]
            for account, person, role in PEOPLE]
    rows.append([SERVICE_ACCOUNT[0], "", "", "service", "2025-01-06", "", "Alice Martin", "", SERVICE_ACCOUNT[1]])
    files.table("access_register.csv", REGISTER_COLUMNS, rows)
    users = [{"id": IDS.hex("user", a), "name": a, "enabled": True, "access_mode": "default", "is_domain_owner": False,
              "pwd_status": True, "create_time": "2025-01-06T09:00:00.000000"} for a, _, _ in PEOPLE]
    users.append({"id": IDS.hex("user", SERVICE_ACCOUNT[0]), "name": SERVICE_ACCOUNT[0], "enabled": True,
                  "access_mode": "programmatic", "is_domain_owner": False})
    files.json("iam/users.json", {"users": users}, indent=1)
    files.json("iam/mfa.json", {"virtual_mfa_devices": [
        {"user_id": u["id"], "serial_number": f"mfa-{u['name']}"} for u in users]}, indent=1)


def generate(events: int, out: Path, workers: int | None = None, quiet: bool = False, *, layout: str = "cts",
             per_file: int = PER_FILE, planted: bool = False, full: bool = False) -> Path:
    """Write the bundle into `out` unless a complete one for the same N and layout is already there.
    `workers` 1 writes in this process; `planted` adds a few findings (tests compare layouts with it), `full` many
    (OUTSIDERS)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: one of {', '.join(LAYOUTS)}")
    stamp, signature = out / ".complete", f"{FORMAT_VERSION} {events} {layout} {per_file} {planted}" + (" full" if full else "")
    if stamp.exists() and stamp.read_text() == signature:
        return out
    shutil.rmtree(out / "traces", ignore_errors=True)  # an older layout's files would stay beside the new ones
    out.mkdir(parents=True, exist_ok=True)
    _bundle_files(out)
    groups = -(-events // (per_file * len(FILE_SERVICES)))
    jobs = [(out, g, events, per_file, layout, planted, full) for g in range(groups)]
    total = -(-events // per_file)
    if workers == 1:
        written = map(_write_group, jobs)
        _progress(written, total, quiet)
    else:
        with ProcessPoolExecutor(workers or os.cpu_count()) as pool:
            _progress(pool.map(_write_group, jobs, chunksize=2), total, quiet)
    stamp.write_text(signature)
    return out


def _progress(written, total: int, quiet: bool) -> None:
    done = 0
    for count in written:
        done += count
        if not quiet and (done % 100 < count or done == total):
            print(f"\r{done}/{total} files", end="", file=sys.stderr, flush=True)
    if not quiet:
        print(file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, help="number of trace events")
    parser.add_argument("--out", type=Path, help="bundle folder (default: bench/cache/N, or N-LAYOUT)")
    parser.add_argument("--layout", choices=list(LAYOUTS), default="cts", help="how the trace files are laid out")
    parser.add_argument("--findings-full", action="store_true", help="a bundle full of findings (OUTSIDERS), into N-findings")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("N must be positive")
    out = args.out or Path(__file__).resolve().parent / "cache" / cache_name(args.events, args.layout, args.findings_full)
    generate(args.events, out, layout=args.layout, full=args.findings_full)
    print(out)
    return 0


def cache_name(events: int, layout: str, full: bool = False) -> str:
    return (str(events) if layout == "cts" else f"{events}-{layout}") + ("-findings" if full else "")


if __name__ == "__main__":
    raise SystemExit(main())
