"""E-mail channels against a real SMTP server (aiosmtpd, STARTTLS and AUTH on a certificate
made here) and moto's SES on 127.0.0.1; every message is parsed back with `email`."""

from __future__ import annotations

import boto3
import pytest
from notifyservers import MailServer, MotoSes
from notifysite import FILES, NOW, make_notify_site, run_notify

from heliograph.cli import main

SENDER = "status@test.example"
RECIPIENTS = [f"user{n}@customer{n % 7}.example" for n in range(120)]


def channels(smtp_port: int, list_file: str) -> str:
    return f"""\
notify:
  - name: customers
    kind: smtp
    from: Test Co Status <{SENDER}>
    host: 127.0.0.1
    port: {smtp_port}
    username_env: T_SMTP_USER
    password_env: T_SMTP_PASSWORD
    recipients_file: {list_file}
    unsubscribe: https://test.example/unsubscribe
    kinds: [incidents]
  - name: everyone
    kind: ses
    from: {SENDER}
    region: us-east-1
    recipients_env: T_SES_LIST
    unsubscribe: mailto:unsubscribe@test.example
    reminder: 30m
"""


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory):
    server = MailServer(tmp_path_factory.mktemp("smtp"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ses_server():
    server = MotoSes()
    yield server
    server.stop()


@pytest.fixture
def mail_env(smtp_server, ses_server, monkeypatch, tmp_path):
    smtp_server.messages.clear()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "T_SMTP_USER": MailServer.USER,
        "T_SMTP_PASSWORD": MailServer.PASSWORD,
        "T_SES_LIST": "\n".join(RECIPIENTS[:70]) + "\n" + ",".join(RECIPIENTS[70:]),
        "SSL_CERT_FILE": str(smtp_server.cert),  # the client trusts the test's certificate
        "AWS_ENDPOINT_URL_SES": ses_server.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/nonexistent",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ses = boto3.client("ses", endpoint_url=ses_server.url, region_name="us-east-1")
    ses.verify_email_identity(EmailAddress=SENDER)
    listed = tmp_path / "private" / "subscribers.txt"
    listed.parent.mkdir()
    listed.write_text("# exported from the CRM\n" + "\n".join(RECIPIENTS) + "\n\n")
    site = make_notify_site(tmp_path / "site", channels(smtp_server.port, str(listed)))
    return site, env


def test_smtp_sends_one_thread_per_incident_with_text_html_and_unsubscribe(smtp_server, mail_env):
    site, env = mail_env
    outcome = run_notify(site, env)
    assert not outcome.failures, outcome.failures
    assert smtp_server.logins  # it logged in, after STARTTLS (the server refuses AUTH before)
    batches = smtp_server.messages
    # 4 incident events, the list in 3 batches each (50 + 50 + 20)
    assert [len(r) for r, _ in batches] == [50, 50, 20] * 4
    delivered = [m for r, m in batches if r[0] == RECIPIENTS[0]]
    assert len({m["Message-ID"] for _, m in batches}) == 4  # one id per update, every batch
    everyone = [a for r, m in batches if m["Message-ID"] == delivered[0]["Message-ID"] for a in r]
    assert everyone == RECIPIENTS
    subjects = [m["Subject"] for m in delivered]
    assert subjects == [
        "[Test Co Status] Investigating: Publishing API errors",
        "[Test Co Status] Identified: Publishing API errors",
        "[Test Co Status] Resolved: Publishing API errors",
        "[Test Co Status] Postmortem: Publishing API errors",
    ]
    root = delivered[0]["Message-ID"]
    assert root.endswith("@status.test.example>")
    assert delivered[0]["In-Reply-To"] is None
    for m in delivered[1:]:
        assert m["In-Reply-To"] == root and m["References"] == root
    for m in delivered:
        assert m["List-Unsubscribe"] == "<https://test.example/unsubscribe>"
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert m["To"] == "undisclosed-recipients:;"  # no subscriber sees another's address
        assert m.get_content_type() == "multipart/alternative"
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        assert "https://status.test.example/incidents/2026-03-01-publishing/" in text
        assert 'href="https://status.test.example/incidents/2026-03-01-publishing/"' in html
    postmortem = delivered[3].get_body(("html",)).get_content()
    assert "Summary</h" in postmortem and "<p>A release broke publishing.</p>" in postmortem


def test_ses_does_the_fan_out_in_batches_of_50(ses_server, mail_env):
    site, env = mail_env
    before = len(ses_server.sent())
    outcome = run_notify(site, env)
    assert not outcome.failures, outcome.failures
    sent = ses_server.sent()[before:]
    ses_events = [s for s in outcome.sent if s.channel.name == "everyone"]
    assert len(ses_events) == 8  # 4 incident events, 4 of the maintenance (reminder included)
    assert [len(m.destinations) for m in sent] == [50, 50, 20] * 8
    assert [a for m in sent[:3] for a in m.destinations] == RECIPIENTS
    from email import message_from_string, policy

    parsed = [message_from_string(m.raw_data, policy=policy.default) for m in sent[::3]]
    assert [p["Subject"] for p in parsed][:2] == [
        "[Test Co Status] Scheduled: Sign-in database upgrade",
        "[Test Co Status] Reminder: Sign-in database upgrade",
    ]
    assert parsed[0]["List-Unsubscribe"] == "<mailto:unsubscribe@test.example>"
    assert "begins in 30 min" in parsed[1].get_body(("plain",)).get_content()


def test_a_list_cut_off_midway_resumes_at_the_next_batch(smtp_server, mail_env):
    site, env = mail_env
    smtp_server.seen, smtp_server.refuse = 0, {2}  # the second batch is refused for now
    first = run_notify(site, env)
    assert [(c.name, m) for c, m, _ in first.failures] == [
        ("customers", "the server answered 451; the next run tries again")
    ]
    got = len(smtp_server.messages)
    assert got == 1
    run_notify(site, env)
    counts = [len(r) for r, _ in smtp_server.messages]
    assert counts == [50] + [50, 20] + [50, 50, 20] * 3  # the first batch never twice


def test_a_wrong_password_is_an_error_naming_the_channel_not_the_password(
    mail_env, monkeypatch, capsys
):
    site, _ = mail_env
    monkeypatch.setenv("T_SMTP_PASSWORD", "wrong-password-123")
    main(["notify", "--source", str(site), "--now", NOW.isoformat(), "--window", "3h"])
    out, err = capsys.readouterr()
    assert (
        "error: channel 'customers' (smtp, components.yaml:13): the server refused the login" in err
    )
    assert "wrong-password-123" not in out + err and MailServer.PASSWORD not in out + err
    assert "to everyone (ses) to 120 recipients" in out  # the other channel went on


def test_the_list_never_comes_from_the_repository(tmp_path, mail_env):
    site, env = mail_env
    (site / "subscribers.txt").write_text("a@b.example\n")
    inside = make_notify_site(
        tmp_path / "inside", channels(1, "subscribers.txt"), files=dict(FILES)
    )
    (inside / "subscribers.txt").write_text("a@b.example\n")
    outcome = run_notify(inside, env)
    message = dict((c.name, m) for c, m, _ in outcome.failures)["customers"]
    assert "inside the site" in message
