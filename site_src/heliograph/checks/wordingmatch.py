"""Where a text breaks a wording rule: the words, the rule, and a plainer way to say it.

Phrases alone flag good sentences and miss bad ones: "resolved within 20 minutes" is history,
"will be resolved within 20 minutes" a promise; "we believe" about impact is honest, about the
cause it is a guess; "AWS reports an outage" is news, "due to an AWS outage" passes the blame.
So the built-in checks look at the sentence around a phrase, with small patterns over lowercased
text (a verb before, a cause after), each of which a finding can quote. Every pattern runs once
over the whole text, and sentences are cut only around a hit, so a long history stays fast.
Tokenizers and lemmatizers were tried on paper and left out: the rules need a few word forms
each, which patterns list outright, and a model would be slower and harder to explain.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from heliograph.content.model import WordingRule
from heliograph.content.wordingrules import DEFAULT_RULES

_DEFAULT_SUGGESTION = {r.name: r.suggest for r in DEFAULT_RULES}
QUOTE_MAX = 90  # characters of a quoted stretch; longer ones are cut with an ellipsis


@dataclass(frozen=True)
class Hit:
    """A stretch of text that breaks `rule`: `phrase` is the configured phrase or the pattern's
    key words, `suggestion` a plainer way to say it."""

    rule: str
    start: int
    end: int
    phrase: str
    suggestion: str


class Text:
    """A message prepared for matching: code, links and URLs blanked (offsets kept), lowercased,
    with its sentence boundaries found on first use."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        masked = (
            _MASK.sub(lambda m: " " * len(m.group()), raw) if "`" in raw or "://" in raw else raw
        )
        lowered = masked.lower()
        if len(lowered) != len(masked):  # a few characters lowercase to two; keep offsets
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in masked)
        self.low = lowered
        self._cuts: list[int] | None = None
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        """Every word of the text, for a quick "cannot match" before a pattern runs."""
        if self._words is None:
            self._words = frozenset(_TOKEN.findall(self.low))
        return self._words

    def lacks(self, words: frozenset[str]) -> bool:
        """Whether none of `words` is in the text, so a pattern that needs one cannot match."""
        return words.isdisjoint(self.words)

    def sentence(self, at: int) -> tuple[int, int]:
        """The bounds of the sentence around offset `at`."""
        if self._cuts is None:
            self._cuts = [m.end() for m in _SENTENCE_END.finditer(self.low)]
        i = bisect_right(self._cuts, at)
        start = self._cuts[i - 1] if i else 0
        end = self._cuts[i] if i < len(self._cuts) else len(self.low)
        return start, end

    def sentences(self) -> Iterator[str]:
        start = 0
        for m in _SENTENCE_END.finditer(self.low):
            yield self.low[start : m.start()]
            start = m.end()
        yield self.low[start:]

    def quote(self, start: int, end: int) -> str:
        """The text as written between two offsets, on one line, cut if long."""
        shown = " ".join(self.raw[start:end].split()).strip(" ,;:")
        return shown if len(shown) <= QUOTE_MAX else shown[: QUOTE_MAX - 1].rstrip() + "…"


_TOKEN = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")
_MASK = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`|\]\([^)\s]*\)|<?https?://[^\s)>]+>?", re.S)
# A sentence ends at . ! ? ; followed by a space, at a line break before a list item, or at a
# blank line; a decimal point or `e.g.` is not followed by a space and an end, so it stays.
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"')\]]*\s+|\n\s*\n\s*|\n(?=\s*(?:[-*+]|\d+\.)\s)")


def _words(phrase: str) -> str:
    """Whole words, any run of spaces or line breaks between words."""
    return r"\s+".join(re.escape(w) for w in phrase.split())


@lru_cache(maxsize=1024)
def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pass finds every phrase, longer phrases first ("to blame" before "blame"); it runs
    over lowercased text, several times faster than a case-blind scan; the start of a word is
    checked by the caller, since a lookbehind would turn off the engine's fast first-letter
    search."""
    if not phrases:
        return None
    alternatives = sorted({_words(p.lower()) for p in phrases}, key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(alternatives)})(?![\w-])")


@lru_cache(maxsize=64)
def _names(phrases: tuple[str, ...]) -> dict[str, str]:
    """The configured phrase for a match, by its lowercased words."""
    return {" ".join(p.lower().split()): p for p in reversed(phrases)}


# Words too common in status updates to stand for a phrase in the quick test below.
COMMON = frozenset(
    "a an the our we are is was to of in on it this that by for and error errors service "
    "services customer customers user users caused cause issue issues problem time made".split()
)


@lru_cache(maxsize=64)
def _by_key_word(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The phrases by a word of each (its longest uncommon one, most often its rarest): a
    text holds a phrase only if it holds that word, which a set lookup tells far faster than
    the pattern; and the pattern of the few phrases left scans faster than the whole list's."""
    keys: dict[str, list[str]] = {}
    for phrase in phrases:
        words = _TOKEN.findall(phrase.lower()) or [""]
        keys.setdefault(max(words, key=lambda w: (w not in COMMON, len(w))), []).append(phrase)
    return {k: tuple(v) for k, v in keys.items()}


@lru_cache(maxsize=64)
def _key_words(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_by_key_word(phrases))


def phrase_spans(phrases: tuple[str, ...], text: Text) -> Iterator[tuple[int, int, str]]:
    """(start, end, configured phrase) of each phrase found as whole words."""
    present = _key_words(phrases) & text.words
    if not present:
        return
    by_key = _by_key_word(phrases)
    candidates = tuple(sorted(p for k in present for p in by_key[k]))
    pattern = _alternation(candidates)
    if pattern is None:
        return
    names = _names(phrases)
    low = text.low
    for m in pattern.finditer(low):
        start = m.start()
        if start and (low[start - 1].isalnum() or low[start - 1] in "_-"):
            continue  # inside a longer word
        yield start, m.end(), names.get(" ".join(m.group().split()), m.group())


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


# --- blame: a person next to a slip ------------------------------------------------------

_PERSON = re.compile(
    r"\b(?:(?:junior |senior |on-call |our |an? |the |one of our )*(?:engineers?|developers?|"
    r"operators?|administrators?|admins?|employees?|team members?|staff members?|contractors?|"
    r"new hires?|interns?|sres?|dbas?|database administrators?|release managers?|technicians?)"
    r"|someone|somebody|member of (?:our|the) [\w-]+ team|customers?|users?)\b"
)
_SLIP = re.compile(
    r"\b(?:accidentally|mistakenly|by mistake|inadvertently|forgot|forgotten|neglected|"
    r"ignored|missed the|misconfigured|untested|without (?:review|approval|testing|permission)|"
    r"did not follow|didn't follow|(?:the )?wrong (?:table|button|cluster|servers?|script|"
    r"feature|command|database|environment|region|file)|misuse|misused|malformed|removed from "
    r"the rotation|should have known)\b"
)
_NAMED_PERSON = re.compile(r"\b[A-Z][a-z]+ (?:from|on|in) (?:the|our) [a-z-]+ team\b")


_SLIP_WORDS = frozenset(
    "accidentally mistakenly mistake inadvertently forgot forgotten neglected ignored missed "
    "misconfigured untested without did didn wrong misuse misused malformed removed should".split()
)


def _blame_people(text: Text, rule: WordingRule) -> Iterator[Hit]:
    if not text.lacks(_SLIP_WORDS):
        for m in _SLIP.finditer(text.low):
            start, _ = text.sentence(m.start())
            person = _PERSON.search(text.low, start, m.start())
            if person:
                yield Hit(rule.name, person.start(), m.end(), "a person and a slip", rule.suggest)
    if "team" in text.words:
        for m in _NAMED_PERSON.finditer(text.raw):
            yield Hit(rule.name, m.start(), m.end(), "a person named", rule.suggest)


# --- vendor: a provider named as the cause ---------------------------------------------

_PROVIDER = re.compile(
    r"\b(?:(?:our|an?|the|one of [\w']+)\s+(?:[\w-]+\s+){0,3}?(?:providers?|vendors?|"
    r"suppliers?|hosting company|third[- ]party|third parties)|third[- ]party (?:vendor|"
    r"provider|service)s?|(?:upstream|external) (?:model )?providers?)\b"
)
_PROVIDER_WORDS = frozenset(
    "provider providers vendor vendors supplier suppliers hosting third parties".split()
)
# the provider comes after these ("due to an AWS outage") ...
_CAUSE_BEFORE = re.compile(
    r"\b(?:due to|because of|because|caused by|as a result of|result of|stems? from|stemming "
    r"from|triggered by|lies with|blame on|(?:root )?cause (?:is|was)|originat\w* (?:at|in|with"
    r"|from))\b"
)
# ... or before these ("Heroku's issues are causing")
_EFFECT_AFTER = re.compile(
    r"\b(?:caused|causing|affecting|impacting|responsible for|to blame|which is why|means you|"
    r"means that you|taking us offline|took us offline|led to|leading to|resulted in|broke|took "
    r"down|(?:is|are|was|were) the (?:cause|reason))\b"
)
_NOT_AFFECTED = re.compile(
    r"\b(?:not|n't) (?:affected|impacted|the cause)|\bunaffected\b|\bno impact\b|\b(?:operating|"
    r"processing|working|signing in) normally\b|\b(?:was|were|is) not (?:a|an|the|our)\b"
)
CAUSE_WINDOW = 110  # characters between the provider and the words that make it the cause


@lru_cache(maxsize=16)
def _others(names: tuple[str, ...], own: str) -> tuple[str, ...]:
    """The providers but the site itself: GitHub's own page may say "GitHub" freely."""
    return tuple(p for p in names if p.lower() != own)


def _vendor(text: Text, rule: WordingRule, own: str) -> Iterator[Hit]:
    low = text.low
    spans = [(s, e, p) for s, e, p in phrase_spans(_others(rule.phrases, own), text)]
    if not text.lacks(_PROVIDER_WORDS):
        spans += [(m.start(), m.end(), "a provider") for m in _PROVIDER.finditer(low)]
    for s, e, phrase in sorted(spans):
        start, end = text.sentence(s)
        if _NOT_AFFECTED.search(low, start, end):
            continue
        before = _CAUSE_BEFORE.search(low, max(start, s - CAUSE_WINDOW), s)
        after = None if before else _EFFECT_AFTER.search(low, e, min(end, e + CAUSE_WINDOW))
        if before:
            yield Hit(rule.name, before.start(), e, phrase, rule.suggest)
        elif after:
            yield Hit(rule.name, s, after.end(), phrase, rule.suggest)


# --- speculation: a hedge about the cause -----------------------------------------------

# Hedges that guess whatever follows; the others only when the sentence is about the cause.
STRONG_HEDGES = frozenset(
    {"we suspect", "we guess", "our guess", "we assume", "we presume", "a hunch", "our hunch",
     "our theory", "fairly sure", "pretty sure", "presumably"}
)  # fmt: skip
_CAUSE = re.compile(
    r"\b(?:caus\w*|reason|due to|related to|because|result of|resulted from|triggered|culprit|"
    r"behind (?:the|this|it)|comes? from|coming from|originat\w*|linked to|stems? from|"
    r"explanation|root|source of|introduced|responsible|points? to)\b"
)
# "likely a DNS issue": the hedge names a fault right after it
_FAULT_NAMED = re.compile(
    r"\s+(?:be\s+|is\s+)?(?:an?|the)\s+(?:[\w-]+\s+){0,2}?(?:issue|problem|failure|bug|fault|"
    r"leak|error|outage)\b"
)
# "it is probably the cache": a guess at what "it", the problem, is
_GUESSED_THING = re.compile(
    r"\b(?:it|this|that)(?:'s| is| was)\s+(?:most\s+)?(?:probably|likely|possibly|perhaps|maybe)"
    r"\s+(?:the|a|an|our)\b"
)
# "we identified a likely cause and are fixing it" names no cause: no guess to flag
_UNNAMED_CAUSE = re.compile(
    r"(?:a|the) (?:most )?(?:likely|probable|possible|potential) (?:cause|reason)\b"
)
_NAMED_AFTER = re.compile(r"\s*(?:is\b|was\b|:|appears|seems)")
HEDGE_REACH = 70  # characters after a hedge in which a word of cause makes it a guess


def _speculation(text: Text, rule: WordingRule) -> Iterator[Hit]:
    low = text.low
    for s, e, phrase in phrase_spans(rule.phrases, text):
        if phrase.lower() in STRONG_HEDGES:
            yield Hit(rule.name, s, e, phrase, rule.suggest)
            continue
        start, end = text.sentence(s)
        fault = _FAULT_NAMED.match(low, e) or _GUESSED_THING.search(low, max(start, s - 12), e + 8)
        cause = fault or _CAUSE.search(low, max(start, s - 12), min(end, e + HEDGE_REACH))
        if cause is None or _names_no_cause(low, start, s):
            continue
        yield Hit(rule.name, min(s, cause.start()), max(e, cause.end()), phrase, rule.suggest)


def _names_no_cause(low: str, start: int, at: int) -> bool:
    """Whether the hedge at `at` is in "a likely cause" that names nothing: not "X as a likely
    cause", not "the likely cause is X"."""
    found = _UNNAMED_CAUSE.search(low, max(start, at - 12), at + 30)
    if found is None or not found.start() <= at < found.end():
        return False
    named_before = low[max(start, found.start() - 4) : found.start()].endswith("as ")
    return not named_before and _NAMED_AFTER.match(low, found.end()) is None


# --- fix_time: a fix promised by a time -------------------------------------------------

_WHEN = (
    r"\d{1,2}[:.]\d{2}|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|noon|midday|midnight|tonight|"
    r"tomorrow(?: morning| afternoon)?|(?:the )?end of (?:the )?(?:day|business day|week)|eod|"
    r"this (?:morning|afternoon|evening)|monday|tuesday|wednesday|thursday|friday"
)
_SPAN = (
    r"(?:(?:about|approximately|around|roughly|the next|next|an?|under|less than|another|"
    r"some|~)\s*)*(?:\d+|a few|a couple of|half an?|one|two|three|four|few|several)?\s*"
    r"(?:minutes?|mins?|hours?|hrs?|[hm](?![\w-])|half hour|hour)"
)
_DEADLINE = re.compile(
    rf"\b(?:by|until|before|at)\s+(?:{_WHEN})\b|\b(?:in|within)\s+{_SPAN}|"
    rf"(?:\bis|:)\s+\d{{1,2}}[:.]\d{{2}}\b|\b\d+\s*(?:minutes|hours)\s+(?:more|longer)\b"
)
_ABOUT_UPDATES = re.compile(
    r"\b(?:update|updates|report|post|share|publish|provide|information|summary|statement|"
    r"details)\b"
)
_RESTORE = re.compile(
    r"\b(?:fix\w*|resolv\w*|restor\w*|recover\w*|back|normal\w*|working again|available again|"
    r"running again|up and running|operational|clear\w*|deliver\w*|complet\w*|mitigat\w*|"
    r"resolution|last|take|caught up)\b"
)
_FUTURE = re.compile(
    r"\b(?:will|should|shall|going to|(?<!than )(?<!as )expect\w*|anticipat\w*|aim\w* to|"
    r"plan\w* to|on track|coming|estimat\w*|may take|hope to|hoping to)\b|'ll\b"
)
_PAST = re.compile(r"\b(?:was|were|had|has|have|did|got|came|\w+ed)\b")


_TIME_WORDS = frozenset(
    "minute minutes min mins hour hours hrs h m am pm noon midday midnight tonight tomorrow day "
    "eod morning afternoon evening monday tuesday wednesday thursday friday week".split()
)


def _fix_time(text: Text, rule: WordingRule) -> Iterator[Hit]:
    if text.lacks(_TIME_WORDS) and _DIGIT.search(text.low) is None:
        return
    low = text.low
    for m in _DEADLINE.finditer(low):
        start, _ = text.sentence(m.start())
        clause = low[start : m.start()]
        if _ABOUT_UPDATES.search(clause) or not _RESTORE.search(clause):
            continue
        fragment = not _PAST.search(clause) and _RESTORE.match(clause.lstrip())
        if _FUTURE.search(clause) or fragment:
            yield Hit(rule.name, start, m.end(), "a fix time", rule.suggest)


# --- minimising: "only" before a small share ------------------------------------------

_BELITTLED = re.compile(
    r"\b(?:only|just|merely)\s+(?:(?:affected|impacted|saw|had|for|down|about|around|"
    r"roughly)\s+)*(?:~?\d+(?:[.,]\d+)?\s*%|~\s*\d|a few\b|a small\b|a tiny\b|a handful\b|"
    r"a fraction\b|a couple\b|a moment\b|a minute\b|a short\b|a minor\b|a brief\b|briefly\b|"
    r"minor\b|slightly\b|a little\b|down\b|one (?:or two )?(?:customer|user|account)s?\b)"
    r"|\bslight(?:ly)? (?:hiccup|delay\w*|slow\w*|increase\w*|degrad\w*)"
)


_BELITTLING_WORDS = frozenset({"only", "just", "merely", "slight", "slightly"})


def _minimising(text: Text, rule: WordingRule) -> Iterator[Hit]:
    if text.lacks(_BELITTLING_WORDS):
        return
    for m in _BELITTLED.finditer(text.low):
        plain = re.sub(r"^(?:only|just|merely)\s+", "", text.quote(m.start(), m.end()), flags=re.I)
        yield Hit(rule.name, m.start(), m.end(), "only", f'drop the belittling word: "{plain}"')


# --- content_free: an update of stock sentences only ------------------------------------

_SUBJECT = (
    r"(?:update:? )?(?:we(?: are|'re)?|our (?:engineers?|engineering team|team)(?: are| is)?|"
    r"the team(?: is)?|engineers are)"
)
_STOCK = re.compile(
    "|".join(
        [
            rf"{_SUBJECT} (?:(?:still|currently|actively|now|continuing to|continue to|working "
            r"to|trying to|also) )*(?:investigat\w*|looking into|look into|working on|work on|"
            r"working towards|work towards|monitoring|resolv\w*|fix\w*|address\w*|on)"
            r"(?: (?:it|this|this issue|the issue|an issue|the problem|this problem|a fix|a fix "
            r"for this issue|a fix for the issue|the situation|a mitigation|recovery|things))?"
            r"(?: as (?:quickly|soon) as possible)?",
            r"we are aware of (?:the|an|this) (?:issue|problem)(?: and are (?:looking into it|"
            r"investigating|working on it))?",
            r"(?:the )?issue has been identified",
            r"(?:there is )?no (?:new|further) (?:information|updates?)(?: to share)?"
            r"(?: at this time| yet| right now)?",
            r"(?:we are )?(?:still|continuing) investigating",
            r"investigation (?:is ongoing|continues|is continuing)",
            r"work on this (?:issue|problem) continues",
        ]
    )
)
# Sentences that go with news but are none: a promise of the next update, thanks, an apology.
_COURTESY = re.compile(
    "|".join(
        [
            r"we(?: will|'ll) (?:post|provide|share|send|give) (?:an?|another|more|further|the "
            r"next)?\s*(?:update|information|details)s?\b.*",
            r"(?:the )?next update (?:in|by|within|at|will)\b.*",
            r"(?:thank you|thanks)(?: (?:all|again))? for your (?:patience|understanding)\b.*",
            r"we (?:apologi[sz]e|are sorry) for (?:the|any) (?:inconvenience|disruption|trouble)"
            r"\b.*",
            r"you can (?:also )?(?:review|follow|find|see) (?:updates|more)\b.*",
        ]
    )
)
_PUNCTUATION = re.compile(r"[^\w\s':]+")
CONTENT_FREE_MAX = 600  # characters: a longer update says something, or says it at length


def _plain(sentence: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", sentence.replace("\u2019", "'")).split()).strip(" :")


def stock(sentence: str, phrases: frozenset[str]) -> bool:
    """Whether a lowercased sentence says only that work goes on, as any update could."""
    plain = _plain(sentence)
    return plain in phrases or _STOCK.fullmatch(plain) is not None


def courtesy(sentence: str) -> bool:
    """Whether a lowercased sentence is a promise of the next update, thanks or an apology."""
    plain = _plain(sentence)
    return not plain or _COURTESY.fullmatch(plain) is not None


@lru_cache(maxsize=16)
def _stock_phrases(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(" ".join(_PUNCTUATION.sub(" ", p.lower()).split()) for p in phrases)


def _content_free(text: Text, rule: WordingRule) -> Iterator[Hit]:
    if len(text.low) > CONTENT_FREE_MAX or not text.low.strip():
        return
    known = _stock_phrases(rule.phrases)
    sentences = [s for s in text.sentences() if not courtesy(s)]
    if sentences and all(stock(s, known) for s in sentences):
        start = len(text.low) - len(text.low.lstrip())
        end = text.sentence(start)[1]
        yield Hit(rule.name, start, end, "nothing new", rule.suggest)


# --- the checks -------------------------------------------------------------------------

Matcher = Callable[[Text, WordingRule], Iterator[Hit]]
SENTENCE_RULES: dict[str, Matcher] = {
    "blame": _blame_people,
    "speculation": _speculation,
    "fix_time": _fix_time,
    "minimising": _minimising,
    "content_free": _content_free,
}
# Checks whose phrases are read by their sentence rule only, not flagged wherever they appear.
CONTEXT_ONLY = frozenset({"vendor", "speculation", "content_free"})
PER_UPDATE = frozenset({"content_free"})  # about a whole update, not a title or a postmortem


def find(
    rules: tuple[WordingRule, ...], raw: str, own_name: str = "", title: bool = False
) -> list[Hit]:
    """Every hit of `rules` in one text, each stretch reported once per rule, in text order.

    `own_name` is the site's name, which is never a provider; a `title` is not an update, so
    the update-wide checks skip it."""
    text = Text(raw)
    hits: list[Hit] = []
    for rule in rules:
        if title and rule.name in PER_UPDATE:
            continue
        found: list[Hit] = []
        if rule.name not in CONTEXT_ONLY:
            found += [
                Hit(rule.name, s, e, phrase, plain_word(rule, phrase))
                for s, e, phrase in phrase_spans(rule.phrases, text)
            ]
        if rule.name == "vendor":
            found += _vendor(text, rule, own_name.lower())
        elif rule.name in SENTENCE_RULES:
            found += SENTENCE_RULES[rule.name](text, rule)
        hits += _apart(found)
    return sorted(hits, key=lambda h: (h.start, h.rule))


def _apart(found: list[Hit]) -> list[Hit]:
    """One hit per stretch: a hit inside (or overlapping) an earlier one of the rule is dropped."""
    kept: list[Hit] = []
    for hit in sorted(found, key=lambda h: (h.start, -h.end)):
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


PLAIN_WORDS = {
    "oom": "ran out of memory",
    "oomkilled": "ran out of memory",
    "oom-killed": "ran out of memory",
    "oom killer": "ran out of memory",
    "k8s": "our server platform",
    "kubernetes": "our server platform",
    "pod": "server",
    "pods": "servers",
    "5xx": "server errors",
    "4xx": "request errors",
    "502s": "server errors",
    "503s": "server errors",
    "504s": "timeouts",
    "p99": "the slowest requests",
    "p95": "the slowest requests",
    "bgp": "network routing",
    "ttl": "how long answers are cached",
    "redis": "a cache",
    "memcached": "a cache",
    "postgres": "the database",
    "postgresql": "the database",
    "mysql": "the database",
    "kafka": "the message queue",
    "rabbitmq": "the message queue",
    "elasticsearch": "the search service",
    "segfault": "crashed",
    "kernel panic": "a server crash",
    "deadlock": "a software fault",
    "race condition": "a software fault",
    "replication lag": "copies of the data fell behind",
    "slo": "our reliability target",
    "iops": "disk speed",
    "replica": "a copy of the database",
    "replicas": "copies of the database",
    "shard": "part of the database",
    "shards": "parts of the database",
}


def plain_word(rule: WordingRule, phrase: str) -> str:
    """The suggestion for a phrase: a plain word for known jargon (unless components.yaml gave
    the check a suggestion of its own), else the rule's own."""
    default = rule.name == "jargon" and rule.suggest == _DEFAULT_SUGGESTION.get("jargon")
    plain = PLAIN_WORDS.get(phrase.lower()) if default else None
    return f'say "{plain}" instead of "{phrase}"' if plain else rule.suggest
