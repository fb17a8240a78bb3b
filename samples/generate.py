#!/usr/bin/env python3
"""Regenerate the sample evidence bundles of hds-audit.

    python samples/generate.py            # rewrites samples/compliant, samples/violations, samples/terminated
    python samples/generate.py --out DIR  # writes the three bundles under DIR instead

Standard library only. The output is byte-for-byte reproducible: ids are derived from names
(SHA-256), jitter comes from fixed-seed generators that only use random.random(), and gzip files
are written with mtime=0. Every tenant, person, id, address and document here is invented.

The three bundles follow CONTRACT.md section 2:
  compliant/   Centre Hospitalier de Valmont, 2026-Q3: every check passes
  violations/  Clinique des Tilleuls, 2026-Q3: deliberate violations, listed in VIOLATIONS.md
  terminated/  Laboratoire Biomedical du Lac, 2026-Q2: contract ended, deletion proofs
"""

from __future__ import annotations

import argparse
import shutil
import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path

from hds_audit.bundle_writer.backups import cbr_backup, find_backup, twice_daily
from hds_audit.bundle_writer.clock import PARIS, UTC, api_utc, at, days, epoch_ms
from hds_audit.bundle_writer.documents import attestation_yaml, certificate_yaml, document_lines, tiny_pdf
from hds_audit.bundle_writer.files import REGISTER_COLUMNS, BundleFiles, q, sha256
from hds_audit.bundle_writer.iam import iam_user, mfa_listing
from hds_audit.bundle_writer.ids import Ids
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.register import Register, reg
from hds_audit.bundle_writer.terraform import (
    PROVIDER_NEW, PROVIDER_OLD, tf_bucket, tf_image, tf_listener, tf_policy, tf_rds, tf_rds_copy, tf_resource, tf_server,
    tf_state, tf_tracker, tf_user, tf_vault, tf_volume,
)
from hds_audit.bundle_writer.traces import FE_DOMAIN

HERE = Path(__file__).resolve().parent
BUNDLES = ("compliant", "violations", "terminated")
IDS = Ids("hds-audit-samples")
hexid, uuid_ = IDS.hex, IDS.uuid

FR_HOLIDAYS_2026 = {
    date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14),
    date(2026, 5, 25), date(2026, 7, 14), date(2026, 8, 15), date(2026, 11, 1), date(2026, 11, 11),
    date(2026, 12, 25),
}


def working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in FR_HOLIDAYS_2026


def routine_day(t: TenantTraces, register: Register, day: date, cfg: dict) -> None:
    """A day of ordinary activity in one region: scheduled backups, a service account, operators."""
    region = cfg["region"]
    rng = t.rng
    for hour, minute, vault in cfg.get("checkpoints", ()):
        t.checkpoint(at(day, hour, minute, rng.int(0, 59)) + timedelta(minutes=rng.int(0, 3)), region, vault)
    if cfg.get("service"):
        account, bucket, hour, minute, folder = cfg["service"]
        when = at(day, hour, minute, rng.int(0, 59))
        if register.ok(account, when):
            t.obs(when, region, account, "PutObject", bucket, f"{folder}/{day.isoformat()}/export-{rng.hex(8)}.tar.zst",
                  ttype="ObsSDK")
    if not working_day(day):
        return
    operators = [a for a in cfg.get("operators", ()) if register.ok(a, at(day, 7, 0)) and register.ok(a, at(day, 20, 0))]
    chosen = rng.shuffled(operators)[: cfg.get("logins", 2)]
    for i, account in enumerate(chosen):
        t.login(at(day, 8, 10 + 17 * i, rng.int(0, 59)), region, account)
    servers, volumes = cfg.get("servers", ()), cfg.get("volumes", ())
    for k in range(cfg.get("actions", 3) if chosen else 0):
        account = rng.pick(chosen)
        when = at(day, 9 + 2 * k, rng.int(30, 59), rng.int(0, 59))
        kind = rng.int(0, 5)
        if kind == 0 and servers:
            t.ecs(when, region, account, "rebootServer", rng.pick(servers), request={"reboot": {"type": "SOFT"}},
                  method_path="/action", response={"job_id": uuid_(t.key, "job", when.isoformat())})
        elif kind == 1 and servers:
            t.ecs(when, region, account, "updateServerMetadata", rng.pick(servers), method_path="/metadata",
                  request={"metadata": {"maintenance_window": f"{day.isoformat()}T22:00"}})
        elif kind == 2 and volumes:
            volume = rng.pick(volumes)
            t.evs(when, region, account, "updateVolume", volume, request={"volume": {"description": "weekly review"}})
        elif kind == 3 and cfg.get("data_bucket"):
            t.obs(when, region, account, "ListObjects", cfg["data_bucket"])
        elif kind == 4 and cfg.get("data_bucket"):
            t.obs(when, region, account, "GetObject", cfg["data_bucket"], f"studies/{day.strftime('%Y/%m')}/{rng.hex(12)}.dcm")
        elif servers:
            t.ecs(when, region, account, "updateServer", rng.pick(servers), request={"server": {"description": "reviewed"}})
    reader = cfg.get("readers", {}).get(day.weekday())
    if reader and register.ok(reader, at(day, 13, 0)):
        tracker_reads(t, region, reader, at(day, 13, 50, rng.int(0, 59)), cfg["tracker_bucket"], cfg["tracker_prefix"], day)


def tracker_reads(t: TenantTraces, region: str, account: str, when: datetime, bucket: str, prefix: str, day: date) -> None:
    """Someone reads the traces archive: log in, list a day's folder, fetch and check one file."""
    y = day - timedelta(days=1)
    folder = f"{prefix}/CloudTraces/{region}/{y.year}/{y.month}/{y.day}/system/ECS/"
    obj = folder + f"{prefix}_CloudTrace_{region}_{y.isoformat()}T08-10-00Z_{t.rng.hex(16)}.json.gz"
    t.login(when, region, account)
    t.obs(when + timedelta(minutes=4), region, account, "ListObjects", bucket, request={"prefix": folder})
    t.obs(when + timedelta(minutes=6), region, account, "HeadObject", bucket, obj)
    t.obs(when + timedelta(minutes=7), region, account, "GetObject", bucket, obj)


# --------------------------------------------------------------------------------------------
# attestations and provider documents
# --------------------------------------------------------------------------------------------

# (control as the matrix writes the rule, file slug, document title, statement)
ATTESTATIONS = [
    ("Presentation of the services to the people concerned", "patient-information",
     "Patient information notice on the hosting of health data",
     "Patients are told, in the admission booklet and on the public website, that their health data are hosted "
     "by a certified HDS host in France, how to access them and how to object for a legitimate reason."),
    ("Individuals' consent to access data", "access-consent",
     "Consent and opposition to access to health data",
     "Access by staff, health professionals and patients to business applications holding health data is "
     "granted only under the documented consent and opposition procedure."),
    ("Rights of individuals under the GDPR", "gdpr-rights",
     "Procedure for requests of data subjects (GDPR articles 15 to 22)",
     "Requests of access, rectification, erasure, restriction, portability and objection are registered and "
     "answered within one month by the data protection officer."),
    ("Notification in case of disclosure of personal data", "disclosure-notification",
     "Notification procedure in case of disclosure of personal data",
     "Any disclosure of personal data, including on a judicial request relayed by the host, is notified to "
     "the persons concerned and to the management following the documented procedure."),
    ("Purpose", "processing-purpose",
     "Register of processing activities: purposes",
     "Health data are processed only for the purposes listed in the register of processing activities and "
     "stated in the patients' information notice."),
    ("Identifiers and authorizations", "identifiers-authorizations",
     "Identification and authorisation in the hosted applications",
     "Access to the hosted applications uses nominative accounts bound to the directory; authorisations are "
     "reviewed every quarter and identifiers are never reassigned."),
    ("Stakeholder access to systems", "stakeholder-access",
     "Stakeholder access to operating systems and applications",
     "Operators reach operating systems only through the bastion with nominative accounts and a second factor; "
     "vendor access is opened per ticket and closed when the ticket is resolved."),
    ("Encryption of personal data transmitted over public networks", "transport-encryption",
     "Encryption of health data over public networks",
     "Health data leave the hosted environment only over TLS 1.2 or later, or over the site-to-site VPN."),
    ("Traceability and integrity of communications", "communications-traceability",
     "Logging and integrity of health data transfers to third parties",
     "Every transfer of health data to a third party is logged by the interface engine with an acknowledgement "
     "of receipt and a checksum of the message."),
    ("Trace management", "trace-management",
     "Trace management policy",
     "System, application and Cloud Trace Service traces are collected, kept at least one year and reviewed "
     "every week by the security team."),
    ("Entitlements required for access to application traces", "trace-entitlements",
     "Authorisations to read the traces archives",
     "Only the persons holding the trace_reader or auditor role in the register may read the traces archives; "
     "the list is reviewed every quarter."),
    ("Perimeter related to health data access monitoring", "access-monitoring-perimeter",
     "Scope of the monitoring of access to health data",
     "The monitoring covers the business applications, their databases, the operating systems and the "
     "security components that the organisation installs and operates."),
    ("Alert and escalation procedures", "alert-escalation",
     "Security incident alert and escalation procedure",
     "Security events detected on the virtual infrastructure are qualified by the on-call engineer and "
     "escalated to the security officer within one hour when they are confirmed."),
    ("Data breach notification", "data-breach-notification",
     "Personal data breach notification procedure (GDPR articles 33 and 34)",
     "Personal data breaches are notified to the supervisory authority within 72 hours and to the persons "
     "concerned when the risk is high; the breach register is kept by the data protection officer."),
    ("Incident classification", "incident-classification",
     "Classification of security incidents",
     "Incidents on the virtualised environment are classified in four levels of severity aligned with the "
     "provider's P1 to P4 priorities."),
    ("Backup of traces", "trace-backup",
     "Backup and archiving policy for access traces",
     "Access traces of the virtualised environment are archived in an encrypted bucket, replicated, and "
     "kept for at least one year."),
    ("Continuity and availability of services", "business-continuity",
     "Business continuity plan for the virtualised environment",
     "The continuity plan covers the cloud servers, operating systems and storage; backups run twice a day "
     "and a restore is tested at least once a year."),
    ("Change management process for applications", "change-management",
     "Change management process for application components",
     "Changes to the virtualised environment go through the change advisory board, with a rollback plan "
     "and a backup taken before the change."),
    ("PGSSI-S compliance", "pgssi-s",
     "Commitment to comply with the PGSSI-S",
     "The organisation complies with the general security policy for health information systems (PGSSI-S) "
     "and its interoperability and security frameworks."),
    ("Monitoring Policy", "monitoring-policy",
     "Monitoring policy for access by application users",
     "Access by application users, including health professionals and patients, is logged and reviewed "
     "for unusual patterns every month."),
    ("Business application access authorization policy", "application-access-policy",
     "Business application access authorisation policy",
     "Access rights to business applications are granted by the data owner on a documented request and "
     "withdrawn on departure or change of position."),
    ("Workstation safety", "workstation-safety",
     "Workstation security policy",
     "Operators' workstations are managed, encrypted, locked after five minutes of inactivity, and use "
     "individual passwords and hardware tokens."),
]


def write_attestations(b: BundleFiles, org: str, owners: dict[str, str], signed: dict[str, str], *,
                       skip=(), tamper=(), version: str = "3.0") -> None:
    for control, slug, title, statement in ATTESTATIONS:
        if control in skip:
            continue
        owner = owners.get(slug, owners["default"])
        signed_at = signed.get(slug, signed["default"])
        doc = f"attestations/docs/{slug}.pdf"
        pdf = tiny_pdf(title, document_lines(org, version, signed_at, owner, statement))
        b.write(doc, pdf)
        digest = sha256(pdf)
        if control in tamper:
            # the document was edited after the attestation was signed: the recorded hash is the old one
            digest = sha256(tiny_pdf(title, document_lines(org, "2.9", signed_at, owner, statement)))
        b.write(f"attestations/{slug}.yaml", attestation_yaml(control, statement, owner, signed_at, doc, digest))


def mfa(t: TenantTraces, devices: list[str], protects: list[tuple[str, bool, str]]) -> dict:
    """The MFA listing of the tenant's accounts: virtual devices, and login protection as (account, enabled, method)."""
    return mfa_listing([(t.user_id(a), f"iam/mfa/{t.domain_id}/{a}") for a in devices],
                       [(t.user_id(a), e, m) for a, e, m in protects])


def write_provider(b: BundleFiles, hds_until: str, iso_until: str, iso_from: str = "2025-01-15") -> None:
    certs = [
        ("hds_certificate", "hds", "Certificate of conformity: Health data host (HDS)",
         "HDS-SAMPLE-2024-0173", "2024-03-01", hds_until,
         "Hosting of personal health data: physical infrastructure host and managed services host, "
         "activities 1 to 6, Flexible Engine regions eu-west-0 and eu-west-1."),
        ("iso27001_certificate", "iso27001", "Certificate of conformity: ISO/IEC 27001",
         "ISMS-SAMPLE-2025-0458", iso_from, iso_until,
         "Information security management system covering the platforms of the Flexible Engine service, "
         "including all activities of hosting personal health data."),
    ]
    for kind, slug, title, number, valid_from, valid_until, scope in certs:
        doc = f"provider/docs/{slug}-certificate.pdf"
        lines = [f"Certificate number: {number}", "Holder: Flexible Engine cloud provider",
                 f"Valid from {valid_from} until {valid_until}", ""] + textwrap.wrap("Scope: " + scope, 92)
        lines += ["", "SAMPLE DOCUMENT for the hds-audit test bundles. This is not a real certificate."]
        pdf = tiny_pdf(title, lines)
        b.write(doc, pdf)
        b.write(f"provider/{kind}.yaml", certificate_yaml(
            kind, "Example Certification SAS (accredited certification body, fictitious)", valid_from, valid_until,
            doc, sha256(pdf)))


# ============================================================================================
# Bundle 1: compliant - Centre Hospitalier de Valmont, 2026-Q3
# ============================================================================================

def build_compliant(root: Path) -> None:
    b = BundleFiles(root)
    R = "eu-west-0"
    org = "Centre Hospitalier de Valmont"
    mail = "ch-valmont.example"
    t = TenantTraces(IDS, "valmont", "ch-valmont", 20260701, {R: "valmont"}, {
        "ch-valmont": "203.0.113.10", "c.fournier": "203.0.113.11", "t.lefebvre": "203.0.113.12",
        "n.girard": "203.0.113.13", "s.roussel": "203.0.113.14", "m.dubois": "203.0.113.15",
        "svc-backup-sync": "192.168.10.21", "ob-support-0412": "198.51.100.77",
    })

    # --- resources --------------------------------------------------------------------------
    kms = uuid_("valmont", "kms", "hds")
    servers = [
        {"id": uuid_("valmont", "ecs", f"app-{i}"), "name": f"valmont-dpi-app-{i}", "region": R,
         "az": ["eu-west-0a", "eu-west-0b"][i], "flavor": "s6.xlarge.2", "ip": f"192.168.10.{11 + i}",
         "kind": "server", "size": 40} for i in (0, 1)
    ] + [
        {"id": uuid_("valmont", "ecs", "db"), "name": "valmont-dpi-db", "region": R, "az": "eu-west-0b",
         "flavor": "m6.2xlarge.8", "ip": "192.168.20.11", "kind": "server", "size": 100},
    ]
    bastion = {"id": uuid_("valmont", "ecs", "bastion"), "name": "valmont-bastion", "region": R, "az": "eu-west-0a",
               "flavor": "s6.medium.2", "ip": "192.168.1.10", "kind": "server", "size": 40}
    volumes = [
        {"id": uuid_("valmont", "evs", "db-data"), "name": "valmont-dpi-db-data", "region": R, "az": "eu-west-0b",
         "size": 500, "kind": "volume", "device": "/dev/vdb"},
        {"id": uuid_("valmont", "evs", "db-archive"), "name": "valmont-dpi-db-archive", "region": R, "az": "eu-west-0b",
         "size": 1000, "kind": "volume", "device": "/dev/vdc"},
    ]
    bastion_vol = {"id": uuid_("valmont", "evs", "bastion-data"), "name": "valmont-bastion-data", "region": R,
                   "az": "eu-west-0a", "size": 40, "kind": "volume"}
    vault_srv = {"id": uuid_("valmont", "vault", "servers"), "name": "valmont-vault-servers", "region": R, "type": "server", "size": 2000}
    vault_disk = {"id": uuid_("valmont", "vault", "disks"), "name": "valmont-vault-disks", "region": R, "type": "disk", "size": 6000}
    vault_replica = {"id": uuid_("valmont", "vault", "replica"), "name": "valmont-vault-replica", "region": R,
                     "type": "server", "size": 2000, "protection_type": "replication"}
    policy_backup = uuid_("valmont", "policy", "daily")
    policy_repl = uuid_("valmont", "policy", "replication")
    tracker_bucket, data_bucket, export_bucket = "ch-valmont-cts-traces", "ch-valmont-imagerie", "ch-valmont-exports"
    image = tf_image()
    net = uuid_("valmont", "network", "app")
    sg = uuid_("valmont", "secgroup", "app")
    hds = {"hds": "true", "app": "dpi"}

    main = [
        tf_resource("flexibleengine_images_image_v2", "ubuntu", PROVIDER_NEW, [image], mode="data"),
        tf_resource("flexibleengine_kms_key_v1", "hds", PROVIDER_NEW, [{
            "id": kms, "key_alias": "valmont-hds", "key_description": "Health data at rest", "region": R,
            "pending_days": "7", "is_enabled": True, "rotation_enabled": True, "rotation_interval": 365,
            "domain_id": t.domain_id, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_compute_instance_v2", "app", PROVIDER_NEW,
                    [tf_server(s, image, net, sg, hds) for s in servers[:2]], counted=True),
        tf_resource("flexibleengine_compute_instance_v2", "db", PROVIDER_NEW, [tf_server(servers[2], image, net, sg, hds)]),
        tf_resource("flexibleengine_compute_instance_v2", "bastion", PROVIDER_NEW,
                    [tf_server(bastion, image, net, sg, {"hds": "false", "role": "bastion"})]),
        tf_resource("flexibleengine_blockstorage_volume_v2", "db_data", PROVIDER_NEW,
                    [tf_volume(volumes[0], kms, hds, servers[2]["id"])], deps=("flexibleengine_kms_key_v1.hds",)),
        tf_resource("flexibleengine_blockstorage_volume_v2", "db_archive", PROVIDER_NEW,
                    [tf_volume(volumes[1], kms, hds, servers[2]["id"])], deps=("flexibleengine_kms_key_v1.hds",)),
        tf_resource("flexibleengine_blockstorage_volume_v2", "bastion_data", PROVIDER_NEW,
                    [tf_volume(bastion_vol, kms, {"hds": "false", "role": "bastion"}, bastion["id"])]),
        tf_resource("flexibleengine_obs_bucket", "imagerie", PROVIDER_NEW,
                    [tf_bucket(data_bucket, R, kms_id=kms, versioning=True)]),
        tf_resource("flexibleengine_obs_bucket", "imagerie_replica", PROVIDER_NEW,
                    [tf_bucket(data_bucket + "-replica", R, kms_id=kms, versioning=True)]),
        tf_resource("flexibleengine_obs_bucket_replication", "imagerie", PROVIDER_NEW, [{
            "id": data_bucket, "bucket": data_bucket, "destination_bucket": data_bucket + "-replica",
            "region": R, "destination_region": R, "agency": "obs-replication-agency",
            "rule": [{"id": "all-objects", "enabled": True, "prefix": "", "storage_class": "STANDARD"}]}]),
        tf_resource("flexibleengine_obs_bucket", "traces", PROVIDER_NEW,
                    [tf_bucket(tracker_bucket, R, kms_id=kms,
                               expire_days=1095, rule_name="expire-traces-after-3-years", prefix="valmont/")]),
        tf_resource("flexibleengine_obs_bucket", "exports", PROVIDER_NEW,
                    [tf_bucket(export_bucket, R, kms_id=kms, expire_days=30, rule_name="expire-exports")]),
        tf_resource("flexibleengine_rds_instance_v3", "dossiers", PROVIDER_NEW, [tf_rds(
            uuid_("valmont", "rds", "dossiers"), "valmont-dossiers-pg", R, ["eu-west-0a", "eu-west-0b"], kms, 7, hds)],
                    deps=("flexibleengine_kms_key_v1.hds",)),
        tf_resource("flexibleengine_cts_tracker_v1", "system", PROVIDER_NEW, [tf_tracker(R, tracker_bucket, "valmont")],
                    deps=("flexibleengine_obs_bucket.traces",)),
        tf_resource("flexibleengine_cbr_policy", "daily", PROVIDER_NEW, [
            tf_policy(policy_backup, "valmont-twice-daily", R, "backup", retention_days=180)]),
        tf_resource("flexibleengine_cbr_policy", "replication", PROVIDER_NEW, [
            tf_policy(policy_repl, "valmont-weekly-copy", R, "replication", destination_region=R,
                      destination_project_id=t.project_id(R), times=("00:30",), days_="SU", retention_days=180)]),
        tf_resource("flexibleengine_cbr_vault", "servers", PROVIDER_NEW, [tf_vault(
            vault_srv, [{"server_id": s["id"], "excludes": [], "includes": []} for s in servers], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "disks", PROVIDER_NEW, [tf_vault(
            vault_disk, [{"server_id": "", "excludes": [], "includes": [v["id"] for v in volumes]}], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "replica", PROVIDER_NEW, [tf_vault(vault_replica, [], "", hds)]),
    ]
    people = {
        "c.fournier": ("Camille Fournier", "Infrastructure lead"),
        "t.lefebvre": ("Thomas Lefebvre", "Systems engineer"),
        "n.girard": ("Nadia Girard", "Systems engineer"),
        "s.roussel": ("Sophie Roussel", "Internal auditor"),
        "m.dubois": ("Marc Dubois", "Security analyst"),
    }
    for account, (person, role) in people.items():
        email = person.lower().replace(" ", ".") + "@" + mail
        main.append(tf_resource("flexibleengine_identity_user_v3", account.replace(".", "_"), PROVIDER_NEW,
                                [tf_user(t.user_id(account), account, email, role)]))
    main.append(tf_resource("flexibleengine_identity_user_v3", "svc_backup_sync", PROVIDER_NEW,
                            [tf_user(t.user_id("svc-backup-sync"), "svc-backup-sync", "", "Nightly export to OBS (owner: Camille Fournier)", "programmatic")]))
    b.json("resources/main.tfstate", tf_state("valmont-main", 214, main, {
        "dpi_url": {"value": "https://dpi.ch-valmont.example", "type": "string"},
        "traces_bucket": {"value": tracker_bucket, "type": "string"},
    }))

    lb = uuid_("valmont", "elb", "dpi")
    lb3 = uuid_("valmont", "elb3", "api")
    vpc = uuid_("valmont", "vpc", "main")
    network = [
        # no "region": this resource takes tenant.yaml's default_region
        tf_resource("flexibleengine_vpc_v1", "main", PROVIDER_OLD, [{
            "id": vpc, "name": "valmont-vpc", "cidr": "192.168.0.0/16", "status": "OK", "shared": False,
            "routes": [], "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_vpc_subnet_v1", "app", PROVIDER_OLD, [{
            "id": net, "name": "valmont-app", "region": R, "vpc_id": vpc, "cidr": "192.168.10.0/24",
            "gateway_ip": "192.168.10.1", "availability_zone": "", "dhcp_enable": True,
            "primary_dns": "100.125.0.41", "secondary_dns": "100.126.0.41", "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_loadbalancer_v2", "dpi", PROVIDER_OLD, [{
            "id": lb, "name": "valmont-dpi-elb", "region": R, "vip_subnet_id": net, "vip_address": "192.168.10.250",
            "vip_port_id": uuid_("valmont", "vip", lb), "admin_state_up": True, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v2", "https", PROVIDER_OLD, [tf_listener(
            uuid_("valmont", "listener", "https"), "valmont-dpi-https", R, "TERMINATED_HTTPS", 443, lb,
            policy="tls-1-2", cert=uuid_("valmont", "cert", "dpi"))]),
        tf_resource("flexibleengine_lb_loadbalancer_v3", "api", PROVIDER_OLD, [{
            "id": lb3, "name": "valmont-api-elb", "region": R, "availability_zone": ["eu-west-0a", "eu-west-0b"],
            "ipv4_subnet_id": net, "ipv4_address": "192.168.10.251", "cross_vpc_backend": False, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v3", "api_https", PROVIDER_OLD, [tf_listener(
            uuid_("valmont", "listener", "api"), "valmont-api-https", R, "HTTPS", 8443, lb3,
            policy="tls-1-2", cert=uuid_("valmont", "cert", "api"), v3=True)]),
    ]
    b.json("resources/network.tfstate", tf_state("valmont-network", 37, network))

    # --- register, IAM, MFA -----------------------------------------------------------------
    def em(person):
        return person.lower().replace(" ", ".").replace("é", "e").replace("è", "e") + "@" + mail

    register = Register([
        reg("ch-valmont", "Hélène Marchand", em("Hélène Marchand"), "admin", "2023-11-06", approved_by="Pierre Anselme"),
        reg("c.fournier", "Camille Fournier", em("Camille Fournier"), "admin", "2024-02-01", approved_by="Hélène Marchand"),
        reg("t.lefebvre", "Thomas Lefebvre", em("Thomas Lefebvre"), "operator", "2024-03-11", approved_by="Camille Fournier"),
        reg("j.blanc", "Juliette Blanc", em("Juliette Blanc"), "operator", "2024-03-11", "2026-03-31T18:00:00+02:00",
            approved_by="Camille Fournier"),
        reg("n.girard", "Nadia Girard", em("Nadia Girard"), "operator", "2024-09-02", "2026-07-17T18:00:00+02:00",
            approved_by="Camille Fournier"),
        reg("s.roussel", "Sophie Roussel", em("Sophie Roussel"), "auditor", "2025-01-06", approved_by="Hélène Marchand"),
        reg("svc-backup-sync", None, None, "service", "2025-02-03", approved_by="Hélène Marchand", owner="Camille Fournier"),
        reg("m.dubois", "Marc Dubois", em("Marc Dubois"), "trace_reader", "2025-04-14", approved_by="Hélène Marchand"),
        reg("ob-support-0412", "Julien Perrot", "julien.perrot@fe-support.example", "provider_support",
            "2026-08-05T10:00:00+02:00", "2026-08-10T12:00:00+02:00", approved_by="Camille Fournier", ticket="INC-2026-0412"),
        reg("n.girard", "Nadia Girard", em("Nadia Girard"), "operator", "2026-08-24T09:00:00+02:00",
            approved_by="Camille Fournier"),
    ])
    b.table("access_register.csv", REGISTER_COLUMNS, register.rows)

    b.listing("iam/users.json", "users", [
        iam_user(t, "ch-valmont", owner=True, created=at(2023, 11, 6, 9, 14), last_login=at(2026, 9, 2, 9, 40),
                 email=em("Hélène Marchand"), description="Domain owner (break-glass account)"),
        iam_user(t, "c.fournier", created=at(2024, 2, 1, 10, 2), last_login=at(2026, 9, 30, 8, 12), email=em("Camille Fournier")),
        iam_user(t, "t.lefebvre", mode="console", created=at(2024, 3, 11, 9, 30), last_login=at(2026, 9, 30, 8, 29),
                 email=em("Thomas Lefebvre")),
        iam_user(t, "n.girard", mode="console", created=at(2024, 9, 2, 9, 5), last_login=at(2026, 9, 29, 8, 27),
                 email=em("Nadia Girard")),
        iam_user(t, "s.roussel", mode="console", created=at(2025, 1, 6, 14, 0), last_login=at(2026, 9, 29, 13, 52),
                 email=em("Sophie Roussel")),
        iam_user(t, "m.dubois", created=at(2025, 4, 14, 9, 45), last_login=at(2026, 9, 29, 13, 51), email=em("Marc Dubois")),
        iam_user(t, "svc-backup-sync", mode="programmatic", created=at(2025, 2, 3, 11, 20), last_login=None,
                 description="Nightly export to OBS; owner Camille Fournier"),
    ])
    b.json("iam/mfa.json", mfa(t, ["ch-valmont", "c.fournier", "t.lefebvre", "s.roussel"],
                                        [("n.girard", True, "sms"), ("m.dubois", True, "email"), ("c.fournier", True, "vmfa")]))

    # --- backups ----------------------------------------------------------------------------
    start, end = date(2026, 6, 30), date(2026, 10, 1)
    backups = []
    for when in twice_daily(start, end):
        if when > at(2026, 10, 1, 8, 0):  # listed on 2026-10-01 at 08:00
            break
        when = when + timedelta(seconds=t.rng.int(0, 240))
        weekly = when.weekday() == 6 and when.hour == 1
        for s in servers:
            backups.append(cbr_backup(t, s, vault_srv, when, replicate_to=(R, vault_replica["id"]) if weekly else None))
        for v in volumes:
            backups.append(cbr_backup(t, v, vault_disk, when))
    b.listing("backups/cbr.json", "backups", backups, count=len(backups))
    vbs = []
    for d in days(date(2026, 7, 4), date(2026, 9, 26)):
        if d.weekday() == 5:  # weekly, Saturday night: 13 backup sets, far under the quotas of 20/360
            when = at(d, 23, 0, t.rng.int(0, 59))
            bid = uuid_("valmont", "vbs", d.isoformat())
            vbs.append({
                "id": bid, "name": f"bastion-data-weekly-{d.isoformat()}", "description": "weekly copy of the bastion tools volume",
                "status": "available", "size": 40, "object_count": 0, "volume_id": bastion_vol["id"],
                "availability_zone": "eu-west-0a", "container": bastion_vol["id"], "snapshot_id": uuid_("valmont", "snap", bid),
                "is_incremental": d != date(2026, 7, 4), "has_dependent_backups": False, "fail_reason": None,
                "created_at": api_utc(when), "updated_at": api_utc(when + timedelta(minutes=9)),
                "data_timestamp": api_utc(when), "os-bak-tenant-attr:tenant_id": t.project_id(R),
            })
    b.listing("backups/vbs.json", "backups", vbs)

    # --- traces -----------------------------------------------------------------------------
    start, end = date(2026, 6, 30), date(2026, 10, 1)
    t.day_dest[(R, date(2026, 8, 15))] = "jsonl.gz"  # one day delivered as JSON lines
    t.day_dest[(R, date(2026, 9, 30))] = ("envelope", "traces/api/cts-list-traces-eu-west-0-2026-09-30.json")
    cfg = {
        "region": R,
        "checkpoints": [(1, 30, vault_srv), (1, 31, vault_disk), (13, 30, vault_srv), (13, 31, vault_disk)],
        "service": ("svc-backup-sync", export_bucket, 2, 15, "dpi"),
        "operators": ["c.fournier", "t.lefebvre", "n.girard"],
        "servers": servers, "volumes": volumes, "data_bucket": data_bucket,
        "readers": {1: "s.roussel", 3: "m.dubois"},
        "tracker_bucket": tracker_bucket, "tracker_prefix": "valmont",
    }
    for d in days(start, end):
        routine_day(t, register, d, cfg)
    # the story of the quarter
    t.add(at(2026, 7, 6, 10, 15, 12), R, "CTS", "updateTracker", "tracker", "system", "system", account="c.fournier",
          ttype="ConsoleAction", request={"bucket_name": tracker_bucket, "file_prefix_name": "valmont", "status": "enabled"},
          path=f"/v3/{t.project_id(R)}/tracker")
    t.iam(at(2026, 7, 17, 18, 2, 41), R, "c.fournier", "updateUser", "n.girard", request={"user": {"enabled": False}})
    t.iam(at(2026, 8, 5, 10, 0, 33), R, "c.fournier", "createUser", "ob-support-0412",
          request={"user": {"name": "ob-support-0412", "access_mode": "console", "description": "INC-2026-0412"}})
    t.login(at(2026, 8, 5, 10, 24, 5), R, "ob-support-0412")
    t.login(at(2026, 8, 6, 9, 41, 50), R, "ob-support-0412")
    t.iam(at(2026, 8, 10, 11, 58, 2), R, "c.fournier", "deleteUser", "ob-support-0412")
    t.iam(at(2026, 8, 24, 9, 5, 19), R, "c.fournier", "updateUser", "n.girard", request={"user": {"enabled": True}})
    restore_backup = find_backup(backups, volumes[0]["id"], "2026-08-17T11:3")  # the 13:30 backup of the day before
    restore_name = next(x["name"] for x in backups if x["id"] == restore_backup)
    t.add(at(2026, 8, 18, 14, 2, 7), R, "CBR", "restoreBackup", "backup", restore_backup, restore_name,
          account="t.lefebvre", ttype="ConsoleAction",
          request={"restore": {"volume_id": uuid_("valmont", "evs", "restore-test"), "power_on": False}},
          path=f"/v3/{t.project_id(R)}/backups/{restore_backup}/restore")
    t.write(b)

    # invariants of this bundle: nobody acts without an authorization, only readers read the archive
    for region, service, _, tr in t.traces:
        if tr["user"]:
            when = datetime.fromtimestamp(tr["time"] / 1000, tz=UTC)
            assert register.ok(tr["user"]["name"], when), (tr["user"]["name"], when)
            if service == "OBS" and tr["resource_name"] == tracker_bucket:
                assert register.roles(tr["user"]["name"], when) & {"trace_reader", "auditor"}

    b.table("restore_tests.csv", ["tested_at", "resource_id", "backup_id", "result", "record"], [
        ["2026-02-16T14:30:00+01:00", servers[2]["id"], uuid_("valmont", "cbr-backup-old", "2026-02-15"), "success",
         "PV-RESTORE-2026-02: full restore of valmont-dpi-db on the test network, application started"],
        ["2026-08-18T14:00:00+02:00", volumes[0]["id"], restore_backup, "success",
         "PV-RESTORE-2026-08: restore of valmont-dpi-db-data to a test volume, database integrity check passed"],
    ])

    # --- support ----------------------------------------------------------------------------
    b.table("tickets.csv", ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"], [
        ["INC-2026-0387", "incident", "P3", "2026-07-08T10:12:00+02:00", "2026-07-08T10:31:00+02:00", "2026-07-09T15:05:00+02:00", "false"],
        ["INC-2026-0412", "incident", "P2", "2026-08-05T09:20:00+02:00", "2026-08-05T09:41:00+02:00", "2026-08-07T16:30:00+02:00", "true"],
        ["REQ-2026-0430", "request", "P4", "2026-08-12T11:00:00+02:00", "2026-08-12T14:45:00+02:00", "2026-08-14T10:00:00+02:00", "false"],
        ["INC-2026-0455", "incident", "P1", "2026-09-12T02:47:00+02:00", "2026-09-12T03:05:00+02:00", "2026-09-12T05:40:00+02:00", "true"],
        ["INF-2026-0461", "information", "P4", "2026-09-16T15:20:00+02:00", "2026-09-17T09:30:00+02:00", "2026-09-17T09:30:00+02:00", "false"],
        ["INC-2026-0478", "incident", "P2", "2026-09-23T18:40:00+02:00", "2026-09-23T19:02:00+02:00", "2026-09-24T11:15:00+02:00", "false"],
    ])

    # --- organisational evidence --------------------------------------------------------------
    dso, rssi, dpo = "Hélène Marchand (DSI)", "Olivier Chevalier (RSSI)", "Claire Vasseur (DPO)"
    owners = {"default": rssi, "patient-information": dpo, "access-consent": dpo, "gdpr-rights": dpo,
              "disclosure-notification": dpo, "processing-purpose": dpo, "data-breach-notification": dpo,
              "business-continuity": dso, "change-management": dso, "stakeholder-access": dso}
    signed = {"default": "2026-06-15", "business-continuity": "2026-09-10", "change-management": "2026-07-02",
              "pgssi-s": "2026-06-03", "workstation-safety": "2026-08-27", "data-breach-notification": "2026-06-22"}
    write_attestations(b, org, owners, signed)
    write_provider(b, hds_until="2027-02-28", iso_until="2028-01-14")
    b.write("waivers.yaml", "# Accepted risks (check, object glob, justification, approved_by, expires).\n"
                            "# None for 2026-Q3: every check is expected to pass.\n[]\n")

    b.write("tenant.yaml", f"""# {org}: sample tenant where every check passes for 2026-Q3.
tenant_id: "{t.domain_id}"
name: {q(org)}
support_plan: business
allowed_regions: [eu-west-0]
default_region: eu-west-0      # the VPC in resources/network.tfstate records no region
declared_regions: {{}}
scope: {{tag: "hds=true", buckets: ["ch-valmont-*"]}}   # buckets carry no tags: selected by name
policy: {{trace_max_gap_hours: 24}}
""")


# ============================================================================================
# Bundle 2: violations - Clinique des Tilleuls, 2026-Q3
# ============================================================================================

def build_violations(root: Path) -> None:
    b = BundleFiles(root)
    R, SG = "eu-west-0", "ap-southeast-1"
    org = "Clinique des Tilleuls"
    mail = "clinique-tilleuls.example"
    t = TenantTraces(IDS, "tilleuls", "clinique-tilleuls", 20260702, {R: "tilleuls", SG: "tilleuls-sg"}, {
        "clinique-tilleuls": "203.0.113.60", "i.lambert": "203.0.113.61", "a.moreau": "203.0.113.62",
        "e.garnier": "203.0.113.63", "r.petit": "203.0.113.64", "n.roche": "203.0.113.65",
        "l.bernard": "203.0.113.66", "j.martin": "198.51.100.140", "svc-pacs-export": "192.168.30.15",
    })
    findings: list[tuple[str, str, str]] = []  # (check id, object, why) for VIOLATIONS.md

    kms = uuid_("tilleuls", "kms", "hds")
    hds = {"hds": "true", "app": "pacs"}
    servers = [
        {"id": uuid_("tilleuls", "ecs", "app"), "name": "tilleuls-pacs-app", "region": R, "az": "eu-west-0a",
         "flavor": "s6.xlarge.2", "ip": "192.168.30.11", "kind": "server", "size": 40},
        {"id": uuid_("tilleuls", "ecs", "db"), "name": "tilleuls-pacs-db", "region": R, "az": "eu-west-0b",
         "flavor": "m6.2xlarge.8", "ip": "192.168.30.21", "kind": "server", "size": 100},
    ]
    sg_server = {"id": uuid_("tilleuls", "ecs", "analytics-sg"), "name": "tilleuls-analytics-sg", "region": SG,
                 "az": "ap-southeast-1a", "flavor": "s6.large.2", "ip": "10.20.0.11", "kind": "server", "size": 40}
    volumes = [
        {"id": uuid_("tilleuls", "evs", "db-data"), "name": "tilleuls-pacs-db-data", "region": R, "az": "eu-west-0b",
         "size": 500, "kind": "volume"},
        {"id": uuid_("tilleuls", "evs", "pacs-data"), "name": "tilleuls-pacs-data", "region": R, "az": "eu-west-0a",
         "size": 2000, "kind": "volume"},
    ]
    vault_srv = {"id": uuid_("tilleuls", "vault", "servers"), "name": "tilleuls-vault-servers", "region": R, "type": "server", "size": 2000}
    vault_disk = {"id": uuid_("tilleuls", "vault", "disks"), "name": "tilleuls-vault-disks", "region": R, "type": "disk", "size": 8000}
    vault_sg = {"id": uuid_("tilleuls", "vault", "sg"), "name": "tilleuls-vault-analytics", "region": SG, "type": "server", "size": 500}
    policy_backup = uuid_("tilleuls", "policy", "daily")
    policy_sg = uuid_("tilleuls", "policy", "sg-daily")
    policy_repl = uuid_("tilleuls", "policy", "replication")
    rds_id, rds_copy = uuid_("tilleuls", "rds", "lims"), uuid_("tilleuls", "rds-copy", "lims")
    dr_vault = uuid_("tilleuls", "vault", "dr-eu-west-1")
    tracker_bucket, data_bucket, export_bucket = "tilleuls-cts-traces", "tilleuls-pacs-images", "tilleuls-exports"
    http_listener = uuid_("tilleuls", "listener", "http")
    https_listener = uuid_("tilleuls", "listener", "https")
    assert http_listener[:8] != https_listener[:8]  # the waiver's glob names the HTTP listener only
    image = tf_image()
    net = uuid_("tilleuls", "network", "app")
    net_sg = uuid_("tilleuls", "network", "sg")
    sec = uuid_("tilleuls", "secgroup", "app")

    main = [
        tf_resource("flexibleengine_images_image_v2", "ubuntu", PROVIDER_OLD, [image], mode="data"),
        tf_resource("flexibleengine_compute_instance_v2", "app", PROVIDER_OLD, [tf_server(servers[0], image, net, sec, hds)]),
        tf_resource("flexibleengine_compute_instance_v2", "db", PROVIDER_OLD, [tf_server(servers[1], image, net, sec, hds)]),
        tf_resource("flexibleengine_compute_instance_v2", "analytics", PROVIDER_OLD,
                    [tf_server(sg_server, image, net_sg, sec, {"hds": "true", "app": "analytics"})]),
        tf_resource("flexibleengine_blockstorage_volume_v2", "db_data", PROVIDER_OLD, [tf_volume(volumes[0], kms, hds, servers[1]["id"])]),
        tf_resource("flexibleengine_blockstorage_volume_v2", "pacs_data", PROVIDER_OLD, [tf_volume(volumes[1], kms, hds, servers[0]["id"])]),
        tf_resource("flexibleengine_obs_bucket", "images", PROVIDER_OLD, [tf_bucket(data_bucket, R, kms_id=kms, versioning=True)]),
        tf_resource("flexibleengine_obs_bucket", "traces", PROVIDER_OLD, [tf_bucket(
            tracker_bucket, R, kms_id=kms, expire_days=90,
            rule_name="expire-traces-after-90-days")]),
        tf_resource("flexibleengine_obs_bucket", "exports", PROVIDER_OLD, [tf_bucket(export_bucket, R, kms_id=None)]),
        tf_resource("flexibleengine_rds_instance_v3", "lims", PROVIDER_OLD, [tf_rds(
            rds_id, "tilleuls-lims-pg", R, ["eu-west-0a", "eu-west-0b"], kms, 7, hds)]),
        tf_resource("flexibleengine_rds_cross_region_backup_strategy", "lims", PROVIDER_OLD, [tf_rds_copy(
            rds_copy, rds_id, R, SG, t.project_id(SG))]),
        tf_resource("flexibleengine_cts_tracker_v1", "paris", PROVIDER_OLD, [tf_tracker(R, tracker_bucket, "tilleuls")]),
        tf_resource("flexibleengine_cts_tracker_v1", "analytics", PROVIDER_OLD, [tf_tracker(SG, tracker_bucket, "tilleuls-sg")]),
        tf_resource("flexibleengine_cbr_policy", "daily", PROVIDER_OLD, [tf_policy(policy_backup, "tilleuls-twice-daily", R, "backup", retention_days=180)]),
        tf_resource("flexibleengine_cbr_policy", "analytics_daily", PROVIDER_OLD, [tf_policy(
            policy_sg, "tilleuls-analytics-twice-daily", SG, "backup", times=("01:00", "13:00"), retention_days=180)]),
        tf_resource("flexibleengine_cbr_policy", "replication", PROVIDER_OLD, [tf_policy(
            policy_repl, "tilleuls-dr-amsterdam", R, "replication", destination_region="eu-west-1",
            destination_project_id=t.project_id("eu-west-1"), times=("00:30",), days_="SU", retention_days=90)]),
        tf_resource("flexibleengine_cbr_vault", "servers", PROVIDER_OLD, [tf_vault(
            vault_srv, [{"server_id": s["id"], "excludes": [], "includes": []} for s in servers], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "disks", PROVIDER_OLD, [tf_vault(
            vault_disk, [{"server_id": "", "excludes": [], "includes": [v["id"] for v in volumes]}], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "analytics", PROVIDER_OLD, [tf_vault(
            vault_sg, [{"server_id": sg_server["id"], "excludes": [], "includes": []}], policy_sg, {"hds": "true"})]),
    ]
    for account, email in (("i.lambert", "isabelle.lambert"), ("a.moreau", "antoine.moreau"), ("e.garnier", "emilie.garnier"),
                           ("r.petit", "romain.petit"), ("n.roche", "nathalie.roche"), ("l.bernard", "lea.bernard"),
                           ("p.henry", "paul.henry")):
        main.append(tf_resource("flexibleengine_identity_user_v3", account.replace(".", "_"), PROVIDER_OLD,
                                [tf_user(t.user_id(account), account, f"{email}@{mail}", "")]))
    b.json("resources/main.tfstate", tf_state("tilleuls-main", 96, main))
    lb = uuid_("tilleuls", "elb", "portal")
    lb3 = uuid_("tilleuls", "elb3", "portal")
    network = [
        tf_resource("flexibleengine_vpc_v1", "main", PROVIDER_NEW, [{
            "id": uuid_("tilleuls", "vpc", "main"), "name": "tilleuls-vpc", "region": R, "cidr": "192.168.0.0/16",
            "status": "OK", "shared": False, "routes": [], "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_loadbalancer_v2", "portal", PROVIDER_NEW, [{
            "id": lb, "name": "tilleuls-portal-elb", "region": R, "vip_subnet_id": net, "vip_address": "192.168.30.250",
            "vip_port_id": uuid_("tilleuls", "vip", lb), "admin_state_up": True, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v2", "portal_http", PROVIDER_NEW, [tf_listener(
            http_listener, "tilleuls-portal-http", R, "HTTP", 80, lb)]),
        tf_resource("flexibleengine_lb_loadbalancer_v3", "portal", PROVIDER_NEW, [{
            "id": lb3, "name": "tilleuls-portal-elb-v3", "region": R, "availability_zone": ["eu-west-0a", "eu-west-0b"],
            "ipv4_subnet_id": net, "ipv4_address": "192.168.30.251", "cross_vpc_backend": False, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v3", "portal_https", PROVIDER_NEW, [tf_listener(
            https_listener, "tilleuls-portal-https", R, "HTTPS", 443, lb3, policy="tls-1-2",
            cert=uuid_("tilleuls", "cert", "portal"), v3=True)]),
    ]
    b.json("resources/network.tfstate", tf_state("tilleuls-network", 18, network))

    # --- register, IAM, MFA -----------------------------------------------------------------
    def em(local):
        return f"{local}@{mail}"

    register = Register([
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

    # --- traces -----------------------------------------------------------------------------
    start, end = date(2026, 6, 30), date(2026, 10, 1)
    gap = (at(2026, 9, 7, 21, 0), at(2026, 9, 11, 7, 0))  # the transfer to OBS stopped: nothing was delivered
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
    manual_time = at(2026, 9, 2, 16, 20, 11)
    manual_id = uuid_(t.key, "cbr-backup", servers[1]["id"], manual_time.isoformat())
    t.add(manual_time, R, "CBR", "createCheckpoint", "vault", vault_srv["id"], vault_srv["name"], account="a.moreau",
          ttype="ConsoleAction", request={"checkpoint": {"parameters": {"auto_trigger": False, "resource_details": [
              {"id": servers[1]["id"], "type": "OS::Nova::Server"}]}}},
          path=f"/v3/{t.project_id(R)}/checkpoints")
    t.write(b)
    times = sorted(tr["time"] for region, _, _, tr in t.traces if region == R)
    before = max(x for x in times if x < epoch_ms(gap[0]))
    after = min(x for x in times if x >= epoch_ms(gap[1]))
    hours = (after - before) / 3_600_000

    def paris(ms):
        return datetime.fromtimestamp(ms / 1000, tz=PARIS).strftime("%Y-%m-%d %H:%M")

    findings.append(("trace.continuity", R,
                     f"CTS delivery to OBS stopped: no trace between {paris(before)} and {paris(after)} (Paris), "
                     f"a gap of {hours:.1f} hours, over the 24-hour limit"))

    # the planted activity is the only activity outside the register
    outside, tracker_readers = set(), set()
    for region, service, _, tr in t.traces:
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

    # --- backups ----------------------------------------------------------------------------
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

    b.table("restore_tests.csv", ["tested_at", "resource_id", "backup_id", "result", "record"], [
        ["2025-06-10T15:00:00+02:00", servers[1]["id"], uuid_("tilleuls", "cbr-backup-old", "2025-06-09"), "success",
         "PV-2025-014: restore of tilleuls-pacs-db on the test network"],
        ["2026-09-15T14:30:00+02:00", volumes[1]["id"],
         find_backup(backups, volumes[1]["id"], "2026-09-14T11:3"), "failure",
         "PV-2026-022: restore of tilleuls-pacs-data ended in error (image checksums differ), to be replayed"],
    ])
    findings.append(("backup.restore_tested", "restore_tests.csv",
                     "the last restore test (2026-09-15) failed; the last success (2025-06-10) is more than 365 days before 2026-10-01"))

    # --- support ----------------------------------------------------------------------------
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

    # --- organisational evidence --------------------------------------------------------------
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

    b.write("tenant.yaml", f"""# {org}: sample tenant with deliberate violations for 2026-Q3 (see VIOLATIONS.md).
tenant_id: "{t.domain_id}"
name: {q(org)}
support_plan: standard
allowed_regions: [eu-west-0]
default_region: eu-west-0
declared_regions: {{}}
scope: {{tag: "hds=true"}}
policy: {{trace_max_gap_hours: 24}}
""")

    # --- VIOLATIONS.md ------------------------------------------------------------------------
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


# ============================================================================================
# Bundle 3: terminated - Laboratoire Biomedical du Lac, 2026-Q2
# ============================================================================================

def build_terminated(root: Path) -> None:
    b = BundleFiles(root)
    R = "eu-west-0"
    org = "Laboratoire Biomédical du Lac"
    mail = "labo-du-lac.example"
    t = TenantTraces(IDS, "lac", "labo-du-lac", 20260401, {R: "lac"}, {
        "labo-du-lac": "203.0.113.90", "a.vidal": "203.0.113.91", "b.leroy": "203.0.113.92"})
    register = Register([
        reg("labo-du-lac", "Gilles Fabre", f"gilles.fabre@{mail}", "admin", "2025-11-03", "2026-05-15T17:00:00+02:00",
            approved_by="Direction"),
        reg("a.vidal", "Agathe Vidal", f"agathe.vidal@{mail}", "admin", "2025-11-03", "2026-05-04T09:00:00+02:00",
            approved_by="Gilles Fabre"),
        reg("b.leroy", "Bastien Leroy", f"bastien.leroy@{mail}", "operator", "2025-11-03", "2026-04-30T18:00:00+02:00",
            approved_by="Gilles Fabre"),
    ])
    b.table("access_register.csv", REGISTER_COLUMNS, register.rows)

    app = {"id": uuid_("lac", "ecs", "app"), "name": "lac-lims-app", "region": R, "az": "eu-west-0a"}
    db = {"id": uuid_("lac", "ecs", "db"), "name": "lac-lims-db", "region": R, "az": "eu-west-0b"}
    vol = {"id": uuid_("lac", "evs", "db-data"), "name": "lac-lims-db-data", "region": R, "az": "eu-west-0b"}
    results_bucket, tracker_bucket = "labo-lac-resultats", "labo-lac-cts-traces"
    p = t.project_id(R)

    # creation, January 2026
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
    # return of the data and deletion, April 2026
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
    # the tracker and its bucket go last: those traces come from the CTS API, not from the deleted bucket
    final = ("envelope", "traces/api/cts-list-traces-eu-west-0-2026-04-29.json")
    t.add(at(2026, 4, 29, 10, 55, 2), R, "OBS", "DeleteObjects", "bucket", tracker_bucket, tracker_bucket, account="a.vidal",
          ttype="ObsAPI", event_type="data", url=f"https://{tracker_bucket}.oss.{R}.{FE_DOMAIN}/?delete", dest=final,
          request={"quiet": True, "objects": 3107})
    t.add(at(2026, 4, 29, 11, 0, 8), R, "CTS", "deleteTracker", "tracker", "system", "system", account="a.vidal",
          ttype="ConsoleAction", path=f"/v3/{p}/trackers?tracker_name=system", dest=final)
    t.add(at(2026, 4, 29, 11, 5, 27), R, "OBS", "deleteBucket", "bucket", tracker_bucket, tracker_bucket, account="a.vidal",
          ttype="ObsAPI", url=f"https://{tracker_bucket}.oss.{R}.{FE_DOMAIN}/", dest=final)
    t.write(b)

    # CSBS backups of the two servers: weekly until the contract end, deleted on 2026-04-14
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
    b.json("resources/main.tfstate", tf_state("lac-main", 141, []))
    b.table("tickets.csv", ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"], [
        ["REQ-2026-0301", "request", "P3", "2026-05-04T09:00:00+02:00", "2026-05-04T09:25:00+02:00", "2026-05-15T17:00:00+02:00", "false"],
    ])
    b.write("tenant.yaml", f"""# {org}: contract ended on 2026-03-31; sample for `hds-audit deletion` (2026-Q2).
tenant_id: "{t.domain_id}"
name: {q(org)}
support_plan: business
allowed_regions: [eu-west-0]
default_region: eu-west-0
declared_regions: {{}}
scope: all
contract_end: 2026-03-31                                 # deletion due by 2026-05-31 (contract end + 2 months)
tenant_deletion_requested_at: 2026-05-04T09:00:00+02:00  # ticket REQ-2026-0301, a Monday
tenant_deleted_at: 2026-05-15T17:00:00+02:00
# Working days after the request (French public holidays 8 May, 14 May Ascension, 25 May Whit Monday):
#   Tue 05-05 (1), Wed 05-06 (2), Thu 05-07 (3), Fri 05-08 holiday, Sat-Sun, Mon 05-11 (4),
#   Tue 05-12 (5), Wed 05-13 (6), Thu 05-14 holiday, Fri 05-15 (7): deleted on working day 7 of 10.
#   The 10th working day would be Wed 2026-05-20.
policy: {{trace_max_gap_hours: 24}}
""")


# ============================================================================================

def write_all(out: Path, names: tuple[str, ...] = BUNDLES) -> None:
    """Write the named bundles under `out`, each into a fresh folder of its name."""
    builds = {"compliant": build_compliant, "violations": build_violations, "terminated": build_terminated}
    for name in names:
        root = out / name
        if root.exists():
            shutil.rmtree(root)
        builds[name](root)
        files = [p for p in root.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(f"{name:11s} {len(files):4d} files {size / 1024:8.1f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder that receives the three bundles (default: samples/)")
    write_all(parser.parse_args().out)


if __name__ == "__main__":
    main()
