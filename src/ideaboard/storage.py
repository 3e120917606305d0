"""Where attached pictures and files live: a folder in the data directory (the default;
files 0600 like everything the board writes), or any S3-compatible object store named by
`IDEABOARD_STORAGE_URL`, so several app servers share one set of files.

A store keeps bytes under names the board makes up (`<random key>/<variant>`); what a
file is, whose it is and who may read it are rows in the database (services.attachments).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from ideaboard.files import FILE_MODE, private_directory

# Query parameters of a storage URL that are client options rather than S3 settings.
CLIENT_OPTIONS = frozenset({"allow_http", "timeout", "connect_timeout"})


class StoreError(Exception):
    """The store could not be written or read; the sentence says where."""


class Store(Protocol):
    """Bytes by name. `get` answers None for a name it does not hold."""

    description: str  # where: a folder, or the bucket's URL without its query

    async def put(self, name: str, data: bytes) -> None: ...

    async def get(self, name: str) -> bytes | None: ...

    async def delete(self, name: str) -> None: ...


class DirectoryStore:
    """A folder: written to a temporary file and renamed, so a reader never sees half a
    file; directories 0700 and files 0600 whatever the umask."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = str(root)

    def _path(self, name: str) -> Path:
        parts = name.split("/")
        if any(part in {"", ".", ".."} for part in parts):
            raise StoreError(f"not a stored file's name: {name!r}")
        return self.root.joinpath(*parts)

    async def put(self, name: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(name), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        private_directory(path.parent)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)

    async def get(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, name: str) -> None:
        path = self._path(name)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the key's folder, once its last file is gone
            path.parent.rmdir()


class ObjectStore:
    """An S3-compatible bucket through obstore: `s3://bucket/prefix?endpoint=…&region=…`.
    Credentials come from the URL's query (access_key_id, secret_access_key) or from
    the usual AWS_* environment variables and instance roles, as every S3 tool reads them."""

    def __init__(self, url: str) -> None:
        from obstore.store import from_url

        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query))
        client = {key: options.pop(key) for key in list(options) if key in CLIENT_OPTIONS}
        base = parts._replace(query="").geturl()
        config: dict[str, Any] = dict(options)
        # A page waits for a picture: a store that does not answer is said within
        # seconds, not after the library's default three minutes of retries.
        client_options: Any = {"connect_timeout": "5s", "timeout": "30s", **client}
        retry: Any = {"max_retries": 3, "retry_timeout": timedelta(seconds=20)}
        self._store = from_url(base, client_options=client_options, retry_config=retry, **config)
        self.description = f"{parts.scheme}://{parts.netloc}{parts.path}"

    async def put(self, name: str, data: bytes) -> None:
        import obstore

        try:
            await obstore.put_async(self._store, name, data)
        except Exception as error:  # obstore raises its own errors for every cause
            raise StoreError(f"{self.description}: {error}") from error

    async def get(self, name: str) -> bytes | None:
        import obstore

        try:
            result = await obstore.get_async(self._store, name)
            return bytes(await result.bytes_async())
        except FileNotFoundError:
            return None
        except Exception as error:
            raise StoreError(f"{self.description}: {error}") from error

    async def delete(self, name: str) -> None:
        import obstore

        try:
            await obstore.delete_async(self._store, name)
        except FileNotFoundError:
            pass
        except Exception as error:
            raise StoreError(f"{self.description}: {error}") from error


def open_store(storage_url: str, data_dir: Path) -> Store:
    """The store the settings name: the data directory's `files` folder when none is set."""
    if not storage_url:
        return DirectoryStore(data_dir / "files")
    if storage_url.startswith("file://"):
        return DirectoryStore(Path(urlsplit(storage_url).path))
    return ObjectStore(storage_url)


async def verify_store(store: Store) -> None:
    """Write, read back and delete a small file: what `ideaboard check` and the tests ask
    of a store before trusting it with people's pictures."""
    name = f"check/{secrets.token_hex(8)}"
    probe = secrets.token_bytes(32)
    try:
        await store.put(name, probe)
        if await store.get(name) != probe:
            raise StoreError(f"{store.description} did not give back what was written")
        await store.delete(name)
    except OSError as error:
        raise StoreError(f"{store.description}: {error}") from error
