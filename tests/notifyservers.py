"""Real receivers on 127.0.0.1 for the notify tests: an HTTP server that records every request
(and can answer 500, 429 or reset the connection when told), an SMTP server with STARTTLS and
AUTH on a certificate made here, and moto's SES in server mode."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import ssl
import struct
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records each POST by path; `script[path]` is the answers to give first, in order: a
    status code, `(429, seconds)` for a Retry-After, "reset" to cut the connection, or
    `("hang", seconds)` to answer only after that long (and not keep the request)."""

    requests: list[Request] = field(default_factory=list)
    script: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    port: int = 0

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                plan = receiver.script[self.path]
                answer = plan.pop(0) if plan else 200
                if answer == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                wait = None
                if isinstance(answer, tuple) and answer[0] == "hang":
                    time.sleep(answer[1])
                    answer = 503
                elif isinstance(answer, tuple):
                    answer, wait = answer
                if answer == 200:
                    receiver.requests.append(Request(self.path, dict(self.headers), body))
                self.send_response(answer)
                if wait is not None:
                    self.send_header("Retry-After", str(wait))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with `cryptography`."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class MailServer:
    """aiosmtpd on 127.0.0.1 that insists on STARTTLS, then AUTH, and keeps every message."""

    USER, PASSWORD = "status-bot", "s3cret-smtp-pass"

    def __init__(self, folder: Path) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.cert, key = self_signed(folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.logins: list[str] = []
        self.refuse: set[int] = set()  # the numbers (from 1) of messages to answer 451
        self.seen = 0
        server = self

        class Handler:
            async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                server.seen += 1
                if server.seen in server.refuse:
                    return "451 4.3.0 try again later"
                parsed = message_from_bytes(envelope.original_content, policy=policy.default)
                server.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
                return "250 OK"

        def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, auth: Any):
            ok = auth.login == self.USER.encode() and auth.password == self.PASSWORD.encode()
            if ok:
                self.logins.append(auth.login.decode())
            return AuthResult(success=ok, handled=False)  # the server answers 535

        with socket.socket() as probe:  # the controller checks its port by connecting: not 0
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=authenticate,
            auth_required=True,
        )
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class MotoSes:
    """moto's server (SES) in a thread; what it sent is read from its backend."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def sent(self) -> list[Any]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)

    def stop(self) -> None:
        self.server.stop()
