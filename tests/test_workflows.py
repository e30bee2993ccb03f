"""The GitHub Actions workflows: valid for actionlint and the schema, and doing their job."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from heliograph.cli import parser

WORKFLOWS = REPO / ".github" / "workflows"
CI, DEPLOY = WORKFLOWS / "ci.yml", WORKFLOWS / "deploy.yml"


def tool(name: str) -> str:
    """The path of a linter; a missing one fails the test (pip install -e '.[test]')."""
    path = shutil.which(name)
    assert path, f"{name} is not installed: pip install -e '.[test]' provides it"
    return path


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("actionlint"), "-oneline", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def schema_check(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on:` as True
    return workflow


def steps(path: Path, job: str) -> list[dict]:
    return load(path)["jobs"][job]["steps"]


def test_actionlint_passes_both_workflows():
    result = actionlint(CI, DEPLOY)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_the_github_workflow_schema_accepts_both_workflows():
    result = schema_check(CI, DEPLOY)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "good, bad, check, word",
    [
        ("role-to-assume:", "role-to-asume:", actionlint, "role-to-asume"),  # a misspelled input
        ("    runs-on:", "    needs: [bulid]\n    runs-on:", actionlint, "bulid"),  # an unknown job
        ("id-token: write", "id-token: writ", schema_check, "writ"),  # an impossible permission
    ],
)
def test_the_linters_catch_a_planted_mistake(tmp_path, good, bad, check, word):
    text = DEPLOY.read_text(encoding="utf-8")
    assert good in text
    planted = tmp_path / "deploy.yml"
    planted.write_text(text.replace(good, bad, 1), encoding="utf-8")
    result = check(planted)
    assert result.returncode != 0 and word in result.stdout + result.stderr


def test_ci_runs_the_tests_and_the_content_check_on_every_push_and_pull_request():
    ci = load(CI)
    assert set(ci["on"]) == {"push", "pull_request"} and not ci["on"]["push"]
    runs = [s.get("run") for s in steps(CI, "test")]
    check = next(i for i, r in enumerate(runs) if (r or "").startswith("python build.py check"))
    assert runs.index("bash tests/run.sh") < check
    assert {"uses": "actions/checkout@v5"} in steps(CI, "test")


def test_deploy_runs_on_main_every_ten_minutes_and_by_hand():
    deploy = load(DEPLOY)
    assert deploy["on"]["push"] == {"branches": ["main"]}
    assert deploy["on"]["schedule"] == [{"cron": "*/10 * * * *"}]
    assert "workflow_dispatch" in deploy["on"]
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    assert deploy["concurrency"]["group"] and deploy["concurrency"]["cancel-in-progress"] is False


def test_deploy_builds_then_deploys_with_oidc_credentials_then_checks():
    job = steps(DEPLOY, "deploy")
    uses = [s.get("uses", "") for s in job]
    runs = [s.get("run", "") for s in job]
    assert uses[:2] == ["actions/checkout@v5", "actions/setup-python@v6"]
    credentials = uses.index("aws-actions/configure-aws-credentials@v6")
    assert job[credentials]["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert job[credentials]["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    build = runs.index("python build.py build")
    deploy = next(i for i, r in enumerate(runs) if r.startswith("python build.py deploy"))
    check = runs.index("python build.py check")
    assert build < credentials < deploy < check == len(job) - 1


def test_deploy_carries_the_build_cache_but_not_the_spare_site_between_runs():
    job = steps(DEPLOY, "deploy")
    cache = next(s for s in job if s.get("uses", "").startswith("actions/cache@"))
    paths = cache["with"]["path"].split()
    assert paths[0] == ".heliograph-cache" and "!.heliograph-cache/spare-*" in paths
    # a fresh key each run, restored from the newest: the cache keeps up with the content
    assert "github.run_id" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    assert job.index(cache) < [s.get("run") for s in job].index("python build.py build")


def test_notify_runs_after_a_successful_deploy_and_its_ledger_is_kept_even_if_a_later_step_fails():
    job = steps(DEPLOY, "deploy")
    runs = [s.get("run", "") for s in job]
    deploy = next(i for i, r in enumerate(runs) if r.startswith("python build.py deploy"))
    notify = runs.index("python build.py notify")
    # no `if:` of its own: it runs only when every step before it, the deploy too, succeeded
    assert deploy < notify and "if" not in job[notify] and job[deploy]["id"] == "deploy"
    restore = next(
        i for i, s in enumerate(job) if s.get("uses", "").startswith("actions/cache/restore@")
    )
    save = next(i for i, s in enumerate(job) if s.get("uses", "").startswith("actions/cache/save@"))
    assert restore < notify < save
    assert job[restore]["with"]["path"] == job[save]["with"]["path"] == ".heliograph-notify"
    assert job[save]["with"]["key"] == job[restore]["with"]["key"]
    assert "github.run_id" in job[save]["with"]["key"]
    assert "!cancelled()" in job[save]["if"] and "steps.notify.outcome" in job[save]["if"]
    # the check still runs when notify fails (a damaged ledger), as long as the deploy succeeded
    assert "steps.deploy.outcome == 'success'" in job[-1]["if"]
    # every variable notify is given is a secret, never a value in the file
    assert all(v.startswith("${{ secrets.") for v in job[notify]["env"].values())


def deploy_arguments(env: dict[str, str]) -> list[str]:
    """The arguments the deploy step's shell passes to `python build.py`, with these variables."""
    step = next(s for s in steps(DEPLOY, "deploy") if s.get("name") == "Deploy")
    assert set(step["env"]) == set(env)
    script = 'python() { printf "%s\\n" "$@"; }\n' + step["run"]
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return result.stdout.splitlines()


@pytest.mark.parametrize("distribution", ["", "E2EXAMPLE"])
def test_the_deploy_step_passes_real_flags_from_repository_variables(distribution):
    argv = deploy_arguments(
        {"BUCKET": "status-example-com", "PREFIX": "", "DISTRIBUTION": distribution}
    )
    assert argv[0] == "build.py"
    args = parser().parse_args(argv[1:])
    assert (args.command, args.bucket, args.prefix, args.delete, args.force, args.dry_run) == (
        "deploy",
        "status-example-com",
        "",
        True,
        False,
        False,
    )
    assert args.cloudfront_distribution == (distribution or None)


def test_docs_name_every_repository_variable_and_their_policies_parse():
    docs = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\bvars\.([A-Z_]+)", DEPLOY.read_text(encoding="utf-8")))
    assert used == set(re.findall(r"^\| `([A-Z_]+)` \|", docs, re.M))
    blocks = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", docs, re.S)]
    policies = [b for b in blocks if "Statement" in b]  # the rest: the bucket's CORS rules
    assert len(policies) == 5 and all(p["Version"] == "2012-10-17" for p in policies)
    assert [b for b in blocks if "Statement" not in b] == [
        {
            "CORSRules": [
                {
                    "AllowedOrigins": ["*"],
                    "AllowedMethods": ["GET", "HEAD"],
                    "AllowedHeaders": ["*"],
                    "MaxAgeSeconds": 3600,
                }
            ]
        }
    ]
