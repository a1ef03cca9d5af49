"""Secret detection: provider tokens, key blocks, entropy-checked assignments; placeholders are not secrets."""

from __future__ import annotations

import json

import pytest
from mlops_audit.facts import secrets
from mlops_audit.repo import Repo

# Fake credentials built at run time so that this file itself holds no token-shaped literal.
GH = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
AWS = "AKIA" + "4Z7QWERTYUPLKJHG"
HF = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz12345678"
OPENAI = "sk-proj-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5AbC"
SLACK = "xoxb-" + "1234567890-abcdefghijKLMNOP"
PAT = (
    "github_pat_"
    + "11ABCDEFG0aB3dE5fQ7rJ9_"
    + "kL1mN3pQ5rS7tU9vW1xY3z5AbCdEfZqIjKlMnOpQrStUvWxYz0123456789abcdefXY"
)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (f'token = "{GH}"', "GitHub token"),
        (f'aws_access_key_id = "{AWS}"', "AWS access key id"),
        (f"export GH={PAT}", "GitHub token"),
        (f"HF_TOKEN={HF}", "Hugging Face token"),
        (f'client = OpenAI(api_key="{OPENAI}")', "OpenAI API key"),
        (f"slack: {SLACK}", "Slack token"),
        ("-----BEGIN " + "RSA PRIVATE KEY-----", "private key"),
        (
            # mlops-audit: ignore[SEC001] a fake credential: the secret scanner's own test
            'password = "Xk9#mP2qL7vR"',
            "secret assignment",
        ),
        (
            # mlops-audit: ignore[SEC001] a fake credential: the secret scanner's own test
            'url = "postgresql://admin:Zq8rT3wLm9@db.internal/x"',
            "credentials in URL",
        ),
    ],
)
def test_real_looking_secrets_are_found(line: str, kind: str) -> None:
    found = secrets.scan_bytes(f"x = 1\n{line}\n".encode(), "f.py")
    assert [(f.line, f.kind) for f in found] == [(2, kind)]
    assert line.split("=")[-1].strip('"')[6:] not in found[0].evidence.note  # the secret is masked


@pytest.mark.parametrize(
    "line",
    [
        'api_key = "YOUR_API_KEY"',
        'OPENAI_API_KEY = "<your-openai-key>"',
        'token = "${GITHUB_TOKEN}"',
        'password = "changeme"',
        'password = "xxxxxxxxxxxx"',
        'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"',
        'secret = "example-secret-value"',
        'token = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'password = "hunter22"',
        'api_key = "OPENAI_API_KEY"',
        'url = "postgresql://user:password@localhost/db"',
        'token_path = "/var/run/secrets/token"',
        'token_re = r"(?:[A-Za-z_]+)|(?:\\d+)"',
    ],
)
def test_placeholders_and_low_entropy_values_are_not_secrets(line: str) -> None:
    assert secrets.scan_bytes(line.encode(), "f.py") == []


def test_entropy() -> None:
    assert secrets.shannon_entropy("aaaa") == 0
    assert secrets.shannon_entropy("abcd") == 2
    assert secrets.is_placeholder("<token>") and not secrets.is_placeholder("Xk9mP2qL7vR")


def test_secrets_fact_in_configs_and_notebooks(make_repo) -> None:
    cell = {"cell_type": "code", "source": [f'os.environ["HF_TOKEN"] = "{HF}"'], "outputs": [], "metadata": {},
            "execution_count": None}  # fmt: skip
    root = make_repo(
        {
            "conf/prod.yaml": f"slack_token: {SLACK}\n",
            "nb.ipynb": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}),
            "data/blob.bin": b"\0\0" + GH.encode(),
        }
    )
    fact = secrets.secrets_in_repo_fact(Repo(root))
    assert fact.value is True
    assert {e.path for e in fact.evidence} == {"conf/prod.yaml", "nb.ipynb"}


def test_no_secrets_fact(make_repo) -> None:
    root = make_repo({".env.example": "API_KEY=YOUR_API_KEY\n", "app.py": "key = os.environ['API_KEY']\n"})
    assert secrets.secrets_in_repo_fact(Repo(root)).value is False


def test_a_constant_whose_value_spells_its_name_is_no_secret():
    from mlops_audit.facts.secrets import scan_bytes

    assert scan_bytes(b'LEQ_100_TOKENS = "leq_100_tokens"\n', "datasets.py") == []
    # mlops-audit: ignore[SEC001] a fake credential: the secret scanner's own test
    assert scan_bytes(b'API_TOKEN = "Zq8rT3wLm9xK"\n', "settings.py")
