"""A real HTTPS server on 127.0.0.1 that requires a client certificate, as nginx or Go's servers do.

It runs in threads on blocking ``ssl`` sockets, so a refused handshake ends as
real servers end it: with a TLS alert (``unknown_ca``, ``certificate_required``)
followed by a lingering close, so that the client reads the alert instead of a
reset. (asyncio servers drop the connection without the alert.)

Routes: ``/whoami`` answers ``{"client": <the client certificate's common
name>, "path": ...}``; ``/files/report.bin`` a small binary file with a
Content-Disposition. Keep-alive is on, so a client's pool can reuse connections;
``handshakes`` counts the successful ones and ``refusals`` records the others.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.certs import Authority, Issued

REPORT_BYTES = bytes(range(256)) * 4


def _common_name(peer: Any) -> str | None:
    for rdn in (peer or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: MutualTlsServer

    def do_GET(self) -> None:
        if self.path.startswith("/files/report.bin"):
            disposition = {"Content-Disposition": 'attachment; filename="r.bin"'}
            self._answer(REPORT_BYTES, "application/octet-stream", disposition)
            return
        client = _common_name(self.connection.getpeercert())
        self._answer(json.dumps({"client": client, "path": self.path}).encode(), "application/json", {})

    def _answer(self, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(200)
        for name, value in {"Content-Type": content_type, "Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class MutualTlsServer(ThreadingHTTPServer):
    """The server; ``url`` is its base address, ``server_ca`` what a client must trust."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.handshakes = 0
        self.refusals: list[str] = []
        self.url = f"https://127.0.0.1:{self.server_address[1]}"
        self._lock = threading.Lock()

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(10)
            request.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            with self._lock:
                self.refusals.append(str(exc))
            _linger(request)
            return
        with self._lock:
            self.handshakes += 1
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None


def _linger(sock: ssl.SSLSocket) -> None:
    """Close after the alert went out: stop writing, read what the client still sends, then close."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(2)
        while sock.recv(4096):
            pass
    except OSError:
        pass


def server_context(server: Issued, client_ca: Authority, folder: Path,
                   maximum: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED) -> ssl.SSLContext:
    """A server context that presents ``server`` and requires a client certificate issued under ``client_ca``."""
    cert, key = folder / "server.pem", folder / "server-key.pem"
    cert.write_text(server.chain_pem)
    key.write_text(server.key_pem())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.load_verify_locations(cadata=client_ca.cert_pem)
    context.verify_mode = ssl.CERT_REQUIRED
    context.maximum_version = maximum
    return context


@contextmanager
def serving(context: ssl.SSLContext) -> Iterator[MutualTlsServer]:
    """Run the server in a thread for the block."""
    server = MutualTlsServer(context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
