"""`deploy` against a real S3 server (moto on 127.0.0.1, reached by boto3 over HTTP)."""

from __future__ import annotations

import hashlib
import re
import shutil

import boto3
import pytest
from conftest import EXAMPLE_NOW, write_files
from s3server import BUCKET, bucket, md5s, multipart_put, run_cli, tree

from heliograph.build import Project, build
from heliograph.content.errors import Abort
from heliograph.publish.deploy import Options, Target, deploy

OPEN_INCIDENT = "incidents/2026-11-24-scheduled-posts-delayed"
NEW_UPDATE = {
    f"{OPEN_INCIDENT}/04-monitoring.md": """\
    ---
    at: 2026-11-24T15:08:00Z
    status: monitoring
    ---
    The backlog is cleared; we are watching the scheduler.
    """
}

pytest_plugins = ("s3fixtures",)


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
    code, out, _ = run_cli(
        capsys, "--output", str(example_site), "--endpoint-url", target.endpoint_url
    )
    files = len(tree(example_site))
    assert code == 0
    assert re.fullmatch(rf"uploaded 0, unchanged {files}, deleted 0 in \d+\.\d s\n", out)


def test_a_long_deploy_reports_progress(capsys, s3, target, small_site, monkeypatch):
    monkeypatch.setattr("heliograph.cli.deploy.PROGRESS_SECONDS", 0)  # every upload counts as long
    code, out, err = run_cli(
        capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url
    )
    assert code == 0 and out.startswith("uploaded 5, unchanged 0, deleted 0 in ")
    assert err.splitlines() == [f"  {n} of 5 uploaded" for n in range(1, 6)]


def test_a_new_update_uploads_only_what_it_changed_in_a_safe_order(
    s3, target, example_source, tmp_path
):
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
    entries = [
        i
        for i, k in enumerate(order)
        if k == "index.html" or k.startswith(("api/", "badges/")) or k.endswith(".rss")
    ]
    assert pages and entries and max(pages) < min(entries)


def test_assets_go_before_pages(s3, target, example_site):
    order: list[str] = []
    deploy(example_site, target, progress=lambda done, total, key: order.append(key))
    assets = [i for i, k in enumerate(order) if k.startswith("static/")]
    pages = [i for i, k in enumerate(order) if k.endswith(".html")]
    assert assets and max(assets) < min(pages)


def test_delete_removes_stale_objects_only_when_asked(capsys, s3, target, small_site):
    withdrawn = small_site / "incidents" / "withdrawn" / "index.html"
    withdrawn.parent.mkdir(parents=True)
    withdrawn.write_bytes(b"old")
    deploy(small_site, target)
    shutil.rmtree(withdrawn.parent)  # the incident is gone from the site
    kept = deploy(small_site, target)
    assert not kept.listed  # the manifest the first deploy left knows the page
    assert kept.stale_kept == 1 and "incidents/withdrawn/index.html" in bucket(s3)
    code, out, _ = run_cli(
        capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url, "--delete"
    )
    assert code == 0 and ", deleted 1 in " in out
    assert bucket(s3) == md5s(tree(small_site))


def test_an_object_put_by_another_tool_is_seen_by_a_full_listing(s3, target, small_site):
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key="stray.html", Body=b"by hand")
    assert deploy(small_site, target).stale_kept == 0  # the manifest does not know it
    full = deploy(small_site, target, Options(delete=True, full=True))
    assert full.listed and full.deleted == 1 and bucket(s3) == md5s(tree(small_site))


def test_a_bucket_changed_behind_the_manifest_is_listed(s3, target, small_site):
    deploy(small_site, target)
    for path in tree(small_site):  # every object, so whichever the deploy checks
        s3.put_object(Bucket=BUCKET, Key=path, Body=b"changed by hand")
    result = deploy(small_site, target)
    assert result.listed and result.uploaded == len(tree(small_site))
    assert bucket(s3) == md5s(tree(small_site))


def test_a_deploy_killed_midway_makes_the_next_one_list_the_bucket(s3, target, small_site):
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key=".heliograph/deploy-under-way", Body=b"1\n")
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"half of a deploy")
    result = deploy(small_site, target)
    assert result.listed and [u.path for u in result.plan.uploads] == ["index.html"]
    assert bucket(s3) == md5s(tree(small_site))
    assert not deploy(small_site, target).listed  # the marker is lifted


def test_right_bytes_with_wrong_headers_are_sent_again(s3, target, small_site):
    deploy(small_site, target)
    home = (small_site / "index.html").read_bytes()
    s3.put_object(
        Bucket=BUCKET,
        Key="index.html",
        Body=home,
        ContentType="text/plain",
        CacheControl="max-age=86400",
    )
    result = deploy(small_site, target, Options(full=True))
    assert [u.path for u in result.plan.uploads] == ["index.html"]
    head = s3.head_object(Bucket=BUCKET, Key="index.html")
    assert (head["ContentType"], head["CacheControl"]) == (
        "text/html; charset=utf-8",
        "public, max-age=60",
    )


def test_a_link_in_the_built_site_is_never_followed(capsys, s3, target, small_site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("AWS_SECRET_ACCESS_KEY=not-for-the-web\n")
    (small_site / "leak.txt").symlink_to(secret)
    code, _, err = run_cli(
        capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url
    )
    assert code == 1 and "leak.txt is a link; a deploy never follows links" in err
    assert bucket(s3) == {}


def test_a_mass_deletion_is_refused_unless_forced(capsys, s3, target, small_site):
    stale = {f"old/{i}.html": b"x" for i in range(len(tree(small_site)) + 1)}
    for key, body in stale.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    code, _, err = run_cli(
        capsys, "--output", str(small_site), "--endpoint-url", target.endpoint_url, "--delete"
    )
    assert code == 1 and bucket(s3) == md5s(stale)  # refused before uploading anything either
    assert err.startswith(f"error: refusing to delete {len(stale)} of {len(stale)} objects")
    deploy(small_site, target, Options(delete=True, force=True))
    assert bucket(s3) == md5s(tree(small_site))


def test_dry_run_changes_nothing(capsys, s3, target, small_site):
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key="stale.html", Body=b"x")
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"older home page")
    before = bucket(s3)
    code, out, _ = run_cli(
        capsys,
        "--output",
        str(small_site),
        "--endpoint-url",
        target.endpoint_url,
        "--delete",
        "--dry-run",
    )
    assert code == 0 and bucket(s3) == before
    files = len(tree(small_site))
    assert out == (
        "would upload index.html (changed, text/html; charset=utf-8)\n"
        "would delete stale.html\n"
        f"would upload 1, unchanged {files - 1}, would delete 1 "
        "(dry run: nothing changed)\n"
    )


def test_a_prefix_keeps_the_rest_of_the_bucket(s3, target, small_site):
    s3.put_object(Bucket=BUCKET, Key="other/keep.txt", Body=b"keep")
    deploy(
        small_site,
        Target(BUCKET, "/status/", endpoint_url=target.endpoint_url),
        Options(delete=True),
    )
    assert bucket(s3, "status/") == md5s(tree(small_site))
    assert bucket(s3, "other/") == md5s({"keep.txt": b"keep"})


def test_multipart_etags_fall_back_to_the_stored_hash(s3, target, small_site):
    deploy(small_site, target)
    home = (small_site / "index.html").read_bytes()
    multipart_put(s3, "index.html", home, {"sha256": hashlib.sha256(home).hexdigest()})
    page = "incidents/a/index.html"
    multipart_put(s3, page, (small_site / page).read_bytes(), {})  # no stored hash
    assert "-" in s3.head_object(Bucket=BUCKET, Key="index.html")["ETag"]
    result = deploy(small_site, target, Options(full=True))
    assert [u.path for u in result.plan.uploads] == [page]


def test_cloudfront_gets_one_invalidation_for_the_changed_paths(
    s3, target, moto_s3, monkeypatch, small_site
):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", moto_s3.url)
    cf = boto3.client("cloudfront")
    origin = {
        "Id": "s3",
        "DomainName": f"{BUCKET}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    dist = cf.create_distribution(
        DistributionConfig={
            "CallerReference": "t",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all"},
        }
    )["Distribution"]["Id"]
    deploy(small_site, target)
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"older home page")
    s3.put_object(Bucket=BUCKET, Key="gone.txt", Body=b"x")
    with_cf = Target(BUCKET, endpoint_url=target.endpoint_url, cloudfront_distribution=dist)
    result = deploy(small_site, with_cf, Options(delete=True))
    batch = cf.get_invalidation(DistributionId=dist, Id=result.invalidation)["Invalidation"]
    assert sorted(batch["InvalidationBatch"]["Paths"]["Items"]) == ["/", "/gone.txt", "/index.html"]
    assert deploy(small_site, with_cf).invalidation is None  # nothing changed, nothing to do
    assert len(cf.list_invalidations(DistributionId=dist)["InvalidationList"]["Items"]) == 1
    with pytest.raises(Abort, match="^CloudFront distribution 'E0NOPE' does not exist"):
        s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"older again")
        deploy(
            small_site,
            Target(BUCKET, endpoint_url=target.endpoint_url, cloudfront_distribution="E0NOPE"),
        )
