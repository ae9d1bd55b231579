"""AES-256-GCM encryption of secrets and confidential state, tagged by key id.

A sealed value is ``b"S1" | len(key id) | key id | 12-byte nonce | ciphertext+tag``.
The newest key encrypts; every configured key decrypts. Keys come from
``SCENARIST_SECRET_KEYS`` (``id:base64key,...``, newest first); in the
embedded default a key file is created in the data dir with mode 0600.

A malformed key list, or stored values sealed under a key id that is not
configured (``require``), fail loudly with ``VaultError`` naming the key: there
is never a silent fallback to another key.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from scenarist.settings import Settings

MAGIC = b"S1"
KEY_FILE = "secret.key"
KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class VaultError(Exception):
    """The vault cannot encrypt or decrypt."""


class Vault:
    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise VaultError("no encryption key configured")
        seen: set[str] = set()
        for key_id, key in keys:
            if not KEY_ID.fullmatch(key_id):
                raise VaultError(f"key id {key_id[:64]!r} must be 1 to 64 letters, digits, '_', '.' or '-'")
            if key_id in seen:
                raise VaultError(f"key id {key_id!r} is configured twice")
            seen.add(key_id)
            if len(key) != 32:
                raise VaultError(f"key {key_id!r} is not 32 bytes (AES-256)")
        self._newest = keys[0][0]
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys}

    @classmethod
    def parse(cls, spec: str) -> Vault:
        keys = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key_id, sep, b64 = part.partition(":")
            if not sep or not key_id:
                raise VaultError(f"secret key {part[:8]!r}... is not written id:base64key")
            try:
                keys.append((key_id, base64.b64decode(b64, validate=True)))
            except binascii.Error as exc:
                raise VaultError(f"secret key {key_id!r} is not valid base64") from exc
        return cls(keys)

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        if settings.secret_keys is not None:
            return cls.parse(settings.secret_keys.get_secret_value())
        return cls.parse(_key_file(settings.data_dir).read_text())

    @property
    def newest_key_id(self) -> str:
        return self._newest

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def require(self, key_ids: Iterable[str], what: str = "stored credentials") -> None:
        """Raise ``VaultError`` naming every key id of ``key_ids`` that is not configured."""
        missing = sorted(set(key_ids) - self.key_ids)
        if missing:
            names = ", ".join(repr(k) for k in missing)
            raise VaultError(
                f"{what} are sealed under key id(s) {names}, which SCENARIST_SECRET_KEYS does not hold; "
                f"configure the key(s) again (after the newest) and run `scenarist vault rotate`"
            )

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        key_id = self._newest.encode()
        body = self._ciphers[self._newest].encrypt(nonce, plaintext, aad)
        return MAGIC + bytes([len(key_id)]) + key_id + nonce + body

    def open(self, sealed: bytes, aad: bytes = b"") -> bytes:
        key_id, nonce, body = self._split(sealed)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise VaultError(f"no key {key_id!r} to decrypt with")
        try:
            return cipher.decrypt(nonce, body, aad)
        except InvalidTag as exc:
            raise VaultError("ciphertext failed authentication") from exc

    def key_id_of(self, sealed: bytes) -> str:
        return self._split(sealed)[0]

    @staticmethod
    def _split(sealed: bytes) -> tuple[str, bytes, bytes]:
        if sealed[:2] != MAGIC or len(sealed) < 4:
            raise VaultError("not a sealed value")
        n = sealed[2]
        if len(sealed) < 15 + n + 16:
            raise VaultError("sealed value is truncated")
        try:
            key_id = sealed[3 : 3 + n].decode("ascii")
        except UnicodeDecodeError:
            raise VaultError("sealed value has a malformed key id") from None
        return key_id, sealed[3 + n : 15 + n], sealed[15 + n :]


def _key_file(data_dir: Path) -> Path:
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"k1:{key}\n")
    return path
