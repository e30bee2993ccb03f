"""The notify benchmark: one update to 50 webhook channels on a 10,000-incident site, and one
update to 10,000 e-mail recipients through a local SMTP server and through moto's SES.

    python bench/notify.py                 # 10,000 incidents, 50 webhooks, 10,000 recipients
    python bench/notify.py -n 1000 --recipients 2000 --runs 1    # a quick look

The webhook figure is the wall time of the notify step as the workflow runs it: a child process
(`python build.py notify`) after a build of the same content, so its load is the build cache's,
sending to 50 channels served by one local HTTP server. The e-mail figures time the library's
run (`heliograph.notify.run.notify`) against aiosmtpd (STARTTLS + AUTH) and moto's SES server,
both in this process on 127.0.0.1. Medians of `--runs` runs; each run sends the update anew
(its ledger is removed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests"), str(REPO / "site_src")]

from corpus import add_open_incident, corpus_now, stamp, write_corpus  # noqa: E402
from notifyservers import MailServer, MotoSes, Receiver  # noqa: E402

NOW = corpus_now()
SENDER = "status@bench.example"


def webhooks_config(count: int) -> str:
    lines = ["notify:"]
    lines += [f"  - {{name: hook{n}, kind: webhook, url_env: HOOK_{n}}}" for n in range(count)]
    return "\n".join(lines) + "\n"


def cli(*args: str, env: dict[str, str] | None = None) -> float:
    """Wall seconds of `python build.py ARGS` in a child process."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "site_src"), **(env or {})},
    )
    return time.perf_counter() - started


def bench_webhooks(work: Path, n: int, channels: int, runs: int) -> list[str]:
    site = work / "site"
    print(f"writing {n:,} incidents ...", file=sys.stderr)
    corpus = write_corpus(site, n)
    config = site / "components.yaml"
    config.write_text(config.read_text() + webhooks_config(channels))
    add_open_incident(site, NOW)
    receiver = Receiver().start()
    env = {f"HOOK_{i}": receiver.url(f"/h{i}") for i in range(channels)}
    now = ["--source", str(site), "--now", stamp(NOW)]
    print("building (cold, then the cache is warm) ...", file=sys.stderr)
    cli("build", *now)
    ledger = site / ".heliograph-notify" / "ledger.jsonl"
    times, sent = [], 0
    for _ in range(runs):
        ledger.unlink(missing_ok=True)
        before = len(receiver.requests)
        times.append(cli("notify", *now, env=env))
        sent = len(receiver.requests) - before
        assert sent == 2 * channels, f"{sent} of {2 * channels} messages arrived"
    # the same step sending nothing: start-up, the load through the cache, the events
    dry = statistics.median(cli("notify", *now, "--dry-run", env=env) for _ in range(runs))
    receiver.stop()
    wall = statistics.median(times)
    return [
        f"| webhooks: one new incident to {channels} channels, {n:,} incidents "
        f"({corpus.updates:,} updates) | {sent} | {wall:.2f} | {sent / wall:,.0f} |",
        f"| the same step with --dry-run (start, load, events; nothing sent) | 0 | {dry:.2f} | |",
    ]


def mail_site(root: Path, channel: str) -> Path:
    from conftest import MINIMAL_CONFIG, update, write_files

    return write_files(
        root,
        {
            "components.yaml": MINIMAL_CONFIG + "notify:\n" + channel,
            "incidents/x/01.md": update(
                stamp(NOW.replace(minute=0)),
                "investigating",
                "Publishing posts fails for some customers.",
                title="Publishing API errors",
                severity="SEV-2",
                components={"api": "partial_outage"},
            ),
        },
    )


def timed_notify(site: Path, env: dict[str, str], runs: int) -> float:
    from heliograph.build import Project, load_content
    from heliograph.notify.run import Options, notify

    content = load_content(Project.at(site), NOW)
    ledger = site.parent / f"{site.name}-ledger.jsonl"
    times = []
    for _ in range(runs):
        ledger.unlink(missing_ok=True)
        started = time.perf_counter()
        outcome = notify(content, NOW, Options(ledger=ledger, source=site), env)
        times.append(time.perf_counter() - started)
        assert not outcome.failures, outcome.failures
    return statistics.median(times)


def bench_mail(work: Path, recipients: int, runs: int) -> list[str]:
    addresses = [f"reader{i}@list{i % 97}.example" for i in range(recipients)]
    listed = work / "subscribers.txt"
    listed.write_text("\n".join(addresses) + "\n")
    smtp = MailServer(work)
    ses = MotoSes()
    env = {
        "BENCH_USER": MailServer.USER,
        "BENCH_PASSWORD": MailServer.PASSWORD,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_SES": ses.url,
    }
    os.environ.update(env | {"SSL_CERT_FILE": str(smtp.cert), "AWS_CONFIG_FILE": "/nonexistent"})
    import boto3

    boto3.client("ses", endpoint_url=ses.url).verify_email_identity(EmailAddress=SENDER)
    smtp_site = mail_site(
        work / "smtp-site",
        f"  - {{name: list, kind: smtp, from: {SENDER}, host: 127.0.0.1, port: {smtp.port}, "
        f"username_env: BENCH_USER, password_env: BENCH_PASSWORD, recipients_file: {listed}}}\n",
    )
    ses_site = mail_site(
        work / "ses-site",
        f"  - {{name: list, kind: ses, from: {SENDER}, recipients_file: {listed}}}\n",
    )
    rows = []
    for label, site in (
        ("local SMTP (STARTTLS, AUTH)", smtp_site),
        ("SES (moto server)", ses_site),
    ):
        wall = timed_notify(site, env, runs)
        rows.append(
            f"| e-mail: one update to {recipients:,} recipients, {label} | {recipients:,} | "
            f"{wall:.2f} | {recipients / wall:,.0f} |"
        )
    smtp.stop()
    ses.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="incidents in the site")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heliograph-notify-bench-") as tmp:
        work = Path(tmp)
        rows = bench_mail(work, args.recipients, args.runs)
        rows += bench_webhooks(work, args.n, args.channels, args.runs)
    print("| what | messages | wall s (median) | messages/s |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
