"""What the three sample tenants share: ids, the French calendar, a day of routine activity, documents."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta

from hds_audit.bundle_writer.clock import at
from hds_audit.bundle_writer.documents import attestation_yaml, certificate_yaml, document_lines, tiny_pdf
from hds_audit.bundle_writer.files import BundleFiles, sha256
from hds_audit.bundle_writer.iam import mfa_listing
from hds_audit.bundle_writer.ids import Ids
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.register import Register
from stories.attestations import ATTESTATIONS

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


