"""tenant.yaml as people write it: YAML 1.1 reads the country code NO (Norway) as false."""

from __future__ import annotations

from pathlib import Path

import pytest

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import TenantError, load
from hds_audit.states import Status

RA = "residency.regions_allowed"
HEAD = "tenant_id: t1\nname: Test\nsupport_plan: business\nallowed_regions: [eu-west-0, eu-north-9]\n"


@pytest.mark.parametrize("written", ["NO", "no", "No", "false", "'NO'"])
def test_norway_written_bare_is_norway(builder, run_checks_on, written):
    builder.write("tenant.yaml", HEAD + f"declared_regions: {{eu-north-9: {written}}}\n")
    assert load(Bundle(str(builder.root))).declared_regions == {"eu-north-9": "NO"}
    result = run_checks_on(builder.root, RA)[RA]
    assert result.status is Status.FAIL and [f.object for f in result.findings] == ["eu-north-9"]
    assert "outside the European Union" in result.findings[0].message


@pytest.mark.parametrize("written, words", [("yes", "declared_regions.eu-north-9"), ("12", "declared_regions.eu-north-9"),
                                            ("[NO]", "declared_regions.eu-north-9")])
def test_other_non_text_countries_are_still_refused(builder, written, words):
    builder.write("tenant.yaml", HEAD + f"declared_regions: {{eu-north-9: {written}}}\n")
    with pytest.raises(TenantError, match=words):
        load(Bundle(str(builder.root)))


@pytest.mark.parametrize("key", ["contract_end", "tenant_deletion_requested_at", "tenant_deleted_at"])
def test_a_number_is_not_a_date(builder, key):
    builder.tenant(**{key: 20260331})
    with pytest.raises(TenantError, match=f"{key}.*20260331 is not a date"):
        load(Bundle(str(builder.root)))


def test_missing_tenant_yaml_points_to_the_users_own_docs(builder, tmp_path):
    (builder.root / "tenant.yaml").unlink()
    with pytest.raises(TenantError) as caught:
        load(Bundle(str(builder.root)))
    message = str(caught.value)
    assert message.startswith("tenant.yaml is missing from bundle") and "it is required" in message
    assert "hds-audit init DIR" in message and 'docs/user-guide.md, section "The evidence bundle"' in message
    assert "CONTRACT" not in message and "§" not in message
    assert "## The evidence bundle" in (Path(__file__).parents[2] / "docs" / "user-guide.md").read_text(encoding="utf-8")


def test_present_tenant_yaml_is_not_called_missing(builder):
    assert load(Bundle(str(builder.root))).name  # the builder writes a valid tenant.yaml


@pytest.mark.parametrize("scope", [
    {}, {"tag": "hds=true"}, {"tag": "data=health and care"}, {"buckets": []}, {"buckets": ["dossiers-*", "imagerie"]},
    {"tag": "hds=true", "buckets": ["dossiers"]}, {"tag": "hds=true", "buckets": []},
])
def test_a_scope_description_reads_back_as_the_same_scope(scope):
    # results.json keeps the scope as text; review rebuilds the reports from it
    from hds_audit.evidence.tenant import Scope

    original = Scope.model_validate(scope)
    assert Scope.from_description(original.describe()) == original


def test_a_text_that_describes_no_scope_is_refused():
    from hds_audit.evidence.tenant import Scope

    with pytest.raises(ValueError, match="not a scope description"):
        Scope.from_description("resources of the hospital")
