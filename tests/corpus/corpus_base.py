"""The base bundle every corpus case starts from: small, in the contract's formats, and clean.

On it, for 2026-Q3, every check that has its evidence passes (attestations of rules nobody
attested stay `manual`; backup quota and deletion checks are `not_applicable`). Each corpus case
then writes, breaks or removes a few files of a copy of it (see cases.yaml).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bundle_builder import BundleBuilder, trace

from hds_audit.bundle_writer.documents import attestation_yaml, certificate_yaml
from hds_audit.bundle_writer.files import RESTORE_COLUMNS, sha256
from hds_audit.bundle_writer.terraform import PROVIDER_NEW, tf_resource, tf_state

PERIOD = "2026-Q3"
REGION = "eu-west-0"
TRACE_BUCKET = "ch-traces"
SERVER_ID = "srv-0001"
VOLUME_ID = "vol-0001"

USERS = [
    {"name": "a.durand"},
    {"name": "chtest", "is_domain_owner": True},
    {"name": "b.martin"},
    {"name": "svc.backup", "access_mode": "programmatic"},
    {"name": "orange.support", "enabled": False},
]
REGISTER = [
    {"account": "chtest", "person": "Claire Test", "email": "claire.test@ch.example", "role": "admin", "granted_at": "2025-01-06", "approved_by": "Directeur"},
    {"account": "a.durand", "person": "Alice Durand", "email": "alice.durand@ch.example", "role": "admin", "granted_at": "2026-01-05", "approved_by": "Claire Test"},
    {"account": "b.martin", "person": "Bruno Martin", "email": "bruno.martin@ch.example", "role": "trace_reader", "granted_at": "2026-02-02", "approved_by": "Claire Test"},
    {"account": "svc.backup", "person": "", "email": "", "role": "service", "granted_at": "2026-01-05", "approved_by": "Claire Test", "owner": "Alice Durand"},
    {"account": "orange.support", "person": "Orange Support", "email": "", "role": "provider_support", "granted_at": "2026-07-10T10:00:00+02:00",
     "revoked_at": "2026-07-13T10:00:00+02:00", "approved_by": "Claire Test", "ticket": "INC-0001"},
]
TICKETS = [
    {"ticket_id": "INC-0001", "category": "incident", "priority": "P3", "opened_at": "2026-07-10T10:00:00+02:00",
     "responded_at": "2026-07-10T10:30:00+02:00", "resolved_at": "2026-07-10T16:00:00+02:00", "api_incident": "false"},
    {"ticket_id": "REQ-0002", "category": "request", "priority": "P4", "opened_at": "2026-08-12T11:00:00+02:00",
     "responded_at": "2026-08-12T14:00:00+02:00", "resolved_at": "", "api_incident": "false"},
]
DOC = b"%PDF-1.4\n% a stand-in for a signed document\n"
DOC_SHA = sha256(DOC)


def tf(rtype: str, name: str, attributes: dict) -> dict:
    return tf_resource(rtype, name, PROVIDER_NEW, [attributes], private=False)


def tfstate(*entries: dict, version: int = 4) -> str:
    return json.dumps(tf_state("corpus", 3, list(entries), lineage="6b1c0c4e-0000-4000-8000-000000000001",
                               terraform_version="1.5.7", version=version), indent=1)


def resources() -> list[dict]:
    hds = {"hds": "true"}
    return [
        tf("flexibleengine_compute_instance_v2", "dpi", {"id": SERVER_ID, "name": "dpi", "region": REGION, "tags": hds}),
        tf("flexibleengine_blockstorage_volume_v2", "data", {"id": VOLUME_ID, "name": "dpi-data", "region": REGION,
                                                             "metadata": {"__system__encrypted": "1", "hds": "true"}}),
        tf("flexibleengine_obs_bucket", "data", {"id": "ch-data", "bucket": "ch-data", "region": REGION, "encryption": True,
                                                 "kms_key_id": "kms-1", "tags": hds}),
        tf("flexibleengine_obs_bucket", "traces", {"id": TRACE_BUCKET, "bucket": TRACE_BUCKET, "region": REGION, "encryption": True,
                                                   "kms_key_id": "kms-1", "tags": {}}),
        tf("flexibleengine_cts_tracker_v1", "system", {"id": "system", "tracker_name": "system", "bucket_name": TRACE_BUCKET,
                                                       "status": "enabled", "region": REGION}),
        tf("flexibleengine_lb_listener_v2", "web", {"id": "lst-0001", "name": "web", "protocol": "TERMINATED_HTTPS",
                                                    "protocol_port": 443, "tls_ciphers_policy": "tls-1-2", "region": REGION}),
    ]


def daily(start: datetime, days: int):
    return [start + timedelta(days=d) for d in range(days)]


def backups() -> dict:
    items = []
    for n, at in enumerate(daily(datetime(2026, 6, 30, 1, 0, tzinfo=UTC), 93)):
        for rid, rtype in ((SERVER_ID, "OS::Nova::Server"), (VOLUME_ID, "OS::Cinder::Volume")):
            items.append({"id": f"bk-{rid}-{n:03d}", "resource_id": rid, "resource_type": rtype, "resource_az": f"{REGION}a",
                          "status": "available", "created_at": at.strftime("%Y-%m-%dT%H:%M:%S"),
                          "expired_at": (at + timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S"),
                          "extend_info": {"encrypted": True}, "replication_records": []})
    return {"backups": items}


def month_traces(month: int) -> list[dict]:
    """A system trace every day at noon (continuity), and a few actions by registered accounts."""
    out = []
    for at in daily(datetime(2026, month, 1, 12, 0, tzinfo=UTC), 31):
        if at.month == month:
            out.append(trace(None, at.isoformat(), name="createBackup", service="CBR", trace_id=f"sys-{at:%m%d}"))
    out.append(trace("a.durand", f"2026-{month:02d}-03T10:00:00+02:00", trace_id=f"ad-{month}"))
    out.append(trace("b.martin", f"2026-{month:02d}-04T11:00:00+02:00", name="GetObject", service="OBS",
                     resource_type="bucket", resource_id=f"{TRACE_BUCKET}/CloudTraces/x.json.gz", resource_name=TRACE_BUCKET,
                     trace_type="ObsSDK", trace_id=f"bm-{month}"))
    return out


def trace_file(month: int) -> str:
    return f"CloudTraces/{REGION}/2026/{month}/1/system/ECS/cts_CloudTrace_{REGION}_2026-{month:02d}-01T00-00-00Z_{month:04x}.json.gz"


def build_base(root: Path) -> BundleBuilder:
    b = BundleBuilder(root)
    b.users(*USERS)
    b.mfa("id-a.durand", "id-chtest", "id-b.martin")
    b.register(*REGISTER)
    b.tickets(*TICKETS)
    for month in (7, 8, 9):
        b.traces(month_traces(month), name=trace_file(month))
    b.write("resources/main.tfstate", tfstate(*resources()))
    b.write("backups/cbr.json", json.dumps(backups(), indent=1))
    b.table("restore_tests.csv", RESTORE_COLUMNS, [{"tested_at": "2026-08-18T14:00:00+02:00", "resource_id": VOLUME_ID,
                                                    "backup_id": f"bk-{VOLUME_ID}-049", "result": "success", "record": "PV-RESTORE-08"}])
    b.write("provider/docs/hds.pdf", DOC)
    b.write("provider/docs/iso.pdf", DOC)
    b.write("provider/hds_certificate.yaml", certificate_yaml("hds_certificate", "Example Cert", "2024-03-01", "2027-02-28",
                                                              "provider/docs/hds.pdf", DOC_SHA))
    b.write("provider/iso27001_certificate.yaml", certificate_yaml("iso27001_certificate", "Example Cert", "2025-01-15",
                                                                   "2028-01-14", "provider/docs/iso.pdf", DOC_SHA))
    b.write("attestations/docs/workstation.pdf", DOC)
    b.write("attestations/workstation.yaml", attestation_yaml("Workstation safety", "Workstations are locked and encrypted.",
                                                              "Claire Test (RSSI)", "2026-06-15",
                                                              "attestations/docs/workstation.pdf", DOC_SHA))
    return b
