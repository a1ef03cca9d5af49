"""SEC: security — no credentials in the repository, no committed ``.env`` or key files, no unsafe
deserialisation of model files, no remote code loaded blindly, and dependency updates watched."""

from __future__ import annotations

import re

from .. import lazyre
from ..facts import ml, notebooks, secrets
from ..facts.python import Call, prefilter, python_files
from ..model import Evidence, Result, Severity
from ..repo import Repo, word
from .base import check


@check(
    "SEC001",
    Severity.ERROR,
    "No secrets in the repository",
    fix_hint="revoke the credential, remove it from history, read it from the environment or a secret manager",
    level=0,
)
def no_secrets(repo: Repo, *, max_file_bytes: int = secrets.MAX_SCAN_BYTES) -> Result:
    """No credentials are hard-coded in code, configuration or notebooks: AWS keys, GitHub / GitLab /
    Slack / OpenAI / Anthropic / Hugging Face / Google / Stripe / W&B tokens, private key blocks,
    credentials in URLs, and ``password = "..."``-style assignments whose value looks random (Shannon
    entropy). Placeholders (``YOUR_API_KEY``, ``<token>``, ``${VAR}``, ``changeme``, ``xxx``) are ignored.

    Why it matters: anything committed is in the history forever and in every clone and fork; leaked cloud
    keys are exploited within minutes of a push.

    How to fix: revoke the credential first, then read it from the environment (``os.environ["HF_TOKEN"]``)
    or a secret manager, and purge it from history (``git filter-repo``).

    Example::

        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    """
    files = secrets.scanned_files(repo, max_file_bytes)
    if not files:
        return Result.not_applicable("no code, configuration or notebook files")
    found = secrets.secret_findings(repo, max_file_bytes)
    if found:
        kinds = sorted({f.kind for f in found})
        return Result.failed(
            f"{len(found)} hard-coded credentials ({', '.join(kinds)})", [f.evidence for f in found[:10]]
        )
    return Result.passed(f"no credentials found in {len(files)} files")


_ENV_OK = lazyre.compile(
    r"^\.env\.(example|sample|template|dist|defaults?|tpl|schema)$|^\.env\.[^/]*\.(example|sample|template)$"
)
_ENV_FILE = lazyre.compile(r"^\.env(\.[^/]+)?$|^[^/]+\.env$")


def _env_files(repo: Repo) -> list[tuple[str, bool]]:
    """``(path, tracked)`` for every ``.env``-style file that holds real values (examples excluded)."""
    out = []
    for path, entry in repo.entries.items():
        name = entry.name.lower()
        if not _ENV_FILE.match(name) or _ENV_OK.match(name) or name in (".envrc",):
            continue
        if name.endswith((".py", ".sh")):
            continue
        if _holds_no_value(repo.read_text(path)):
            continue  # comments and empty assignments only: a template of the variables, like .env.example
        if _documented_template(repo, path):
            continue
        out.append((path, entry.tracked or not repo.is_git))
    return out


def _documented_templates(repo: Repo) -> list[str]:
    return [
        p
        for p, e in repo.entries.items()
        if _ENV_FILE.match(e.name.lower())
        and not _ENV_OK.match(e.name.lower())
        and _documented_template(repo, p)
    ]


_COPY_WORDS = lazyre.compile(r"\b(cop(y|ied)|create|rename|cp|mv)\b", re.IGNORECASE)
_DOT_ENV = lazyre.compile(r"(?<![\w.-])\.env(?![\w.-])")


def _documented_template(repo: Repo, path: str) -> bool:
    """Is the committed env file the documented template of ``.env``: the documentation tells to copy it to a
    ``.env`` (``Create a local version of the `local.env` file named only `.env` ``) that git ignores?"""
    from ..facts import git

    name = path.rsplit("/", 1)[-1]
    folder = path[: len(path) - len(name)]
    if name == ".env" or not git.is_ignored(repo, folder + ".env"):
        return False
    for doc in repo.grep(repo.with_suffix(".md", ".rst"), name.encode()):
        for line in (repo.read_text(doc) or "").splitlines():
            if name in line and _DOT_ENV.search(line.replace(name, "")) and _COPY_WORDS.search(line):
                return True
    return False


_ENV_ASSIGNMENT = lazyre.compile(r"""^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*[=:]\s*(.*?)\s*$""")
_EMPTY_VALUE = lazyre.compile(r"""^(|''|""|<[^>]*>|\$\{?[A-Za-z_]\w*\}?)$""")


def _holds_no_value(text: str | None) -> bool:
    """Does an env file set nothing: only comments and blank lines, and assignments with an empty value
    (``KEY=``, ``KEY=''``), a ``<placeholder>`` or a reference to another variable (``KEY=${OTHER}``)?"""
    if text is None:
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _ENV_ASSIGNMENT.match(stripped)
        if not m or not _EMPTY_VALUE.match(m.group(1).split(" #", 1)[0].strip()):
            return False
    return True


@check(
    "SEC002",
    Severity.ERROR,
    "No .env file is committed",
    fix="gitignore",
    fix_hint="git rm --cached .env, add .env to .gitignore, commit a .env.example with placeholders instead",
    level=0,
)
def env_not_committed(repo: Repo) -> Result:
    """No ``.env`` (or ``prod.env``, ``.env.local``...) file is tracked in git; ``.env.example`` with
    placeholder values is the way to document the variables. A committed env file that sets nothing (comments,
    empty values, ``<placeholders>``) is such a template under another name, and so is one the documentation
    tells to copy to a git-ignored ``.env`` ("copy ``local.env`` to ``.env``"); SEC001 still scans its
    values for secrets.

    Why it matters: ``.env`` files exist to hold the secrets and machine-specific settings that must stay
    out of the repository; once committed, every clone has them.

    How to fix: ``git rm --cached .env``, add ``.env`` to ``.gitignore`` and rotate whatever it contained.

    Example (``.env.example``, committed in place of ``.env``)::

        MLFLOW_TRACKING_URI=http://localhost:5000
        AWS_ACCESS_KEY_ID=<your key id>
    """
    found = _env_files(repo)
    tracked = [p for p, t in found if t]
    if tracked:
        return Result.failed(f"environment file committed: {', '.join(tracked[:3])}", tracked[:10])
    if found:
        return Result.failed(
            f"{found[0][0]} is neither committed nor ignored: one `git add -A` away from the history",
            [p for p, _ in found[:5]],
            credit=0.5,
        )
    templates = _documented_templates(repo)
    if templates:
        return Result.passed(
            f"only the documented template of .env is committed ({templates[0]}); .env is ignored",
            templates[:3],
        )
    return Result.passed("no .env file in the repository")


_PICKLE_LOADS: dict[str, str] = {
    "pickle.load": "pickle", "pickle.loads": "pickle", "_pickle.load": "pickle", "cPickle.load": "pickle",
    "dill.load": "dill", "dill.loads": "dill", "cloudpickle.load": "cloudpickle", "cloudpickle.loads": "cloudpickle",
    "joblib.load": "joblib", "sklearn.externals.joblib.load": "joblib", "pandas.read_pickle": "pickle",
    "yaml.unsafe_load": "yaml", "yaml.unsafe_load_all": "yaml", "shelve.open": "pickle",
}  # fmt: skip
_UNSAFE_YAML = ("Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader")
#: Every unsafe call's name ends with one of these words (``pickle.loads``, ``torch.load``, ``shelve.open``).
_LOAD_NEEDLES = prefilter(
    *(word(w) for w in ("load", "loads", "load_all", "unsafe_load", "unsafe_load_all")),
    b"read_pickle",
    b"shelve",
)
_REMOTE_CODE_NEEDLES = prefilter(b"trust_remote_code", b"trust_repo")


def unsafe_load(call: Call) -> str | None:
    """Why a call deserialises untrusted bytes unsafely, or ``None``."""
    name = call.name
    if name in _PICKLE_LOADS:
        return f"{name} executes arbitrary code from the file"
    if name == "torch.load":
        if call.kwargs.get("weights_only") is True:
            return None
        return "torch.load without weights_only=True unpickles arbitrary objects"
    if name in ("yaml.load", "yaml.load_all"):
        loader = call.refs.get("Loader") or call.refs.get("1")
        if loader is None and "Loader" not in call.kwargs and len(call.args) < 2:
            return "yaml.load without a Loader (use yaml.safe_load) can construct arbitrary objects"
        if loader is not None and loader.rsplit(".", 1)[-1] in _UNSAFE_YAML:
            return f"yaml.load with {loader.rsplit('.', 1)[-1]} can construct arbitrary objects"
        return None
    if name == "numpy.load" and call.kwargs.get("allow_pickle") is True:
        return "numpy.load(allow_pickle=True) unpickles arbitrary objects"
    return None


@check(
    "SEC003",
    Severity.WARNING,
    "No unsafe deserialisation of model or data files",
    fix_hint="load weights with torch.load(weights_only=True), safetensors, ONNX or skops; yaml.safe_load",
    level=0,
)
def unsafe_deserialisation(repo: Repo) -> Result:
    """Model and data files are not loaded with deserialisers that execute code: ``pickle.load``,
    ``joblib.load``, ``dill``/``cloudpickle``, ``pd.read_pickle``, ``torch.load`` without
    ``weights_only=True``, ``yaml.load`` without ``SafeLoader``, ``np.load(allow_pickle=True)``.

    Why it matters: a pickle is a program. Loading a model downloaded from a hub, a bucket or a colleague
    runs whatever its author put in it — with your credentials. Each finding is a place to review: fine for
    files you produced yourself, dangerous for anything that crosses a trust boundary.

    How to fix: prefer formats without code (safetensors, ONNX, skops with trusted types, JSON for
    configuration); pass ``weights_only=True`` to ``torch.load``; use ``yaml.safe_load``. A call is counted only
    when the file imports the module it names: ``yaml.load`` on a local ``yaml = YAML(typ="safe")`` object
    (ruamel.yaml) is not PyYAML's.

    Example::

        state = torch.load(path, weights_only=True)
        config = yaml.safe_load(open("params.yaml"))
    """
    units = ml.code_units(repo, *_LOAD_NEEDLES)
    if not units and not (python_files(repo) or notebooks.notebooks(repo)):
        return Result.not_applicable("no Python code or notebooks")
    found: list[Evidence] = []
    for unit in units:
        for call in unit.info.calls:
            why = unsafe_load(call)
            if why and not unit.info.imports_any(call.name.split(".", 1)[0]):
                continue  # a local object named like the module (``yaml = YAML(typ="safe")``), not the module
            if why:
                found.append(unit.ev(call.line, why))
    if found:
        return Result.failed(f"{len(found)} unsafe deserialisation calls to review", found[:15])
    return Result.passed("no unsafe deserialisation")


@check(
    "SEC004",
    Severity.INFO,
    ".gitignore keeps secrets out",
    fix="gitignore",
    fix_hint="add .env (and *.pem, credentials files) to .gitignore",
    level=0,
)
def gitignore_secrets(repo: Repo) -> Result:
    """The ``.gitignore`` ignores ``.env`` files, so a secret written there cannot be committed by
    accident. A project template (cookiecutter, copier) is judged by the ``.gitignore`` of the project it
    generates (``{{ cookiecutter.repo_name }}/.gitignore``), in every project it generates. A project that names
    its env file otherwise and commits its template (``.env.user.example``) passes when that file
    (``.env.user``) is ignored.

    Why it matters: ``git add -A`` is one keystroke away; the ignore rule is the cheap safety net.

    How to fix: add ``.env`` (and ``*.pem``, ``*.key``, ``credentials*.json``) to ``.gitignore``
    (``mlops-audit fix`` does it).

    Example (``.gitignore``)::

        .env
        .env.*
        !.env.example
    """
    from ..facts import git

    rule = git.ignore_rule(repo, ".env")
    if rule is not None and rule.include:
        return Result.passed(f".env is ignored ({rule.pattern})", [(rule.path, rule.line)])
    documented = secrets.documented_env_files(repo)
    rules = [git.ignore_rule(repo, p) for p in documented]
    if documented and all(r is not None and r.include for r in rules):
        first = rules[0]
        assert first is not None
        return Result.passed(
            f"the env file the project documents ({documented[0]}) is ignored ({first.pattern})",
            [(first.path, first.line)],
        )
    rule = git.template_ignore_rule(repo, ".env")
    if rule is not None:
        return Result.passed(
            f".env is ignored in the generated project ({rule.pattern})", [(rule.path, rule.line)]
        )
    if ".gitignore" not in repo.entries:
        return Result.failed("no .gitignore at the root")
    return Result.failed(".gitignore does not ignore .env", ".gitignore")


_KEY_NAMES = lazyre.compile(
    r"^(id_(rsa|dsa|ecdsa|ed25519)|\.netrc|_netrc|\.pypirc|\.git-credentials|kaggle\.json|\.htpasswd|"
    r".*\.(p12|pfx|jks|keystore|ppk|kdbx|asc|gpg))$",
    re.IGNORECASE,
)
_CONTENT_CHECKED = lazyre.compile(r".*\.(pem|key|json|crt|cer)$", re.IGNORECASE)
_KEY_CONTENT = (b"PRIVATE KEY-----", b'"private_key":', b'"client_secret":', b'"refresh_token":')


def credential_files(repo: Repo) -> list[Evidence]:
    out = []
    for path, entry in repo.entries.items():
        if repo.is_git and not entry.tracked:
            continue
        name = entry.name
        if _KEY_NAMES.match(name):
            if name.lower() == ".pypirc" and not repo.contains(path, b"password"):
                continue
            if name.lower().endswith((".asc", ".gpg")) and not repo.contains(path, b"PRIVATE KEY"):
                continue
            out.append(Evidence(path, None, "credential file"))
        elif (
            _CONTENT_CHECKED.match(name)
            and repo.smaller_than(path, 200_000)
            and repo.contains(path, *_KEY_CONTENT)
        ):
            data = repo.read_bytes(path) or b""
            json_without_key = name.lower().endswith(".json") and b"PRIVATE KEY-----" not in data
            if json_without_key and b"service_account" not in data and b'"client_secret"' not in data:
                continue
            out.append(Evidence(path, None, "private key or OAuth secret"))
    return out


@check(
    "SEC005",
    Severity.ERROR,
    "No key or credential files are committed",
    fix_hint="git rm --cached the file, rotate the key, keep it in a secret manager or CI secrets",
    level=0,
)
def no_key_files(repo: Repo) -> Result:
    """No private keys or credential files are tracked: SSH keys (``id_rsa``...), ``.pem``/``.key`` files
    with a private key, keystores (``.p12``, ``.pfx``, ``.jks``), cloud service-account JSON,
    ``kaggle.json``, ``.netrc``, ``.pypirc`` with a password, ``.git-credentials``.

    Why it matters: these files grant access on their own — to servers, buckets, package indexes, data
    platforms — to anyone who clones the repository.

    How to fix: remove the file from git (and history), rotate the key, and inject it at run time from the
    CI's secret store or a secret manager.

    Example::

        # CI: write the service account from a secret at run time
        echo "$GCP_SA_KEY" > "$RUNNER_TEMP/sa.json"
    """
    found = credential_files(repo)
    if found:
        return Result.failed(f"{len(found)} key or credential files committed", found[:10])
    return Result.passed("no key or credential files committed")


_DEP_SCANNERS = lazyre.compile(
    rb"pip-audit|pip_audit|safety\s+(check|scan)|osv-scanner|trivy|snyk|dependency-review|grype"
)


@check(
    "SEC006",
    Severity.INFO,
    "Dependencies are watched for vulnerabilities",
    fix="dependabot",
    fix_hint="enable Dependabot / Renovate, or run pip-audit in CI",
    level=2,
    profiles=("pipeline", "service"),
)
def dependency_scanning(repo: Repo) -> Result:
    """Vulnerable dependencies are reported automatically: Dependabot or Renovate configuration, or a
    scanner (pip-audit, safety, osv-scanner, Trivy, Snyk, GitHub dependency review) in CI or pre-commit.

    Why it matters: ML stacks pull hundreds of packages (and model-loading code paths with known RCEs);
    a served model inherits every one of their vulnerabilities.

    How to fix: add ``.github/dependabot.yml`` or a ``pip-audit`` step in CI.

    Example (``.github/dependabot.yml``)::

        version: 2
        updates:
          - {package-ecosystem: pip, directory: /, schedule: {interval: weekly}}
    """
    config = [
        p
        for p in repo.entries
        if p in (".github/dependabot.yml", ".github/dependabot.yaml", ".renovaterc", ".renovaterc.json")
        or p.endswith(("renovate.json", "renovate.json5"))
    ]
    if config:
        return Result.passed(f"dependency updates configured in {config[0]}", config[:2])
    candidates = [
        p
        for p in repo.entries
        if p.startswith((".github/workflows/", ".gitlab", ".circleci/"))
        or p in (".pre-commit-config.yaml", "Makefile", "pyproject.toml", "noxfile.py", "tox.ini", "Jenkinsfile",
                 "azure-pipelines.yml", "bitbucket-pipelines.yml")
    ]  # fmt: skip
    for path in candidates:
        data = repo.read_bytes(path) or b""
        m = _DEP_SCANNERS.search(data)
        if m:
            line = data.count(b"\n", 0, m.start()) + 1
            return Result.passed(f"dependency scanning with {m.group(0).decode()}", [(path, line)])
    return Result.failed("no Dependabot/Renovate configuration and no dependency scanner in CI")


@check(
    "SEC007",
    Severity.WARNING,
    "Remote model code is not trusted blindly",
    fix_hint="pin a reviewed revision (revision=<commit sha>) or avoid trust_remote_code=True",
    level=0,
)
def no_trust_remote_code(repo: Repo) -> Result:
    """Models are not loaded with ``trust_remote_code=True`` (Hugging Face) or ``trust_repo=True``
    (``torch.hub``) unless a reviewed ``revision=`` is pinned.

    Why it matters: these flags download and execute Python code from the model repository at load time;
    whoever controls that repository — or a later commit to it — runs code in your training or serving
    environment.

    How to fix: prefer models that need no custom code; otherwise pin the exact commit you reviewed (its
    hexadecimal hash: a branch or tag name can move).

    Example::

        AutoModel.from_pretrained(
            "org/model", trust_remote_code=True, revision="3c5b9d1e0f8a4b27c6d9e1f2a3b4c5d6e7f80912"
        )
    """
    units = ml.code_units(repo, *_REMOTE_CODE_NEEDLES)
    if not units and not (python_files(repo) or notebooks.notebooks(repo)):
        return Result.not_applicable("no Python code or notebooks")
    found: list[Evidence] = []
    pinned: list[Evidence] = []
    for unit in units:
        for call in unit.info.calls:
            if call.kwargs.get("trust_remote_code") is True or call.kwargs.get("trust_repo") is True:
                revision = call.kwargs.get("revision")
                if isinstance(revision, str) and re.fullmatch(r"[0-9a-f]{7,40}", revision):
                    pinned.append(unit.call_ev(call))
                else:
                    found.append(
                        unit.ev(call.line, f"{call.name}(trust_remote_code=True) without a pinned revision")
                    )
    if found:
        return Result.failed(f"{len(found)} loads execute unpinned remote code", found[:10])
    if pinned:
        return Result.passed("remote code is pinned to reviewed revisions", pinned[:3])
    return Result.passed("no remote code loading")
