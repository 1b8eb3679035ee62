"""The server secret: one random value kept in a file outside the database, from which every
key the service signs with is derived (CSRF values, the audit chain's HMAC, signed audit heads,
the single sign-on's state cookie).

Outside the database on purpose: someone who can rewrite the database (a copied backup, a
stolen PostgreSQL password) cannot recompute the audit chain or forge a form without it. The
file is made on first start with mode 0600 and refused if others may read it. It is never
logged or stored; losing it makes the audit chain unverifiable, so it is backed up apart from
the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from screener.errors import ConfigError

_BYTES = 32


@dataclass(frozen=True)
class ServerKeys:
    secret: bytes = field(repr=False)
    path: Path

    def derive(self, purpose: str) -> bytes:
        """A key for one purpose: a leak of one derived key does not give the others."""
        return hmac.new(self.secret, purpose.encode("utf-8"), hashlib.sha256).digest()

    def sign(self, purpose: str, message: str) -> str:
        return hmac.new(self.derive(purpose), message.encode("utf-8"),
                        hashlib.sha256).hexdigest()


def _read(path: Path) -> ServerKeys:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"服务器密钥 {path} 可能被他人读取（权限 "
                          f"{stat.S_IMODE(mode):04o}）；请运行 `chmod 600 {path}`")
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < _BYTES:
        raise ConfigError(f"服务器密钥 {path} 已损坏（应为 {_BYTES * 2} 位十六进制数）；"
                          "请从备份恢复")
    return ServerKeys(secret, path)


def load_keys(path: Path, *, create: bool) -> ServerKeys:
    """The server's keys from ``path``; made there (0600) when missing and ``create``."""
    path = Path(path)
    if path.exists():
        return _read(path)
    if not create:
        raise ConfigError(f"服务器密钥 {path} 不见了：没有它，审计链既不能校验，也不能续写；"
                          "请从备份恢复")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(_BYTES) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return _read(path)
