"""Hard-coded credentials: provider token formats, private key blocks and secret-named assignments whose value
looks random (Shannon entropy), in code, configuration and notebooks. Placeholders (``YOUR_API_KEY``,
``example``, ``xxx``, ``changeme``, ``<token>``, ``${VAR}``...) are not secrets. The secret itself never
appears in a finding: only its kind, its place and a masked preview.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from .. import lazyre
from ..model import Evidence
from ..repo import Repo, makes_file_fact
from . import FactValue, report_fact
from .python import ahead_fact

#: File suffixes scanned (code, configuration, notebooks, scripts, docs).
SCANNED_SUFFIXES = (
    ".py", ".ipynb", ".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".conf", ".env", ".sh", ".bash", ".zsh",
    ".ps1", ".properties", ".tf", ".tfvars", ".js", ".ts", ".r", ".sql", ".md", ".rst", ".txt", ".xml", ".scala",
    ".java", ".go", ".rb", ".php", ".cs", ".kt",
)  # fmt: skip
SCANNED_NAMES = ("Dockerfile", "Makefile", "docker-compose.yml", ".netrc", ".pypirc", "Containerfile")
_SKIPPED_NAMES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "package-lock.json",
    "yarn.lock",
    "pylock.toml",
)
MAX_SCAN_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Pattern:
    """One kind of secret. ``regex`` is matched first: it starts with a literal or a small character class, so the
    regular-expression engine skips most bytes in C; ``before``, when set, must match the text just before it
    (the name a secret is assigned to, a URL's scheme), looked for only at the few places ``regex`` found."""

    kind: str
    regex: re.Pattern[bytes]
    group: int = 0  # the group holding the secret value
    min_entropy: float = 3.0
    needles: tuple[bytes, ...] = ()  # literal prefilter of a pattern without a literal prefix of its own
    before: re.Pattern[bytes] | None = None  # must match up to where ``regex`` starts (anchored with ``\Z``)
    caseless: bool = False  # the needles are lower case and looked for in the lower-cased bytes
    word_start: bool = (
        False  # the match starts a word (``\\b`` at the start would cost the literal-prefix scan)
    )


_P = re.compile
_WORD_BYTE = lazyre.compile(rb"\w")
PATTERNS: tuple[Pattern, ...] = (
    Pattern("private key", _P(rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"), 0, 0, ()),
    Pattern("AWS access key id", _P(rb"((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b"), 1, 3.0, (b"AKIA", b"ASIA", b"ABIA", b"ACCA"), word_start=True),
    Pattern("AWS secret access key", _P(rb"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+]{40})\b"), 1, 3.5, (b"secret",), caseless=True),
    Pattern("GitHub token", _P(rb"(gh[pousr]_[A-Za-z0-9]{36,255})\b"), 1, 3.0, (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"), word_start=True),
    Pattern("GitHub token", _P(rb"(github_pat_[A-Za-z0-9_]{60,255})\b"), 1, 3.0, (), word_start=True),
    Pattern("GitLab token", _P(rb"(glpat-[A-Za-z0-9_-]{20,})\b"), 1, 3.0, (), word_start=True),
    Pattern("Slack token", _P(rb"(xox[abposr]-[A-Za-z0-9-]{10,})\b"), 1, 3.0, (), word_start=True),
    Pattern("Slack webhook", _P(rb"(https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})"), 1, 3.0, ()),
    Pattern("Anthropic API key", _P(rb"(sk-ant-[A-Za-z0-9_-]{32,})"), 1, 3.0, (), word_start=True),
    Pattern("OpenAI API key", _P(rb"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,})"), 1, 3.0, (), word_start=True),
    Pattern("Hugging Face token", _P(rb"(hf_[A-Za-z0-9]{30,})\b"), 1, 3.0, (), word_start=True),
    Pattern("Google API key", _P(rb"(AIza[0-9A-Za-z_-]{35})\b"), 1, 3.0, (), word_start=True),
    Pattern("Stripe secret key", _P(rb"((?:sk|rk)_live_[0-9A-Za-z]{20,})\b"), 1, 3.0, (b"_live_",), word_start=True),
    Pattern("Weights & Biases API key", _P(rb"(?i)wandb_?api_?key[\"']?\s*[:=]\s*[\"']?([0-9a-f]{40})\b"), 1, 3.0, (b"wandb",), caseless=True),
    Pattern(
        "credentials in URL",
        _P(rb"://[^\s:/@\"'<>]{1,64}:([^\s:/@\"'<>]{6,128})@[\w.-]+"),
        1,
        3.0,
        (),
        before=_P(rb"\b[a-z][a-z0-9+.-]{1,20}\Z"),
    ),
    Pattern(
        "secret assignment",  # NAME = "value", NAME: "value", "NAME": "value", NAME := "value"
        _P(rb"[=:]\s*[rbufRBUF]?[\"']([^\"'\s]{8,200})[\"']"),
        1,
        3.2,
        (),
        before=_P(
            rb"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
            rb"auth[_-]?key|client[_-]?secret|credentials?)[\w.-]*[\"']?\s*:?\Z"
        ),
        caseless=True,
    ),
)  # fmt: skip

_PLACEHOLDER = lazyre.compile(
    r"your|example|sample|xxx|changeme|change[_-]?me|dummy|placeholder|redacted|replace|insert|fake|test|"
    r"todo|secret_?here|<|>|\$\{|\{\{|%\(|\*\*\*|\.\.\.|os\.environ|getenv|environ\[|none|null|undefined|"
    r"^\$|^env\.|^secrets\.|^vars\.|password$|^secret$|^token$",
    re.IGNORECASE,
)
_ENV_NAME = lazyre.compile(
    r"^([A-Z][A-Z0-9]*(_[A-Z0-9]+)+|[A-Z]+)$"
)  # an environment variable name, not a value


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_placeholder(value: str) -> bool:
    """``YOUR_API_KEY``, ``<token>``, ``${VAR}``, ``xxxx``, ``changeme``, a repeated character..."""
    if _PLACEHOLDER.search(value):
        return True
    return len(set(value.lower())) <= 3


@dataclass(frozen=True, slots=True)
class SecretFinding:
    path: str
    line: int
    kind: str
    preview: str  # masked: the first 4 characters and the length

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.path, self.line, f"{self.kind} ({self.preview})")


def _mask(value: str) -> str:
    return f"{value[:4]}… ({len(value)} chars)"


def scan_bytes(data: bytes, path: str) -> list[SecretFinding]:
    """Secrets in one file's bytes (one finding per line at most)."""
    found: dict[int, SecretFinding] = {}
    low = data.lower()
    for pattern in PATTERNS:
        if pattern.needles and not any(n in (low if pattern.caseless else data) for n in pattern.needles):
            continue
        for m in pattern.regex.finditer(data):
            start = m.start()
            if pattern.word_start and start and _WORD_BYTE.match(data, start - 1):
                continue
            if pattern.before is not None:
                named = pattern.before.search(data, max(0, start - 200), start)
                if named is None:
                    continue
                start = named.start()
            raw = m.group(pattern.group)
            value = raw.decode("utf-8", errors="replace")
            line = data.count(b"\n", 0, start) + 1
            if line in found:
                continue
            if pattern.min_entropy:
                if is_placeholder(value) or shannon_entropy(value) < pattern.min_entropy:
                    continue
                if pattern.kind == "secret assignment" and (
                    _ENV_NAME.match(value)
                    or not _looks_random(value)
                    or _names_itself(data, m, pattern.group)
                ):
                    continue
            found[line] = SecretFinding(
                path, line, pattern.kind, _mask(value) if pattern.min_entropy else "key block"
            )
    return [found[k] for k in sorted(found)]


def _names_itself(data: bytes, m: re.Match[bytes], group: int) -> bool:
    """An enum-like constant whose value spells its own name (``LEQ_100_TOKENS = "leq_100_tokens"``)."""
    start = data.rfind(b"\n", 0, m.start()) + 1
    return m.group(group).lower() in data[start : m.start(group)].lower()


def _looks_random(value: str) -> bool:
    """A generic secret-named value must look like a credential, not prose, a path or a config reference."""
    if "://" in value or re.fullmatch(r"[~.]{0,2}(/[\w.@-]+)+/?|[\w.-]+(/[\w.-]+)+\.\w{1,5}", value):
        return False  # a path or URL
    if re.fullmatch(r"[a-z]+([_.-][a-z]+)*", value):
        return False  # words: "access_token", "my-secret-name"
    if sum(value.count(c) for c in "()[]{}|\\^$?*") >= 2:
        return False  # a regular expression or a template, not a credential
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2


#: The audit-cache kind of :func:`file_secrets`.
SCAN_FACT = "secrets.scan/1"


def scanned_files(repo: Repo, max_bytes: int = MAX_SCAN_BYTES) -> list[str]:
    """The files the secret scan reads: code, configuration, notebooks, scripts, docs up to ``max_bytes``."""
    out = []
    limit = max_bytes
    for path, entry in repo.entries.items():
        name = entry.name
        if name in _SKIPPED_NAMES or repo.larger_than(path, limit):
            continue
        if entry.suffix in SCANNED_SUFFIXES or name in SCANNED_NAMES or name.startswith(".env"):
            out.append(path)
    return out


def secret_findings(repo: Repo, max_bytes: int = MAX_SCAN_BYTES) -> list[SecretFinding]:
    """Every hard-coded credential of the tree (code, configs, notebooks, scripts, docs)."""

    def compute() -> list[SecretFinding]:
        out: list[SecretFinding] = []
        for path in scanned_files(repo, max_bytes):
            out += file_secrets(repo, path)
        return out

    return repo.memo(("secrets.findings", max_bytes), compute)


@ahead_fact
@makes_file_fact(SCAN_FACT)
def file_secrets(repo: Repo, path: str) -> list[SecretFinding]:
    """The findings of one file, kept in the audit cache (an unchanged file is not scanned again)."""

    def compute() -> list[SecretFinding]:
        data = repo.read_bytes(path)
        if not data or b"\0" in data[:4096]:
            return []
        return scan_bytes(data, path)

    return repo.file_fact(
        SCAN_FACT,
        path,
        compute,
        encode=lambda found: [(f.line, f.kind, f.preview) for f in found],
        decode=lambda raw: [SecretFinding(path, line, kind, preview) for line, kind, preview in raw],
    )


@report_fact("secrets_in_repo")
def secrets_in_repo_fact(repo: Repo) -> FactValue:
    return FactValue.of([f.evidence for f in secret_findings(repo)[:10]])


_ENV_TEMPLATE = lazyre.compile(
    r"^(\.env\.[^/]+|[^/]+\.env)\.(example|sample|template|dist|tpl)$", re.IGNORECASE
)


def documented_env_files(repo: Repo) -> list[str]:
    """The env files a project documents by committing their template under another name than ``.env``
    (``.env.user.example`` -> ``.env.user``, ``prod.env.sample`` -> ``prod.env``), next to the template."""
    out = []
    for path in repo.paths:
        name = path.rsplit("/", 1)[-1]
        m = _ENV_TEMPLATE.match(name)
        if m:
            out.append(path[: len(path) - len(name)] + m.group(1))
    return out
