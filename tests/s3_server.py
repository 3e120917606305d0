"""A real S3-compatible server for the attachment store: moto's server mode (a Werkzeug
HTTP server speaking the S3 protocol) in a thread on a free local port. The board talks
to it through obstore exactly as it would to AWS, MinIO or Ceph."""

from __future__ import annotations

import logging
import secrets
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from cluster import free_port

REGION = "eu-north-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def new_bucket(self) -> str:
        """An empty bucket (S3's CreateBucket, which moto takes without a signature)."""
        name = f"board-{secrets.token_hex(6)}"
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        urllib.request.urlopen(request, timeout=10).read()
        return name

    def storage_url(self, bucket: str, prefix: str = "files") -> str:
        """IDEABOARD_STORAGE_URL for the bucket, with made-up credentials (moto takes any)."""
        return (
            f"s3://{bucket}/{prefix}?endpoint={self.endpoint}&region={REGION}"
            "&access_key_id=test-key&secret_access_key=test-secret&allow_http=true"
        )

    def client(self) -> Any:
        """boto3 (moto's own client library): reads the bucket without the board's code."""
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id="test-key", aws_secret_access_key="test-secret",
        )  # fmt: skip

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    def read(self, bucket: str, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=bucket, Key=key)["Body"].read())


@contextmanager
def running_s3() -> Iterator[S3Server]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()
