"""A bucket that lists an object and then fails to serve it (404, 500): the object is named with the
cause, the run goes on with everything else, and nothing is skipped silently.

The faults come from a small proxy in front of moto's server that answers GET of chosen keys itself
(S3's error document, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest
from test_s3_bundle import BUCKET, PREFIX, clean_env, hds_audit, s3_bundle, s3_endpoint  # noqa: F401 - fixtures

from hds_audit.evidence.bundle import S3_ATTEMPTS, S3_CONNECT_TIMEOUT, S3_READ_TIMEOUT, Bundle

pytest.importorskip("s3fs")

TRACE = "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/cts_CloudTrace_eu-west-0_2026-07-01T00-00-00Z_{}.json.gz"
CODES = {404: ("NoSuchKey", "The specified key does not exist."), 500: ("InternalError", "We encountered an internal error.")}


class FaultyProxy:
    """Forwards every request to `upstream`, except a GET of a key in `faults` (key -> HTTP status)."""

    def __init__(self, upstream: str):
        self.upstream, self.faults = urlsplit(upstream), {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                target = urlsplit(self.path)
                key = unquote(target.path).removeprefix(f"/{BUCKET}/")
                if self.command == "GET" and key in proxy.faults:
                    code, message = CODES[proxy.faults[key]]
                    body = f"<Error><Code>{code}</Code><Message>{message}</Message><Key>{key}</Key></Error>".encode()
                    self.send_response(proxy.faults[key])
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                conn.request(self.command, self.path, body=body, headers=dict(self.headers))
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def proxy(s3_endpoint, s3_bundle):  # noqa: F811 - the fixtures
    faulty = FaultyProxy(s3_endpoint)
    yield faulty
    faulty.server.shutdown()


@pytest.fixture
def faults(proxy):
    yield proxy.faults
    proxy.faults.clear()


def trace_key(s3_bundle) -> str:  # noqa: F811
    [path] = [p for p in (s3_bundle / "traces").rglob("*.gz")]
    return path.relative_to(s3_bundle).as_posix()


@pytest.mark.parametrize("status", [404, 500])
def test_an_object_listed_then_failing_is_named_with_its_cause(s3_bundle, proxy, faults, tmp_path, status):  # noqa: F811
    trace = trace_key(s3_bundle)
    faults[f"{PREFIX}/{trace}"] = status
    faults[f"{PREFIX}/iam/users.json"] = status
    out = tmp_path / "out"
    run = hds_audit("run", f"s3://{BUCKET}/{PREFIX}", "--period", "2026-Q3", "--out", str(out), "--s3-endpoint", proxy.url,
                    env=clean_env(), cwd=tmp_path, timeout=240)
    assert run.returncode == 1, run.stderr  # reports written; the checks on those files are errors
    assert "Traceback" not in run.stderr and "cannot write the reports" not in run.stderr
    results = json.loads((out / "results.json").read_text())
    problems = {p["file"]: p["reason"] for p in results["evidence_problems"]}
    cause = "not found" if status == 404 else "InternalError|internal error|500"
    assert trace in problems and "cannot be fetched from the bucket" in problems[trace]
    assert re.search(cause, problems[trace], re.IGNORECASE), problems[trace]
    assert re.search("does not exist" if status == 404 else "internal error", problems["iam/users.json"]), problems
    listed = {e["path"] for e in json.loads((out / "manifest.json").read_text())["evidence"]}
    assert trace not in listed and "iam/users.json" not in listed, "nothing of a failed object is said to be read"
    assert "access_register.csv" in listed, "the other objects are still read"


def test_the_retry_budget_is_bounded(s3_endpoint, s3_bundle):  # noqa: F811
    bundle = Bundle(f"s3://{BUCKET}/{PREFIX}", {"client_kwargs": {"endpoint_url": s3_endpoint}, "key": "k", "secret": "s"})
    assert bundle.fs.retries == 1, "s3fs's retry loop does not multiply botocore's"
    config = bundle.fs.config_kwargs
    assert config["connect_timeout"] == S3_CONNECT_TIMEOUT and config["read_timeout"] == S3_READ_TIMEOUT
    assert S3_ATTEMPTS * (S3_CONNECT_TIMEOUT + S3_READ_TIMEOUT) <= 60, "docs/user-guide.md promises about a minute"
