"""The public-wording rules of the incident SOPs, and the `wording:` section that changes them.

Seven checks are built in (`checks.wording` does the matching). Each has a list of phrases, a
message and a suggested rewrite; `components.yaml` may switch a check off, replace or extend its
phrases, change its message or suggestion, or add a check of its own (whose phrases are flagged
wherever they appear):

    wording:
      blame: false                        # off
      vendor: {add: [Acme Cloud]}         # the default providers and one more
      jargon: {phrases: [k8s, OOM]}       # only these
      legal: {message: leave liability to legal, phrases: [liable, compensation]}

What a built-in check's phrases are, and when it flags them:

- blame: blame words (`human error`), anywhere; and a person next to a slip ("an engineer
  accidentally ...").
- vendor: providers' names (`AWS`), when the sentence names one (or "our provider") as the cause.
- speculation: hedges (`probably`), when the sentence is about the cause, not about impact.
- fix_time: promises (`ETA`), anywhere; and a fix or recovery promised by a time ("back by 15:00").
- jargon: technical terms (`OOMKilled`), anywhere.
- minimising: belittling words (`a handful of`), anywhere; and "only"/"just" before a small share.
- content_free: stock sentences (`still investigating`), when every sentence of an update is one
  (or it repeats the update before it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from heliograph.content.errors import ContentError
from heliograph.content.model import WordingRule
from heliograph.content.schema import Field, Invalid, boolean, check_mapping, describe, text
from heliograph.content.yamltext import LineMap

# Providers a status page most often names. Only a mention *as the cause* is flagged, so a
# neutral "AWS reports an outage; we are not affected" stays clean.
VENDORS = (
    "AWS", "Amazon", "Amazon Web Services", "Amazon S3", "S3", "EC2", "CloudFront", "Azure",
    "Microsoft", "Microsoft 365", "Office 365", "Google", "Google Cloud", "GCP", "Cloudflare",
    "Fastly", "Akamai", "Heroku", "DigitalOcean", "Linode", "Hetzner", "OVH", "Vercel",
    "Netlify", "Stripe", "PayPal", "Adyen", "Braintree", "Twilio", "SendGrid", "Mailgun",
    "Postmark", "Mailchimp", "Okta", "Auth0", "Datadog", "PagerDuty", "New Relic", "Sentry",
    "GitHub", "GitLab", "Bitbucket", "Atlassian", "Slack", "Zoom", "Salesforce", "Zendesk",
    "Oracle", "IBM", "Equinix", "OpenAI", "Anthropic", "MongoDB Atlas", "Snowflake",
)  # fmt: skip

JARGON = (
    "OOM", "OOMKilled", "OOM-killed", "OOM killer", "k8s", "Kubernetes", "kubectl", "pod", "pods",
    "etcd", "CrashLoopBackOff", "crashloop", "segfault", "SIGKILL", "SIGTERM", "kernel panic",
    "GC pause", "GC pauses", "garbage collection", "JVM", "heap", "p50", "p90", "p95", "p99",
    "4xx", "5xx", "502s", "503s", "504s", "SLO", "SLOs", "SLI", "burn-rate", "BGP", "anycast",
    "route leak", "blackholed", "TTL", "CNAME", "NXDOMAIN", "SERVFAIL", "mTLS", "TLS handshake",
    "TLS handshakes", "Istio", "Envoy", "sidecar", "service mesh", "Helm", "Helm chart",
    "Terraform", "Redis", "memcached", "Kafka", "ZooKeeper", "RabbitMQ", "Elasticsearch",
    "OpenSearch", "Postgres", "PostgreSQL", "MySQL", "InnoDB", "MongoDB", "Cassandra", "Vitess",
    "keyspace", "codepath", "shard", "shards", "sharding", "replica", "replicas", "replica count",
    "replication lag", "WAL", "quorum", "deadlock", "race condition", "mutex", "IOPS", "EBS",
    "ELB", "ALB", "NLB", "RDS", "VPC", "ingress", "ingress controller", "nginx", "HAProxy",
    "load shedding", "backpressure", "thundering herd", "hypervisor", "hypervisors", "cgroup",
    "cgroups", "inode", "inodes", "leaf-spine", "switch fabric", "autoscaling", "worker pool",
    "worker pools", "target group", "health checks", "maxmemory", "evicting keys",
    "consumer group", "ostree", "exclusive lock", "exit code", "proxy nodes", "DR stamps",
)  # fmt: skip

DEFAULT_RULES = (
    WordingRule(
        "blame",
        "blame on people: say what failed and what we are doing, not who is at fault",
        (
            "human error",
            "human-error",
            "user error",
            "operator error",
            "their fault",
            "at fault",
            "to blame",
            "blame",
            "blamed",
            "fault of",
            "mistake by",
            "mistakes by",
            "mistakes made by",
            "negligence",
            "negligent",
            "careless",
            "incompetent",
            "fat-fingered",
            "fat fingered",
            "made the mistake",
            "made a mistake",
            "caused by the customer",
            "caused by customers",
            "customer's misuse",
        ),  # fmt: skip
        'name the failure, not the person: "a configuration change removed ...", "a '
        'maintenance task deleted ..."',
    ),
    WordingRule(
        "vendor",
        "a provider named as the cause: customers chose us, not our suppliers; say what failed "
        "for them and what we are doing",
        VENDORS,
        'say what customers notice and what we are doing: "Sign-in is failing; we are working '
        'to restore it" (name a provider only as a fact, e.g. that a region we use is down)',
    ),
    WordingRule(
        "speculation",
        "speculation about the cause: say what is known, or that the cause is still under "
        "investigation",
        (
            "we think",
            "we believe",
            "we suspect",
            "we guess",
            "our guess",
            "we assume",
            "we presume",
            "a hunch",
            "our hunch",
            "our theory",
            "fairly sure",
            "pretty sure",
            "probably",
            "presumably",
            "possibly",
            "perhaps",
            "maybe",
            "likely",
            "most likely",
            "potential",
            "possible",
            "appears",
            "appear",
            "seems",
            "seem",
            "looks like",
            "look like",
            "might",
            "could",
            "may",
            "early signs",
        ),  # fmt: skip
        'say "We are still working to identify the cause" until it is known',
    ),
    WordingRule(
        "fix_time",
        "a promised fix time: give the time of the next update instead, unless the fix time "
        "is certain",
        (
            "eta",
            "estimated time of resolution",
            "estimated time to resolution",
            "estimated time to recovery",
            "estimated time of recovery",
            "guaranteed",
            "guarantee",
            "we promise",
        ),  # fmt: skip
        'promise the next update instead: "We will post another update by 15:30 UTC"',
    ),
    WordingRule(
        "jargon",
        "jargon: say what customers notice in plain words",
        JARGON,
        'say what customers notice, not which part broke: "pages load slowly", "sign-in '
        'fails for some accounts"',
    ),
    WordingRule(
        "minimising",
        "minimising the impact: state who is affected and how, without playing it down",
        (
            "a handful of",
            "handful of",
            "blip",
            "hiccup",
            "glitch",
            "negligible",
            "nothing to worry about",
            "don't worry",
            "do not worry",
            "not a big deal",
            "no big deal",
            "barely noticeable",
            "barely",
            "hardly anyone",
            "hardly any",
            "very few",
            "tiny fraction",
            "minor inconvenience",
            "merely",
            "nothing serious",
            "won't even notice",
            "will not notice",
            "not notice anything",
            "a little slow",
        ),  # fmt: skip
        'state the impact plainly: "About 2% of sign-ins failed between 14:00 and 14:20"',
    ),
    WordingRule(
        "content_free",
        "an update that says nothing new: say what customers notice now, what we are doing "
        "and when they will hear from us",
        (
            "we are still looking into it",
            "still investigating",
            "investigation is ongoing",
            "investigation continues",
            "no new information at this time",
            "no new information",
            "nothing new to share",
            "we have nothing new to share yet",
            "no further update at this time",
            "the team is still on it",
            "we are on it",
            "work on this issue continues",
            "stay tuned",
        ),  # fmt: skip
        'say what changed: "Uploads still fail for about 1 in 10 files; we are moving traffic '
        'to a second storage region. Next update by 15:30 UTC."',
    ),
)
DEFAULT_MESSAGE = "avoid this phrase in public updates"


def phrase_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise Invalid(f"expected a list of phrases such as [we think, probably], got {describe(value)}")


RULE_FIELDS = {
    "enabled": Field(boolean, default=True),
    "message": Field(text),
    "phrases": Field(phrase_list),
    "add": Field(phrase_list, default=()),
    "suggest": Field(text),
}


def parse_wording(
    data: Any, path: Path, line: int
) -> tuple[tuple[WordingRule, ...], list[ContentError]]:
    """The `wording:` section of components.yaml; absent means the default checks."""
    if data is None:
        return DEFAULT_RULES, []
    if not isinstance(data, LineMap):
        return (), [
            ContentError(
                path,
                line,
                "wording: expected a mapping of check name to "
                "false or {phrases: [...]}, e.g. 'blame: false'",
            )
        ]
    rules = {r.name: r for r in DEFAULT_RULES}
    errors: list[ContentError] = []
    for name, spec in data.items():
        rule, error = _rule(str(name), spec, rules.get(str(name)), path, data.line_of(name))
        errors += error
        if rule is None:
            rules.pop(str(name), None)
        else:
            rules[rule.name] = rule
    return tuple(rules.values()), errors


def _rule(
    name: str, spec: Any, default: WordingRule | None, path: Path, line: int
) -> tuple[WordingRule | None, list[ContentError]]:
    """One configured check; None when it is switched off."""
    if isinstance(spec, bool):
        spec = {"enabled": spec}
    values, errors = check_mapping(spec, RULE_FIELDS, path, line, f"wording check '{name}'")
    if errors or not values["enabled"]:
        return None, errors
    if default is None and values["phrases"] is None and not values["add"]:
        known = ", ".join(r.name for r in DEFAULT_RULES)
        return None, [
            ContentError(
                path,
                line,
                f"wording check '{name}' is not built in (those "
                f"are {known}); give it phrases: [...] and a message:",
            )
        ]
    phrases = (
        values["phrases"] if values["phrases"] is not None else (default.phrases if default else ())
    )
    message = values["message"] or (default.message if default else DEFAULT_MESSAGE)
    suggest = values["suggest"] or (default.suggest if default else "")
    return WordingRule(name, message, tuple(dict.fromkeys(phrases + values["add"])), suggest), []
