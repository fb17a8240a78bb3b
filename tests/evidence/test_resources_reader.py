"""Terraform state v4 reader: provider forms, data sources, counted instances, regions, scope, problems.

The helpers `tf`, `instance` and `tfstate` build state files; the other resource-based tests import them.
"""

from __future__ import annotations

import json

import pytest

from hds_audit.evidence import resources as reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import load as load_tenant

REGISTRY = 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]'
LEGACY = "provider.flexibleengine"


def instance(attributes: dict, index_key=None, **extra) -> dict:
    out = {"schema_version": 0, "attributes": attributes, "sensitive_attributes": [], "dependencies": [], **extra}
    if index_key is not None:
        out["index_key"] = index_key
    return out


def tf(rtype: str, name: str, *instances, provider: str = REGISTRY, mode: str = "managed", module: str | None = None) -> dict:
    """A state `resources` entry; each instance is an attributes dict or an `instance(...)`."""
    entry = {"mode": mode, "type": rtype, "name": name, "provider": provider,
             "instances": [instance(i) if _attributes_only(i) else i for i in instances]}
    if module:
        entry["module"] = module
    return entry


def _attributes_only(item) -> bool:
    return isinstance(item, dict) and "attributes" not in item and "attributes_flat" not in item


def tfstate(*entries, version: int = 4) -> str:
    return json.dumps({"version": version, "terraform_version": "1.5.7", "serial": 3, "lineage": "6b1c0c4e-0000-4000-8000-000000000001",
                       "outputs": {}, "resources": list(entries)}, indent=1)


def load(builder):
    bundle = Bundle(str(builder.root))
    return reader.load(bundle, load_tenant(bundle))


def test_both_provider_forms_module_and_alias():
    assert reader.provider_is_flexibleengine(REGISTRY)
    assert reader.provider_is_flexibleengine(LEGACY)
    assert reader.provider_is_flexibleengine("provider.flexibleengine.paris")
    assert reader.provider_is_flexibleengine(REGISTRY + ".amsterdam")
    assert reader.provider_is_flexibleengine('module.net.provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]')
    assert reader.provider_is_flexibleengine("module.net.provider.flexibleengine")
    assert reader.provider_is_flexibleengine('provider["registry.terraform.io/-/flexibleengine"]')
    assert not reader.provider_is_flexibleengine('provider["registry.terraform.io/hashicorp/random"]')
    assert not reader.provider_is_flexibleengine("provider.openstack")
    assert not reader.provider_is_flexibleengine('provider["registry.terraform.io/huaweicloud/huaweicloud"]')
    assert not reader.provider_is_flexibleengine(None)


def test_reads_instances_addresses_and_ids(builder):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "logs", instance({"bucket": "ch-logs-a", "region": "eu-west-0", "tags": {"hds": "true"}}, "a"),
           instance({"id": "ch-logs-b", "bucket": "ch-logs-b", "region": "eu-west-0"}, "b")),
        tf("flexibleengine_lb_listener_v2", "web", instance({"id": "lst-0", "protocol": "HTTP"}, 0), instance({"id": "lst-1"}, 1),
           provider="module.net.provider.flexibleengine", module="module.net"),
        tf("flexibleengine_compute_instance_v2", "srv", {"id": "srv-1", "region": "eu-west-0", "availability_zone": "eu-west-0a"}, provider=LEGACY),
        tf("flexibleengine_vpc_v1", "looked_up", {"id": "vpc-1"}, mode="data"),
        tf("random_id", "suffix", {"id": "xyz"}, provider='provider["registry.terraform.io/hashicorp/random"]'),
    ))
    evidence = load(builder)
    assert evidence.problems == []
    inv = evidence.data
    assert [r.address for r in inv.resources] == [
        'flexibleengine_obs_bucket.logs["a"]', 'flexibleengine_obs_bucket.logs["b"]',
        "module.net.flexibleengine_lb_listener_v2.web[0]", "module.net.flexibleengine_lb_listener_v2.web[1]",
        "flexibleengine_compute_instance_v2.srv",
    ]
    first = inv.resources[0]
    assert first.id == "ch-logs-a"  # no `id`: a bucket is named by `bucket`
    assert first.ref == 'resources/main.tfstate#flexibleengine_obs_bucket.logs["a"]'
    assert first.file == "resources/main.tfstate" and first.type == "flexibleengine_obs_bucket" and first.name == "logs"
    assert inv.resources[4].availability_zone == "eu-west-0a"
    assert [r.id for r in inv.of_type("flexibleengine_lb_listener_v2")] == ["lst-0", "lst-1"]
    assert evidence.files[0].records == 5


def test_id_falls_back_to_address(builder):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_cbr_policy", "p", {"name": "daily"})))
    r = load(builder).data.resources[0]
    assert r.id == r.address == "flexibleengine_cbr_policy.p"


def test_region_default_and_unknown(builder):
    builder.tenant(default_region="eu-west-0")
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_cbr_vault", "v", {"id": "vault-1"}),
                                                    tf("flexibleengine_cbr_vault", "w", {"id": "vault-2", "region": "eu-west-1"})))
    assert [r.region for r in load(builder).data.resources] == ["eu-west-0", "eu-west-1"]
    builder.tenant()  # no default_region
    assert [r.region for r in load(builder).data.resources] == [None, "eu-west-1"]


def test_scope_by_tag_volume_metadata_and_all(builder):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_compute_instance_v2", "a", {"id": "srv-a", "region": "eu-west-0", "tags": {"hds": "true"}}),
        tf("flexibleengine_compute_instance_v2", "b", {"id": "srv-b", "region": "eu-west-0", "tags": {"hds": "false"}}),
        tf("flexibleengine_compute_instance_v2", "c", {"id": "srv-c", "region": "eu-west-1", "tags": None}),
        tf("flexibleengine_blockstorage_volume_v2", "d", {"id": "vol-d", "region": "eu-west-1", "metadata": {"hds": "true", "__system__encrypted": "1"}}),
    ))
    inv = load(builder).data
    assert [r.id for r in inv.in_scope()] == ["srv-a", "vol-d"]
    assert inv.regions_in_use() == {"eu-west-0", "eu-west-1"}
    assert "__system__encrypted" not in inv.resources[3].tags
    builder.tenant(scope="all")
    assert len(load(builder).data.in_scope()) == 4


def test_regions_in_use_excludes_unknown(builder):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_compute_instance_v2", "a", {"id": "srv-a", "tags": {"hds": "true"}})))
    inv = load(builder).data
    assert inv.in_scope()[0].region is None and inv.regions_in_use() == set()


def test_merges_files_in_name_order(builder):
    builder.write("resources/b-network.tfstate", tfstate(tf("flexibleengine_vpc_v1", "v", {"id": "vpc-1", "region": "eu-west-0"})))
    builder.write("resources/a-storage.tfstate", tfstate(tf("flexibleengine_obs_bucket", "b", {"id": "bk", "bucket": "bk", "region": "eu-west-0"})))
    builder.write("resources/notes.txt", "not a state")
    evidence = load(builder)
    assert [r.file for r in evidence.data.resources] == ["resources/a-storage.tfstate", "resources/b-network.tfstate"]
    assert evidence.data.files == ["resources/a-storage.tfstate", "resources/b-network.tfstate"]
    assert [f.path for f in evidence.files] == evidence.data.files


def test_version_3_is_a_problem_naming_the_file(builder):
    builder.write("resources/old.tfstate", json.dumps({"version": 3, "modules": []}))
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_vpc_v1", "v", {"id": "vpc-1"})))
    evidence = load(builder)
    [problem] = evidence.problems
    assert problem.file == "resources/old.tfstate"
    assert problem.reason.startswith("Terraform state version 3 is not supported; run terraform 0.12+")
    assert [r.id for r in evidence.data.resources] == ["vpc-1"]


def test_only_bad_files_leave_no_data(builder):
    builder.write("resources/main.tfstate", "{ this is not json")
    evidence = load(builder)
    assert evidence.data is None and "not JSON" in evidence.problems[0].reason and not evidence.absent


@pytest.mark.parametrize("document, reason", [
    ({"version": 5, "resources": []}, "version 5 is not supported"),
    ({"resources": []}, 'no "version"'),
    ([1, 2], "expected a JSON object"),
    ({"version": 4, "resources": {}}, '"resources" is not a list'),
])
def test_other_file_level_problems(builder, document, reason):
    builder.write("resources/main.tfstate", json.dumps(document))
    evidence = load(builder)
    assert reason in evidence.problems[0].reason and evidence.data is None


def test_bad_instances_are_problems_and_reading_goes_on(builder):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "b", instance({"bucket": "ok", "region": "eu-west-0"}, "ok"),
           {"index_key": "flat", "attributes_flat": {"bucket": "x"}}, instance({"bucket": "bad", "tags": ["x"]}, "bad"),
           {"index_key": 1.5, "attributes": {}}, "nonsense"),
        {"mode": "managed", "provider": REGISTRY, "instances": []},
        tf("flexibleengine_vpc_v1", "v", {"id": "vpc-1"}),
    ))
    evidence = load(builder)
    assert [r.id for r in evidence.data.resources] == ["ok", "vpc-1"]
    records = [(p.record, p.reason) for p in evidence.problems]
    assert records[0] == ('flexibleengine_obs_bucket.b["flat"]', "attributes in the legacy flat form; run terraform refresh with 0.12+ to rewrite them")
    assert records[1] == ('flexibleengine_obs_bucket.b["bad"]', '"tags" is not a map')
    assert records[2][0] == "flexibleengine_obs_bucket.b instances[3]" and "index_key" in records[2][1]
    assert records[3] == ("flexibleengine_obs_bucket.b instances[4]", "instance is not an object")
    assert records[4] == ("resources[1]", 'a resource needs a "type" and a "name"')
    assert all(p.file == "resources/main.tfstate" for p in evidence.problems)


def test_deposed_instance_counts(builder):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_compute_instance_v2", "s", {"id": "srv-new"},
                                                       instance({"id": "srv-old"}, deposed="00aa11bb"))))
    assert [r.address for r in load(builder).data.resources] == [
        "flexibleengine_compute_instance_v2.s", "flexibleengine_compute_instance_v2.s (deposed 00aa11bb)"]


def test_empty_state_is_evidence_and_no_state_is_absent(builder):
    evidence = load(builder)
    assert evidence.absent and "no Terraform state" in evidence.note
    builder.write("resources/main.tfstate", tfstate())
    evidence = load(builder)
    assert evidence.data is not None and evidence.data.resources == [] and evidence.problems == []
    assert evidence.files[0].records == 0
