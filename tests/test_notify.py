"""`heliograph notify` against real HTTP receivers on 127.0.0.1: what each channel kind gets,
once, in order; and what happens when a receiver fails, a run is killed or the ledger is bad."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import MINIMAL_CONFIG, REPO
from notifyservers import Receiver
from notifysite import FILES, NOW, SECRET, WINDOW, environment, make_notify_site, run_notify

from heliograph.cli import main
from heliograph.notify.webhook import SIGNATURE_HEADER, verify


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def site(tmp_path):
    return make_notify_site(tmp_path / "site")


def test_each_channel_kind_gets_every_event_it_asked_for_once_in_order(site, receiver):
    env = environment(receiver.port)
    outcome = run_notify(site, env)
    assert not outcome.failures
    slack = [r.json for r in receiver.at("/slack")]
    headers = [b["blocks"][0]["text"]["text"] for b in slack]
    assert headers == [
        "Scheduled: Sign-in database upgrade",
        "Reminder: Sign-in database upgrade",
        "Investigating: Publishing API errors",
        "Identified: Publishing API errors",
        "In progress: Sign-in database upgrade",
        "Resolved: Publishing API errors",
        "Completed: Sign-in database upgrade",
        "Postmortem: Publishing API errors",
    ]
    # every message links to the incident's page, as the site's pages name it
    buttons = [b["blocks"][-1]["elements"][0]["url"] for b in slack]
    assert buttons[2] == "https://status.test.example/incidents/2026-03-01-publishing/"
    assert "Scheduled maintenance begins in 1 h" in slack[1]["blocks"][1]["text"]["text"]
    severity = dict(f["text"].split("\n") for f in slack[3]["blocks"][2]["fields"])
    assert severity["*Severity*"] == "SEV-1 Critical (was SEV-3)"
    # the filters: Discord only incidents, Teams only SEV-1 updates of incidents (and
    # maintenance, which has no severity: `kinds` is its filter)
    discord = [r.json["embeds"][0] for r in receiver.at("/discord")]
    assert [e["title"] for e in discord] == [
        "Investigating: Publishing API errors",
        "Identified: Publishing API errors",
        "Resolved: Publishing API errors",
        "Postmortem: Publishing API errors",
    ]
    assert discord[0]["url"].endswith("/incidents/2026-03-01-publishing/")
    assert discord[0]["description"] == "Publishing posts fails for some customers."
    cards = [r.json["attachments"][0] for r in receiver.at("/teams")]
    assert {c["contentType"] for c in cards} == {"application/vnd.microsoft.card.adaptive"}
    titles = [c["content"]["body"][0]["text"] for c in cards]
    assert [t for t in titles if "Publishing" in t] == [
        "Identified: Publishing API errors",
        "Resolved: Publishing API errors",
        "Postmortem: Publishing API errors",
    ]
    assert len(titles) == 7
    assert cards[0]["content"]["actions"][0]["type"] == "Action.OpenUrl"
    # a second run has nothing left to say
    before = len(receiver.requests)
    assert run_notify(site, env).sent == []
    assert len(receiver.requests) == before


def test_event_ids_outlive_a_rebuild_and_a_move_to_another_domain(site, receiver):
    env = environment(receiver.port)
    run_notify(site, env)
    config = site / "components.yaml"
    config.write_text(config.read_text().replace("status.test.example", "status.moved.example"))
    (site / ".heliograph-cache").mkdir(exist_ok=True)  # and whatever a build left behind
    assert run_notify(site, env).sent == []


def test_the_webhook_is_statuspage_shaped_signed_and_matches_incidents_json(
    site, receiver, tmp_path
):
    env = environment(receiver.port)
    run_notify(site, env)
    hooks = receiver.at("/hook")
    for r in hooks:
        assert verify(SECRET, r.headers[SIGNATURE_HEADER], r.body, int(time.time()))
        assert not verify("another secret", r.headers[SIGNATURE_HEADER], r.body, int(time.time()))
        assert not verify(SECRET, r.headers[SIGNATURE_HEADER], r.body + b" ", int(time.time()))
        # a replayed request, ten minutes on, is refused for its timestamp
        assert not verify(SECRET, r.headers[SIGNATURE_HEADER], r.body, int(time.time()) + 600)
        assert set(r.json) in (
            {"meta", "page", "incident"},
            {"meta", "page", "component_update", "component"},
        )
    kinds = [r.headers["X-Heliograph-Event"] for r in hooks]
    assert (
        kinds.count("component_changed") == 4
    )  # api down and back, login under maintenance and back
    last = hooks[-1].json  # the postmortem: the incident as incidents.json has it at that moment
    out = tmp_path / "built"
    main(["build", "--source", str(site), "--output", str(out), "--now", "2026-03-01T11:50:00Z"])
    listed = json.loads((out / "api/v2/incidents.json").read_text())
    published = next(i for i in listed["incidents"] if i["name"] == "Publishing API errors")
    assert last["incident"] == published
    assert last["incident"]["status"] == "postmortem"
    assert last["page"]["id"] == listed["page"]["id"]
    component = next(r.json for r in hooks if "component_update" in r.json)
    assert component["component_update"]["old_status"] == "operational"
    assert component["component"]["name"] in ("Public API", "Sign-in")


def test_a_receiver_that_fails_then_recovers_gets_each_event_exactly_once(site, receiver):
    env = environment(receiver.port)
    receiver.script["/slack"] = [500]
    receiver.script["/discord"] = ["reset"]
    first = run_notify(site, env)
    failed = {c.name: m for c, m, _ in first.failures}
    assert set(failed) == {"ops-slack", "community"}
    assert "500" in failed["ops-slack"] and "next run" in failed["ops-slack"]
    assert "reset" in failed["community"]
    assert len(receiver.at("/hook")) == 11  # the others went on
    assert receiver.at("/slack") == [] and receiver.at("/discord") == []
    run_notify(site, env)
    run_notify(site, env)
    for path, count in (("/slack", 8), ("/discord", 4), ("/teams", 7), ("/hook", 11)):
        bodies = [r.body for r in receiver.at(path)]
        assert len(bodies) == count == len(set(bodies)), path


def test_a_receiver_that_does_not_answer_in_time_is_tried_again_by_the_next_run(site, receiver):
    env = environment(receiver.port)
    receiver.script["/teams"] = [("hang", 2)]
    first = run_notify(site, env, timeout=0.5)
    assert [(c.name, m) for c, m, _ in first.failures] == [
        ("it-teams", "no answer within 0.5 s; the next run tries again")
    ]
    assert first.waiting == 7
    run_notify(site, env, timeout=0.5)
    assert len(receiver.at("/teams")) == 7


def test_429_is_waited_out_within_a_bound_and_beyond_it_left_for_the_next_run(site, receiver):
    env = environment(receiver.port)
    receiver.script["/slack"] = [(429, 1)]
    receiver.script["/discord"] = [(429, 120)]
    started = time.monotonic()
    outcome = run_notify(site, env, max_wait=5)
    assert 1 <= time.monotonic() - started < 5
    assert len(receiver.at("/slack")) == 8
    assert [c.name for c, _, _ in outcome.failures] == ["community"]
    assert "429" in outcome.failures[0][1] and "120" in outcome.failures[0][1]


def test_a_bad_url_is_an_error_naming_the_channel_and_never_the_secret(site, receiver, capsys):
    env = environment(receiver.port) | {"T_SLACK_URL": receiver.url("/services/T0/B0/XYZsecret")}
    receiver.script["/services/T0/B0/XYZsecret"] = [404] * 10
    env_before = os.environ.copy()
    os.environ.update(env)
    try:
        code = main(["notify", "--source", str(site), "--now", NOW.isoformat(), "--window", "3h"])
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    out, err = capsys.readouterr()
    assert code == 0  # the deploy is never failed by a channel
    assert "error: channel 'ops-slack' (slack, components.yaml:13): answered 404" in err
    assert "XYZsecret" not in out + err and SECRET not in out + err
    assert (
        "sent incident_created to partners (webhook): Investigating: Publishing API errors" in out
    )


def test_a_missing_variable_stops_only_its_channel(site, receiver):
    env = environment(receiver.port)
    del env["T_TEAMS_URL"]
    outcome = run_notify(site, env)
    assert [(c.name, m) for c, m, _ in outcome.failures] == [
        ("it-teams", "the variable T_TEAMS_URL (the webhook URL) is not set")
    ]
    assert len(receiver.at("/slack")) == 8


def test_a_variable_that_holds_no_url_is_an_error_without_its_value(site, receiver):
    env = environment(receiver.port) | {"T_DISCORD_URL": "discord.example/hook-s3cr3t"}
    outcome = run_notify(site, env)
    assert [(c.name, m, p) for c, m, p in outcome.failures] == [
        ("community", "the variable T_DISCORD_URL does not hold an http(s) URL", True)
    ]


def test_events_older_than_the_window_count_as_sent(site, receiver):
    env = environment(receiver.port)
    outcome = run_notify(site, env, window=WINDOW / 6)  # 30 min: from 11:30
    assert [s.headline for s in outcome.sent if s.channel.name == "ops-slack"] == [
        "In progress: Sign-in database upgrade",
        "Resolved: Publishing API errors",
        "Completed: Sign-in database upgrade",
        "Postmortem: Publishing API errors",
    ]


def test_the_clock_phases_are_sent_by_the_scheduled_run_that_sees_them(tmp_path, receiver):
    files = {k: v for k, v in FILES.items() if "db" in k}
    site = make_notify_site(tmp_path / "site", files=files)
    env = environment(receiver.port)
    from datetime import UTC, datetime

    seen = []
    for minute in (0, 10, 20, 30, 40, 50):  # the workflow's schedule: every 10 minutes
        now = datetime(2026, 3, 1, 11, minute, tzinfo=UTC)
        seen.append(
            [
                s.headline
                for s in run_notify(site, env, now=now).sent
                if s.channel.name == "ops-slack"
            ]
        )
    assert seen == [
        ["Scheduled: Sign-in database upgrade", "Reminder: Sign-in database upgrade"],
        [],
        [],
        ["In progress: Sign-in database upgrade"],
        [],
        ["Completed: Sign-in database upgrade"],
    ]


def test_dry_run_shows_what_would_go_where_and_sends_nothing(site, receiver, capsys):
    code = main(
        ["notify", "--source", str(site), "--now", NOW.isoformat(), "--window", "3h", "--dry-run"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "would send incident_created to ops-slack (slack): Investigating: Publishing API errors"
        in out
    )
    assert "would send 30 messages (dry run: nothing sent or recorded)" in out
    assert receiver.requests == [] and not (site / ".heliograph-notify").exists()


def test_a_corrupt_ledger_is_a_clear_error_and_sends_nothing(site, receiver, capsys):
    env = environment(receiver.port)
    run_notify(site, env)
    ledger = site.parent / "ledger.jsonl"
    lines = ledger.read_text().splitlines()
    lines[3] = '{"channel": "ops-slack", "eve'
    ledger.write_text("\n".join(lines) + "\n")
    sent = len(receiver.requests)
    code = main(
        ["notify", "--source", str(site), "--now", NOW.isoformat(), "--ledger", str(ledger)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: {ledger}:4: the notify ledger has a line that is not a record" in err
    assert "Traceback" not in err
    assert len(receiver.requests) == sent


def test_a_line_torn_by_a_kill_repeats_only_its_message(site, receiver):
    env = environment(receiver.port)
    run_notify(site, env)
    ledger = site.parent / "ledger.jsonl"
    data = ledger.read_bytes()
    ledger.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 1] + b'{"channel": "partn')
    sent = len(receiver.requests)
    run_notify(site, env)
    assert len(receiver.requests) == sent + 1
    assert run_notify(site, env).sent == []


def test_records_long_past_are_dropped_and_nothing_is_sent_again(site, receiver):
    env = environment(receiver.port)
    ledger = site.parent / "ledger.jsonl"
    old = [
        {"channel": "ops-slack", "event": f"update:old{n}", "at": "2025-12-01T00:00:00Z"}
        for n in range(1500)
    ]
    ledger.write_text("".join(json.dumps(e) + "\n" for e in old))
    run_notify(site, env)
    kept = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert len(kept) == 30 and not any(e["event"].startswith("update:old") for e in kept)
    assert run_notify(site, env).sent == []


KILLER = """
import os, signal, sys
sys.path[:0] = [{src!r}]
import heliograph.notify.delivery as d
real, count = d.post, [0]
def post(*a, **k):
    count[0] += 1
    if count[0] == {kill_at}:
        os.kill(os.getpid(), signal.SIGKILL)  # midway: the message went, nothing recorded
    real(*a, **k)
import heliograph.notify.run as r
r.post = post
from heliograph.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_run_killed_midway_repeats_at_most_the_message_in_flight(site, receiver, tmp_path):
    env = os.environ | environment(receiver.port)
    script = tmp_path / "killer.py"
    # the 6th message gets through to the receiver, and the kill comes before it is recorded
    script.write_text(KILLER.format(src=str(REPO / "site_src"), kill_at=7))
    ledger = tmp_path / "ledger.jsonl"
    args = ["notify", "--source", str(site), "--now", NOW.isoformat(), "--window", "3h"]
    args += ["--ledger", str(ledger)]
    killed = subprocess.run([sys.executable, str(script), *args], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    assert len(receiver.requests) == 6
    again = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path[:0] = [{str(REPO / 'site_src')!r}]; "
            "from heliograph.cli import main; sys.exit(main(sys.argv[1:]))",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    bodies = [r.body for r in receiver.requests]
    assert len(bodies) == 30
    assert len(set(bodies)) == 30


@pytest.mark.parametrize(
    "channel, message",
    [
        ("  - {name: x, kind: pager, url_env: X}", "'kind': expected one of slack, discord"),
        ("  - {name: x, kind: slack}", "channel 'x': 'url_env' is required"),
        (
            "  - {name: x, kind: slack, url_env: 'https://hooks'}",
            "'url_env': expected the name of an environment variable",
        ),
        (
            "  - {name: x, kind: slack, url_env: X, components: [nope]}",
            "channel 'x': unknown component 'nope'",
        ),
        ("  - {name: x, kind: slack, url_env: X, severities: [SEV-9]}", "unknown severity 'SEV-9'"),
        (
            "  - {name: x, kind: slack, url_env: X, kinds: [outages]}",
            "expected incidents or maintenance",
        ),
        ("  - {name: x, kind: smtp, from: a@b.example, host: h}", "give one of 'recipients_file'"),
        (
            "  - {name: x, kind: slack, url_env: X, host: smtp.example}",
            "'host' is not used by kind slack",
        ),
    ],
)
def test_a_bad_channel_is_an_error_at_its_line(tmp_path, capsys, channel, message):
    site = make_notify_site(tmp_path / "site", "notify:\n" + channel + "\n")
    assert main(["notify", "--source", str(site), "--now", NOW.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "components.yaml:13: " in err and message in err, err
    assert "Traceback" not in err


def test_the_documented_channels_are_valid(tmp_path):
    from heliograph.content.config import load_site

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = next(b for b in readme.split("```yaml\n")[1:] if b.startswith("notify:"))
    example = (REPO / "components.yaml").read_text(encoding="utf-8")
    commented = example[example.index("# notify:") :].replace("# ", "").replace("#", "")
    uncommented = example[: example.index("# notify:")] + commented
    for config, count in ((MINIMAL_CONFIG + documented.split("```")[0], 6), (uncommented, 3)):
        (tmp_path / "components.yaml").write_text(config, encoding="utf-8")
        site, errors = load_site(tmp_path)
        assert errors == [] and site is not None
        assert len(site.notify) == count


def test_github_actions_gets_a_warning_annotation(site, receiver, capsys, monkeypatch):
    for k, v in environment(receiver.port).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    receiver.script["/teams"] = [503]
    main(["notify", "--source", str(site), "--now", NOW.isoformat(), "--window", "3h"])
    out = capsys.readouterr().out
    assert "::warning file=components.yaml,line=15,title=notify::channel 'it-teams'" in out
    assert "answered 503" in out


def test_a_channel_down_for_longer_than_the_window_gets_what_it_missed(site, receiver):
    from datetime import UTC, datetime, timedelta

    env = environment(receiver.port)
    seen = []
    for minute in (0, 10, 20, 30, 40, 50):  # every 10 minutes, a window of 10
        if 10 <= minute <= 40:
            receiver.script["/slack"] = [500]  # down from 11:10 to 11:40
        now = datetime(2026, 3, 1, 11, minute, tzinfo=UTC)
        outcome = run_notify(site, env, now=now, window=timedelta(minutes=10), as_of=True)
        seen.append([s.headline for s in outcome.sent if s.channel.name == "ops-slack"])
    assert seen == [
        ["Investigating: Publishing API errors"],
        [],
        [],
        [],
        [],
        [
            "Identified: Publishing API errors",
            "In progress: Sign-in database upgrade",
            "Resolved: Publishing API errors",
            "Completed: Sign-in database upgrade",
            "Postmortem: Publishing API errors",
        ],
    ]
