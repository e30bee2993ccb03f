"""A real S3 (moto in server mode on 127.0.0.1), a proxy that cuts connections, and helpers."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import struct
import threading
import urllib.request
from pathlib import Path

from moto.server import ThreadedMotoServer

from heliograph.cli import main

BUCKET = "status-site"


class MotoS3:
    """moto's server in a thread, reached over HTTP like AWS itself."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # verbose=False only hides the banner
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        self.host, self.port = self.server.get_host_and_port()
        self.url = f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.stop()

    def _post(self, path: str, body: bytes = b"") -> None:
        request = urllib.request.Request(
            self.url + path, data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    def reset(self) -> None:
        """Forget every bucket, user and distribution."""
        self._post("/moto-api/reset")

    def enforce_iam(self, on: bool) -> None:
        """Check every request's signature and IAM policy (moto skips both by default)."""
        self._post("/moto-api/reset-auth", b"0" if on else b"inf")

    def user_with_policy(self, iam, name: str, policy: dict) -> dict[str, str]:
        """An IAM user holding `policy`; returns its keys as environment variables."""
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="deploy", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        }


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FlakyProxy:
    """A loopback proxy to `upstream` that resets the first `fail` connections to send more
    than `cut` bytes (uploads, not the small requests around them), mid-request."""

    def __init__(self, upstream: tuple[str, int], fail: int = 2, cut: int = 4096) -> None:
        self.up, self.fail, self.cut, self.conns, self.resets = upstream, fail, cut, 0, 0
        self.ls = socket.create_server(("127.0.0.1", 0))
        self.port = self.ls.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.ls.close()

    def _accept(self) -> None:
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:  # closed
                return
            self.conns += 1
            u = socket.create_connection(self.up)
            for a, b, lim in ((c, u, self.cut), (u, c, None)):
                threading.Thread(target=self._pump, args=(a, b, lim), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, limit: int | None, n: int = 0) -> None:
        try:
            while buf := src.recv(65536):
                if limit is not None and n + len(buf) > limit and self.resets < self.fail:
                    self.resets += 1  # RST both sides mid-upload
                    for s in (src, dst):
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        s.close()
                    return
                dst.sendall(buf)
                n += len(buf)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


SMALL_SITE = {
    "index.html": "<h1>All systems operational</h1>\n",
    "404.html": "<h1>Not found</h1>\n",
    "incidents/a/index.html": "<h1>Incident A</h1>\n",
    "static/style.0123456789.css": "body { color: #111; }\n",
    "api/v2/status.json": "{}\n",
}


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def md5s(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.md5(data).hexdigest() for path, data in files.items()}


def bucket(s3, prefix: str = "") -> dict[str, str]:
    """The MD5 of every site object under `prefix` by site path (ETags: every put is
    single-part); the deploy's own state under `.heliograph/` is left out."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {
        o["Key"][len(prefix) :]: o["ETag"].strip('"')
        for page in pages
        for o in page.get("Contents", ())
        if not o["Key"][len(prefix) :].startswith(".heliograph/")
    }


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["deploy", "--bucket", BUCKET, *args])
    out, err = capsys.readouterr()
    return code, out, err


def multipart_put(s3, key: str, body: bytes, metadata: dict[str, str]) -> None:
    """An upload in parts, with the headers a deploy would give the key."""
    from heliograph.publish.deployplan import cache_control, content_type

    upload = s3.create_multipart_upload(
        Bucket=BUCKET,
        Key=key,
        Metadata=metadata,
        ContentType=content_type(key),
        CacheControl=cache_control(key),
    )
    part = s3.upload_part(
        Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=body
    )
    s3.complete_multipart_upload(
        Bucket=BUCKET,
        Key=key,
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
