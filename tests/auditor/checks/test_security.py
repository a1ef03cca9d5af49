"""SEC checks: pass, fail and not-applicable fixtures for each."""

from __future__ import annotations

from mlops_audit.model import Status

from tests.helpers.checks import assert_status

PASS, FAIL, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE
TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"  # built at run time: no token literal in this file


def test_sec001_secrets(make_repo) -> None:
    result = assert_status(make_repo({"cfg/app.yaml": f"github:\n  token: {TOKEN}\n"}), "SEC001", FAIL)
    assert str(result.evidence[0]) == "cfg/app.yaml:2"
    assert TOKEN not in result.evidence[0].note
    assert_status(
        make_repo({"app.py": "TOKEN = os.environ['GH_TOKEN']\nKEY = 'YOUR_API_KEY'\n"}), "SEC001", PASS
    )
    assert_status(make_repo({"image.png": b"\x89PNG"}), "SEC001", NA)


def test_sec002_env_file(make_repo) -> None:
    result = assert_status(make_repo({".env": "A=1\n", ".env.example": "A=\n"}), "SEC002", FAIL)
    assert [e.path for e in result.evidence] == [".env"]
    assert_status(make_repo({"config/prod.env": "A=1\n"}), "SEC002", FAIL)
    assert_status(make_repo({".env.example": "A=\n", ".gitignore": ".env\n"}), "SEC002", PASS)
    root = make_repo({".gitignore": ".env\n", "main.py": ""})
    (root / ".env").write_text("A=1\n")  # present but ignored
    assert_status(root, "SEC002", PASS)
    root = make_repo({"main.py": ""})
    (root / ".env").write_text("A=1\n")  # untracked and not ignored
    assert assert_status(root, "SEC002", FAIL).credit == 0.5


def test_sec002_env_template_that_sets_nothing(make_repo) -> None:
    """A committed env file with only comments and empty or placeholder values (a template's scaffold, the
    variables to fill in) leaks nothing; one real value makes it an env file."""
    scaffold = "# Environment variables go here\n#\n# DO NOT ADD THIS FILE TO VERSION CONTROL!\n"
    assert_status(make_repo({"{{ cookiecutter.repo_name }}/.env": scaffold}), "SEC002", PASS)
    empty = "SF_USER=''\nSF_PWD=\nexport API_URL=<your url>\nHOME_DIR=${HOME}\n"
    assert_status(make_repo({"src/local.env": empty}), "SEC002", PASS)
    assert_status(make_repo({"src/local.env": empty + "SF_SCHEMA=POST_MODERN\n"}), "SEC002", FAIL)
    # the documented template of a git-ignored .env ("copy local.env to .env")
    documented = {
        "src/local.env": empty + "SF_SCHEMA=POST_MODERN\n",
        ".gitignore": ".env\n",
        "README.md": "Create a local version of the `local.env` file named only `.env` (do not commit it!)\n",
    }
    assert_status(make_repo(documented), "SEC002", PASS)
    assert_status(make_repo({**documented, ".gitignore": "*.pyc\n"}), "SEC002", FAIL)  # .env not ignored
    assert_status(make_repo({**documented, "README.md": "Settings live in `local.env`.\n"}), "SEC002", FAIL)


def test_sec003_unsafe_deserialisation(make_repo) -> None:
    code = """
        import pickle, joblib, torch, yaml
        import numpy as np
        m = pickle.load(open("m.pkl", "rb"))
        j = joblib.load("m.joblib")
        t = torch.load("w.pt")
        s = torch.load("w.pt", weights_only=True)
        c = yaml.load(open("c.yaml"))
        d = yaml.load(open("c.yaml"), Loader=yaml.SafeLoader)
        e = yaml.safe_load(open("c.yaml"))
        a = np.load("a.npy", allow_pickle=True)
        b = np.load("a.npy")
    """
    result = assert_status(make_repo({"load.py": code}), "SEC003", FAIL)
    assert [e.line for e in result.evidence] == [3, 4, 5, 7, 10]
    safe = "import torch, yaml\ntorch.load('w.pt', weights_only=True)\nyaml.load(f, yaml.CSafeLoader)\n"
    assert_status(make_repo({"load.py": safe}), "SEC003", PASS)
    assert_status(make_repo({"README.md": "pickle.load"}), "SEC003", NA)
    # ruamel.yaml's safe loader held in a local variable named yaml: not PyYAML's yaml.load
    ruamel = "from ruamel.yaml import YAML\nyaml = YAML(typ='safe')\nparams = yaml.load(f)\n"
    assert_status(make_repo({"load.py": ruamel}), "SEC003", PASS)
    assert_status(make_repo({"load.py": "import yaml\nparams = yaml.load(f)\n"}), "SEC003", FAIL)


def test_sec004_gitignore_secrets(make_repo) -> None:
    result = assert_status(make_repo({".gitignore": "__pycache__/\n.env\n"}), "SEC004", PASS)
    assert str(result.evidence[0]) == ".gitignore:2"
    assert_status(make_repo({".gitignore": "__pycache__/\n"}), "SEC004", FAIL)
    assert_status(make_repo({"main.py": ""}), "SEC004", FAIL)
    # the env file the project documents under another name, and a template's generated project
    documented = {".gitignore": ".env.user\n", ".env.user.example": "TOKEN=\n"}
    assert_status(make_repo(documented), "SEC004", PASS)
    assert_status(make_repo({**documented, ".gitignore": "__pycache__/\n"}), "SEC004", FAIL)
    template = {"cookiecutter.json": "{}", "{{cookiecutter.name}}/.gitignore": ".env\n", "main.py": ""}
    assert_status(make_repo(template), "SEC004", PASS)
    assert_status(make_repo({**template, "{{cookiecutter.name}}/.gitignore": "*.pyc\n"}), "SEC004", FAIL)


def test_sec005_key_files(make_repo) -> None:
    key = "-----BEGIN " + "PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
    assert_status(make_repo({"deploy/id_rsa": key}), "SEC005", FAIL)
    assert_status(make_repo({"certs/server.pem": key}), "SEC005", FAIL)
    sa = '{"type": "service_account", "private_key_id": "1", "private_key": "x"}'
    assert_status(make_repo({"gcp-sa.json": sa}), "SEC005", FAIL)
    assert_status(make_repo({"kaggle.json": '{"username": "a", "key": "b"}'}), "SEC005", FAIL)
    cert = "-----BEGIN CERTIFICATE-----\nMIIE\n-----END CERTIFICATE-----\n"
    assert_status(
        make_repo({"certs/ca.pem": cert, "schema.json": '{"private_key": "string"}'}), "SEC005", PASS
    )


def test_sec006_dependency_scanning(make_repo) -> None:
    assert_status(make_repo({".github/dependabot.yml": "version: 2\n"}), "SEC006", PASS)
    ci = "jobs:\n  audit:\n    steps:\n      - run: uvx pip-audit\n"
    result = assert_status(make_repo({".github/workflows/ci.yml": ci}), "SEC006", PASS)
    assert str(result.evidence[0]) == ".github/workflows/ci.yml:4"
    assert_status(make_repo({".github/workflows/ci.yml": "jobs: {}\n"}), "SEC006", FAIL)


def test_sec007_trust_remote_code(make_repo) -> None:
    bad = (
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/m', trust_remote_code=True)\n"
    )
    result = assert_status(make_repo({"load.py": bad}), "SEC007", FAIL)
    assert str(result.evidence[0]) == "load.py:2"
    pinned = "from transformers import AutoModel\nAutoModel.from_pretrained('org/m', trust_remote_code=True, revision='3c5b9d1')\n"
    assert_status(make_repo({"load.py": pinned}), "SEC007", PASS)
    assert_status(make_repo({"load.py": "print(1)\n"}), "SEC007", PASS)
    assert_status(make_repo({"README.md": ""}), "SEC007", NA)
