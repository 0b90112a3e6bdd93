"""Where the bytes of stored files live, behind one small interface.

`LocalStorage` keeps them in a folder under the instance path (`<instance>/files/ab/abcdef...`).
An S3-compatible store is a class with the same four methods (`put` from a stream, `open`, `delete`,
`exists`), configured at the composition root with `use(...)`.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO, Protocol

from core.config import load

CHUNK = 64 * 1024


class TooLarge(Exception):
    """The stream was longer than the limit (nothing is kept)."""


class Storage(Protocol):
    def put(self, key: str, stream: BinaryIO, max_bytes: int) -> tuple[int, str]:
        """Store the stream under `key`; (size, sha256 hex). Raises TooLarge over `max_bytes`."""

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key[:2] / key

    def put(self, key: str, stream: BinaryIO, max_bytes: int) -> tuple[int, str]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{key}.{os.getpid()}.part")
        digest, size = hashlib.sha256(), 0
        try:
            with open(tmp, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(key)
                    digest.update(chunk)
                    out.write(chunk)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return size, digest.hexdigest()

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


_current: Storage | None = None


def use(storage: Storage) -> None:
    """The composition root (app.py) chooses the store."""
    global _current
    _current = storage


def current() -> Storage:
    """The configured store; by default the instance folder's `files/`."""
    global _current
    if _current is None:
        _current = LocalStorage(load().files_dir)
    return _current
