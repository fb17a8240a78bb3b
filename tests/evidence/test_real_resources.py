"""Resources as the Flexible Engine provider writes them: RDS instances and their cross-region backup copies, OBS buckets
without tags, classic ELB listeners, `terraform show -json` under resources/, and inventory.assessed.

Fixtures follow the provider's resource schemas (github.com/FlexibleEngineCloud/terraform-provider-flexibleengine,
docs/resources/rds_instance_v3.md, rds_cross_region_backup_strategy.md, obs_bucket.md, elb_listener.md,
compute_instance_v2.md) and Terraform's formats (state version 4; `terraform show -json`, developer.hashicorp.com
/terraform/internals/json-format). Tenants, names and ids are invented.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_resources_reader import instance, load, tf, tfstate

from hds_audit.states import Status

RES, REP, ENC, COV, TLS, ASSESSED = ("residency.resources", "residency.replication", "storage.encrypted_at_rest",
                                     "backup.coverage", "transport.tls_only", "inventory.assessed")
KMS = "0d6c2b1e-4a8f-4c2d-9e1b-7a5f3c2d1e0f"


def rds(rid="c1a2b3d4e5f64a7b8c9d0e1f2a3b4c5din01", name="chx-dossiers", keep_days=7, key=KMS, tags=None, **extra) -> dict:
    """flexibleengine_rds_instance_v3 attributes: `availability_zone` is a list (primary and standby), `volume` and
    `backup_strategy` are blocks (lists of one), `db.password` is sensitive in the state."""
    attributes = {
        "id": rid, "name": name, "region": "eu-west-0", "availability_zone": ["eu-west-0a", "eu-west-0b"],
        "flavor": "rds.pg.s3.large.2.ha", "ha_replication_mode": "async", "vpc_id": "vpc-1", "subnet_id": "net-1",
        "security_group_id": "sg-1", "db": [{"type": "PostgreSQL", "version": "14", "port": 5432, "password": "", "user_name": "root"}],
        "volume": [{"type": "ULTRAHIGH", "size": 100, "disk_encryption_id": key}],
        "backup_strategy": [] if keep_days is None else [{"keep_days": keep_days, "start_time": "01:00-02:00"}],
        "nodes": [{"availability_zone": "eu-west-0a", "id": "n1", "name": f"{name}_node0", "role": "master", "status": "ACTIVE"}],
        "private_ips": ["192.168.0.12"], "public_ips": [], "status": "ACTIVE", "created": "2026-01-12T09:41:06+0000",
        "tags": {"hds": "true"} if tags is None else tags, "time_zone": "UTC", "timeouts": None,
    }
    return {**attributes, **extra}


def cross_region(instance_id, destination="eu-west-1", rid="strategy-1") -> dict:
    return {"id": rid, "instance_id": instance_id, "backup_type": "all", "keep_days": 5, "destination_region": destination,
            "destination_project_id": "b7c5d3e1f9a04b2c8d6e4f2a0c8e6d4b", "region": "eu-west-0", "timeouts": None}


def state(builder, *entries):
    builder.write("resources/main.tfstate", tfstate(*entries))


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def no_backups(builder):
    builder.write("backups/cbr.json", json.dumps({"backups": [], "count": 0}))


# -- RDS: residency ---------------------------------------------------------------------------------

def test_rds_instance_read_with_its_zones_and_placed_by_name(builder, run_checks_on):
    state(builder, tf("flexibleengine_rds_instance_v3", "db", rds()))
    no_backups(builder)
    db = load(builder).data.resources[0]
    assert (db.region, db.availability_zone, db.in_scope) == ("eu-west-0", "eu-west-0a,eu-west-0b", True)
    result = run_checks_on(builder.root, RES)[RES]
    assert result.status is Status.PASS, result.findings
    row = next(p for p in result.details["placements"] if p["object"] == db.id)
    assert row["name"] == "chx-dossiers" and row["kind"] == "flexibleengine_rds_instance_v3"


def test_rds_backups_copied_outside_the_eu_fail_replication_and_the_residency_proof(builder, run_checks_on, tmp_path):
    db = rds()
    state(builder, tf("flexibleengine_rds_instance_v3", "db", db),
          tf("flexibleengine_rds_cross_region_backup_strategy", "copy", cross_region(db["id"], "ap-southeast-1")))
    no_backups(builder)
    result = run_checks_on(builder.root, REP)[REP]
    assert result.status is Status.FAIL and objects(result) == ["strategy-1"]
    finding = result.findings[0]
    assert "RDS instance chx-dossiers" in finding.message and "ap-southeast-1" in finding.message
    assert finding.evidence == ("resources/main.tfstate#flexibleengine_rds_cross_region_backup_strategy.copy",
                                "resources/main.tfstate#flexibleengine_rds_instance_v3.db")
    row = result.details["replications"][0]
    assert (row["source_region"], row["region"], row["allowed"]) == ("eu-west-0", "ap-southeast-1", False)

    from hds_audit.cli import cli

    out = CliRunner().invoke(cli, ["residency", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "proof")])
    assert out.exit_code == 1, out.output  # not proven
    proof = json.loads(next((tmp_path / "proof").glob("*.json")).read_text())
    assert any(p.get("name") == "chx-dossiers" for p in proof["placements"])
    assert any("RDS instance chx-dossiers" in r["about"] and r["region"] == "ap-southeast-1" for r in proof["replications"])


def test_rds_cross_region_copy_inside_the_eu_passes_and_without_destination_is_error(builder, run_checks_on):
    db = rds()
    state(builder, tf("flexibleengine_rds_instance_v3", "db", db),
          tf("flexibleengine_rds_cross_region_backup_strategy", "copy", cross_region(db["id"], "eu-west-0")))
    no_backups(builder)
    builder.tenant(allowed_regions=["eu-west-0", "eu-west-1"])
    assert run_checks_on(builder.root, REP)[REP].status is Status.PASS
    state(builder, tf("flexibleengine_rds_instance_v3", "db", db),
          tf("flexibleengine_rds_cross_region_backup_strategy", "copy", {**cross_region(db["id"]), "destination_region": ""}))
    result = run_checks_on(builder.root, REP)[REP]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["strategy-1"]


def test_rds_without_region_nor_default_region_is_error_in_residency(builder, run_checks_on):
    state(builder, tf("flexibleengine_rds_instance_v3", "db", {**rds(), "region": None}))
    no_backups(builder)
    result = run_checks_on(builder.root, RES)[RES]
    assert result.status is Status.ERROR and "region unknown" in result.findings[0].message


# -- RDS: encryption and backups ---------------------------------------------------------------------

def test_rds_encryption_from_disk_encryption_id(builder, run_checks_on):
    state(builder, tf("flexibleengine_rds_instance_v3", "db",
                      instance(rds(rid="db-enc"), 0), instance(rds(rid="db-plain", name="chx-plain", key=""), 1),
                      instance({**rds(rid="db-novol", name="chx-novol"), "volume": []}, 2)))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert objects(result) == ["db-novol", "db-plain"]
    assert "disk_encryption_id is empty" in next(f.message for f in result.findings if f.object == "db-plain")
    assert {r["object"]: r["encrypted"] for r in result.details["objects"]} == {"db-enc": True, "db-plain": False, "db-novol": False}


def test_rds_out_of_scope_is_not_judged_for_encryption(builder, run_checks_on):
    state(builder, tf("flexibleengine_rds_instance_v3", "db", instance(rds(rid="db-enc"), 0),
                      instance(rds(rid="db-test", key="", tags={"env": "test"}), 1)))
    assert run_checks_on(builder.root, ENC)[ENC].status is Status.PASS


def test_rds_backup_policy_kept_at_least_one_day(builder, run_checks_on):
    state(builder, tf("flexibleengine_rds_instance_v3", "db",
                      instance(rds(rid="db-7"), 0), instance(rds(rid="db-1", keep_days=1), 1),
                      instance(rds(rid="db-0", keep_days=0), 2), instance(rds(rid="db-none", keep_days=None), 3),
                      instance({**rds(rid="db-odd"), "backup_strategy": [{"keep_days": "x", "start_time": "01:00-02:00"}]}, 4)))
    no_backups(builder)
    result = run_checks_on(builder.root, COV)[COV]
    assert objects(result) == ["db-0", "db-none"]
    assert objects(result, Status.ERROR) == ["db-odd"]
    assert "keep_days is 0: the automated backup policy is disabled" in next(f.message for f in result.findings if f.object == "db-0")
    rows = {r["resource_id"]: r.get("keep_days") for r in result.details["resources"]}
    assert rows["db-7"] == 7 and rows["db-1"] == 1


def test_rds_still_listed_after_the_deletion_deadline_fails(builder, run_checks_on):
    builder.tenant(contract_end="2026-03-31")
    state(builder, tf("flexibleengine_rds_instance_v3", "db", rds(rid="db-left")))
    no_backups(builder)
    builder.traces([{"trace_id": "t0", "trace_name": "updateServer", "trace_rating": "normal", "trace_type": "SystemAction",
                     "service_type": "ECS", "user": None, "time": 1783000000000}])
    result = run_checks_on(builder.root, "deletion.contract_end")["deletion.contract_end"]
    assert objects(result) == ["db-left"]
    assert "database chx-dossiers still listed" in result.findings[0].message


def test_rds_delete_trace_proves_the_database_deleted(builder, run_checks_on):
    builder.tenant(contract_end="2026-03-31")
    builder.write("resources/main.tfstate", tfstate())
    no_backups(builder)
    # CTS trace of RDS (resource_type "instance", which is an RDS database here, not a server)
    builder.traces([{"trace_id": "c0", "trace_name": "createInstance", "trace_rating": "normal", "trace_type": "ApiCall",
                     "service_type": "RDS", "resource_type": "instance", "resource_id": "db-9", "resource_name": "chx-old",
                     "user": {"id": "u1", "name": "a.durand", "domain": {"id": "d", "name": "chx"}}, "time": 1767258000000},
                    {"trace_id": "d0", "trace_name": "deleteInstance", "trace_rating": "normal", "trace_type": "ApiCall",
                     "service_type": "RDS", "resource_type": "instance", "resource_id": "db-9", "resource_name": "chx-old",
                     "user": {"id": "u1", "name": "a.durand", "domain": {"id": "d", "name": "chx"}}, "time": 1776000000000}])
    result = run_checks_on(builder.root, "deletion.contract_end")["deletion.contract_end"]
    row = next(r for r in result.details["timeline"] if r["resource_id"] == "db-9")
    assert (row["kind"], row["verdict"]) == ("database", "deleted")


# -- buckets: scope.buckets, and no silent gap ----------------------------------------------------------

def obs_bucket(name, encryption=True) -> dict:
    """flexibleengine_obs_bucket attributes: no `tags` (the provider has none for buckets)."""
    return {"id": name, "bucket": name, "region": "eu-west-0", "storage_class": "STANDARD", "acl": "private",
            "encryption": encryption, "kms_key_id": KMS if encryption else "", "versioning": True,
            "lifecycle_rule": [], "force_destroy": False, "multi_az": True, "bucket_domain_name": f"{name}.oss.eu-west-0.example"}


def test_every_bucket_is_judged_without_scope_buckets_and_only_the_named_with_it(builder, run_checks_on):
    state(builder, tf("flexibleengine_obs_bucket", "b", instance(obs_bucket("chx-scans", False), "a"),
                      instance(obs_bucket("web-assets", False), "b")))
    assert objects(run_checks_on(builder.root, ENC)[ENC]) == ["chx-scans", "web-assets"]
    builder.tenant(scope={"tag": "hds=true", "buckets": ["chx-*"]})
    assert objects(run_checks_on(builder.root, ENC)[ENC]) == ["chx-scans"]


def test_scope_buckets_must_be_names():
    from pydantic import ValidationError

    from hds_audit.evidence.tenant import Scope

    assert Scope.model_validate({"buckets": "chx-*"}).buckets == ["chx-*"]
    try:
        Scope.model_validate({"buckets": ["chx-*", ""]})
    except ValidationError as exc:
        assert "bucket names or globs" in str(exc)
    else:
        raise AssertionError("an empty bucket pattern was accepted")


def test_inventory_assessed_lists_each_unjudged_in_scope_resource_as_manual(builder, run_checks_on):
    # a DCS (Redis) instance and an SFS Turbo share, tagged as holding health data: no check judges their type
    state(builder, tf("flexibleengine_rds_instance_v3", "db", rds()),
          tf("flexibleengine_dcs_instance_v1", "cache", {"id": "dcs-1", "name": "chx-cache", "region": "eu-west-0", "tags": {"hds": "true"}}),
          tf("flexibleengine_sfs_turbo", "share", {"id": "sfs-1", "name": "chx-share", "region": "eu-west-0", "tags": {"hds": "true"}}),
          tf("flexibleengine_vpc_v1", "net", {"id": "vpc-1", "name": "chx", "region": "eu-west-0", "tags": {"hds": "true"}}),  # no data of its own
          tf("flexibleengine_vpc_v1", "other", {"id": "vpc-2", "region": "eu-west-0", "tags": {}}))  # out of scope
    result = run_checks_on(builder.root, ASSESSED)[ASSESSED]
    assert result.status is Status.MANUAL and objects(result, Status.MANUAL) == ["dcs-1", "sfs-1"]
    assert "flexibleengine_dcs_instance_v1 flexibleengine_dcs_instance_v1.cache" in result.findings[0].message
    assert [r["object"] for r in result.details["not_assessed"]] == ["dcs-1", "sfs-1"]
    assert result.details["assessed"] == [
        {"type": "flexibleengine_rds_instance_v3", "resources": 1,
         "checks": ["storage.encrypted_at_rest", "backup.coverage", "residency.replication", "deletion.contract_end"]},
        {"type": "flexibleengine_vpc_v1", "resources": 1, "checks": [], "why": "network: carries no data of its own"}]


def test_inventory_assessed_passes_when_every_type_is_judged_and_errs_on_an_empty_scope(builder, run_checks_on):
    state(builder, tf("flexibleengine_rds_instance_v3", "db", rds()), tf("flexibleengine_obs_bucket", "b", obs_bucket("chx-a")))
    assert run_checks_on(builder.root, ASSESSED)[ASSESSED].status is Status.PASS
    builder.tenant(scope={"tag": "hds=yes", "buckets": ["none-*"]})
    result = run_checks_on(builder.root, ASSESSED)[ASSESSED]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["resources"]


def test_results_json_states_not_assessed(builder):
    from hds_audit.catalog import load_catalog
    from hds_audit.pipeline.engine import run_checks
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load as load_tenant
    from hds_audit.calendar.period import parse_period

    state(builder, tf("flexibleengine_dcs_instance_v1", "cache", {"id": "dcs-1", "region": "eu-west-0", "tags": {"hds": "true"}}))
    bundle = Bundle(str(builder.root))
    catalog = load_catalog()
    bound = [c for c, b in catalog.bindings.items() if any(r.id == ASSESSED for r in b.check_refs(next(x for x in catalog.controls if x.id == c)))]
    assert bound == ["perimeter-related-to-health-data-access-monitoring"]
    result = run_checks(catalog, bundle, load_tenant(bundle), parse_period("2026-Q3"), only={ASSESSED})
    document = result.to_json()
    assert [r["object"] for r in document["not_assessed"]] == ["dcs-1"]
    assert run_checks(catalog, bundle, load_tenant(bundle), parse_period("2026-Q3"), only={RES}).to_json()["not_assessed"] is None


# -- classic ELB listeners ----------------------------------------------------------------------------

def classic(lid, protocol, ssl_protocols="") -> dict:
    """flexibleengine_elb_listener: protocol HTTP, TCP, HTTPS or UDP; ssl_protocols "TLSv1.2" or "TLSv1.2 TLSv1.1 TLSv1"."""
    return {"id": lid, "name": lid, "loadbalancer_id": "elb-1", "protocol": protocol, "protocol_port": 443 if protocol == "HTTPS" else 80,
            "backend_protocol": "HTTP", "backend_port": 8080, "lb_algorithm": "roundrobin", "certificate_id": "cert-1" if protocol == "HTTPS" else "",
            "ssl_protocols": ssl_protocols, "ssl_ciphers": "Default" if ssl_protocols else "", "region": "eu-west-0"}


def test_classic_elb_listeners_are_judged(builder, run_checks_on):
    state(builder, tf("flexibleengine_elb_listener", "l", instance(classic("http", "HTTP"), "a"),
                      instance(classic("tls12", "HTTPS", "TLSv1.2"), "b"), instance(classic("old", "HTTPS", "TLSv1.2 TLSv1.1 TLSv1"), "c"),
                      instance(classic("unsaid", "HTTPS"), "d")))
    result = run_checks_on(builder.root, TLS)[TLS]
    assert objects(result) == ["http", "old", "unsaid"]
    messages = {f.object: f.message for f in result.findings}
    assert "protocol HTTP" in messages["http"] and "TLSv1.1, TLSv1" in messages["old"] and "not shown" in messages["unsaid"]
    assert {r["object"]: r["ok"] for r in result.details["listeners"]}["tls12"] is True


# -- terraform show -json under resources/ ----------------------------------------------------------------

def show_json(*resources, children=()) -> str:
    """`terraform show -json` of a state: format_version, values.root_module.resources[] and child_modules[]."""
    return json.dumps({"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {
        "resources": list(resources), "child_modules": list(children)}}})


def shown(address, rtype, values, index=None, mode="managed") -> dict:
    entry = {"address": address, "mode": mode, "type": rtype, "name": address.split(".")[-1].split("[")[0],
             "provider_name": "registry.terraform.io/flexibleenginecloud/flexibleengine", "schema_version": 0,
             "values": values, "sensitive_values": {}}
    if index is not None:
        entry["index"] = index
    return entry


def test_show_json_in_resources_is_read_as_the_state(builder, run_checks_on):
    db = rds()
    builder.write("resources/state.json", show_json(
        shown("flexibleengine_rds_instance_v3.db", "flexibleengine_rds_instance_v3", db),
        shown("data.flexibleengine_availability_zones.all", "flexibleengine_availability_zones", {"id": "x"}, mode="data"),
        children=[{"address": "module.dr", "resources": [shown("module.dr.flexibleengine_rds_cross_region_backup_strategy.copy[0]",
                                                               "flexibleengine_rds_cross_region_backup_strategy",
                                                               cross_region(db["id"], "ap-southeast-1"), index=0)]}]))
    no_backups(builder)
    evidence = load(builder)
    assert evidence.problems == []
    assert sorted(r.address for r in evidence.data.resources) == [
        "flexibleengine_rds_instance_v3.db", "module.dr.flexibleengine_rds_cross_region_backup_strategy.copy[0]"]
    assert evidence.files[0].records == 2
    result = run_checks_on(builder.root, REP)[REP]
    assert objects(result) == ["strategy-1"] and result.findings[0].evidence[0].startswith("resources/state.json#module.dr.")


def test_show_json_beside_its_state_counts_each_resource_once(builder):
    db = rds()
    state(builder, tf("flexibleengine_rds_instance_v3", "db", db))
    builder.write("resources/state.json", show_json(shown("flexibleengine_rds_instance_v3.db", "flexibleengine_rds_instance_v3", db)))
    evidence = load(builder)
    assert len(evidence.data.resources) == 1
    assert [(p.file, p.reason) for p in evidence.problems] == [
        ("resources/state.json", f"flexibleengine_rds_instance_v3 {db['id']} is already read from resources/main.tfstate#flexibleengine_rds_instance_v3.db: counted once")]


def test_a_plan_or_other_json_under_resources_is_a_problem(builder):
    builder.write("resources/plan.json", json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}}, "resource_changes": []}))
    builder.write("resources/notes.json", json.dumps({"hello": "world"}))
    evidence = load(builder)
    reasons = {p.file: p.reason for p in evidence.problems}
    assert "a saved plan" in reasons["resources/plan.json"] and "not `terraform show -json` output" in reasons["resources/notes.json"]
    assert evidence.data is None


def test_run_reads_show_json_and_the_report_shows_what_was_not_assessed(builder, tmp_path):
    from hds_audit.cli import cli

    builder.write("resources/state.json", show_json(
        shown("flexibleengine_rds_instance_v3.db", "flexibleengine_rds_instance_v3", rds()),
        shown("flexibleengine_dcs_instance_v1.cache", "flexibleengine_dcs_instance_v1", {"id": "dcs-1", "region": "eu-west-0", "tags": {"hds": "true"}})))
    out = CliRunner().invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "r")])
    assert out.exit_code == 1, out.output  # most evidence is absent: errors
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert [r["object"] for r in results["not_assessed"]] == ["dcs-1"]
    assert any(e["path"] == "resources/state.json" and e["records"] == 2 for e in results["evidence"])
    html = (tmp_path / "r" / "report.html").read_text()
    assert "Resources assessed and not assessed" in html and "flexibleengine_dcs_instance_v1.cache" in html


def test_drift_tracks_database_settings_and_classic_listeners():
    from hds_audit.workflows.drift import affects, fingerprint
    from hds_audit.evidence.resources import Inventory, Resource

    def resource(rtype, attributes):
        return Resource(address=f"{rtype}.x", type=rtype, name="x", id=attributes["id"], region="eu-west-0", availability_zone=None,
                        attributes=attributes, tags={}, in_scope=True, file="resources/main.tfstate", ref=f"resources/main.tfstate#{rtype}.x")

    db = fingerprint(resource("flexibleengine_rds_instance_v3", rds(keep_days=0)), Inventory())
    assert (db["disk_encryption_ids"], db["backup_keep_days"], db["availability_zone"]) == ([KMS], 0, ["eu-west-0a", "eu-west-0b"])
    assert affects("flexibleengine_rds_instance_v3", "backup_keep_days") == ("backup.coverage",)
    copy = fingerprint(resource("flexibleengine_rds_cross_region_backup_strategy", cross_region("db-1", "ap-southeast-1")), Inventory())
    assert copy["destination_region"] == "ap-southeast-1" and affects("flexibleengine_rds_cross_region_backup_strategy", "destination_region") == ("residency.replication",)
    listener = fingerprint(resource("flexibleengine_elb_listener", classic("l1", "https", "TLSv1.2 TLSv1.1 TLSv1")), Inventory())
    assert (listener["protocol"], listener["ssl_protocols"]) == ("HTTPS", "TLSv1.2 TLSv1.1 TLSv1")
