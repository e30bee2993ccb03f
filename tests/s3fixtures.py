"""pytest fixtures for deploy tests: a session-wide moto server, reset for every test.

Test modules load them with `pytest_plugins = ("s3fixtures",)`.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from conftest import write_files
from s3server import BUCKET, SMALL_SITE, MotoS3

from heliograph.publish.deploy import Target


@pytest.fixture
def small_site(tmp_path) -> Path:
    """A built site of five files, for tests about the sync rather than the content."""
    return write_files(tmp_path / "_site", SMALL_SITE)


@pytest.fixture(scope="session")
def moto_s3():
    server = MotoS3()
    yield server
    server.stop()


@pytest.fixture
def s3(moto_s3, monkeypatch):
    """An empty bucket on a fresh server, and test credentials in the environment only."""
    moto_s3.reset()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no 1 s probe of 169.254.169.254
    client = boto3.client("s3", endpoint_url=moto_s3.url)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def target(moto_s3, s3) -> Target:
    """The test bucket, with the environment of `s3`."""
    return Target(BUCKET, endpoint_url=moto_s3.url)
