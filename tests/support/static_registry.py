#!/usr/bin/env python3
"""A registry that serves whatever files a test put in its directory, with no checks:
the OCI distribution protocol's pull side, for registries that lie.

    static_registry.py ROOT PORT_FILE

ROOT/manifests/<tag or digest> is served as a manifest (content type from the file
ROOT/manifests/<name>.type when present, else an OCI image manifest), ROOT/blobs/<digest>
as a blob; anything else is 404 with the registry's MANIFEST_UNKNOWN / BLOB_UNKNOWN error.
Listens on 127.0.0.1 on a free port, written to PORT_FILE once it listens.
"""

import http.server
import json
import os
import sys

ROOT = sys.argv[1]
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, body_too):
        path = self.path.split("?", 1)[0]
        if path in ("/v2", "/v2/"):
            return self.send(200, b"{}", "application/json", body_too)
        parts = path.split("/")
        # /v2/<name...>/manifests/<ref> or /v2/<name...>/blobs/<digest>
        if len(parts) >= 5 and parts[-2] in ("manifests", "blobs"):
            kind, name = parts[-2], parts[-1]
            file = os.path.join(ROOT, kind, name)
            if "/" not in name and os.path.isfile(file):
                with open(file, "rb") as f:
                    body = f.read()
                media = MANIFEST if kind == "manifests" else "application/octet-stream"
                if os.path.isfile(file + ".type"):
                    with open(file + ".type") as f:
                        media = f.read().strip()
                return self.send(200, body, media, body_too)
            code = "MANIFEST_UNKNOWN" if kind == "manifests" else "BLOB_UNKNOWN"
            error = json.dumps({"errors": [{"code": code, "message": "unknown"}]}).encode()
            return self.send(404, error, "application/json", body_too)
        return self.send(404, b"{}", "application/json", body_too)

    def send(self, status, body, media, body_too):
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()
        if body_too:
            self.wfile.write(body)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)


class Server(http.server.ThreadingHTTPServer):
    # A client that hangs up mid-blob (as xhost does past a blob's declared size) is
    # expected here, not an error to print.
    def handle_error(self, request, client_address):
        pass


server = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
