"""violations/: Clinique des Tilleuls, 2026-Q3, with faults planted on purpose (samples/README.md, VIOLATIONS.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from hds_audit.bundle_writer.backups import cbr_backup, find_backup, twice_daily
from hds_audit.bundle_writer.clock import PARIS, UTC, at, days, epoch_ms
from hds_audit.bundle_writer.files import REGISTER_COLUMNS, BundleFiles, q
from hds_audit.bundle_writer.iam import iam_user
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.register import Register, reg
from hds_audit.bundle_writer.tenant import tenant_yaml
from stories.common import IDS, mfa, routine_day, uuid_, write_attestations, write_provider
from stories.violations_resources import (
    SG,
    R,
    data_bucket,
    dr_vault,
    end,
    export_bucket,
    gap,
    http_listener,
    mail,
    manual_id,
    manual_time,
    org,
    policy_repl,
    policy_sg,
    rds_copy,
    servers,
    sg_server,
    start,
    tracker_bucket,
    vault_disk,
    vault_sg,
    vault_srv,
    volumes,
    write_resources,
)


def em(local):
    return f"{local}@{mail}"


def new_tenant() -> TenantTraces:
    return TenantTraces(IDS, "tilleuls", "clinique-tilleuls", 20260702, {R: "tilleuls", SG: "tilleuls-sg"}, {
        "clinique-tilleuls": "203.0.113.60", "i.lambert": "203.0.113.61", "a.moreau": "203.0.113.62",
        "e.garnier": "203.0.113.63", "r.petit": "203.0.113.64", "n.roche": "203.0.113.65",
        "l.bernard": "203.0.113.66", "j.martin": "198.51.100.140", "svc-pacs-export": "192.168.30.15",
    })


def the_register() -> Register:
    return Register([
        reg("clinique-tilleuls", "Bruno Carré", em("bruno.carre"), "admin", "2023-05-15", approved_by="Direction"),
        reg("admin", None, None, "admin", "2023-05-15", approved_by="Bruno Carré"),
        reg("i.lambert", "Isabelle Lambert", em("isabelle.lambert"), "admin", "2023-05-15", approved_by="Bruno Carré"),
        reg("a.moreau", "Alice Moreau", em("alice.moreau"), "operator", "2024-05-02", "2025-11-30T18:00:00+01:00",
            approved_by="Isabelle Lambert"),
        reg("j.martin", "Julien Martin", em("julien.martin"), "operator", "2024-10-01", "2026-08-14T18:00:00+02:00",
            approved_by="Isabelle Lambert"),
        reg("n.roche", "Nathalie Roche", em("nathalie.roche"), "auditor", "2025-01-13", approved_by="Bruno Carré"),
        reg("e.garnier", "Émilie Garnier", em("emilie.garnier"), "operator", "2025-03-03", approved_by="Isabelle Lambert"),
        reg("svc-pacs-export", None, None, "service", "2025-06-02", approved_by="Isabelle Lambert", owner="Isabelle Lambert"),
        reg("r.petit", "Romain Petit", em("romain.petit"), "operator", "2025-09-01", approved_by="Isabelle Lambert"),
        reg("a.moreau", "Antoine Moreau", em("antoine.moreau"), "operator", "2026-01-05", approved_by="Isabelle Lambert"),
        reg("ob-support-0219", "Karim Benali", "karim.benali@fe-support.example", "provider_support",
            "2026-03-30T11:00:00+02:00", approved_by="Isabelle Lambert", ticket="INC-2026-0219"),
        reg("l.bernard", "Léa Bernard", em("lea.bernard"), "operator", "2026-07-20T09:00:00+02:00", approved_by="Isabelle Lambert"),
    ])


def write_iam(b: BundleFiles, t: TenantTraces, register: Register) -> None:
    b.table("access_register.csv", REGISTER_COLUMNS, register.rows)

    b.listing("iam/users.json", "users", [
        iam_user(t, "clinique-tilleuls", owner=True, created=at(2023, 5, 15, 10, 0), last_login=at(2026, 6, 11, 16, 20),
                 email=em("bruno.carre"), description="Domain owner"),
        iam_user(t, "admin", created=at(2023, 5, 15, 10, 30), last_login=at(2026, 5, 2, 22, 13),
                 description="shared administration account"),
        iam_user(t, "i.lambert", created=at(2023, 5, 15, 10, 40), last_login=at(2026, 9, 30, 8, 15), email=em("isabelle.lambert")),
        iam_user(t, "a.moreau", mode="console", created=at(2024, 5, 2, 9, 0), last_login=at(2026, 9, 30, 8, 31), email=em("antoine.moreau")),
        iam_user(t, "j.martin", enabled=False, mode="console", created=at(2024, 10, 1, 9, 0), last_login=at(2026, 8, 20, 21, 14),
                 email=em("julien.martin")),
        iam_user(t, "n.roche", mode="console", created=at(2025, 1, 13, 9, 0), last_login=at(2026, 9, 30, 13, 52), email=em("nathalie.roche")),
        iam_user(t, "e.garnier", mode="console", created=at(2025, 3, 3, 9, 0), last_login=at(2026, 9, 30, 8, 48), email=em("emilie.garnier")),
        iam_user(t, "svc-pacs-export", mode="programmatic", created=at(2025, 6, 2, 11, 0), last_login=None,
                 description="PACS export job; owner Isabelle Lambert"),
        iam_user(t, "r.petit", mode="console", created=at(2025, 9, 1, 9, 0), last_login=at(2026, 9, 29, 8, 44), email=em("romain.petit")),
        iam_user(t, "ob-support-0219", mode="console", created=at(2026, 3, 30, 11, 5), last_login=at(2026, 4, 2, 15, 2),
                 email="karim.benali@fe-support.example", description="Provider support, INC-2026-0219"),
        iam_user(t, "l.bernard", mode="console", created=at(2026, 7, 15, 17, 40), last_login=at(2026, 9, 30, 8, 20), email=em("lea.bernard")),
        iam_user(t, "p.henry", mode="console", created=at(2026, 6, 1, 9, 12), last_login=at(2026, 9, 18, 10, 3), email=em("paul.henry")),
    ])
    b.json("iam/mfa.json", mfa(
        t, ["clinique-tilleuls", "admin", "i.lambert", "a.moreau", "n.roche", "r.petit", "ob-support-0219", "l.bernard", "p.henry"],
        [("e.garnier", False, "sms"), ("j.martin", True, "vmfa")]))


def routine(t: TenantTraces, register: Register) -> None:
    t.blackouts.append((R, *gap))
    t.day_dest[(R, date(2026, 7, 14))] = "jsonl"  # one day as plain JSON lines
    cfg = {
        "region": R,
        "checkpoints": [(1, 30, vault_srv), (1, 31, vault_disk), (13, 30, vault_srv), (13, 31, vault_disk)],
        "service": ("svc-pacs-export", export_bucket, 2, 40, "pacs"),
        "operators": ["i.lambert", "a.moreau", "e.garnier", "r.petit", "j.martin", "l.bernard"],
        "servers": servers, "volumes": volumes, "data_bucket": data_bucket,
        "readers": {2: "n.roche"},
        "tracker_bucket": tracker_bucket, "tracker_prefix": "tilleuls",
    }
    cfg_sg = {"region": SG, "checkpoints": [(3, 0, vault_sg), (15, 0, vault_sg)]}
    for d in days(start, end):
        routine_day(t, register, d, cfg)
        routine_day(t, register, d, cfg_sg)


def record_story(t: TenantTraces, findings: list) -> None:
    """The planted events beside the routine, and the findings they are built to produce."""
    t.add(at(2026, 7, 3, 9, 12, 40), R, "CTS", "updateTracker", "tracker", "system", "system", account="i.lambert",
          ttype="ConsoleAction", request={"bucket_name": tracker_bucket, "file_prefix_name": "tilleuls", "status": "enabled"},
          path=f"/v3/{t.project_id(R)}/tracker",
          dest=("single", "traces/api/cts-trace-2026-07-03-updateTracker.json"))
    # activity in the non-EU region
    t.ecs(at(2026, 7, 7, 10, 4, 9), SG, "a.moreau", "startServer", sg_server, request={"os-start": {}}, method_path="/action")
    t.ecs(at(2026, 9, 15, 11, 20, 31), SG, "a.moreau", "updateServerMetadata", sg_server, method_path="/metadata",
          request={"metadata": {"purpose": "imaging analytics"}})
    findings.append(("residency.activity", SG,
                     "traces come from ap-southeast-1 (CBR backups twice a day, a.moreau on 2026-07-07 and 2026-09-15)"))


def record_access_faults(t: TenantTraces, findings: list) -> None:
    # l.bernard acts before her authorization starts (granted 2026-07-20 09:00)
    t.login(at(2026, 7, 16, 10, 42, 3), R, "l.bernard")
    t.ecs(at(2026, 7, 16, 11, 5, 44), R, "l.bernard", "updateServerMetadata", servers[0], method_path="/metadata",
          request={"metadata": {"owner": "l.bernard"}})
    findings.append(("access.register_covers_activity", "l.bernard",
                     "acts on 2026-07-16 (login, updateServerMetadata) before her authorization granted 2026-07-20T09:00:00+02:00"))
    # r.petit (operator only) reads the traces archive
    t.login(at(2026, 7, 28, 15, 6, 0), R, "r.petit")
    t.obs(at(2026, 7, 28, 15, 10, 12), R, "r.petit", "ListObjects", tracker_bucket,
          request={"prefix": "tilleuls/CloudTraces/eu-west-0/2026/7/27/"})
    t.obs(at(2026, 7, 28, 15, 12, 47), R, "r.petit", "GetObject", tracker_bucket,
          "tilleuls/CloudTraces/eu-west-0/2026/7/27/system/IAM/tilleuls_CloudTrace_eu-west-0_2026-07-27T06-12-09Z_3e9a0c1d5b7f2a48.json.gz")
    findings.append(("trace.access_entitlement", "r.petit",
                     f"ListObjects and GetObject on the tracker bucket {tracker_bucket} on 2026-07-28; r.petit holds only the operator role"))
    # j.martin, revoked on 2026-08-14 18:00, still acts on 2026-08-20 (his IAM user was disabled the next day)
    t.login(at(2026, 8, 20, 21, 14, 26), R, "j.martin", mfa=True)
    t.obs(at(2026, 8, 20, 21, 19, 2), R, "j.martin", "GetObject", data_bucket, "studies/2026/08/4c1f0e9a7b2d.dcm")
    t.obs(at(2026, 8, 20, 21, 19, 40), R, "j.martin", "GetObject", data_bucket, "studies/2026/08/9a3b6d2e1f07.dcm")
    t.iam(at(2026, 8, 21, 9, 31, 5), R, "i.lambert", "updateUser", "j.martin", request={"user": {"enabled": False}})
    findings.append(("access.no_activity_after_revocation", "j.martin",
                     "revoked 2026-08-14T18:00:00+02:00, logs in and downloads two PACS images on 2026-08-20 around 21:15"))
    findings.append(("access.register_covers_activity", "j.martin",
                     "the same 2026-08-20 actions fall outside any authorization of the register"))
    # CBR: replication policy towards eu-west-1 created, a manual unencrypted backup taken
    t.add(at(2026, 9, 14, 16, 45, 8), R, "CBR", "createPolicy", "policy", policy_repl, "tilleuls-dr-amsterdam",
          account="i.lambert", ttype="ConsoleAction",
          request={"policy": {"operation_type": "replication", "destination_region": "eu-west-1"}},
          path=f"/v3/{t.project_id(R)}/policies")
    t.add(manual_time, R, "CBR", "createCheckpoint", "vault", vault_srv["id"], vault_srv["name"], account="a.moreau",
          ttype="ConsoleAction", request={"checkpoint": {"parameters": {"auto_trigger": False, "resource_details": [
              {"id": servers[1]["id"], "type": "OS::Nova::Server"}]}}},
          path=f"/v3/{t.project_id(R)}/checkpoints")


def note_gap(t: TenantTraces, findings: list) -> None:
    """The longest gap, as the traces written show it."""
    times = sorted(tr["time"] for region, _, _, tr in t.traces if region == R)
    before = max(x for x in times if x < epoch_ms(gap[0]))
    after = min(x for x in times if x >= epoch_ms(gap[1]))
    hours = (after - before) / 3_600_000

    def paris(ms):
        return datetime.fromtimestamp(ms / 1000, tz=PARIS).strftime("%Y-%m-%d %H:%M")

    findings.append(("trace.continuity", R,
                     f"CTS delivery to OBS stopped: no trace between {paris(before)} and {paris(after)} (Paris), "
                     f"a gap of {hours:.1f} hours, over the 24-hour limit"))


def check_story(t: TenantTraces, register: Register) -> None:
    """The planted activity is the only activity outside the register."""
    outside, tracker_readers = set(), set()
    for _region, service, _, tr in t.traces:
        if tr["user"]:
            when = datetime.fromtimestamp(tr["time"] / 1000, tz=UTC)
            if not register.ok(tr["user"]["name"], when):
                outside.add(tr["user"]["name"])
            if service == "OBS" and tr["resource_name"] == tracker_bucket and not (
                    register.roles(tr["user"]["name"], when) & {"trace_reader", "auditor"}):
                tracker_readers.add(tr["user"]["name"])
    assert outside == {"l.bernard", "j.martin"}, outside
    assert tracker_readers == {"r.petit"}, tracker_readers
    gap_traces = [tr for region, _, _, tr in t.traces if region == R and epoch_ms(gap[0]) <= tr["time"] < epoch_ms(gap[1])]
    assert not gap_traces


def write_backups(b: BundleFiles, t: TenantTraces, findings: list) -> list:
    backups = []
    pacs_hole = (at(2026, 8, 3, 12, 0), at(2026, 8, 7, 12, 0))
    pacs_failed = {at(2026, 8, 3, 13, 30), at(2026, 8, 4, 1, 30)}
    repl_days = {date(2026, 9, 20), date(2026, 9, 27)}
    for when in twice_daily(start, end):
        if when > at(2026, 10, 1, 8, 0):
            break
        jitter = timedelta(seconds=t.rng.int(0, 240))
        for s in servers:
            to_dr = s is servers[1] and when.date() in repl_days and when.hour == 1
            backups.append(cbr_backup(t, s, vault_srv, when + jitter, replicate_to=("eu-west-1", dr_vault) if to_dr else None))
        for v in volumes:
            if v is volumes[1] and pacs_hole[0] <= when < pacs_hole[1]:
                if when in pacs_failed:
                    backups.append(cbr_backup(t, v, vault_disk, when + jitter, status="error"))
                continue
            backups.append(cbr_backup(t, v, vault_disk, when + jitter))
    backups.append(cbr_backup(t, servers[1], vault_srv, manual_time, encrypted=False, auto=False,
                              name="manualbk_before-pacs-upgrade", keep_days=30))
    assert backups[-1]["id"] == manual_id
    b.listing("backups/cbr.json", "backups", backups, count=len(backups))
    sg_backups = []
    for when in twice_daily(start, end, (3, 0), (15, 0)):
        if when > at(2026, 10, 1, 8, 0):
            break
        sg_backups.append(cbr_backup(t, sg_server, vault_sg, when + timedelta(seconds=t.rng.int(0, 240))))
    b.listing("backups/cbr-ap-southeast-1.json", "backups", sg_backups, count=len(sg_backups))
    findings.append(("backup.coverage", volumes[1]["id"],
                     "tilleuls-pacs-data: last backup 2026-08-03 ~01:30, the next on 2026-08-07 ~13:30 (two in between "
                     "ended in status error): 108 hours without a backup"))
    findings.append(("backup.encrypted", manual_id,
                     "manual backup manualbk_before-pacs-upgrade of tilleuls-pacs-db on 2026-09-02: extend_info.encrypted is false"))
    dr_ids = [x["id"] for x in backups if x["replication_records"]]
    findings.append(("residency.replication", policy_repl,
                     "CBR policy tilleuls-dr-amsterdam replicates to eu-west-1, which is not in allowed_regions [eu-west-0]"))
    findings.append(("residency.replication", rds_copy,
                     f"cross-region backup strategy of RDS instance tilleuls-lims-pg copies its backups to {SG} (Singapore)"))
    findings.append(("residency.replication", ", ".join(dr_ids),
                     "backups of tilleuls-pacs-db of 2026-09-20 and 2026-09-27 copied to eu-west-1 (replication_records)"))
    findings.append(("residency.resources", sg_server["id"],
                     "server tilleuls-analytics-sg (tag hds=true) in ap-southeast-1"))
    findings.append(("residency.resources", f"{vault_sg['id']}, {policy_sg}, tracker system ({SG})",
                     "the CBR vault tilleuls-vault-analytics, the CBR policy tilleuls-analytics-twice-daily and the CTS "
                     "tracker of ap-southeast-1 are resources in a non-allowed region"))
    findings.append(("residency.resources", f"{len(sg_backups)} backups in backups/cbr-ap-southeast-1.json",
                     "every backup of tilleuls-analytics-sg lies in ap-southeast-1 (resource_az ap-southeast-1a)"))
    return backups


def write_restore_tests(b: BundleFiles, backups: list, findings: list) -> None:
    b.table("restore_tests.csv", ["tested_at", "resource_id", "backup_id", "result", "record"], [
        ["2025-06-10T15:00:00+02:00", servers[1]["id"], uuid_("tilleuls", "cbr-backup-old", "2025-06-09"), "success",
         "PV-2025-014: restore of tilleuls-pacs-db on the test network"],
        ["2026-09-15T14:30:00+02:00", volumes[1]["id"],
         find_backup(backups, volumes[1]["id"], "2026-09-14T11:3"), "failure",
         "PV-2026-022: restore of tilleuls-pacs-data ended in error (image checksums differ), to be replayed"],
    ])
    findings.append(("backup.restore_tested", "restore_tests.csv",
                     "the last restore test (2026-09-15) failed; the last success (2025-06-10) is more than 365 days before 2026-10-01"))


def write_support(b: BundleFiles, findings: list) -> None:
    b.table("tickets.csv", ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"], [
        ["INC-2026-0219", "incident", "P2", "2026-03-30T10:05:00+02:00", "2026-03-30T11:40:00+02:00", "2026-04-03T17:20:00+02:00", "false"],
        ["INC-2026-0571", "incident", "P1", "2026-07-10T17:00:00+02:00", "2026-07-15T11:30:00+02:00", "2026-07-15T16:00:00+02:00", "true"],
        ["INC-2026-0618", "incident", "P3", "2026-08-26T09:40:00+02:00", "2026-08-26T10:15:00+02:00", "2026-08-27T12:00:00+02:00", "false"],
        ["REQ-2026-0633", "request", "P4", "2026-09-03T14:00:00+02:00", "2026-09-04T10:00:00+02:00", "2026-09-08T16:00:00+02:00", "false"],
    ])
    findings.append(("support.plan_eligible", "standard", "HDS needs the Business support plan or higher (§3.3)"))
    findings.append(("support.response_times", "INC-2026-0571",
                     "P1 opened Friday 2026-07-10 17:00, answered Wednesday 2026-07-15 11:30: 14.5 working hours "
                     "(14 July is a public holiday), over the 12 working hours of the Standard plan and the 1 hour of Business"))
    findings.append(("access.provider_support_removed", "ob-support-0219",
                     "provider_support authorization for INC-2026-0219 (resolved 2026-04-03) never revoked; its IAM user is still enabled"))
    findings.append(("access.nominative_accounts", "admin", "enabled generic account, register row without a person"))
    findings.append(("access.nominative_accounts", "p.henry", "enabled IAM user absent from the register"))
    findings.append(("access.credentials_not_reassigned", "a.moreau",
                     "granted to Alice Moreau (2024-05-02 to 2025-11-30) then to Antoine Moreau (from 2026-01-05)"))
    findings.append(("access.mfa", "e.garnier", "console user whose login protection is disabled, no virtual MFA device"))
    findings.append(("trace.retention", tracker_bucket, "lifecycle rule expire-traces-after-90-days expires traces after 90 days (< 365)"))
    findings.append(("storage.encrypted_at_rest", export_bucket,
                     "in-scope bucket with encryption false and no kms_key_id (the waiver on it expired on 2026-06-30)"))
    findings.append(("transport.tls_only", http_listener,
                     "listener tilleuls-portal-http speaks HTTP on port 80; expected status waived (waiver valid until 2026-12-31)"))


def write_documents(b: BundleFiles, findings: list) -> None:
    rssi, dpo, dsi = "Isabelle Lambert (RSSI)", "Mathieu Perrin (DPO)", "Bruno Carré (Direction)"
    owners = {"default": rssi, "patient-information": dpo, "gdpr-rights": dpo, "disclosure-notification": dpo,
              "processing-purpose": dpo, "business-continuity": dsi, "change-management": dsi}
    signed = {"default": "2026-05-20", "change-management": "2025-03-12", "business-continuity": "2026-06-30"}
    missing = ("Workstation safety", "Data breach notification", "PGSSI-S compliance")
    write_attestations(b, org, owners, signed, skip=missing, tamper=("Alert and escalation procedures",), version="2.1")
    for control in missing:
        findings.append(("attestation.current", control, "no attestation in attestations/ (expected status manual)"))
    findings.append(("attestation.current", "Alert and escalation procedures",
                     "attestations/alert-escalation.yaml: sha256 does not match attestations/docs/alert-escalation.pdf"))
    findings.append(("attestation.current", "Change management process for applications",
                     "attestations/change-management.yaml signed 2025-03-12, more than 365 days before the end of the period"))
    write_provider(b, hds_until="2027-02-28", iso_until="2026-08-31", iso_from="2023-09-01")
    findings.append(("provider.certificates_valid", "iso27001_certificate",
                     "provider/iso27001_certificate.yaml valid until 2026-08-31, before the end of 2026-Q3"))


def write_waivers(b: BundleFiles) -> None:
    b.write("waivers.yaml", f"""# Accepted risks of the Clinique des Tilleuls.
- check: transport.tls_only
  object: "{http_listener[:8]}-*"        # tilleuls-portal-http, port 80: only redirects to 443
  justification: {q("Port 80 listener kept only to redirect browsers of the patient portal to HTTPS; removal planned with the portal upgrade.")}
  approved_by: {q("Isabelle Lambert (RSSI)")}
  expires: 2026-12-31
  reference: CHG-2026-044
- check: storage.encrypted_at_rest
  object: {export_bucket}
  justification: {q("Export bucket awaiting migration to an encrypted bucket.")}
  approved_by: {q("Isabelle Lambert (RSSI)")}
  expires: 2026-06-30                  # expired: no longer covers the finding
""")


def write_tenant(b: BundleFiles, t: TenantTraces) -> None:
    b.write("tenant.yaml", tenant_yaml(
        f"{org}: sample tenant with deliberate violations for 2026-Q3 (see VIOLATIONS.md).", t.domain_id, org,
        "standard", '{tag: "hds=true"}'))


def write_violations_md(b: BundleFiles, findings: list) -> None:
    order = ["access.nominative_accounts", "access.register_covers_activity", "access.no_activity_after_revocation",
             "access.credentials_not_reassigned", "access.mfa", "access.provider_support_removed",
             "trace.continuity", "trace.retention", "trace.access_entitlement", "residency.resources",
             "residency.replication", "residency.activity", "transport.tls_only", "storage.encrypted_at_rest",
             "backup.coverage", "backup.encrypted", "backup.restore_tested", "support.plan_eligible",
             "support.response_times", "attestation.current", "provider.certificates_valid"]
    findings.sort(key=lambda f: order.index(f[0]))
    rows = "\n".join(f"| `{c}` | {o if ' ' in o and ',' not in o else '`' + o + '`'} | {w} |" for c, o, w in findings)
    b.write("VIOLATIONS.md", f"""# Planted violations: Clinique des Tilleuls, 2026-Q3

This bundle is the compliant tenant's shape with deliberate faults. Run it with
`hds-audit run samples/violations --period 2026-Q3 --out reports/violations`.
The table lists every finding the bundle is built to produce: check id, the object the finding
names, and why. Everything else is meant to pass.

| check | object | why |
|---|---|---|
{rows}

Expected to pass: `trace.tracker_enabled` (eu-west-0 and ap-southeast-1 both have an enabled
tracker), `residency.regions_allowed`, the other accounts, the other volumes and servers.
`backup.quota` is `not_applicable` (no VBS listing); `deletion.*` are `not_applicable` (no contract end).

Expected statuses per check: `transport.tls_only` is `waived` (the only failing listener is covered by a
valid waiver); `attestation.current` is `fail` (wrong hash, stale signature) with three `manual` findings
(missing attestations); every other check of the table is `fail`.

Accounts of note:

| account | person | role in the register | IAM |
|---|---|---|---|
| `clinique-tilleuls` | Bruno Carré | admin (domain owner) | enabled, MFA |
| `admin` | (none) | admin | enabled, MFA |
| `i.lambert` | Isabelle Lambert | admin | enabled, MFA |
| `a.moreau` | Alice Moreau, then Antoine Moreau | operator | enabled, MFA |
| `j.martin` | Julien Martin | operator, revoked 2026-08-14T18:00:00+02:00 | disabled on 2026-08-21 |
| `l.bernard` | Léa Bernard | operator from 2026-07-20T09:00:00+02:00 | enabled, MFA |
| `e.garnier` | Émilie Garnier | operator | enabled, console, login protection disabled |
| `r.petit` | Romain Petit | operator | enabled, MFA |
| `n.roche` | Nathalie Roche | auditor | enabled, MFA |
| `svc-pacs-export` | (service, owner Isabelle Lambert) | service | programmatic |
| `ob-support-0219` | Karim Benali | provider_support, ticket INC-2026-0219, never revoked | enabled |
| `p.henry` | Paul Henry | (absent) | enabled, MFA |
""")




def build(root: Path) -> None:
    """The bundle, in the order its jitter is drawn (traces, then backups)."""
    b = BundleFiles(root)
    t = new_tenant()
    findings: list[tuple[str, str, str]] = []  # (check id, object, why) for VIOLATIONS.md
    register = the_register()
    write_resources(b, t)
    write_iam(b, t, register)
    routine(t, register)
    record_story(t, findings)
    record_access_faults(t, findings)
    t.write(b)
    note_gap(t, findings)
    check_story(t, register)
    backups = write_backups(b, t, findings)
    write_restore_tests(b, backups, findings)
    write_support(b, findings)
    write_documents(b, findings)
    write_waivers(b)
    write_tenant(b, t)
    write_violations_md(b, findings)
