"""inventory/*.json (what `collect inventory` writes) read into the same resource table as the Terraform state."""

from __future__ import annotations

import json
from pathlib import Path

import fake_tenant as t
import yaml

from hds_audit.collect.inventory import envelope
from hds_audit.evidence import resources
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import load as load_tenant


def bundle_with(tmp_path: Path, files: dict[str, object], tfstate: dict | None = None) -> Path:
    root = tmp_path / "bundle"
    (root / "inventory").mkdir(parents=True)
    (root / "tenant.yaml").write_text(yaml.safe_dump(t.TENANT_YAML), encoding="utf-8")
    for name, document in files.items():
        data = document if isinstance(document, str) else json.dumps(document)
        (root / "inventory" / name).write_text(data, encoding="utf-8")
    if tfstate is not None:
        (root / "resources").mkdir()
        (root / "resources" / "main.tfstate").write_text(json.dumps(tfstate), encoding="utf-8")
    return root


def read(root: Path):
    bundle = Bundle(str(root))
    return resources.load(bundle, load_tenant(bundle)), bundle


def servers(*records) -> dict:
    return envelope("ecs", "eu-west-0", "list_servers_details", {"count": len(records), "servers": list(records)})


def test_api_records_become_the_terraform_types_with_their_references(tmp_path):
    volumes = envelope("evs", "eu-west-0", "list_volumes", {"volumes": [t.evs_volume(*v) for v in t.VOLUMES]})
    root = bundle_with(tmp_path, {"ecs-eu-west-0.json": servers(*(t.ecs_server(*s) for s in t.SERVERS)),
                                  "evs-eu-west-0.json": volumes})
    evidence, _ = read(root)
    assert not evidence.problems
    app = evidence.data.by_id()[t.SRV_APP]
    assert app.type == "flexibleengine_compute_instance_v2" and app.region == "eu-west-0" and app.in_scope
    assert app.ref == f"inventory/ecs-eu-west-0.json#{t.SRV_APP}"
    assert app.attributes["system_disk_id"] == t.VOL_APP_SYS
    assert app.attributes["volume_attached"] == [{"uuid": t.VOL_APP_DATA}]
    web = evidence.data.by_id()[t.SRV_WEB]
    assert not web.in_scope  # tagged hds=false
    scratch = evidence.data.by_id()[t.VOL_SCRATCH]
    assert scratch.type == "flexibleengine_blockstorage_volume_v2" and "__system__encrypted" not in scratch.attributes["metadata"]
    assert [f.path for f in evidence.files] == ["inventory/ecs-eu-west-0.json", "inventory/evs-eu-west-0.json"]


def test_rds_maps_to_the_terraform_attributes(tmp_path):
    rds = envelope("rds", "eu-west-0", "list_instances", {"instances": [t.RDS], "total_count": 1},
                   {t.RDS_ID: {"offsite_backup_policy": t.RDS_OFFSITE}})
    evidence, _ = read(bundle_with(tmp_path, {"rds-eu-west-0.json": rds}))
    instance, = evidence.data.of_type("flexibleengine_rds_instance_v3")
    assert instance.id == t.RDS_ID
    assert instance.attributes["volume"][0]["disk_encryption_id"] == t.KMS
    assert instance.attributes["backup_strategy"][0]["keep_days"] == 7
    assert instance.attributes["availability_zone"] == ["eu-west-0a"]
    strategy = evidence.data.of_type("flexibleengine_rds_cross_region_backup_strategy")
    # one strategy per instance, its id the instance's, as the provider records it
    assert [(s.id, s.attributes["instance_id"], s.attributes["destination_region"]) for s in strategy] == [(t.RDS_ID, t.RDS_ID, "eu-west-0")]


def test_a_bad_record_is_named_and_the_others_kept(tmp_path):
    broken = t.ecs_server(*t.SERVERS[0])
    del broken["id"]
    evidence, _ = read(bundle_with(tmp_path, {"ecs-eu-west-0.json": servers(broken, t.ecs_server(*t.SERVERS[1]))}))
    assert [str(p) for p in evidence.problems] == ['inventory/ecs-eu-west-0.json (servers[0]): no "id"']
    assert [r.id for r in evidence.data.resources] == [t.SRV_WEB]


def test_files_that_are_not_listings_are_named(tmp_path):
    evidence, _ = read(bundle_with(tmp_path, {"a.json": "{not json", "b.json": {"servers": []},
                                              "c.json": envelope("ecs", "eu-west-0", "list_servers_details", {"count": 0})}))
    reasons = {p.file: p.reason for p in evidence.problems}
    assert reasons["inventory/a.json"].startswith("not JSON: ")
    assert reasons["inventory/b.json"].startswith("not an inventory listing")
    assert reasons["inventory/c.json"] == 'the answer has no "servers" list'


def test_a_resource_in_the_state_and_the_inventory_counts_once(tmp_path):
    state = t.terraform_state()
    state["resources"] = [r for r in state["resources"] if r["type"] == "flexibleengine_compute_instance_v2"]
    root = bundle_with(tmp_path, {"ecs-eu-west-0.json": servers(t.ecs_server(*t.SERVERS[0]))}, state)
    evidence, _ = read(root)
    assert [r.id for r in evidence.data.resources].count(t.SRV_APP) == 1
    assert any("listed twice" in p.reason and p.record == t.SRV_APP for p in evidence.problems)


def test_a_bucket_without_its_settings_is_not_read_as_unencrypted(tmp_path):
    obs = envelope("obs", None, "list_buckets", {"Buckets": [{"Name": "tilleuls-dossiers"}]}, {})
    evidence, _ = read(bundle_with(tmp_path, {"obs.json": obs}))
    assert not evidence.data.resources
    assert "its settings were not collected" in evidence.problems[0].reason


def test_an_empty_inventory_never_passes(tmp_path, run_checks_on):
    root = bundle_with(tmp_path, {"ecs-eu-west-0.json": servers()})
    results = run_checks_on(root, "storage.encrypted_at_rest", "trace.tracker_enabled")
    assert results["storage.encrypted_at_rest"].status.value == "error"
    assert results["trace.tracker_enabled"].status.value == "error"


def test_the_collection_log_is_among_the_files_read(tmp_path):
    root = bundle_with(tmp_path, {"ecs-eu-west-0.json": servers(t.ecs_server(*t.SERVERS[0]))})
    (root / "collection-log.jsonl").write_text('{"written": "inventory/ecs-eu-west-0.json"}\n', encoding="utf-8")
    _, bundle = read(root)
    assert "collection-log.jsonl" in {r.path for r in bundle.reads()}


def test_a_bucket_and_its_replication_are_read_as_the_provider_records_them(tmp_path):
    settings = {"location": "eu-west-0", "lifecycle": None,
                "encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": t.KMS}}]}},
                "replication": {"ReplicationConfiguration": {"Rules": [
                    {"ID": "all", "Status": "Enabled", "Prefix": "", "Destination": {"Bucket": "arn:aws:s3:::tilleuls-dossiers-copie"}}]}}}
    obs = envelope("obs", None, "list_buckets", {"Buckets": [{"Name": "tilleuls-dossiers"}]}, {"tilleuls-dossiers": settings})
    evidence, _ = read(bundle_with(tmp_path, {"obs.json": obs}))
    assert not evidence.problems
    bucket, replication = evidence.data.resources
    assert (bucket.type, bucket.id, bucket.attributes["encryption"], bucket.attributes["kms_key_id"]) == \
        ("flexibleengine_obs_bucket", "tilleuls-dossiers", True, t.KMS)
    assert (replication.type, replication.id, replication.attributes["destination_bucket"]) == \
        ("flexibleengine_obs_bucket_replication", "tilleuls-dossiers", "tilleuls-dossiers-copie")


def test_an_inventory_file_with_a_key_given_twice_is_refused(tmp_path):
    """Two values for one key: which one the cloud meant cannot be told, so the file proves nothing."""
    from hds_audit.evidence import resources
    from hds_audit.evidence.bundle import Bundle

    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "evs.json").write_text(
        '{"schema": "hds-audit/inventory/v1", "service": "evs", "operation": "ListVolumes", "region": "eu-west-0",'
        ' "answer": {"volumes": []}, "answer": {"volumes": []}}', encoding="utf-8")
    evidence = resources.load(Bundle(str(tmp_path)))
    assert any(p.file == "inventory/evs.json" and "answer" in p.reason for p in evidence.problems), evidence.problems
