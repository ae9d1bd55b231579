"""Client TLS for apps: one way to build an ``ssl.SSLContext`` from a connection's fields.

Apps dial the address the egress guard returned, not the host name the user
typed; :class:`PinnedHostContext` makes the certificate check (and SNI) use
the configured host name all the same.
"""

from __future__ import annotations

import ssl
from typing import Any

from scenarist.sdk._errors import InvalidConfigurationError


class PinnedHostContext(ssl.SSLContext):
    """An SSL context that names ``pinned_hostname`` to the server, whatever address was dialled.

    With ``pinned_hostname`` None it behaves like a plain ``ssl.SSLContext``.
    """

    pinned_hostname: str | None = None

    def wrap_bio(self, incoming: Any, outgoing: Any, server_side: bool = False,
                 server_hostname: str | bytes | None = None, session: Any = None) -> ssl.SSLObject:
        return super().wrap_bio(incoming, outgoing, server_side, self.pinned_hostname or server_hostname, session)

    def wrap_socket(self, sock: Any, server_side: bool = False, do_handshake_on_connect: bool = True,
                    suppress_ragged_eofs: bool = True, server_hostname: str | bytes | None = None,
                    session: Any = None) -> ssl.SSLSocket:
        return super().wrap_socket(sock, server_side, do_handshake_on_connect, suppress_ragged_eofs,
                                   self.pinned_hostname or server_hostname, session)


def client_ssl_context(
    *,
    verify: bool = True,
    ca_cert: str | None = None,
    check_hostname: bool = True,
    system_roots: bool | None = None,
    pinned_hostname: str | None = None,
    context_class: type[PinnedHostContext] = PinnedHostContext,
) -> PinnedHostContext:
    """A TLS 1.2+ client context.

    - ``verify``: the server's certificate must chain to a trusted root
      (``CERT_REQUIRED``); False accepts any certificate (``CERT_NONE``).
    - ``ca_cert``: PEM certificate(s) to trust; a value that is not usable PEM
      is an ``InvalidConfigurationError``.
    - ``check_hostname``: with ``verify``, the certificate must also name the host.
    - ``system_roots``: trust the system's roots too; None (the default) means
      "only when no ``ca_cert`` is given". Only read when ``verify`` is on.
    - ``pinned_hostname``: the host name to check (and send as SNI) whatever
      address the socket was connected to.
    - ``context_class``: a subclass of :class:`PinnedHostContext` to build.
    """
    context = context_class(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.pinned_hostname = pinned_hostname
    try:
        if verify and (system_roots or (system_roots is None and not ca_cert)):
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        if ca_cert:
            context.load_verify_locations(cadata=ca_cert)
    except (ssl.SSLError, ValueError) as exc:
        raise InvalidConfigurationError(f"ca_cert is not a usable PEM certificate: {exc}") from exc
    context.check_hostname = verify and check_hostname
    context.verify_mode = ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
    return context
