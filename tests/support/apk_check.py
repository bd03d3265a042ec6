#!/usr/bin/env python3
"""Reads an Alpine package (apk v2) the way apk-tools does, independently of xhost:
splits its gzip streams (signature, control, data), parses the tars with Python's
tarfile, checks `.PKGINFO`'s `datahash` against the SHA-256 of the data stream and each
file's `APK-TOOLS.checksum.SHA1` PAX record against its bytes, and, given a public key,
verifies the `.SIGN.RSA256.<key>` signature over the control stream with `openssl dgst
-sha256 -verify` (the EVP check apk-tools makes). Prints a JSON summary; exits 1 on any
mismatch.

usage: apk_check.py PACKAGE [PUBLIC_KEY_PEM]"""

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zlib


def gzip_streams(data):
    """The raw bytes of each gzip member, and its decompressed bytes."""
    streams = []
    rest = data
    while rest:
        d = zlib.decompressobj(wbits=31)
        plain = d.decompress(rest) + d.flush()
        if not d.eof:
            fail("a gzip stream is cut short")
        used = len(rest) - len(d.unused_data)
        streams.append((rest[:used], plain))
        rest = d.unused_data
    return streams


def members(plain):
    """(name, pax headers, bytes or None, type) of each entry of an (unterminated) tar."""
    found = []
    with tarfile.open(fileobj=io.BytesIO(plain + b"\0" * 1024), mode="r:") as tar:
        for m in tar.getmembers():
            body = tar.extractfile(m).read() if m.isfile() else None
            found.append((m.name, dict(m.pax_headers), body, m))
    return found


def fail(message):
    print(f"apk_check: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    package = open(sys.argv[1], "rb").read()
    key = sys.argv[2] if len(sys.argv) > 2 else None
    streams = gzip_streams(package)
    signature = None
    first = members(streams[0][1])
    if first and first[0][0].startswith(".SIGN."):
        signature = (first[0][0], first[0][2])
        streams = streams[1:]
    if len(streams) != 2:
        fail(f"expected a control and a data stream, found {len(streams)}")
    (control_raw, control_plain), (data_raw, data_plain) = streams
    control = members(control_plain)
    if not control or control[0][0] != ".PKGINFO":
        fail(".PKGINFO is not the control stream's first file")
    info = {}
    for line in control[0][2].decode().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        k, _, v = line.partition(" = ")
        info.setdefault(k, []).append(v)
    if info.get("datahash") != [hashlib.sha256(data_raw).hexdigest()]:
        fail("datahash is not the SHA-256 of the data stream")
    files = []
    for name, pax, body, m in members(data_plain):
        if body is not None:
            want = pax.get("APK-TOOLS.checksum.SHA1")
            if want != hashlib.sha1(body).hexdigest():
                fail(f"{name}: APK-TOOLS.checksum.SHA1 {want} does not match its bytes")
        files.append({"name": name, "mode": oct(m.mode), "type": m.type.decode(),
                      "link": m.linkname or None, "owner": m.uname, "group": m.gname,
                      "size": m.size})
    verified = None
    if key:
        if signature is None:
            fail("the package is not signed")
        with tempfile.TemporaryDirectory() as tmp:
            open(f"{tmp}/sig", "wb").write(signature[1])
            open(f"{tmp}/control", "wb").write(control_raw)
            run = subprocess.run(["openssl", "dgst", "-sha256", "-verify", key, "-signature",
                                  f"{tmp}/sig", f"{tmp}/control"], capture_output=True, text=True)
            if run.returncode != 0:
                fail(f"signature does not verify: {run.stdout}{run.stderr}")
            verified = run.stdout.strip()
    print(json.dumps({
        "signature": signature[0] if signature else None,
        "verified": verified,
        "scripts": [name for name, _, _, _ in control[1:]],
        "pkginfo": info,
        "files": files,
    }, indent=1))


main()
