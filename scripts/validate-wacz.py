#!/usr/bin/env python3
"""Validate a WACZ package from `embarc export wacz` with independent tools.

Usage: scripts/validate-wacz.py FILE.wacz [--port 8089]

1. `wacz validate -f FILE` (the `wacz` package of the Webrecorder project).
2. pywb: a collection made with `wb-manager`, the package added to it, and
   each URL of the package's CDXJ index asked of `wayback` on 127.0.0.1;
   prints the HTTP status of each replay and whether the replayed page
   holds the same bytes as the archived response's body.

Needs `pip install wacz pywb` (done in a temporary virtualenv when they are
missing). Not a test: it needs the package index, and pywb takes seconds to
start.
"""

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile


def tools(work):
    """The directory holding `wacz`, `wb-manager` and `wayback`."""
    if shutil.which("wacz") and shutil.which("wb-manager"):
        return os.path.dirname(shutil.which("wacz"))
    venv = os.path.join(work, "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = os.path.join(venv, "bin", "pip")
    subprocess.run([pip, "install", "-q", "wacz", "pywb"], check=True)
    return os.path.join(venv, "bin")


def bodies(path):
    """(url, 14-digit time) -> response body (HTTP headers stripped) for
    each indexed record."""
    out = {}
    with zipfile.ZipFile(path) as z:
        warc = z.read("archive/data.warc.gz")
        for line in z.read("indexes/index.cdx").decode().splitlines():
            _, ts, rest = line.split(" ", 2)
            fields = json.loads(rest)
            start, length = int(fields["offset"]), int(fields["length"])
            record = gzip.GzipFile(fileobj=io.BytesIO(warc[start : start + length])).read()
            block = record.split(b"\r\n\r\n", 1)[1]
            out[(fields["url"], ts)] = block.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n")
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    package = os.path.abspath(sys.argv[1])
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8089
    work = tempfile.mkdtemp()
    try:
        bin_dir = tools(work)
        print("== wacz validate")
        valid = subprocess.run([os.path.join(bin_dir, "wacz"), "validate", "-f", package])
        print("== pywb replay")
        subprocess.run([os.path.join(bin_dir, "wb-manager"), "init", "evidence"], cwd=work, check=True)
        subprocess.run([os.path.join(bin_dir, "wb-manager"), "add", "--unpack-wacz", "evidence", package], cwd=work, check=True)
        server = subprocess.Popen(
            [os.path.join(bin_dir, "wayback"), "-p", str(port), "-b", "127.0.0.1"],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        failed = valid.returncode != 0
        try:
            time.sleep(4)
            for (url, ts), body in bodies(package).items():
                # `id_`: the archived bytes as they were, not rewritten.
                replay = f"http://127.0.0.1:{port}/evidence/{ts}id_/{url}"
                try:
                    with urllib.request.urlopen(replay) as r:
                        got, status = r.read(), r.status
                except urllib.error.HTTPError as e:
                    got, status = b"", e.code
                same = got.rstrip(b"\r\n") == body
                failed |= status != 200 or not same
                print(f"{status} {'same bytes' if same else 'DIFFERENT'} {url}")
        finally:
            server.terminate()
        sys.exit(1 if failed else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
