"""`deploy` against a real S3 server (moto on 127.0.0.1, reached by boto3 over HTTP)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import boto3
import pytest
from conftest import EXAMPLE_NOW, REPO, write_files
from s3server import FlakyProxy, MotoS3, closed_port

from heliograph.build import Project, build
from heliograph.cli import main
from heliograph.deploy import Options, Target, deploy
from heliograph.errors import Abort

BUCKET = "status-site"
OPEN_INCIDENT = "incidents/2026-11-24-scheduled-posts-delayed"
NEW_UPDATE = {f"{OPEN_INCIDENT}/04-monitoring.md": """\
    ---
    at: 2026-11-24T15:08:00Z
    status: monitoring
    ---
    The backlog is cleared; we are watching the scheduler.
    """}


SMALL_SITE = {
    "index.html": "<h1>All systems operational</h1>\n",
    "404.html": "<h1>Not found</h1>\n",
    "incidents/a/index.html": "<h1>Incident A</h1>\n",
    "static/style.0123456789.css": "body { color: #111; }\n",
    "api/v2/status.json": "{}\n",
}


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
    return Target(BUCKET, endpoint_url=moto_s3.url)


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def md5s(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.md5(data).hexdigest() for path, data in files.items()}


def bucket(s3, prefix: str = "") -> dict[str, str]:
    """The MD5 of every object under `prefix` by site path (ETags: every put is single-part)."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"][len(prefix):]: o["ETag"].strip('"') for page in pages
            for o in page.get("Contents", ())}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["deploy", "--bucket", BUCKET, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_first_deploy_uploads_every_file_with_its_headers(s3, target, example_site):
    result = deploy(example_site, target)
    local = tree(example_site)
    assert bucket(s3) == md5s(local)
    assert result.uploaded == len(local) and result.plan.unchanged == 0
    css = next(p for p in local if re.fullmatch(r"static/style\.[0-9a-f]{10}\.css", p))
    expected = {
        "index.html": ("text/html; charset=utf-8", "public, max-age=60"),
        f"{OPEN_INCIDENT}/index.html": ("text/html; charset=utf-8", "public, max-age=60"),
        css: ("text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        "static/favicon.svg": ("image/svg+xml; charset=utf-8", "public, max-age=60"),
        "api/v2/summary.json": ("application/json; charset=utf-8", "public, max-age=60"),
        "history.rss": ("application/rss+xml; charset=utf-8", "public, max-age=60"),
        "history.atom": ("application/atom+xml; charset=utf-8", "public, max-age=60"),
        "maintenance.ics": ("text/calendar; charset=utf-8", "public, max-age=60"),
        "badges/status.svg": ("image/svg+xml; charset=utf-8", "public, max-age=60"),
    }
    for path, (content_type, cache) in expected.items():
        head = s3.head_object(Bucket=BUCKET, Key=path)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache), path
        assert head["Metadata"]["sha256"] == hashlib.sha256(local[path]).hexdigest()


def test_second_deploy_uploads_nothing(capsys, s3, target, example_site):
    deploy(example_site, target)
    code, out, _ = run_cli(capsys, "--output", str(example_site), "--endpoint-url",
                           target.endpoint_url)
    files = len(tree(example_site))
    assert code == 0
    assert re.fullmatch(rf"uploaded 0, unchanged {files}, deleted 0 in \d+\.\d s\n", out)


def test_a_long_deploy_reports_progress(capsys, s3, target, small_site, monkeypatch):
    monkeypatch.setattr("heliograph.cli.DEPLOY_PROGRESS_SECONDS", 0)  # every upload counts as long
    code, out, err = run_cli(capsys, "--output", str(small_site), "--endpoint-url",
                             target.endpoint_url)
    assert code == 0 and out.startswith("uploaded 5, unchanged 0, deleted 0 in ")
    assert err.splitlines() == [f"  {n} of 5 uploaded" for n in range(1, 6)]


def test_a_new_update_uploads_only_what_it_changed_in_a_safe_order(
        s3, target, example_source, tmp_path):
    source = shutil.copytree(example_source, tmp_path / "src")
    project = Project.at(source)
    build(project, EXAMPLE_NOW)
    before = tree(project.output)
    deploy(project.output, target)
    write_files(source, NEW_UPDATE)
    build(project, EXAMPLE_NOW)
    after = tree(project.output)
    order: list[str] = []
    result = deploy(project.output, target, progress=lambda done, total, key: order.append(key))
    changed = {p for p in after if before.get(p) != after[p]}
    assert set(order) == changed and result.uploaded == len(changed)
    assert {"index.html", f"{OPEN_INCIDENT}/index.html", "history.rss"} <= changed
    assert len(changed) < len(after) / 3
    assert bucket(s3) == md5s(after)
    # The incident page goes out before the home page, feeds and API that link to it.
    pages = [i for i, k in enumerate(order) if k.endswith(".html") and k != "index.html"]
    entries = [i for i, k in enumerate(order)
               if k == "index.html" or k.startswith(("api/", "badges/")) or k.endswith(".rss")]
    assert pages and entries and max(pages) < min(entries)


def test_assets_go_before_pages(s3, target, example_site):
    order: list[str] = []
    deploy(example_site, target, progress=lambda done, total, key: order.append(key))
    assets = [i for i, k in enumerate(order) if k.startswith("static/")]
    pages = [i for i, k in enumerate(order) if k.endswith(".html")]
    assert assets and max(assets) < min(pages)


def test_delete_removes_stale_objects_only_when_asked(capsys, s3, target, small_site):
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key="incidents/withdrawn/index.html", Body=b"old")
    kept = deploy(small_site, target)
    assert kept.stale_kept == 1 and "incidents/withdrawn/index.html" in bucket(s3)
    code, out, _ = run_cli(capsys, "--output", str(small_site), "--endpoint-url",
                           target.endpoint_url, "--delete")
    assert code == 0 and ", deleted 1 in " in out
    assert bucket(s3) == md5s(tree(small_site))


def test_a_mass_deletion_is_refused_unless_forced(capsys, s3, target, small_site):
    stale = {f"old/{i}.html": b"x" for i in range(len(tree(small_site)) + 1)}
    for key, body in stale.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    code, _, err = run_cli(capsys, "--output", str(small_site), "--endpoint-url",
                           target.endpoint_url, "--delete")
    assert code == 1 and bucket(s3) == md5s(stale)  # refused before uploading anything either
    assert err.startswith(f"error: refusing to delete {len(stale)} of {len(stale)} objects")
    deploy(small_site, target, Options(delete=True, force=True))
    assert bucket(s3) == md5s(tree(small_site))


def test_dry_run_changes_nothing(capsys, s3, target, small_site):
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key="stale.html", Body=b"x")
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"older home page")
    before = bucket(s3)
    code, out, _ = run_cli(capsys, "--output", str(small_site), "--endpoint-url",
                           target.endpoint_url, "--delete", "--dry-run")
    assert code == 0 and bucket(s3) == before
    files = len(tree(small_site))
    assert out == ("would upload index.html (changed, text/html; charset=utf-8)\n"
                   "would delete stale.html\n"
                   f"would upload 1, unchanged {files - 1}, would delete 1 "
                   "(dry run: nothing changed)\n")


def test_a_prefix_keeps_the_rest_of_the_bucket(s3, target, small_site):
    s3.put_object(Bucket=BUCKET, Key="other/keep.txt", Body=b"keep")
    deploy(small_site, Target(BUCKET, "/status/", endpoint_url=target.endpoint_url),
           Options(delete=True))
    assert bucket(s3, "status/") == md5s(tree(small_site))
    assert bucket(s3, "other/") == md5s({"keep.txt": b"keep"})


def multipart_put(s3, key: str, body: bytes, metadata: dict[str, str]) -> None:
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key, Metadata=metadata)
    part = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], PartNumber=1,
                          Body=body)
    s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"ETag": part["ETag"],
                                                             "PartNumber": 1}]})


def test_multipart_etags_fall_back_to_the_stored_hash(s3, target, small_site):
    deploy(small_site, target)
    home = (small_site / "index.html").read_bytes()
    multipart_put(s3, "index.html", home, {"sha256": hashlib.sha256(home).hexdigest()})
    page = "incidents/a/index.html"
    multipart_put(s3, page, (small_site / page).read_bytes(), {})  # no stored hash
    assert "-" in s3.head_object(Bucket=BUCKET, Key="index.html")["ETag"]
    result = deploy(small_site, target)
    assert [u.path for u in result.plan.uploads] == [page]


def test_cloudfront_gets_one_invalidation_for_the_changed_paths(
        s3, target, moto_s3, monkeypatch, small_site):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", moto_s3.url)
    cf = boto3.client("cloudfront")
    origin = {"Id": "s3", "DomainName": f"{BUCKET}.s3.amazonaws.com",
              "S3OriginConfig": {"OriginAccessIdentity": ""}}
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": "t", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all"},
    })["Distribution"]["Id"]
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"older home page")
    s3.put_object(Bucket=BUCKET, Key="gone.txt", Body=b"x")
    with_cf = Target(BUCKET, endpoint_url=target.endpoint_url, cloudfront_distribution=dist)
    result = deploy(small_site, with_cf, Options(delete=True))
    batch = cf.get_invalidation(DistributionId=dist, Id=result.invalidation)["Invalidation"]
    assert sorted(batch["InvalidationBatch"]["Paths"]["Items"]) == ["/", "/gone.txt",
                                                                    "/index.html"]
    assert deploy(small_site, with_cf).invalidation is None  # nothing changed, nothing to do
    assert len(cf.list_invalidations(DistributionId=dist)["InvalidationList"]["Items"]) == 1
    with pytest.raises(Abort, match="^CloudFront distribution 'E0NOPE' does not exist"):
        s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"older again")
        deploy(small_site, Target(BUCKET, endpoint_url=target.endpoint_url,
                                    cloudfront_distribution="E0NOPE"))


def iam_policy_from_docs() -> dict:
    """The least-privilege policy that docs/deploy.md tells users to attach."""
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    policy = next(json.loads(b) for b in blocks if "s3:PutObject" in b)
    return json.loads(json.dumps(policy).replace("status-example-com", BUCKET))


def test_the_documented_iam_policy_is_enough_and_less_is_denied(
        capsys, s3, target, moto_s3, monkeypatch, small_site):
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
        code, _, err = run_cli(capsys, "--output", str(small_site), "--endpoint-url",
                               target.endpoint_url)
        assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("error: access denied while uploading ")
        for name, value in enough.items():
            monkeypatch.setenv(name, value)
        result = deploy(small_site, target)
    finally:
        moto_s3.enforce_iam(False)
    assert result.plan.unchanged == 1 and bucket(s3).keys() == tree(small_site).keys()


def test_missing_credentials_is_one_line(capsys, s3, target, small_site, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, err = run_cli(capsys, "--output", str(small_site), "--endpoint-url",
                           target.endpoint_url)
    assert (code, err) == (1, "error: no AWS credentials found: set AWS_PROFILE, or "
                              "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in GitHub Actions, "
                              "aws-actions/configure-aws-credentials sets them)\n")


def test_missing_bucket_is_one_line(capsys, s3, target, small_site):
    code = main(["deploy", "--bucket", "no-such-bucket", "--output", str(small_site),
                 "--endpoint-url", target.endpoint_url])
    err = capsys.readouterr().err
    assert (code, err) == (1, f"error: bucket 'no-such-bucket' does not exist at "
                              f"{target.endpoint_url}: check --bucket\n")


def test_unreachable_endpoint_is_one_line(capsys, s3, small_site):
    url = f"http://127.0.0.1:{closed_port()}"
    code, _, err = run_cli(capsys, "--output", str(small_site), "--endpoint-url", url)
    assert (code, err) == (1, f"error: cannot reach {url} while listing the bucket: no "
                              "connection after retries; check --endpoint-url, --region and "
                              "the network\n")


@pytest.mark.parametrize("files, message", [
    (None, "does not exist: build the site first"),
    ({}, "is empty: build the site first"),
    ({"a/index.html": "x"}, "has no index.html, so it is not a built site"),
])
def test_no_deploy_from_a_missing_or_empty_site(capsys, s3, target, tmp_path, files, message):
    site = tmp_path / "_site"
    if files is not None:
        site.mkdir()
        write_files(site, files)
    code, _, err = run_cli(capsys, "--output", str(site), "--endpoint-url", target.endpoint_url)
    assert code == 1 and message in err and err.count("\n") == 1
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


def test_a_failed_stage_stops_before_the_entry_points(moto_s3, s3, example_site):
    proxy = FlakyProxy((moto_s3.host, moto_s3.port), fail=10_000)  # every big request is cut
    try:
        with pytest.raises(Abort, match=r"^uploading \S+ failed at .*run deploy again\)$"):
            deploy(example_site, Target(BUCKET, endpoint_url=proxy.url))
    finally:
        proxy.close()
    assert "index.html" not in bucket(s3) and not any(k.startswith("api/") for k in bucket(s3))
