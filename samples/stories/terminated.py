"""terminated/: Laboratoire Biomédical du Lac, contract ended 2026-03-31, deletion proofs (samples/README.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hds_audit.bundle_writer.clock import api_utc, at, days
from hds_audit.bundle_writer.files import REGISTER_COLUMNS, BundleFiles
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.register import Register, reg
from hds_audit.bundle_writer.tenant import tenant_yaml
from hds_audit.bundle_writer.terraform import tf_state
from hds_audit.bundle_writer.traces import FE_DOMAIN
from stories.common import IDS, hexid, uuid_

R = "eu-west-0"
org = "Laboratoire Biomédical du Lac"
mail = "labo-du-lac.example"

app = {"id": uuid_("lac", "ecs", "app"), "name": "lac-lims-app", "region": R, "az": "eu-west-0a"}
db = {"id": uuid_("lac", "ecs", "db"), "name": "lac-lims-db", "region": R, "az": "eu-west-0b"}
vol = {"id": uuid_("lac", "evs", "db-data"), "name": "lac-lims-db-data", "region": R, "az": "eu-west-0b"}
results_bucket, tracker_bucket = "labo-lac-resultats", "labo-lac-cts-traces"

CONTRACT_END = """contract_end: 2026-03-31                                 # deletion due by 2026-05-31 (contract end + 2 months)
tenant_deletion_requested_at: 2026-05-04T09:00:00+02:00  # ticket REQ-2026-0301, a Monday
tenant_deleted_at: 2026-05-15T17:00:00+02:00
# Working days after the request (French public holidays 8 May, 14 May Ascension, 25 May Whit Monday):
#   Tue 05-05 (1), Wed 05-06 (2), Thu 05-07 (3), Fri 05-08 holiday, Sat-Sun, Mon 05-11 (4),
#   Tue 05-12 (5), Wed 05-13 (6), Thu 05-14 holiday, Fri 05-15 (7): deleted on working day 7 of 10.
#   The 10th working day would be Wed 2026-05-20.
"""


def new_tenant() -> TenantTraces:
    return TenantTraces(IDS, "lac", "labo-du-lac", 20260401, {R: "lac"}, {
        "labo-du-lac": "203.0.113.90", "a.vidal": "203.0.113.91", "b.leroy": "203.0.113.92"})


def the_register() -> Register:
    return Register([
        reg("labo-du-lac", "Gilles Fabre", f"gilles.fabre@{mail}", "admin", "2025-11-03", "2026-05-15T17:00:00+02:00",
            approved_by="Direction"),
        reg("a.vidal", "Agathe Vidal", f"agathe.vidal@{mail}", "admin", "2025-11-03", "2026-05-04T09:00:00+02:00",
            approved_by="Gilles Fabre"),
        reg("b.leroy", "Bastien Leroy", f"bastien.leroy@{mail}", "operator", "2025-11-03", "2026-04-30T18:00:00+02:00",
            approved_by="Gilles Fabre"),
    ])


def record_creation(t: TenantTraces) -> None:
    p = t.project_id(R)
    t.obs(at(2026, 1, 12, 15, 40, 2), R, "a.vidal", "createBucket", tracker_bucket, ttype="ObsAPI",
          request={"location": R}, event_type="system")
    t.add(at(2026, 1, 12, 15, 45, 31), R, "CTS", "createTracker", "tracker", "system", "system", account="a.vidal",
          ttype="ConsoleAction", request={"bucket_name": tracker_bucket, "file_prefix_name": "lac"}, path=f"/v3/{p}/tracker")
    t.obs(at(2026, 1, 12, 16, 0, 15), R, "a.vidal", "createBucket", results_bucket, ttype="ObsAPI",
          request={"location": R}, event_type="system")
    for when, server in ((at(2026, 1, 13, 10, 5, 9), app), (at(2026, 1, 13, 10, 12, 44), db)):
        t.add(when, R, "ECS", "createServer", "ecs", server["id"], server["name"], account="a.vidal", ttype="ApiCall",
              request={"server": {"name": server["name"], "flavorRef": "s6.large.2", "availability_zone": server["az"]}},
              response={"job_id": uuid_("lac", "job", server["id"])}, path=f"/v1/{p}/cloudservers")
    t.add(at(2026, 1, 13, 10, 20, 3), R, "EVS", "createVolume", "evs", vol["id"], vol["name"], account="a.vidal",
          ttype="ApiCall", request={"volume": {"name": vol["name"], "size": 200, "metadata": {"__system__encrypted": "1"}}},
          path=f"/v2/{p}/volumes")


def record_deletion(t: TenantTraces) -> None:
    """Return of the data and deletion, April 2026."""
    p = t.project_id(R)
    for day, hour in ((date(2026, 4, 13), 9), (date(2026, 4, 14), 9), (date(2026, 4, 15), 9), (date(2026, 4, 16), 9), (date(2026, 4, 29), 10)):
        t.login(at(day, hour, 2, t.rng.int(0, 59)), R, "a.vidal")
    t.login(at(2026, 4, 13, 9, 30, 12), R, "b.leroy")
    for i in range(3):
        t.obs(at(2026, 4, 13, 9, 40 + 5 * i, 0), R, "b.leroy", "GetObject", results_bucket,
              f"reversibility/export-2026-04-13-part{i + 1}.tar.zst")
    t.add(at(2026, 4, 14, 10, 2, 18), R, "EVS", "deleteVolume", "evs", vol["id"], vol["name"], account="a.vidal",
          ttype="ConsoleAction", code=400, rating="warning", path=f"/v2/{p}/volumes/{vol['id']}",
          response={"badRequest": {"code": 400, "message": "Volume status must be available, but current status is: in-use."}})
    t.add(at(2026, 4, 14, 10, 9, 51), R, "ECS", "detachVolume", "ecs", db["id"], db["name"], account="a.vidal",
          ttype="ConsoleAction", path=f"/v1/{p}/cloudservers/{db['id']}/detachvolume/{vol['id']}")
    t.add(at(2026, 4, 14, 10, 15, 37), R, "EVS", "deleteVolume", "evs", vol["id"], vol["name"], account="a.vidal",
          ttype="ConsoleAction", path=f"/v2/{p}/volumes/{vol['id']}")
    for when, server in ((at(2026, 4, 14, 10, 30, 4), app), (at(2026, 4, 14, 10, 32, 26), db)):
        t.add(when, R, "ECS", "deleteServer", "ecs", server["id"], server["name"], account="a.vidal", ttype="ConsoleAction",
              request={"servers": [{"id": server["id"]}], "delete_publicip": True, "delete_volume": True},
              response={"job_id": uuid_("lac", "delete-job", server["id"])}, path=f"/v1/{p}/cloudservers/delete")
    t.obs(at(2026, 4, 16, 9, 50, 40), R, "a.vidal", "DeleteObjects", results_bucket, request={"quiet": True, "objects": 1284})
    t.obs(at(2026, 4, 16, 9, 55, 13), R, "a.vidal", "deleteBucket", results_bucket, event_type="system")


def record_last_traces(t: TenantTraces) -> None:
    """The tracker and its bucket go last: those traces come from the CTS API, not from the deleted bucket."""
    p = t.project_id(R)
    final = ("envelope", "traces/api/cts-list-traces-eu-west-0-2026-04-29.json")
    t.add(at(2026, 4, 29, 10, 55, 2), R, "OBS", "DeleteObjects", "bucket", tracker_bucket, tracker_bucket, account="a.vidal",
          ttype="ObsAPI", event_type="data", url=f"https://{tracker_bucket}.oss.{R}.{FE_DOMAIN}/?delete", dest=final,
          request={"quiet": True, "objects": 3107})
    t.add(at(2026, 4, 29, 11, 0, 8), R, "CTS", "deleteTracker", "tracker", "system", "system", account="a.vidal",
          ttype="ConsoleAction", path=f"/v3/{p}/trackers?tracker_name=system", dest=final)
    t.add(at(2026, 4, 29, 11, 5, 27), R, "OBS", "deleteBucket", "bucket", tracker_bucket, tracker_bucket, account="a.vidal",
          ttype="ObsAPI", url=f"https://{tracker_bucket}.oss.{R}.{FE_DOMAIN}/", dest=final)


def write_csbs(b: BundleFiles, t: TenantTraces) -> None:
    """CSBS backups of the two servers: weekly until the contract end, deleted on 2026-04-14."""
    p = t.project_id(R)
    items = []
    for server in (app, db):
        for d in days(date(2026, 1, 18), date(2026, 3, 29)):
            if d.weekday() != 6:
                continue
            created = at(d, 2, 0, t.rng.int(0, 59))
            cid = uuid_("lac", "csbs", server["id"], d.isoformat())
            items.append({
                "id": cid, "name": f"autobk_{hexid('csbs-name', cid, n=4)}", "checkpoint_id": uuid_("lac", "csbs-cp", d.isoformat()),
                "resource_id": server["id"], "resource_type": "OS::Nova::Server", "status": "deleted",
                "description": "", "tenant_id": p, "created_at": api_utc(created),
                "updated_at": api_utc(at(2026, 4, 14, 9, 45, t.rng.int(0, 59))),
                "extend_info": {"resource_name": server["name"], "resource_az": server["az"], "resource_type": "OS::Nova::Server",
                                "auto_trigger": True, "encrypted": True, "image_type": "backup", "incremental": d != date(2026, 1, 18),
                                "progress": 100, "size": 40, "supported_restore_mode": "backup", "fail_reason": ""},
            })
    b.listing("backups/csbs.json", "checkpoint_items", items, count=len(items))


def write_rest(b: BundleFiles, t: TenantTraces) -> None:
    b.json("resources/main.tfstate", tf_state("lac-main", 141, []))
    b.table("tickets.csv", ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"], [
        ["REQ-2026-0301", "request", "P3", "2026-05-04T09:00:00+02:00", "2026-05-04T09:25:00+02:00", "2026-05-15T17:00:00+02:00", "false"],
    ])
    b.write("tenant.yaml", tenant_yaml(
        f"{org}: contract ended on 2026-03-31; sample for `hds-audit deletion` (2026-Q2).", t.domain_id, org,
        "business", "all", extra=CONTRACT_END))


def build(root: Path) -> None:
    """The bundle, in the order its jitter is drawn (traces, then backups)."""
    b = BundleFiles(root)
    t = new_tenant()
    register = the_register()
    b.table("access_register.csv", REGISTER_COLUMNS, register.rows)
    record_creation(t)
    record_deletion(t)
    record_last_traces(t)
    t.write(b)
    write_csbs(b, t)
    write_rest(b, t)
