"""A receiver that checks AWS SigV4 signatures the way Amazon Managed Prometheus does, with botocore
(an implementation independent of the AWS SDK for Java), and forwards the requests that verify: a
remote write to --upstream, and, with --query-upstream, a request for the workspace's query API
(/workspaces/ws-netcost-test/api/v1/..., GET or POST) to the same path under that Prometheus base URL.

Each request's Authorization header names the access key, scope and signed headers; the signature is
recomputed by botocore from exactly those headers, the path, the query and the body. A mismatch, an
unknown key, a wrong scope, a stale date, a missing or wrong session token, or an
x-amz-content-sha256 that is not the body's hash is answered 403 with an AMP-like message; a request
that verifies is forwarded to --upstream and its answer relayed. One JSON line per request goes to
--log. Keys are read from --keys (JSON {accessKeyId: {"secret": ..., "token": ..., "expires": epoch
seconds}}) on every request, so a test can add rotated credentials while it runs; a key used after it
expired is refused too.

Usage: verifying_receiver.py --keys FILE --region R --service S [--upstream URL] [--query-upstream URL]
                             --port-file FILE --log FILE
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                  r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")
MAX_SKEW = datetime.timedelta(minutes=5)
WORKSPACE = "/workspaces/ws-netcost-test"


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("--keys", "--region", "--service", "--port-file", "--log"):
        p.add_argument(name, required=True)
    p.add_argument("--upstream")
    p.add_argument("--query-upstream")
    args = p.parse_args()
    if not args.upstream and not args.query_upstream:
        p.error("give --upstream, --query-upstream or both")
    return args


ARGS = parse_args()
LOG_LOCK = threading.Lock()


def log(entry):
    with LOG_LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def verify(method, path, headers, body):
    """None when the request verifies, else why not."""
    m = AUTH.match(headers.get("authorization", ""))
    if not m:
        return "missing or malformed Authorization header", None
    key_id, date, region, service, signed, signature = m.groups()
    if region != ARGS.region or service != ARGS.service:
        return "credential scope %s/%s, expected %s/%s" % (region, service, ARGS.region, ARGS.service), key_id
    amz_date = headers.get("x-amz-date", "")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return "missing or malformed X-Amz-Date", key_id
    if amz_date[:8] != date:
        return "X-Amz-Date is not the scope's date", key_id
    if abs(datetime.datetime.utcnow() - when) > MAX_SKEW:
        return "signature expired or not yet valid (X-Amz-Date %s)" % amz_date, key_id
    with open(ARGS.keys, encoding="utf-8") as f:
        keys = json.load(f)
    if key_id not in keys:
        return "unknown access key", key_id
    secret, token = keys[key_id]["secret"], keys[key_id].get("token")
    expires = keys[key_id].get("expires")
    if expires is not None and datetime.datetime.utcnow().timestamp() > expires:
        return "The security token included in the request is expired", key_id
    names = signed.split(";")
    if "host" not in names or "x-amz-date" not in names:
        return "host and x-amz-date must be signed", key_id
    if token is not None and (headers.get("x-amz-security-token") != token or "x-amz-security-token" not in names):
        return "session token missing, wrong or unsigned", key_id
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 is not the hash of the body", key_id
    for n in names:
        if n not in headers:
            return "signed header %s not sent" % n, key_id
    request = AWSRequest(method=method, url="http://" + headers["host"] + path,
                         headers={n: headers[n] for n in names}, data=body)
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(key_id, secret, token), service, region)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        return "signature mismatch; canonical request was:\n" + canonical, key_id
    return None, key_id


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.verify_and_forward("POST")

    def do_GET(self):
        self.verify_and_forward("GET")

    def verify_and_forward(self, method):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        problem, key_id = verify(method, self.path, headers, body)
        entry = {"method": method, "path": self.path, "accessKeyId": key_id}
        if problem:
            log(dict(entry, ok=False, reason=problem, status=403))
            self.answer(403, json.dumps({"message": "The request signature we calculated does not match the"
                                         " signature you provided (" + problem.split("\n")[0] + ")"}).encode())
            return
        if ARGS.query_upstream and self.path.startswith(WORKSPACE + "/api/v1/") \
                and not self.path.startswith(WORKSPACE + "/api/v1/remote_write"):
            target = ARGS.query_upstream.rstrip("/") + self.path[len(WORKSPACE):]
            kept = ("content-type", "accept")
        elif ARGS.upstream and method == "POST":
            target = ARGS.upstream
            kept = ("content-type", "content-encoding", "x-prometheus-remote-write-version")
        else:
            log(dict(entry, ok=True, status=404))
            self.answer(404, b"no upstream for this path")
            return
        forward = urllib.request.Request(target, data=body if method == "POST" else None, method=method, headers={
            k: v for k, v in self.headers.items() if k.lower() in kept})
        try:
            with urllib.request.urlopen(forward, timeout=30) as r:
                status, out = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, out = e.code, e.read()
        log(dict(entry, ok=True, status=status))
        self.answer(status, out)

    def answer(self, status, out):
        self.send_response(status)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, fmt, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ARGS.port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    print("verifying receiver on port %d" % server.server_address[1], file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
