"""transport.tls_only and storage.encrypted_at_rest on Terraform state."""

from __future__ import annotations

import pytest
from test_resources_reader import instance, tf, tfstate

from hds_audit.states import Status

TLS, ENC = "transport.tls_only", "storage.encrypted_at_rest"


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def listener(key, protocol, policy=None, **extra):
    attributes = {"id": f"lst-{key}", "name": f"web-{key}", "protocol": protocol, "protocol_port": 443, "region": "eu-west-0", **extra}
    if policy is not None:
        attributes["tls_ciphers_policy"] = policy
    return instance(attributes, key)


# -- transport.tls_only ------------------------------------------------------------------------
def test_tls_only_pass(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_lb_listener_v2", "l", listener("a", "TERMINATED_HTTPS", "tls-1-2"), listener("b", "terminated_https", "tls-1-2-strict")),
        tf("flexibleengine_lb_listener_v3", "l3", listener("c", "HTTPS", "tls-1-2-fs"), listener("d", "https", "tls-1-2-fs-with-1-3"), listener("e", "HTTPS", "TLS-1-3")),
    ))
    result = run_checks_on(builder.root, TLS)[TLS]
    assert result.status is Status.PASS, result.findings
    assert len(result.details["listeners"]) == 5


@pytest.mark.parametrize("protocol, policy, words", [
    ("HTTP", None, "protocol HTTP"),
    ("TCP", "tls-1-2", "protocol TCP"),
    ("UDP", None, "not encrypted"),
    ("TERMINATED_HTTPS", "tls-1-0", "tls-1-0"),
    ("TERMINATED_HTTPS", "tls-1-1", "older than TLS 1.2"),
    ("HTTPS", "tls-1-0-with-1-3", "tls-1-0-with-1-3"),
    ("HTTPS", "tls-1-0-inherit", "older than TLS 1.2"),
    ("HTTPS", "hybrid-policy-1-0", "older than TLS 1.2"),
    ("HTTPS", "", "tls_ciphers_policy empty"),
    ("HTTPS", None, "tls_ciphers_policy empty"),
])
def test_tls_only_fails(builder, run_checks_on, protocol, policy, words):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_lb_listener_v3", "l", listener("ok", "HTTPS", "tls-1-2"), listener("bad", protocol, policy))))
    result = run_checks_on(builder.root, TLS)[TLS]
    assert result.status is Status.FAIL and objects(result) == ["lst-bad"]
    assert words in result.findings[0].message
    assert result.findings[0].evidence == ('resources/main.tfstate#flexibleengine_lb_listener_v3.l["bad"]',)


def test_tls_only_object_is_address_without_id(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_lb_listener_v2", "plain", {"protocol": "HTTP"})))
    result = run_checks_on(builder.root, TLS)[TLS]
    assert objects(result) == ["flexibleengine_lb_listener_v2.plain"]


def test_tls_only_custom_security_policy(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_elb_security_policy", "strict", {"id": "sp-strict", "protocols": ["TLSv1.2", "TLSv1.3"]}),
        tf("flexibleengine_elb_security_policy", "old", {"id": "sp-old", "protocols": ["TLSv1", "TLSv1.2"]}),
        tf("flexibleengine_lb_listener_v3", "l", listener("a", "HTTPS", "tls-1-0", security_policy_id="sp-strict"),
           listener("b", "HTTPS", "tls-1-2", security_policy_id="sp-old"), listener("c", "HTTPS", security_policy_id="sp-missing")),
    ))
    result = run_checks_on(builder.root, TLS)[TLS]
    assert objects(result) == ["lst-b"] and objects(result, Status.ERROR) == ["lst-c"]
    assert "TLSv1" in next(f for f in result.findings if f.object == "lst-b").message


def test_tls_only_no_listener_passes_with_note_but_no_state_errors(builder, run_checks_on):
    result = run_checks_on(builder.root, TLS)[TLS]
    assert result.status is Status.ERROR
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_vpc_v1", "v", {"id": "vpc-1"})))
    result = run_checks_on(builder.root, TLS)[TLS]
    assert result.status is Status.PASS and "no load-balancer listener" in result.details["note"]


def test_tls_only_ignores_data_sources(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_lb_listener_v2", "l", {"id": "lst-x", "protocol": "HTTP"}, mode="data")))
    assert run_checks_on(builder.root, TLS)[TLS].status is Status.PASS


# -- storage.encrypted_at_rest -----------------------------------------------------------------
HDS = {"hds": "true"}


def test_encrypted_at_rest_pass(builder, run_checks_on):
    builder.tenant(scope={"tag": "hds=true", "buckets": ["ch-enc", "ch-k*", "ch-sse"]})  # buckets carry no tags
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "b", instance({"bucket": "ch-enc", "encryption": True, "tags": HDS}, "enc"),
           instance({"bucket": "ch-kms", "kms_key_id": "kms-1", "tags": HDS}, "kms"),  # no encryption flag recorded: the key says
           instance({"bucket": "ch-sse", "server_side_encryption": [{"algorithm": "kms", "kms_key_id": "k"}], "tags": HDS}, "sse"),
           instance({"bucket": "ch-public-site", "encryption": False}, "site")),  # out of scope
        tf("flexibleengine_blockstorage_volume_v2", "v", instance({"id": "vol-s", "metadata": {"__system__encrypted": "1", "hds": "true"}}, 0),
           instance({"id": "vol-i", "tags": HDS, "metadata": {"__system__encrypted": 1}}, 1)),
    ))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.PASS, result.findings
    assert sorted(r["object"] for r in result.details["objects"]) == ["ch-enc", "ch-kms", "ch-sse", "vol-i", "vol-s"]


def test_encrypted_at_rest_fail(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "b", instance({"bucket": "ch-plain", "encryption": False, "kms_key_id": "", "tags": HDS}, "p"),
           instance({"bucket": "ch-ok", "encryption": "true", "tags": HDS}, "ok")),
        tf("flexibleengine_blockstorage_volume_v2", "v", instance({"id": "vol-0", "metadata": {"__system__encrypted": "0", "hds": "true"}}, 0),
           instance({"id": "vol-none", "tags": HDS, "metadata": {}}, 1), instance({"id": "vol-nometa", "tags": HDS}, 2)),
    ))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL and objects(result) == ["ch-plain", "vol-0", "vol-nometa", "vol-none"]
    assert '"0"' in next(f for f in result.findings if f.object == "vol-0").message


def test_encrypted_at_rest_scope_all(builder, run_checks_on):
    builder.tenant(scope="all")
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_obs_bucket", "b", {"bucket": "ch-untagged"})))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert objects(result) == ["ch-untagged"]


@pytest.mark.parametrize("attributes, words", [
    ({"kms_key_id": "kms-1"}, "kms_key_id kms-1 is set: encryption is off"),
    ({"kms_key_id": "kms-1", "sse_algorithm": "kms"}, "kms_key_id kms-1 and sse_algorithm kms are set: encryption is off"),
    ({"sse_algorithm": "AES256"}, "sse_algorithm AES256 is set: encryption is off"),
    ({"server_side_encryption": {"algorithm": "kms"}}, "server_side_encryption is set: encryption is off"),
    ({}, "(encryption is false)"),
])
@pytest.mark.parametrize("flag", [False, "false", " FALSE "])
def test_encrypted_at_rest_explicit_false_fails_whatever_key_is_left(builder, run_checks_on, attributes, words, flag):
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "b", instance({"bucket": "ch-off", "encryption": flag, "tags": HDS, **attributes}, "off"))))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL and objects(result) == ["ch-off"]
    assert words in result.findings[0].message and result.details["objects"][0]["encrypted"] is False


def test_encrypted_at_rest_in_scope_but_no_bucket_nor_volume_passes_with_note(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_compute_instance_v2", "s", {"id": "srv-1", "tags": HDS})))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.PASS
    assert "no in-scope bucket nor in-scope volume" in result.details["note"]


def test_encrypted_at_rest_nothing_in_scope_is_error(builder, run_checks_on):
    builder.tenant(scope={"tag": "hds=true", "buckets": ["chx-*"]})
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_obs_bucket", "b", {"bucket": "not-health", "encryption": False})))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["resources"]
    assert "resources tagged hds=true and buckets chx-* match none of the 1 resources" in result.findings[0].message


def test_encrypted_at_rest_judges_every_bucket_without_scope_buckets(builder, run_checks_on):
    # flexibleengine_obs_bucket has no `tags` in the provider: a tag scope alone must not leave a bucket unjudged
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_obs_bucket", "b", {"bucket": "chx-scans", "encryption": False})))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL and objects(result) == ["chx-scans"]


def test_scope_buckets_selects_by_name_and_glob(builder, run_checks_on):
    builder.tenant(scope={"tag": "hds=true", "buckets": ["chx-*", "archive"]})
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_obs_bucket", "b",
        instance({"bucket": "chx-scans", "encryption": False}, "a"), instance({"bucket": "archive", "encryption": False}, "b"),
        instance({"bucket": "archive-old", "encryption": False}, "c"), instance({"bucket": "CHX-upper", "encryption": False}, "d"))))
    result = run_checks_on(builder.root, ENC)[ENC]
    assert objects(result) == ["archive", "chx-scans"]  # globs match whole names, case-sensitive as OBS names are
