"""A secret kept in a file of the instance folder: read it, or create it (mode 0600) on first use.

Used for the session secret (`secret_key`) and the audit key (`audit_key`, engine/audit_anchor.py):
keys that must live outside the database."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def read_or_create(path: Path) -> str:
    """The key in `path`, generated (48 random bytes, URL-safe) and written with mode 0600 when the
    file is missing. Written to a private temporary file, then linked into place: concurrent
    processes agree on one key."""
    for _ in range(50):
        try:
            key = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            key = ""
        if key:
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    raise RuntimeError(f"could not read or create the key file {path}")
