"""Dependency facts: where dependencies are declared, whether they are locked, and which Python is pinned.

Sources, anywhere in the tree: ``requirements*.txt`` / ``requirements/*.txt`` (and pip-tools ``*.in``),
``pyproject.toml`` (PEP 621 ``dependencies`` and extras, PEP 735 ``[dependency-groups]``, Poetry, PDM and uv dev
groups), conda ``environment*.yml``, ``setup.py`` (``install_requires``, read from the AST, never executed),
``setup.cfg`` and ``Pipfile``. Lock files: ``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``,
``pylock*.toml``, conda-lock files, or a requirements file whose every entry is pinned with ``==``.
``dvc.lock`` pins pipeline outputs, not packages, and a ``pip freeze`` with ``file://`` entries cannot be
reinstalled anywhere else: neither is a lock.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

from .. import lazyre
from ..repo import Repo, makes_file_fact, memoized
from . import FactValue, inventory, report_fact, textconfig
from .python import NON_LITERAL, module
from .yamlfile import load_yaml

# --------------------------------------------------------------------------------------------- requirements

_REQ_NAME = lazyre.compile(r"^requirements([-_.][^/]*)?\.(txt|in)$", re.IGNORECASE)
_NAME = lazyre.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_CONDA_NAME = lazyre.compile(r"^(environment|conda|env)([-_.][^/]*)?\.ya?ml$", re.IGNORECASE)
_CONDA_LOCK = lazyre.compile(
    r"(^conda-lock\.ya?ml$|\.conda-lock\.ya?ml$|^conda-[^/]*\.lock$|-lock\.ya?ml$)", re.I
)
_EGG = lazyre.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_URL = lazyre.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PYLOCK = lazyre.compile(r"^pylock(\.[^/]+)?\.toml$", re.IGNORECASE)
LOCK_FILE_NAMES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name: ``Scikit_Learn`` -> ``scikit-learn``."""
    return re.sub(r"[-_.]+", "-", name).lower().strip("-")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One declared dependency: its normalised name, the raw specifier text, and where it is declared."""

    name: str
    raw: str
    path: str
    line: int | None
    pinned: bool = False  # an exact ``==`` / ``===`` version from a package index
    local: bool = False  # ``file://``, ``@ file:``, a local path or an editable install


def _is_requirements(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if _REQ_NAME.match(name):
        return True
    parent = path.rsplit("/", 2)[-2] if path.count("/") >= 1 else ""
    return parent.lower() == "requirements" and name.lower().endswith((".txt", ".in"))


@memoized
def requirement_files(repo: Repo) -> list[str]:
    """``requirements*.txt`` / ``*.in`` files and ``.txt`` files of ``requirements/`` folders, at any depth."""
    return [p for p in repo.entries if _is_requirements(p)]


def parse_requirements_text(text: str, path: str) -> list[Requirement]:
    """Entries of a pip requirements file (``-r`` / ``-c`` includes and options are skipped)."""
    out: list[Requirement] = []
    pending = ""
    start = 0
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.split(" #", 1)[0].strip() if not raw_line.lstrip().startswith("#") else ""
        if pending:
            line = pending + " " + line
        else:
            start = number
        if line.endswith("\\"):
            pending = line[:-1].strip()
            continue
        pending = ""
        if not line:
            continue
        egg = _EGG.search(line)
        if line.startswith(("-e ", "--editable")):
            out.append(Requirement(normalize(egg.group(1)) if egg else "", line, path, start, local=True))
            continue
        if line.startswith("-"):
            continue  # -r, -c, --index-url, --hash on its own...
        spec = line.split(";", 1)[0].split(" --", 1)[0].strip()
        if spec.startswith((".", "/", "file:")):
            out.append(Requirement("", line, path, start, local=True))
            continue
        if _URL.match(spec) or ("://" in spec and "@" not in spec):
            # a bare URL (``git+https://...#egg=name``): named only by its ``egg=`` fragment, never pinned
            out.append(Requirement(normalize(egg.group(1)) if egg else "", line, path, start))
            continue
        m = _NAME.match(spec)
        if not m:
            continue
        name = normalize(m.group(1))
        rest = spec[m.end() :]
        local = bool(re.search(r"@\s*(file:|\.{0,2}/)", rest)) or "file://" in rest
        url = "@" in rest and not rest.lstrip().startswith(("==", ">", "<", "~", "!", "["))
        pinned = (
            bool(re.search(r"===?\s*[0-9A-Za-z]", rest)) and not url and "*" not in rest and "," not in rest
        )
        out.append(Requirement(name, line, path, start, pinned=pinned and not local, local=local))
    return out


def requirements_in(repo: Repo, path: str) -> list[Requirement]:
    """The parsed entries of one requirements file (memoised)."""

    def compute() -> list[Requirement]:
        text = repo.read_text(path)
        return [] if text is None else parse_requirements_text(text, path)

    return repo.memo(("deps.requirements", path), compute)


# ----------------------------------------------------------------------------------------------- toml files


# One parse per TOML file for every fact module: the shared loader of textconfig (re-exported here).
load_toml = textconfig.load_toml


def _line_of(text: str | None, needle: str) -> int | None:
    if not text or not needle:
        return None
    idx = text.find(needle)
    return text.count("\n", 0, idx) + 1 if idx >= 0 else None


def _pep508(entries: Any, path: str, text: str | None) -> list[Requirement]:
    out: list[Requirement] = []
    if not isinstance(entries, list):
        return out
    for entry in entries:
        if not isinstance(entry, str):
            continue  # {include-group = "..."} in PEP 735
        m = _NAME.match(entry)
        if m:
            out.append(Requirement(normalize(m.group(1)), entry, path, _line_of(text, entry)))
    return out


def _poetry_table(table: Any, path: str, text: str | None) -> list[Requirement]:
    if not isinstance(table, dict):
        return []
    out = []
    for name in table:
        if str(name).lower() == "python":
            continue
        out.append(
            Requirement(
                normalize(str(name)), str(name), path, _line_of(text, f"{name} =") or _line_of(text, name)
            )
        )
    return out


def _pyproject_requirements(repo: Repo, path: str) -> list[Requirement]:
    data = load_toml(repo, path)
    if not data:
        return []
    text = repo.read_text(path)
    out: list[Requirement] = []
    project = got if isinstance(got := data.get("project"), dict) else {}
    out += _pep508(project.get("dependencies"), path, text)
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for group in extras.values():
            out += _pep508(group, path, text)
    build = got if isinstance(got := data.get("build-system"), dict) else {}
    out += _pep508(build.get("requires"), path, text)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups.values():
            out += _pep508(group, path, text)
    tool = got if isinstance(got := data.get("tool"), dict) else {}
    poetry = got if isinstance(got := tool.get("poetry"), dict) else {}
    out += _poetry_table(poetry.get("dependencies"), path, text)
    out += _poetry_table(poetry.get("dev-dependencies"), path, text)
    poetry_groups = poetry.get("group")
    if isinstance(poetry_groups, dict):
        for group in poetry_groups.values():
            if isinstance(group, dict):
                out += _poetry_table(group.get("dependencies"), path, text)
    for section in ("pdm", "uv"):
        table = got if isinstance(got := tool.get(section), dict) else {}
        dev = table.get("dev-dependencies")
        if isinstance(dev, dict):
            for group in dev.values():
                out += _pep508(group, path, text)
        else:
            out += _pep508(dev, path, text)
    return out


def _pipfile_requirements(repo: Repo, path: str) -> list[Requirement]:
    data = load_toml(repo, path)
    if not data:
        return []
    text = repo.read_text(path)
    out: list[Requirement] = []
    for section in ("packages", "dev-packages"):
        out += _poetry_table(data.get(section), path, text)
    return out


# ---------------------------------------------------------------------------------------- conda / setup.py


@memoized
def conda_files(repo: Repo) -> list[str]:
    """Conda environment files (not conda-lock files): ``environment*.yml``, ``conda*.yml``, and any other YAML
    recognised by its content — a top-level ``dependencies:`` list of package specs (or a ``pip:`` list) next to
    ``channels:`` or ``name:`` (``train-conda.yml``, ``ci/py312.yaml``)."""
    out = []
    others = []
    for p, e in repo.entries.items():
        if e.suffix not in (".yml", ".yaml") or _CONDA_LOCK.search(e.name):
            continue
        if _CONDA_NAME.match(e.name):
            if repo.contains(p, b"dependencies"):
                out.append(p)
        else:
            others.append(p)
    found = {
        p
        for p in repo.grep(others, b"dependencies:")
        if repo.contains(p, b"channels:", b"name:") and _is_conda_environment(load_yaml(repo, p))
    }
    if found:
        found.update(out)
        return [p for p in repo.entries if p in found]
    return out


def _is_conda_environment(data: Any) -> bool:
    """A conda environment document: ``dependencies`` lists package specs (strings) or a ``pip:`` list, beside
    ``channels`` or ``name`` (a Helm ``Chart.yaml`` lists mappings with a name and a repository: not conda)."""
    if not isinstance(data, dict) or not ("channels" in data or "name" in data):
        return False
    deps = data.get("dependencies")
    if not isinstance(deps, list) or not deps:
        return False
    return all(isinstance(d, str) or (isinstance(d, dict) and set(d) == {"pip"}) for d in deps)


def _conda_requirements(repo: Repo, path: str) -> list[Requirement]:
    data = load_yaml(repo, path)
    if not isinstance(data, dict):
        return []
    deps = data.get("dependencies")
    if not isinstance(deps, list):
        return []
    out = []
    for i, dep in enumerate(deps):
        line = deps.line_of(i) if hasattr(deps, "line_of") else None
        if isinstance(dep, str):
            m = re.match(r"^\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)", dep)
            if m:
                out.append(Requirement(normalize(m.group(1)), dep, path, line, pinned=_conda_pinned(dep)))
        elif isinstance(dep, dict) and isinstance(dep.get("pip"), list):
            for j, pip_dep in enumerate(dep["pip"]):
                if isinstance(pip_dep, str):
                    pline = dep["pip"].line_of(j) if hasattr(dep["pip"], "line_of") else line
                    for r in parse_requirements_text(pip_dep, path):
                        out.append(Requirement(r.name, r.raw, path, pline, r.pinned, r.local))
    return out


def _conda_pinned(dep: str) -> bool:
    """A conda match spec with an exact version (``numpy=1.26``, ``numpy==1.26.4``), not a range (``>=``)."""
    return bool(re.search(r"[^<>!~=]==?\s*[0-9]", dep)) and not re.search(r"[<>,|*]", dep)


def _setup_py_requirements(repo: Repo, path: str) -> list[Requirement]:
    if not repo.contains(path, b"install_requires", b"extras_require"):
        return []
    info = module(repo, path)
    if info is None:
        return []
    out: list[Requirement] = []
    constants = {name: value for name, value, _ in info.assignments}  # module-level literals
    for call in info.calls:
        if call.attr != "setup":
            continue
        for key in ("install_requires", "extras_require", "tests_require"):
            if key not in call.kwargs:
                continue
            value = call.kwargs[key]
            if value is NON_LITERAL and call.refs.get(key) in constants:
                value = constants[call.refs[key]]  # install_requires=REQUIRED_PACKAGES
            values = list(value.values()) if isinstance(value, dict) else [value]
            flat: list[Any] = []
            for v in values:
                flat += v if isinstance(v, (list, tuple)) else []
            if flat:
                out += [
                    Requirement(normalize(m.group(1)), s, path, call.line)
                    for s in flat
                    if isinstance(s, str) and (m := _NAME.match(s))
                ]
            elif key == "install_requires":
                # computed (e.g. read from requirements.txt): declared, names unknown
                out.append(Requirement("", "<computed install_requires>", path, call.line))
    return out


def _setup_cfg_requirements(repo: Repo, path: str) -> list[Requirement]:
    text = repo.read_text(path)
    if not text or "install_requires" not in text:
        return []
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        repo.note(path, f"malformed setup.cfg: {exc.__class__.__name__}")
        return []
    raw = parser.get("options", "install_requires", fallback="")
    lines = [x.strip() for x in raw.splitlines() if x.strip() and not x.strip().startswith("#")]
    return [
        Requirement(normalize(m.group(1)), x, path, _line_of(text, x)) for x in lines if (m := _NAME.match(x))
    ]


# ----------------------------------------------------------------------------------------------- declared


@memoized
def declared_requirements(repo: Repo) -> list[Requirement]:
    """Every dependency declared anywhere in the tree, from every supported source."""
    out: list[Requirement] = []
    for path in requirement_files(repo):
        out += requirements_in(repo, path)
    for path in repo.named("pyproject.toml"):
        out += _pyproject_requirements(repo, path)
    for path in repo.named("Pipfile"):
        out += _pipfile_requirements(repo, path)
    for path in conda_files(repo):
        out += _conda_requirements(repo, path)
    for path in repo.named("setup.py"):
        out += _setup_py_requirements(repo, path)
    for path in repo.named("setup.cfg"):
        out += _setup_cfg_requirements(repo, path)
    return out


@memoized
def declared_names(repo: Repo) -> set[str]:
    """Normalised names of every declared distribution."""
    return {r.name for r in declared_requirements(repo) if r.name and not r.local}


@memoized
def declaration_files(repo: Repo) -> list[str]:
    """Files that declare at least one dependency, in tree order."""
    seen: dict[str, None] = {}
    for r in declared_requirements(repo):
        seen.setdefault(r.path, None)
    return sorted(seen, key=lambda p: (p.count("/"), p))


# ------------------------------------------------------------------------------------------------ locks


@dataclass(frozen=True, slots=True)
class LockStatus:
    locks: list[str]  # lock files (uv.lock, ...)
    pinned_requirements: list[str]  # requirements files where every entry is pinned with ==
    unlockable: list[
        tuple[str, int | None, str]
    ]  # (path, line, why) requirements that look frozen but are not
    # runtime environments (requirements files, conda environments) with an unpinned entry: (path, line, raw)
    unpinned_environments: list[tuple[str, int | None, str]] = field(default_factory=list)


@memoized
def lock_files(repo: Repo) -> list[str]:
    """Package lock files (never ``dvc.lock``): uv, poetry, pdm, pipenv, PEP 751 pylock and conda-lock."""
    out = []
    for path, entry in repo.entries.items():
        name = entry.name
        if name in LOCK_FILE_NAMES or _PYLOCK.match(name) or _CONDA_LOCK.search(name):
            if name == "dvc.lock":
                continue
            out.append(path)
        elif name.endswith(".txt") and "conda" in name.lower() and repo.contains(path, b"@EXPLICIT"):
            out.append(path)
    return out


@memoized
def lock_status(repo: Repo) -> LockStatus:
    pinned: list[str] = []
    frozen_local: list[tuple[str, int | None, str]] = []
    for path in requirement_files(repo):
        if path.endswith(".in"):
            continue
        reqs = requirements_in(repo, path)
        if not reqs:
            continue
        local = [r for r in reqs if r.local]
        if local and all(r.pinned or r.local for r in reqs):
            r = local[0]
            frozen_local.append(
                (path, r.line, f"local package reference {r.raw!r} cannot be installed elsewhere")
            )
            continue
        if all(r.pinned for r in reqs):
            pinned.append(path)
    return LockStatus(lock_files(repo), pinned, frozen_local, _unpinned_environments(repo))


#: Environments of tooling, not of the code that trains or serves: their pins do not change a model.
_TOOLING_ENV = lazyre.compile(
    r"(^|[/_.-])(dev|devel|test|tests|testing|docs?|lint|ci|style|typing)([/_.-]|$)", re.I
)
#: Conda entries that install the interpreter or the installer itself.
_CONDA_BASE = {"python", "pip", "setuptools", "wheel"}


def _unpinned_environments(repo: Repo) -> list[tuple[str, int | None, str]]:
    """The first unpinned entry of each runtime environment: requirements files (``.in`` sources excepted)
    and conda environment files, tooling environments (dev, test, docs, lint) left out."""
    out: list[tuple[str, int | None, str]] = []
    sources: list[tuple[str, list[Requirement]]] = [
        (p, requirements_in(repo, p)) for p in requirement_files(repo) if not p.endswith(".in")
    ]
    sources += [(p, _conda_requirements(repo, p)) for p in conda_files(repo)]
    for path, reqs in sources:
        if _TOOLING_ENV.search(path):
            continue
        loose = next(
            (r for r in reqs if r.name and r.name not in _CONDA_BASE and not r.pinned and not r.local), None
        )
        if loose is not None:
            out.append((path, loose.line, loose.raw))
    return out


# ------------------------------------------------------------------------------------------ python version

_PY_PIN = lazyre.compile(r"^\s*python\s*(==|=|>=|~=|<)\s*([0-9][0-9.*]*)", re.IGNORECASE)


@memoized
def python_version_pins(repo: Repo) -> list[tuple[str, int | None, str]]:
    """Where the Python version is pinned: ``(path, line, what)``."""
    out: list[tuple[str, int | None, str]] = []
    for path in repo.named(".python-version", "runtime.txt", ".tool-versions"):
        text = repo.read_text(path) or ""
        for number, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if re.match(r"^(python[- ]?)?3\.\d+", s, re.IGNORECASE) or (
                path.endswith(".tool-versions") and s.startswith("python ")
            ):
                out.append((path, number, s))
                break
    for path in repo.named("pyproject.toml"):
        data = load_toml(repo, path) or {}
        toml_text = repo.read_text(path)
        project = got if isinstance(got := data.get("project"), dict) else {}
        if isinstance(project.get("requires-python"), str):
            out.append(
                (
                    path,
                    _line_of(toml_text, "requires-python"),
                    f"requires-python {project['requires-python']}",
                )
            )
        poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
        deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
        if isinstance(deps, dict) and isinstance(deps.get("python"), str):
            out.append((path, _line_of(toml_text, "python ="), f"poetry python {deps['python']}"))
    for path in repo.named("Pipfile"):
        data = load_toml(repo, path) or {}
        req = data.get("requires")
        if isinstance(req, dict) and (req.get("python_version") or req.get("python_full_version")):
            out.append((path, _line_of(repo.read_text(path), "python_"), "Pipfile requires python"))
    for path in conda_files(repo):
        data = load_yaml(repo, path)
        deps = data.get("dependencies") if isinstance(data, dict) else None
        if isinstance(deps, list):
            for i, dep in enumerate(deps):
                if isinstance(dep, str) and _PY_PIN.match(dep):
                    out.append((path, deps.line_of(i) if hasattr(deps, "line_of") else None, dep))
    for path in repo.named("setup.py", "setup.cfg"):
        if repo.contains(path, b"python_requires"):
            out.append((path, _line_of(repo.read_text(path), "python_requires"), "python_requires"))
    for path in repo.glob("Dockerfile", "Dockerfile.*", "*.Dockerfile", "Containerfile"):
        text = repo.read_text(path) or ""
        # python:3.11-slim, or a dev container image's <image version>-<python version> tag (python:1-3.11)
        m = re.search(r"^\s*FROM\s+(\S*python:(?:\d+-)?3\.\d+\S*)", text, re.IGNORECASE | re.MULTILINE)
        if m:
            out.append((path, text.count("\n", 0, m.start()) + 1, m.group(1)))
    return sorted(out, key=lambda pin: (pin[0].count("/"), pin[0]))


# -------------------------------------------------------------------------------- imports -> distributions

#: Import names whose distribution has another name (each maps to every acceptable distribution).
IMPORT_TO_DIST: dict[str, tuple[str, ...]] = {
    "sklearn": ("scikit-learn", "sklearn"),
    "skimage": ("scikit-image",),
    "yaml": ("pyyaml",),
    "ahocorasick": ("pyahocorasick",),
    "cv2": (
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
        "opencv",
        "py-opencv",
    ),
    "PIL": ("pillow", "pil"),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "jwt": ("pyjwt",),
    "attr": ("attrs",),
    "Crypto": ("pycryptodome", "pycryptodomex"),
    "OpenSSL": ("pyopenssl",),
    "git": ("gitpython",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "magic": ("python-magic",),
    "serial": ("pyserial",),
    "zmq": ("pyzmq",),
    "umap": ("umap-learn",),
    "hydra": ("hydra-core",),
    "mpl_toolkits": ("matplotlib",),
    "pylab": ("matplotlib",),
    "torch": ("torch", "pytorch", "torch-cpu"),
    "torchvision": ("torchvision",),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
    "lightning": ("lightning", "pytorch-lightning"),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tf-nightly"),
    "tf_keras": ("tf-keras",),
    "keras": ("keras", "tensorflow", "tensorflow-cpu"),
    "mlflow": ("mlflow", "mlflow-skinny"),
    "neptune": ("neptune", "neptune-client"),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "MySQLdb": ("mysqlclient",),
    "faiss": ("faiss-cpu", "faiss-gpu", "faiss"),
    "igraph": ("python-igraph", "igraph"),
    "Bio": ("biopython",),
    "google": ("protobuf",),
    "googleapiclient": ("google-api-python-client",),
    "airflow": ("apache-airflow",),
    "jose": ("python-jose",),
    "multipart": ("python-multipart",),
    "slugify": ("python-slugify",),
    "Levenshtein": ("levenshtein", "python-levenshtein"),
    "fitz": ("pymupdf",),
    "IPython": ("ipython",),
    "onnxruntime": ("onnxruntime", "onnxruntime-gpu"),
    "xgboost": ("xgboost", "py-xgboost"),
    "lightgbm": ("lightgbm",),
    "distributed": ("distributed", "dask"),
    "ruamel": ("ruamel-yaml",),
    "win32api": ("pywin32",),
    "win32con": ("pywin32",),
    "pkg_resources": ("setuptools",),
    "typing_extensions": ("typing-extensions",),
    "tensorboardX": ("tensorboardx",),
    "comet_ml": ("comet-ml",),
    "gx": ("great-expectations",),
    "dvc": ("dvc",),
    "wandb": ("wandb",),
    "sentence_transformers": ("sentence-transformers",),
    "huggingface_hub": ("huggingface-hub",),
    "tensorflow_data_validation": ("tensorflow-data-validation",),
    "alibi_detect": ("alibi-detect",),
    "community": ("python-louvain",),
    "spacy": ("spacy",),
    "pydantic_settings": ("pydantic-settings",),
    "jsonschema": ("jsonschema",),
    "grpc": ("grpcio",),
    "absl": ("absl-py",),
    "imblearn": ("imbalanced-learn",),
    "hypertune": ("cloudml-hypertune",),
    "skopt": ("scikit-optimize",),
    "arff": ("liac-arff",),
}

#: Import roots that come with the interpreter or the packaging toolchain and need no declaration.
IMPLICIT_IMPORTS = frozenset({"__future__", "setuptools", "pkg_resources", "distutils", "pip", "_typeshed"})

#: Python 2 standard-library modules renamed or removed in Python 3 (``SocketServer`` became ``socketserver``):
#: legacy code importing them needs an old interpreter, not a third-party package.
PY2_STDLIB = frozenset(
    {
        "__builtin__", "anydbm", "BaseHTTPServer", "CGIHTTPServer", "commands", "ConfigParser", "Cookie",
        "cookielib", "copy_reg", "cPickle", "cStringIO", "dbhash", "dircache", "DocXMLRPCServer", "dumbdbm",
        "dummy_thread", "exceptions", "future_builtins", "gdbm", "htmlentitydefs", "HTMLParser", "httplib",
        "md5", "mimetools", "Queue", "repr", "rfc822", "robotparser", "ScrolledText", "sets", "sha",
        "SimpleHTTPServer", "SimpleXMLRPCServer", "SocketServer", "StringIO", "thread", "Tix", "Tkinter",
        "tkFileDialog", "tkMessageBox", "ttk", "urllib2", "urlparse", "UserDict", "UserList", "UserString",
        "whichdb", "xmlrpclib",
    }
)  # fmt: skip


def distributions_for(import_root: str) -> tuple[str, ...]:
    """Acceptable distribution names for a top-level import name (normalised)."""
    extra = IMPORT_TO_DIST.get(import_root, ())
    return tuple(dict.fromkeys((*extra, normalize(import_root))))


def is_stdlib(import_root: str) -> bool:
    """Standard library (of Python 3, or a Python 2 name), or a packaging module that needs no declaration."""
    return (
        import_root in sys.stdlib_module_names or import_root in IMPLICIT_IMPORTS or import_root in PY2_STDLIB
    )


def is_declared(import_root: str, declared: set[str]) -> bool:
    """Is the import covered by one of the declared distributions? ``google.*`` is covered by any
    ``google-*`` distribution (namespace package)."""
    if any(d in declared for d in distributions_for(import_root)):
        return True
    if import_root == "google":
        return any(d.startswith("google") for d in declared)
    return False


#: Exceptions whose handler makes the imports of a ``try`` body optional.
_OPTIONAL_HANDLERS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


@makes_file_fact("deps.optional_imports/1")
def optional_imports(repo: Repo, path: str) -> frozenset[tuple[str, int]]:
    """The imports of one Python file that are optional, as ``(module, line)`` pairs of :func:`imports_of`:
    those inside a ``try`` whose handler catches ``ImportError`` / ``ModuleNotFoundError`` (or any exception),
    or inside ``with contextlib.suppress(ImportError)``. The code runs without them: no declaration needed."""
    if not repo.contains(path, b"ImportError", b"ModuleNotFoundError", b"except:", b"except Exception"):
        return frozenset()

    def compute() -> list[tuple[str, int]]:
        text = repo.read_text(path)
        if text is None:
            return []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
        out: list[tuple[str, int]] = []
        for node in ast.walk(tree):
            guarded = (
                isinstance(node, ast.Try) and any(_catches_import_error(h.type) for h in node.handlers)
            ) or (
                isinstance(node, ast.With)
                and any(_suppresses_import_error(i.context_expr) for i in node.items)
            )
            if not guarded:
                continue
            body = node.body if isinstance(node, (ast.Try, ast.With)) else []  # guarded: always one of them
            for stmt in body:
                for sub in ast.walk(stmt):
                    if isinstance(sub, ast.Import):
                        out += [(alias.name, sub.lineno) for alias in sub.names]
                    elif isinstance(sub, ast.ImportFrom) and sub.module:
                        out.append((("." * sub.level) + sub.module, sub.lineno))
        return out

    # from the audit cache the pairs come back as JSON lists: make them tuples again
    return frozenset((name, line) for name, line in repo.file_fact("deps.optional_imports/1", path, compute))


def _exception_names(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Tuple):
        return [n for elt in node.elts for n in _exception_names(elt)]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    return []


def _catches_import_error(node: ast.expr | None) -> bool:
    return node is None or any(n in _OPTIONAL_HANDLERS for n in _exception_names(node))


def _suppresses_import_error(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call) or _exception_names(node.func)[-1:] != ["suppress"]:
        return False
    return any(n in _OPTIONAL_HANDLERS for arg in node.args for n in _exception_names(arg))


@memoized
def project_modules(repo: Repo) -> set[str]:
    """Top-level names the project itself provides: every directory holding Python files, every module file,
    and the distribution names of its pyproject files (so ``import my_pkg`` is never a missing dependency)."""
    names: set[str] = set()
    for path, entry in repo.entries.items():
        if entry.suffix not in (".py", ".pyi", ".so", ".pyx", ".ipynb"):
            continue
        parts = path.split("/")
        names.add(parts[-1].rsplit(".", 1)[0])
        names.update(parts[:-1])
    for path in repo.named("pyproject.toml"):
        project = (load_toml(repo, path) or {}).get("project")
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            names.add(project["name"].replace("-", "_"))
    return names


# -------------------------------------------------------------------------------------------------- facts


@report_fact("deps_declared")
def deps_declared_fact(repo: Repo) -> FactValue:
    files = declaration_files(repo)
    evidence = []
    for path in files[:5]:
        first = next((r for r in declared_requirements(repo) if r.path == path), None)
        evidence.append((path, first.line if first else None))
    return FactValue.of(evidence)


@report_fact("deps_locked")
def deps_locked_fact(repo: Repo) -> FactValue:
    status = lock_status(repo)
    return FactValue.of([*status.locks[:5], *status.pinned_requirements[:5]])


@inventory("dependency_managers")
def dependency_managers(repo: Repo) -> list[str]:
    tools: list[str] = []
    names = {e.name for e in repo.entries.values()}
    pyprojects = [load_toml(repo, p) or {} for p in repo.named("pyproject.toml")]
    tool_tables = [t for d in pyprojects if isinstance(t := d.get("tool"), dict)]

    def has_tool(name: str) -> bool:
        return any(name in t for t in tool_tables)

    if "uv.lock" in names or has_tool("uv"):
        tools.append("uv")
    if "poetry.lock" in names or has_tool("poetry"):
        tools.append("poetry")
    if "pdm.lock" in names or has_tool("pdm"):
        tools.append("pdm")
    if "Pipfile" in names or "Pipfile.lock" in names:
        tools.append("pipenv")
    if conda_files(repo) or any(_CONDA_LOCK.search(n) for n in names):
        tools.append("conda")
    if any(p.endswith(".in") for p in requirement_files(repo)):
        tools.append("pip-tools")
    if any(p.endswith(".txt") for p in requirement_files(repo)):
        tools.append("pip")
    if "setup.py" in names or "setup.cfg" in names:
        tools.append("setuptools")
    if has_tool("hatch"):
        tools.append("hatch")
    return tools
