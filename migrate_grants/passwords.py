"""Password strategies.  Oracle password hashes cannot be carried over (10G DES, 11G SHA-1 `S:`,
12C PBKDF2-SHA512 `T:` verifiers are not PostgreSQL's SCRAM), so:

- none:     no password is set (default); log in with IAM, Kerberos or a password set later;
- generate: a random strong password per login role, written only to a credentials file (mode
            0600); the script carries only the SCRAM-SHA-256 verifier computed here, never clear
            text.  An existing credentials file is reused, so re-rendering gives the same script;
- iam:      membership in rds_iam (IAM database authentication), no password.

Clear-text passwords never reach argv, logs, exceptions or the script.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path

from .errors import UserError

SCRAM_ITERATIONS = 4096  # PostgreSQL's default scram_iterations
CREDENTIALS_FORMAT = "migrate-grants-credentials/1"


def scram_sha256_verifier(password: str, salt: bytes, iterations: int = SCRAM_ITERATIONS) -> str:
    """The verifier PostgreSQL stores for `password` (RFC 5802 / RFC 7677), as pg_authid has it.

    Generated passwords are ASCII without spaces, so SASLprep leaves them unchanged."""
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _salt_for(role: str, password: str) -> bytes:
    # Deterministic per (role, password): the same credentials file renders the same script, and a
    # new password always gets a new salt.
    return hmac.new(password.encode("utf-8"), b"migrate-grants salt:" + role.encode("utf-8"), hashlib.sha256).digest()[:16]


def new_password() -> str:
    return secrets.token_urlsafe(24)  # 192 bits, URL-safe ASCII: no quoting trouble anywhere


def load_or_create_credentials(path: Path, roles: list[str]) -> dict[str, str]:
    """Passwords for `roles`, reusing those already in `path`; writes new ones (mode 0600)."""
    existing: dict[str, str] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("format") != CREDENTIALS_FORMAT or not isinstance(data.get("passwords"), dict):
                raise ValueError("not a credentials file")
            existing = {str(k): str(v) for k, v in data["passwords"].items()}
        except (OSError, ValueError, AttributeError, RecursionError) as exc:
            # The message names the file only: never echo its contents.
            raise UserError(f"{path}: not a migrate-grants credentials file ({type(exc).__name__})") from None
    passwords = {role: existing.get(role) or new_password() for role in sorted(roles)}
    if passwords != {r: existing.get(r) for r in passwords} or set(existing) - set(passwords):
        merged = dict(sorted({**existing, **passwords}.items()))
        _write_private(path, json.dumps({"format": CREDENTIALS_FORMAT, "passwords": merged}, indent=1) + "\n")
    return passwords


def _write_private(path: Path, text: str) -> None:
    """Write `path` atomically with mode 0600.  The temporary file has a random name and is created
    exclusively (mkstemp: O_EXCL, 0600), so a symlink or a leftover file planted under a predictable
    name cannot redirect the passwords or widen their mode."""
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write the credentials file: {exc.strerror or exc}") from None


def verifiers(passwords: dict[str, str]) -> dict[str, str]:
    return {role: scram_sha256_verifier(pw, _salt_for(role, pw)) for role, pw in passwords.items()}
