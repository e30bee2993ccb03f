"""`deploy` failing: one line and exit 1 for each thing that can go wrong, never a traceback."""

from __future__ import annotations

import hashlib
import json
import re

import boto3
import pytest
from conftest import REPO, update, write_files
from s3server import BUCKET, FlakyProxy, bucket, closed_port, md5s, multipart_put, run_cli, tree

from heliograph.cli import main
from heliograph.content.errors import Abort
from heliograph.publish.deploy import Options, Target, deploy

pytest_plugins = ("s3fixtures",)


def iam_policy_from_docs() -> dict:
    """The least-privilege policy that docs/deploy.md tells users to attach."""
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    policy = next(json.loads(b) for b in blocks if "s3:PutObject" in b)
    return json.loads(json.dumps(policy).replace("status-example-com", BUCKET))


def test_the_documented_iam_policy_is_enough_and_less_is_denied(
    capsys, s3, target, moto_s3, monkeypatch, small_site
):
    iam = boto3.client("iam", endpoint_url=moto_s3.url)
    enough = moto_s3.user_with_policy(iam, "deployer", iam_policy_from_docs())
    policy = iam_policy_from_docs()
    policy["Statement"][1]["Action"] = ["s3:GetObject", "s3:DeleteObject"]
    short = moto_s3.user_with_policy(iam, "reader", policy)
    home = (small_site / "index.html").read_bytes()  # multipart: the deploy must HEAD it
    multipart_put(s3, "index.html", home, {"sha256": hashlib.sha256(home).hexdigest()})
    # Not exercised: --delete, as moto checks DeleteObjects against the bucket's ARN where
    # AWS checks s3:DeleteObject on each key.
    moto_s3.enforce_iam(True)
    try:
        for name, value in short.items():
            monkeypatch.setenv(name, value)
        code, _, err = run_cli(
            capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url
        )
        assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
        # the first write is the marker of a deploy under way, before any file goes up
        assert err.startswith("error: access denied while marking the deploy as under way")
        for name, value in enough.items():
            monkeypatch.setenv(name, value)
        result = deploy(small_site, target)
    finally:
        moto_s3.enforce_iam(False)
    assert result.plan.unchanged == 1 and bucket(s3).keys() == tree(small_site).keys()


def test_rejected_credentials_are_one_line(capsys, s3, target, moto_s3, small_site):
    moto_s3.enforce_iam(True)  # the test keys belong to no IAM user
    try:
        code, _, err = run_cli(
            capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url
        )
    finally:
        moto_s3.enforce_iam(False)
    assert (code, err) == (
        1,
        "error: the AWS credentials were rejected (InvalidAccessKeyId) "
        "while reading the bucket: check AWS_PROFILE or "
        "AWS_ACCESS_KEY_ID, or get fresh ones\n",
    )


def test_missing_credentials_is_one_line(capsys, s3, target, small_site, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, err = run_cli(
        capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url
    )
    assert (code, err) == (
        1,
        "error: no AWS credentials found: set AWS_PROFILE, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in GitHub Actions, "
        "aws-actions/configure-aws-credentials sets them)\n",
    )


def test_missing_bucket_is_one_line(capsys, s3, target, small_site):
    code = main(
        [
            "deploy",
            "--bucket",
            "no-such-bucket",
            "--output",
            str(small_site),
            "--endpoint-url",
            target.endpoint_url,
        ]
    )
    err = capsys.readouterr().err
    assert (code, err) == (
        1,
        f"error: bucket 'no-such-bucket' does not exist at {target.endpoint_url}: check --bucket\n",
    )


def test_unreachable_endpoint_is_one_line(capsys, s3, small_site):
    url = f"http://127.0.0.1:{closed_port()}"
    code, _, err = run_cli(capsys, "--output", str(small_site), "--endpoint-url", url)
    assert (code, err) == (
        1,
        f"error: cannot reach {url} while listing the bucket: no "
        "connection after retries; check --endpoint-url, --region and "
        "the network\n",
    )


@pytest.mark.parametrize(
    "files, message",
    [
        (None, "does not exist: build the site first"),
        ({}, "is empty: build the site first"),
        ({"a/index.html": "x"}, "has no index.html, so it is not a built site"),
    ],
)
def test_no_deploy_from_a_missing_or_empty_site(capsys, s3, target, tmp_path, files, message):
    site = tmp_path / "_site"
    if files is not None:
        site.mkdir()
        write_files(site, files)
    code, _, err = run_cli(capsys, "--output", str(site), "--endpoint-url", target.endpoint_url)
    assert code == 1 and message in err and err.count("\n") == 1
    assert bucket(s3) == {}


def test_a_failed_first_build_leaves_nothing_to_deploy(capsys, s3, target, make_site):
    source = make_site({"incidents/x/01.md": update("2026-02-10T14:32:00", "investigating")})
    now = "2026-02-10T15:00:00Z"
    assert main(["build", "--source", str(source), "--now", now]) == 1
    code = main(
        [
            "deploy",
            "--source",
            str(source),
            "--bucket",
            BUCKET,
            "--endpoint-url",
            target.endpoint_url,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.endswith(
        "_site/ does not exist: build the site first (python build.py build)\n"
    )
    assert bucket(s3) == {}


def test_cut_connections_are_retried_and_a_second_run_converges(moto_s3, s3, example_site):
    proxy = FlakyProxy((moto_s3.host, moto_s3.port), fail=3)
    try:
        try:
            first = deploy(example_site, Target(BUCKET, endpoint_url=proxy.url)).uploaded
        except Abort as exc:  # retries ran out: a clear message, never a traceback
            assert "\n" not in str(exc) and "run deploy again" in str(exc)
            first = None
        assert proxy.resets >= 1
        second = deploy(example_site, Target(BUCKET, endpoint_url=proxy.url))
    finally:
        proxy.close()
    assert bucket(s3) == md5s(tree(example_site))
    assert first is None or second.uploaded == 0


def test_failed_uploads_do_not_stop_the_others_and_the_next_run_sends_only_those(
    moto_s3, s3, example_site
):
    files = tree(example_site)
    proxy = FlakyProxy((moto_s3.host, moto_s3.port), fail=10_000, cut=4096)  # every big one
    try:
        with pytest.raises(Abort) as caught:
            deploy(example_site, Target(BUCKET, endpoint_url=proxy.url), Options(delete=True))
    finally:
        proxy.close()
    message = str(caught.value)
    assert "\n" not in message and message.startswith("uploading ")
    assert " uploads failed twice; every other file went up" in message
    assert "run deploy again" in message
    up = bucket(s3)
    assert set(up) <= set(files)
    # A request of up to 2 kB of body fits in 4 kB with its headers; over 4 kB never does.
    assert {p for p, data in files.items() if len(data) <= 2000} <= set(up)
    assert not {p for p, data in files.items() if len(data) > 4096} & set(up)
    again = deploy(example_site, Target(BUCKET, endpoint_url=moto_s3.url), Options(delete=True))
    assert {u.path for u in again.plan.uploads} == set(files) - set(up)  # only what failed
    assert bucket(s3) == md5s(files)
