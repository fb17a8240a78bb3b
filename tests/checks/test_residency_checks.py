"""Residency: the regions table, allowed regions, where resources and backups lie, where copies go."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from test_resources_reader import LEGACY, instance, tf, tfstate

from hds_audit.calendar.period import parse_period
from hds_audit.checks.interface import CheckInput
from hds_audit.checks.residency import replication, resources
from hds_audit.evidence import resources as reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import Tenant
from hds_audit.evidence.tenant import load as load_tenant
from hds_audit.provider import regions
from hds_audit.states import Status

RA, RR, RP = "residency.regions_allowed", "residency.resources", "residency.replication"


@pytest.fixture(autouse=True)
def no_backup(builder):
    """An empty listing: evidence that there is no backup (without any listing both checks are `error`)."""
    builder.write("backups/cbr.json", json.dumps({"backups": []}))


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def backup(bid, resource_id="vol-1", region="eu-west-0", destinations=(), source="cbr"):
    return SimpleNamespace(id=bid, resource_id=resource_id, resource_type="OS::Cinder::Volume", status="available",
                           created_at=None, region=region, destination_regions=list(destinations), encrypted=True,
                           source=source, ref=f"backups/cbr.json#id={bid}")


def direct(builder, check, backups=None):
    """Run a check function on the bundle's state and stand-in backups (the backups kind is another module)."""
    bundle = Bundle(str(builder.root))
    tenant = load_tenant(bundle)
    inv = reader.load(bundle, tenant).data
    return check(CheckInput({"resources": inv, "backups": backups}, {}, parse_period("2026-Q3"), tenant))


# -- the table ---------------------------------------------------------------------------------
def test_regions_table():
    table = regions.load_table()
    assert len(table.eu_member_states) == 27 and table.eea_counts_as_eu is False
    assert regions.country_of("eu-west-0") == "FR" and regions.country_of("EU-WEST-1 ") == "NL"
    assert regions.region_info("eu-westxvp-28").city == "Paris" and "SAP" in regions.region_info("eu-westxvp-28").note
    assert regions.country_of("xx-north-1") is None
    tenant = Tenant(tenant_id="t", name="n", support_plan="business", allowed_regions=["eu-west-0"], declared_regions={"de-central-1": "de", "eu-west-0": "US"})
    assert regions.country_of("de-central-1", tenant) == "DE"
    assert regions.country_of("eu-west-0", tenant) == "FR"  # the table wins over a declaration
    assert regions.is_eu("FR") and regions.is_eu("el") and not regions.is_eu("NO") and not regions.is_eu("CH") and not regions.is_eu(None)


# -- regions_allowed ---------------------------------------------------------------------------
def test_regions_allowed_pass(builder, run_checks_on):
    builder.tenant(allowed_regions=["eu-west-0", "eu-west-1", "de-fra-1"], declared_regions={"de-fra-1": "DE"})
    result = run_checks_on(builder.root, RA)[RA]
    assert result.status is Status.PASS, result.findings
    assert [r["country"] for r in result.details["regions"]] == ["FR", "NL", "DE"]


def test_regions_allowed_non_eu_declared_fails(builder, run_checks_on):
    builder.tenant(allowed_regions=["eu-west-0", "no-oslo-1", "ch-zrh-1"], declared_regions={"no-oslo-1": "NO", "ch-zrh-1": "CH"})
    result = run_checks_on(builder.root, RA)[RA]
    assert result.status is Status.FAIL and objects(result) == ["ch-zrh-1", "no-oslo-1"]
    assert "outside the European Union" in result.findings[0].message


def test_regions_allowed_undeclared_unknown_region_fails(builder, run_checks_on):
    builder.tenant(allowed_regions=["eu-west-0", "eu-central-9"])
    result = run_checks_on(builder.root, RA)[RA]
    assert result.status is Status.FAIL and objects(result) == ["eu-central-9"]
    assert "declared_regions" in result.findings[0].message


def test_regions_allowed_notes_a_contradicting_declaration(builder, run_checks_on):
    builder.tenant(allowed_regions=["eu-west-0"], declared_regions={"eu-west-0": "US"})
    result = run_checks_on(builder.root, RA)[RA]
    assert result.status is Status.PASS and "the table is used" in result.details["note"]


# -- resources ---------------------------------------------------------------------------------
def test_resources_pass_with_placements(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_compute_instance_v2", "s", instance({"id": "srv-0", "region": "eu-west-0"}, 0), instance({"id": "srv-1", "region": "eu-west-0"}, 1)),
        tf("flexibleengine_obs_bucket", "b", {"bucket": "ch-data", "region": "eu-west-0"}, provider=LEGACY),
        tf("flexibleengine_vpc_v1", "far", {"id": "vpc-far", "region": "ap-southeast-1"}, mode="data"),  # a look-up, not a resource
    ))
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.PASS, result.findings
    placements = result.details["placements"]
    assert [p["object"] for p in placements] == ["ch-data", "srv-0", "srv-1"]
    first = placements[0]
    assert (first["kind"], first["region"], first["country"], first["allowed"]) == ("flexibleengine_obs_bucket", "eu-west-0", "FR", True)


def test_resources_outside_allowed_fail_even_out_of_scope(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_compute_instance_v2", "s", {"id": "srv-1", "region": "eu-west-1"}),
        tf("flexibleengine_obs_bucket", "b", instance({"bucket": "ch-x", "region": "eu-west-0"}, "x"), instance({"bucket": "ch-y", "region": "cn-north-4"}, "y")),
    ))
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.FAIL and objects(result) == ["ch-y", "srv-1"]
    y = next(f for f in result.findings if f.object == "ch-y")
    assert "cn-north-4 (country unknown)" in y.message and y.evidence == ('resources/main.tfstate#flexibleengine_obs_bucket.b["y"]',)
    assert "eu-west-1 (Amsterdam, NL)" in next(f for f in result.findings if f.object == "srv-1").message


def test_resource_without_region_takes_default_region(builder, run_checks_on):
    builder.tenant(default_region="eu-west-0")
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_cbr_vault", "v", {"id": "vault-1"})))
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.PASS and result.details["placements"][0]["region"] == "eu-west-0"


def test_resource_without_region_nor_default_is_error(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_cbr_vault", "v", {"id": "vault-1"}),
                                                    tf("flexibleengine_vpc_v1", "n", {"id": "vpc-1", "region": "eu-west-0"})))
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["vault-1"]
    assert "region unknown" in result.findings[0].message


def test_resources_absent_state_is_error_and_empty_state_passes_with_note(builder, run_checks_on):
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.ERROR and any("absent" in f.message for f in result.findings)
    builder.write("resources/main.tfstate", tfstate())
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.PASS and "holds no Flexible Engine resource" in result.details["note"]


def test_resources_version_3_state_is_error(builder, run_checks_on):
    builder.write("resources/main.tfstate", '{"version": 3, "modules": []}')
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.ERROR
    assert any(f.object == "resources/main.tfstate" and "version 3" in f.message for f in result.findings)


def test_backups_placed_and_faulted(builder):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_blockstorage_volume_v2", "v", {"id": "vol-1", "region": "eu-west-0"})))
    outcome = direct(builder, resources, [
        backup("bk-ok"), backup("bk-far", region="eu-west-1"), backup("bk-inferred", region=None),
        backup("bk-lost", resource_id="vol-gone", region=None), backup("bk-csbs", region="eu-west-0", source="csbs"),
    ])
    by = {f.object: f for f in outcome.findings}
    assert set(by) == {"bk-far", "bk-lost"}
    assert by["bk-far"].status is Status.FAIL and by["bk-far"].evidence == ("backups/cbr.json#id=bk-far",)
    assert by["bk-lost"].status is Status.ERROR and "region unknown" in by["bk-lost"].message
    placements = {p["object"]: p for p in outcome.details["placements"]}
    assert placements["bk-inferred"]["region"] == "eu-west-0" and placements["bk-inferred"]["region_from"] == "region of its resource vol-1"
    assert placements["bk-csbs"]["kind"] == "backup" and placements["bk-csbs"]["source"] == "csbs"


def test_no_backup_evidence_is_an_error_finding(builder):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_blockstorage_volume_v2", "v", {"id": "vol-1", "region": "eu-west-0"})))
    outcome = direct(builder, resources, None)
    assert [(f.object, f.status) for f in outcome.findings] == [("backups", Status.ERROR)]
    assert [p["object"] for p in outcome.details["placements"]] == ["vol-1"]


# -- replication -------------------------------------------------------------------------------
def bucket(name, region):
    return instance({"id": name, "bucket": name, "region": region}, name)


def test_replication_pass_and_fail(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "b", bucket("src", "eu-west-0"), bucket("dst-ok", "eu-west-0"), bucket("dst-far", "eu-west-1")),
        tf("flexibleengine_obs_bucket_replication", "r",
           instance({"id": "src", "bucket": "src", "destination_bucket": "dst-ok", "region": "eu-west-0"}, "ok"),
           instance({"id": "src-2", "bucket": "src", "destination_bucket": "dst-far", "region": "eu-west-0"}, "far")),
        tf("flexibleengine_cbr_policy", "p", instance({"id": "pol-local", "type": "backup", "destination_region": ""}, 0),
           instance({"id": "pol-rep", "type": "replication", "destination_region": "eu-west-1", "region": "eu-west-0"}, 1)),
    ))
    result = run_checks_on(builder.root, RP)[RP]
    assert result.status is Status.FAIL and objects(result) == ["pol-rep", "src-2"]
    assert "dst-far" in next(f for f in result.findings if f.object == "src-2").message
    rows = {r["object"]: r for r in result.details["replications"]}
    assert rows["src"]["allowed"] and rows["src"]["found_by"] == "region of destination bucket dst-ok"
    assert "pol-local" not in rows


def test_replication_allowed_to_second_region_passes(builder, run_checks_on):
    builder.tenant(allowed_regions=["eu-west-0", "eu-west-1"])
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket_replication", "r", {"id": "src", "bucket": "src", "destination_bucket": "elsewhere", "destination_region": "eu-west-1"}),
        tf("flexibleengine_cbr_policy", "p", {"id": "pol-rep", "destination_region": "eu-west-1"}),
    ))
    result = run_checks_on(builder.root, RP)[RP]
    assert result.status is Status.PASS, result.findings


def test_replication_to_bucket_not_in_state_is_error(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket_replication", "r", {"id": "src", "bucket": "src", "destination_bucket": "unknown-dst", "region": "eu-west-0"})))
    result = run_checks_on(builder.root, RP)[RP]
    assert result.status is Status.ERROR and "unknown-dst is not in the Terraform state" in result.findings[0].message


def test_replication_of_backup_copies(builder):
    builder.write("resources/main.tfstate", tfstate())
    outcome = direct(builder, replication, [backup("bk-1", destinations=["eu-west-0"]), backup("bk-2", destinations=["eu-west-0", "af-south-1"])])
    assert [(f.object, f.status) for f in outcome.findings] == [("bk-2", Status.FAIL)]
    assert "af-south-1" in outcome.findings[0].message


def test_replication_nothing_to_check_passes_with_note(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_obs_bucket", "b", bucket("only", "eu-west-0"))))
    result = run_checks_on(builder.root, RP)[RP]
    assert result.status is Status.PASS and "no bucket replication" in result.details["note"]


@pytest.mark.parametrize("check_id", [RR, RP])
def test_residency_checks_need_the_state(builder, run_checks_on, check_id):
    result = run_checks_on(builder.root, check_id)[check_id]
    assert result.status is Status.ERROR


def test_with_a_real_cbr_listing(builder, run_checks_on):
    """Through the engine: the backups kind places backups by their zone and reads replication_records."""
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_blockstorage_volume_v2", "v", {"id": "vol-1", "region": "eu-west-0"})))
    record = {"resource_id": "vol-1", "resource_type": "OS::Cinder::Volume", "status": "available",
              "created_at": "2026-07-02T01:00:00", "extend_info": {"encrypted": True}}
    builder.write("backups/cbr.json", json.dumps({"backups": [
        {**record, "id": "bk-home", "resource_az": "eu-west-0a", "replication_records": [{"destination_region": "eu-west-0"}]},
        {**record, "id": "bk-ams", "resource_az": "eu-west-1b", "replication_records": [{"destination_region": "eu-west-1"}]},
    ]}))
    results = run_checks_on(builder.root, RR, RP)
    assert objects(results[RR]) == ["bk-ams"] and objects(results[RP]) == ["bk-ams"]
    assert results[RR].findings[0].evidence == ("backups/cbr.json#backups[1] id=bk-ams",)


def test_resource_without_region_nor_default_is_error_iam_included(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_identity_user_v3", "u", {"id": "usr-1", "name": "a.durand"}),
                                                    tf("flexibleengine_compute_instance_v2", "s", {"id": "srv-1"})))
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.ERROR
    assert objects(result, Status.ERROR) == ["srv-1", "usr-1"]
    builder.tenant(default_region="eu-west-0")
    assert run_checks_on(builder.root, RR)[RR].status is Status.PASS
