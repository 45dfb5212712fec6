#!/usr/bin/env python3
"""A minimal Docker registry token server for tests (distribution's `auth: token`).

Stdlib only; tokens are RS256 JWTs signed with the `openssl` command line tool, and carry
the signing certificate in the `x5c` header, which the registry checks against its
`rootcertbundle`.

GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...]   (HTTP basic auth)
POST /token   form: grant_type=password&username=U&password=P&service=S&scope=...
GET  /healthz

Valid credentials get every action they ask for. No credentials get a token with no
access (so the registry answers 401 again); wrong credentials get 401 here.
"""

import argparse
import base64
import json
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(cert_pem_path: str) -> str:
    der = subprocess.run(
        ["openssl", "x509", "-in", cert_pem_path, "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return base64.b64encode(der).decode()


def parse_scope(scope: str):
    # repository:name:pull,push  (name may contain ':' only in the form repository(plugin):...)
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    typ, actions = parts[0], parts[-1]
    name = ":".join(parts[1:-1])
    return {"type": typ, "name": name, "actions": [a for a in actions.split(",") if a]}


class Server:
    def __init__(self, args):
        self.args = args
        self.x5c = cert_der_b64(args.cert)

    def sign(self, claims: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.args.key],
            input=signing_input.encode(),
            check=True,
            capture_output=True,
        ).stdout
        return signing_input + "." + b64url(sig)

    def token(self, account, service, scopes, granted):
        now = int(time.time())
        access = []
        if granted:
            access = [s for s in (parse_scope(x) for x in scopes) if s]
        claims = {
            "iss": self.args.issuer,
            "sub": account or "",
            "aud": service or self.args.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        return self.sign(claims), now


def make_handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("token-server: " + (fmt % a) + "\n")

        def reply(self, code, body: dict):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if code == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="shipshape-test-token"')
            self.end_headers()
            self.wfile.write(data)

        def basic_creds(self):
            h = self.headers.get("Authorization", "")
            if not h.lower().startswith("basic "):
                return None
            try:
                user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
            except Exception:
                return ("", "")
            return (user, pw)

        def issue(self, creds, service, scopes):
            a = server.args
            if creds is not None and creds != (a.user, a.password):
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                return
            tok, now = server.token(creds[0] if creds else "", service, scopes, creds is not None)
            issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            self.reply(200, {"token": tok, "access_token": tok, "expires_in": 300, "issued_at": issued})

        def do_GET(self):
            u = urlparse(self.path)
            if u.path == "/healthz":
                self.reply(200, {"ok": True})
                return
            if u.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            q = parse_qs(u.query)
            scopes = [s for v in q.get("scope", []) for s in v.split(" ") if s]
            self.issue(self.basic_creds(), q.get("service", [None])[0], scopes)

        def do_POST(self):
            u = urlparse(self.path)
            if u.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            n = int(self.headers.get("Content-Length") or 0)
            q = parse_qs(self.rfile.read(n).decode())
            creds = self.basic_creds()
            if q.get("grant_type", [""])[0] == "password":
                creds = (q.get("username", [""])[0], q.get("password", [""])[0])
            scopes = [s for v in q.get("scope", []) for s in v.split(" ") if s]
            self.issue(creds, q.get("service", [None])[0], scopes)

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    args = p.parse_args()
    httpd = ThreadingHTTPServer((args.addr, args.port), make_handler(Server(args)))
    httpd.serve_forever()


if __name__ == "__main__":
    main()
