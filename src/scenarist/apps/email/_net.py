"""Outgoing sockets: every connection goes to the address the egress guard returned."""

from __future__ import annotations

import asyncio
import socket

from scenarist.sdk import ConnectionError, Egress, ModuleTimeoutError
from scenarist.sdk.sockets import resolve


async def connect_socket(egress: Egress, host: str, port: int, seconds: float) -> socket.socket:
    """A non-blocking TCP socket connected to the address the egress guard allows for ``host``."""
    address = await resolve(egress, host, port)
    sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        async with asyncio.timeout(seconds):
            await asyncio.get_running_loop().sock_connect(sock, (address, port))
    except TimeoutError as exc:
        sock.close()
        raise ModuleTimeoutError(f"{host}:{port} did not accept a connection within {seconds:g} s") from exc
    except OSError as exc:
        sock.close()
        raise ConnectionError(f"cannot connect to {host}:{port}: {exc}") from exc
    return sock


async def released(sock: socket.socket, seconds: float = 1.0) -> None:
    """Wait until the transport that took ``sock`` has closed it (a TLS goodbye takes a few
    loop turns), then make sure it is closed."""
    step = 0.005
    for _ in range(int(seconds / step)):
        if sock.fileno() == -1:
            return
        await asyncio.sleep(step)
    sock.close()
