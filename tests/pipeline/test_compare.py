"""`hds-audit compare` and `run --previous`: new, fixed and persisting findings between two runs."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from bundle_builder import trace
from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.pipeline.compare import CompareError, compare_results, load_results

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
HTTP_LISTENER = "9f6b28f5-0792-4370-bb8a-f426183ce267"
HTTPS_LISTENER = "c5cb9a39-6361-4502-ac6a-79289627d87e"


def _results(root: Path) -> dict:
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(root))
    return run_checks(load_catalog(), bundle, load(bundle), parse_period("2026-Q3")).to_json()


def _edit_state(root: Path, rtype: str, name: str, **changes) -> None:
    for path in sorted((root / "resources").glob("*.tfstate")):
        state = json.loads(path.read_text())
        for entry in state["resources"]:
            if (entry["type"], entry["name"], entry["mode"]) == (rtype, name, "managed"):
                entry["instances"][0]["attributes"].update(changes)
                path.write_text(json.dumps(state))
                return
    raise AssertionError(f"{rtype}.{name} is in no state of {root}")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The violations sample, then the same tenant a quarter of work later."""
    old = _results(SAMPLES / "violations")
    root = tmp_path_factory.mktemp("later") / "violations"
    shutil.copytree(SAMPLES / "violations", root)
    # fixed: the export bucket is encrypted, the support plan upgraded
    _edit_state(root, "flexibleengine_obs_bucket", "exports", encryption=True, sse_algorithm="kms", kms_key_id="kms-exports")
    tenant = yaml.safe_load((root / "tenant.yaml").read_text())
    tenant["support_plan"] = "business"
    (root / "tenant.yaml").write_text(yaml.safe_dump(tenant, sort_keys=False))
    # new: the HTTPS listener falls back to a TLS 1.0 policy
    _edit_state(root, "flexibleengine_lb_listener_v3", "portal_https", tls_ciphers_policy="tls-1-0")
    # status change: the HTTP listener's waiver is withdrawn
    (root / "waivers.yaml").write_text("[]\n")
    return old, _results(root)


def _keys(entries):
    return [(e["check"], e["object"]) for e in entries]


def test_compare_two_runs_of_the_samples(two_runs):
    old, new = two_runs
    comparison = compare_results(old, new)
    assert comparison["previous_period"] == comparison["period"] == "2026-Q3"
    assert _keys(comparison["new"]) == [("transport.tls_only", HTTPS_LISTENER)]
    assert _keys(comparison["fixed"]) == [("storage.encrypted_at_rest", "tilleuls-exports"), ("support.plan_eligible", "standard")]
    before = {(k["id"], f["object"]) for c in old["controls"] for k in c["checks"] for f in k["findings"]}
    assert len(comparison["persisting"]) == len(before) - 2
    persisting = {(e["check"], e["object"]): e for e in comparison["persisting"]}
    listener = persisting[("transport.tls_only", HTTP_LISTENER)]
    assert (listener["previous_status"], listener["status"]) == ("waived", "fail")
    assert "previous_status" not in persisting[("access.mfa", "e.garnier")]
    for entry in comparison["new"] + comparison["fixed"] + comparison["persisting"]:
        assert entry["message"] and entry["controls"]
    changes = {c["control"]: c for c in comparison["status_changes"]}
    tls_controls = {c["id"] for c in new["controls"] if any(k["id"] == "transport.tls_only" for k in c["checks"])}
    assert any(changes.get(cid, {}).get("was") == "waived" and changes[cid]["now"] == "fail" for cid in tls_controls)
    assert all(c["was"] != c["now"] for c in comparison["status_changes"])
    assert comparison["counts"] == {"new": 1, "fixed": 2, "persisting": len(before) - 2,
                                    "status_changes": len(comparison["status_changes"])}
    assert "warning" not in comparison


def test_compare_command_prints_and_writes_json(two_runs, tmp_path):
    old, new = two_runs
    for name, doc in (("q3", old), ("q4", new)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(doc))
    runner = CliRunner()
    result = runner.invoke(cli, ["compare", str(tmp_path / "q3"), str(tmp_path / "q4"), "--json", str(tmp_path / "c.json")])
    assert result.exit_code == 0, result.output
    assert "tilleuls-exports" in result.output and HTTPS_LISTENER in result.output
    assert "waived -> fail" in result.output and "new 1 · fixed 2" in result.output
    assert "e.garnier" not in result.output and "access.mfa 1" in result.output  # persisting, same status: counted
    written = json.loads((tmp_path / "c.json").read_text())
    assert _keys(written["fixed"]) == [("storage.encrypted_at_rest", "tilleuls-exports"), ("support.plan_eligible", "standard")]
    # a results.json file is accepted as well as its folder
    assert runner.invoke(cli, ["compare", str(tmp_path / "q3" / "results.json"), str(tmp_path / "q4")]).exit_code == 0


def test_compare_refuses_what_is_not_a_run(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "results.json").write_text('{"schema": "something/else"}')
    runner = CliRunner()
    result = runner.invoke(cli, ["compare", str(tmp_path / "empty"), str(tmp_path / "bad")])
    assert result.exit_code == 2 and "results.json does not exist" in result.output
    result = runner.invoke(cli, ["compare", str(tmp_path / "bad"), str(tmp_path / "bad")])
    assert result.exit_code == 2 and "hds-audit/results/v1" in result.output
    with pytest.raises(CompareError):
        load_results(tmp_path / "missing")


def test_different_tenants_are_flagged():
    base = {"schema": "hds-audit/results/v1", "period": {"label": "2026-Q2"}, "controls": []}
    comparison = compare_results({**base, "tenant": {"id": "a"}}, {**base, "tenant": {"id": "b"}})
    assert "different tenants" in comparison["warning"]
    assert comparison["new"] == comparison["fixed"] == comparison["persisting"] == comparison["status_changes"] == []


def test_run_previous_adds_the_comparison_to_the_reports(builder, tmp_path):
    builder.users({"name": "a.durand"}, {"name": "b.petit"})
    builder.mfa("id-a.durand")
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"},
                     {"account": "b.petit", "person": "Bruno Petit", "role": "admin", "granted_at": "2026-01-05"})
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00"), trace("zz.top", "2026-08-03T10:00:00+02:00")])
    runner = CliRunner()
    first = runner.invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "q3")])
    assert first.exit_code == 1, first.output
    builder.mfa("id-a.durand", "id-b.petit")  # fixed: b.petit has MFA now
    builder.traces([trace("yy.bottom", "2026-08-04T10:00:00+02:00")], name="extra.json")  # new: another unknown account
    second = runner.invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "q3b"),
                                 "--previous", str(tmp_path / "q3")])
    assert second.exit_code == 1, second.output
    doc = json.loads((tmp_path / "q3b" / "results.json").read_text())
    comparison = doc["comparison"]
    assert "previous_doc" not in comparison and comparison["previous_period"] == "2026-Q3"
    assert ("access.mfa", "b.petit") in _keys(comparison["fixed"])
    assert ("access.register_covers_activity", "yy.bottom") in _keys(comparison["new"])
    assert ("access.register_covers_activity", "zz.top") in _keys(comparison["persisting"])
    html = (tmp_path / "q3b" / "report.html").read_text()
    assert "Changes since 2026-Q3" in html and "yy.bottom" in html
    import openpyxl

    changes = openpyxl.load_workbook(tmp_path / "q3b" / "report.xlsx")["Changes"]
    rows = {(r[0], r[1], r[2]) for r in changes.iter_rows(min_row=2, values_only=True)}
    assert ("new", "access.register_covers_activity", "yy.bottom") in rows and ("fixed", "access.mfa", "b.petit") in rows
    from report_fixtures import plain

    from hds_audit.formats import pdf
    from hds_audit.formats.interface import RenderContext

    section = plain(pdf.changes(RenderContext(None, extras={"comparison": comparison})))
    assert "Changes since 2026-Q3" in section and "yy.bottom" in section and "b.petit" in section


def test_run_previous_without_results_is_exit_2(builder, tmp_path):
    (tmp_path / "nothing").mkdir()
    result = CliRunner().invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "o"),
                                      "--previous", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "--previous" in result.output


# -- run --previous verifies the previous folder first ---------------------------------------------

def _two_quarters(builder, tmp_path, key_args=(), env=None):
    builder.users({"name": "a.durand"})
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    runner = CliRunner(env=env or {})
    first = runner.invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "q3"), *key_args])
    assert first.exit_code in (0, 1), first.output
    return runner


def test_run_previous_refuses_an_altered_folder(builder, tmp_path):
    runner = _two_quarters(builder, tmp_path)
    results = tmp_path / "q3" / "results.json"
    results.write_text(results.read_text().replace('"fail"', '"pass"'))
    second = runner.invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "q3b"),
                                 "--previous", str(tmp_path / "q3")])
    assert second.exit_code == 2
    assert "does not verify" in second.output and "results.json: altered" in second.output
    assert not (tmp_path / "q3b").exists()


def test_run_previous_warns_loudly_when_the_signer_is_not_trusted_and_the_reports_say_so(builder, tmp_path):
    runner = _two_quarters(builder, tmp_path)  # DEMO-signed: intact, trusted by nobody
    second = runner.invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "q3b"),
                                 "--previous", str(tmp_path / "q3")])
    assert second.exit_code in (0, 1), second.output
    assert "WARNING: the previous run's folder is intact but its signer" in second.stderr
    said = json.loads((tmp_path / "q3b" / "results.json").read_text())["comparison"]["previous_verification"]
    assert said.startswith("WARNING") and said.replace("'", "&#39;") in (tmp_path / "q3b" / "report.html").read_text()


def test_run_previous_signed_by_the_same_key_verifies(builder, tmp_path):
    from hds_audit.signing.identity import PASSWORD_ENV, init_identity

    init_identity(tmp_path / "key", b"pw-of-the-test")
    key = ["--key", str(tmp_path / "key" / "signer.p12")]
    runner = _two_quarters(builder, tmp_path, key, env={PASSWORD_ENV: "pw-of-the-test"})
    second = runner.invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "q3b"),
                                 "--previous", str(tmp_path / "q3"), *key])
    assert second.exit_code in (0, 1), second.output
    said = json.loads((tmp_path / "q3b" / "results.json").read_text())["comparison"]["previous_verification"]
    assert said.startswith("the previous run's folder verified: intact, signed by hds-audit signer") and "WARNING" not in second.stderr
