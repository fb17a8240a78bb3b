"""Which state entries are the tenant's Flexible Engine resources: provider addresses in any case, entries whose
provider cannot be recognised, other providers' resources (counted in the note, never dropped silently)."""

from __future__ import annotations

import pytest
from test_resources_reader import LEGACY, REGISTRY, load, tf, tfstate

from hds_audit.evidence import resources as reader
from hds_audit.evidence.terraform_json import read_document
from hds_audit.states import Status

MIXED = 'provider["registry.terraform.io/FlexibleEngineCloud/FlexibleEngine"]'
FAR = {"id": "srv-far", "region": "us-east-1", "tags": {"hds": "true"}}


@pytest.mark.parametrize("provider", [
    MIXED, MIXED + ".ams", 'provider["REGISTRY.TERRAFORM.IO/flexibleenginecloud/flexibleengine"]',
    "provider.FlexibleEngine", 'module.net.provider["registry.terraform.io/FlexibleEngineCloud/FlexibleEngine"].ams',
    'module.a["x"].module.b.provider.flexibleengine.paris',
])
def test_provider_addresses_in_any_case(provider):
    assert reader.provider_is_flexibleengine(provider)


@pytest.mark.parametrize("provider", [
    'provider["registry.terraform.io/hashicorp/aws"]', "provider.openstack", 'provider["registry.terraform.io/x/flexibleengine-fork"]',
    "", "provider", None, 42,
])
def test_other_or_unreadable_provider_addresses(provider):
    assert not reader.provider_is_flexibleengine(provider)


def test_mixed_case_registry_address_is_read_and_fails_residency(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_compute_instance_v2", "far", FAR, provider=MIXED + ".ams")))
    evidence = load(builder)
    assert [r.id for r in evidence.data.resources] == ["srv-far"] and evidence.note is None
    result = run_checks_on(builder.root, "residency.resources")["residency.resources"]
    assert result.status is Status.FAIL and [f.object for f in result.findings if f.status is Status.FAIL] == ["srv-far"]


@pytest.mark.parametrize("provider", [None, "", "provider.mystery", 'provider["registry.terraform.io/hashicorp/aws"]', 7])
def test_flexibleengine_type_with_unrecognised_provider_is_read_by_its_type(builder, run_checks_on, provider):
    entry = tf("flexibleengine_compute_instance_v2", "far", FAR)
    if provider is None:
        del entry["provider"]
    else:
        entry["provider"] = provider
    builder.write("resources/main.tfstate", tfstate(entry, tf("flexibleengine_vpc_v1", "v", {"id": "vpc-1", "region": "eu-west-0"})))
    evidence = load(builder)
    assert [r.id for r in evidence.data.resources] == ["srv-far", "vpc-1"] and evidence.problems == []
    assert evidence.data.by_type == ["resources/main.tfstate#flexibleengine_compute_instance_v2.far"]
    assert "read by its type" in evidence.note and "flexibleengine_compute_instance_v2.far" in evidence.note
    result = run_checks_on(builder.root, "residency.resources")["residency.resources"]
    assert result.status is Status.FAIL and [f.object for f in result.findings if f.status is Status.FAIL] == ["srv-far"]
    assert "flexibleengine_compute_instance_v2.far" in result.details["note"]


def test_other_providers_resources_are_counted_not_read(builder):
    builder.write("resources/main.tfstate", tfstate(
        tf("aws_instance", "web", {"id": "i-1", "region": "us-east-1"}, provider='provider["registry.terraform.io/hashicorp/aws"]'),
        tf("random_id", "suffix", {"id": "xyz"}, {"id": "abc"}, provider='provider["registry.terraform.io/hashicorp/random"]'),
        tf("aws_region", "current", {"id": "us-east-1"}, provider='provider["registry.terraform.io/hashicorp/aws"]', mode="data"),
        tf("flexibleengine_vpc_v1", "v", {"id": "vpc-1", "region": "eu-west-0"}, provider=LEGACY),
    ))
    evidence = load(builder)
    assert [r.id for r in evidence.data.resources] == ["vpc-1"]
    assert evidence.data.other_providers == ["resources/main.tfstate#aws_instance.web", "resources/main.tfstate#random_id.suffix"]
    assert evidence.note.startswith("2 resource(s) of other providers")  # data sources are look-ups: not counted
    assert "aws_instance.web" in evidence.note and "not the tenant's Flexible Engine resources" in evidence.note
    assert evidence.files[0].records == 1


def test_many_skipped_resources_are_counted_and_a_few_named(builder):
    random = 'provider["registry.terraform.io/hashicorp/random"]'
    builder.write("resources/main.tfstate", tfstate(*(tf("random_id", f"r{i}", {"id": str(i)}, provider=random) for i in range(8))))
    note = load(builder).note
    assert note.startswith("8 resource(s)") and "random_id.r4" in note and "random_id.r5" not in note and "3 more" in note


def test_plan_reader_same_rules(builder):
    def entry(address, rtype, provider_name, values):
        out = {"address": address, "mode": "managed", "type": rtype, "name": address.split(".")[-1], "values": values}
        if provider_name is not None:
            out["provider_name"] = provider_name
        return out

    document = {"format_version": "1.0", "values": {"root_module": {"resources": [
        entry("flexibleengine_vpc_v1.a", "flexibleengine_vpc_v1", "registry.terraform.io/FlexibleEngineCloud/FlexibleEngine", {"id": "vpc-a"}),
        entry("flexibleengine_vpc_v1.b", "flexibleengine_vpc_v1", None, {"id": "vpc-b"}),
        entry("aws_instance.c", "aws_instance", "registry.terraform.io/hashicorp/aws", {"id": "i-c"}),
    ]}}}
    doc = read_document(document)
    assert [r.id for r in doc.inventory.resources] == ["vpc-a", "vpc-b"]
    assert doc.inventory.other_providers == ["plan.json#aws_instance.c"]
    assert doc.inventory.by_type == ["plan.json#flexibleengine_vpc_v1.b"]
    assert "aws_instance.c" in doc.evidence().note


def test_registry_constant_still_matches():
    assert reader.provider_is_flexibleengine(REGISTRY)
