"""VER checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from conftest import assert_status
from mlops_audit.checks.base import Status
from mlops_audit.repo import Repo

MB = 1_000_000
TRAIN = "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier(n_estimators=100)\nm.fit(X, y)\n"


def test_ver001_git_repository(make_repo):
    assert_status(make_repo({"a.py": "x = 1\n"}), "VER001", Status.PASS)
    assert_status(make_repo({"a.py": "x = 1\n"}, git=False), "VER001", Status.FAIL)
    assert_status(Repo(make_repo({"a.py": ""}), use_git=False), "VER001", Status.NOT_APPLICABLE)


def test_ver002_large_files(make_repo):
    assert_status(make_repo({"a.py": "x = 1\n", "small.csv": "a\n1\n"}), "VER002", Status.PASS)
    result = assert_status(make_repo({"data/big.parquet": b"\0" * (2 * MB)}), "VER002", Status.FAIL)
    assert str(result.evidence[0]) == "data/big.parquet" and "2.0 MB" in result.evidence[0].note
    assert_status(make_repo({"a.py": ""}, git=False), "VER002", Status.NOT_APPLICABLE)


def test_ver002_deleted_blob_and_options(make_repo):
    root = make_repo({"weights.bin": b"\1" * (6 * MB), "README.md": "x\n"})
    (root / "weights.bin").unlink()
    result = assert_status(root, "VER002", Status.FAIL)
    assert "deleted from disk" in result.evidence[0].note
    relaxed = Repo(root, options={"VER002": {"max-file-mb": 10, "max-data-mb": 8}})
    assert_status(relaxed, "VER002", Status.PASS)


def test_ver003_data_versioned(make_repo):
    assert_status(
        make_repo({"data/raw.dvc": "outs:\n- path: raw\n", "train.py": TRAIN}), "VER003", Status.PASS
    )
    assert_status(
        make_repo({".gitattributes": "*.csv filter=lfs diff=lfs merge=lfs -text\n", "data/a.csv": "a\n"}),
        "VER003",
        Status.PASS,
    )
    fail = assert_status(make_repo({"data/a.csv": "a\n1\n", "train.py": TRAIN}), "VER003", Status.FAIL)
    assert str(fail.evidence[0]) == "data/a.csv"
    loads = make_repo({"train.py": "import pandas as pd\ndf = pd.read_csv('https://x/y.csv')\n"})
    assert str(assert_status(loads, "VER003", Status.FAIL).evidence[0]) == "train.py:2"
    assert_status(make_repo({"lib.py": "x = 1\n"}), "VER003", Status.NOT_APPLICABLE)


CONFIG = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvc\n"


def test_ver004_dvc_remote(make_repo):
    ok = assert_status(
        make_repo({".dvc/config": CONFIG, "data.dvc": "outs:\n- path: data\n"}), "VER004", Status.PASS
    )
    assert str(ok.evidence[0]) == ".dvc/config:3"
    assert_status(
        make_repo({".dvc/config": "[core]\n    autostage = true\n", "dvc.yaml": "stages: {}\n"}),
        "VER004",
        Status.FAIL,
    )
    partial = assert_status(
        make_repo({".dvc/config": "['remote \"s\"']\n    url = /tmp/x\n", "d.dvc": "outs: []\n"}),
        "VER004",
        Status.FAIL,
    )
    assert partial.credit > 0
    assert_status(make_repo({"dvc.yaml": "stages:\n  a:\n    cmd: x\n"}), "VER004", Status.FAIL)
    assert_status(make_repo({"a.py": ""}), "VER004", Status.NOT_APPLICABLE)


def test_ver005_raw_data_ignored(make_repo):
    ok = assert_status(make_repo({".gitignore": "/data/\n", "train.py": TRAIN}), "VER005", Status.PASS)
    assert str(ok.evidence[0]) == ".gitignore:1"
    star = make_repo({".gitignore": "data/*\n!data/.gitkeep\n", "data/.gitkeep": ""})
    assert_status(star, "VER005", Status.PASS)
    assert_status(
        make_repo({"data/raw.dvc": "outs:\n- path: raw\n", "data/.gitignore": "/raw\n"}),
        "VER005",
        Status.PASS,
    )
    tracked = assert_status(make_repo({"data/raw/train.csv": "a\n1\n"}), "VER005", Status.FAIL)
    assert tracked.evidence[0].note == "tracked"
    root = make_repo({"README.md": "x\n"})
    (root / "data").mkdir()
    (root / "data" / "new.parquet").write_bytes(b"x")
    assert assert_status(root, "VER005", Status.FAIL).evidence[0].note == "not ignored"
    assert_status(make_repo({"src/pkg/data/__init__.py": "", "a.py": ""}), "VER005", Status.NOT_APPLICABLE)


def test_ver006_models(make_repo):
    registered = "import mlflow\nmlflow.sklearn.log_model(m, 'model', registered_model_name='churn')\n"
    assert_status(make_repo({"train.py": TRAIN + registered}), "VER006", Status.PASS)
    committed = assert_status(make_repo({"models/model.pkl": b"x", "train.py": TRAIN}), "VER006", Status.FAIL)
    assert str(committed.evidence[0]) == "models/model.pkl"
    assert assert_status(make_repo({"train.py": TRAIN}), "VER006", Status.FAIL).credit == 0.5
    assert_status(make_repo({"lib.py": "x = 1\n"}), "VER006", Status.NOT_APPLICABLE)


def test_ver007_config_externalised(make_repo):
    hydra = "import hydra\n@hydra.main(config_path='conf', config_name='c', version_base=None)\ndef main(cfg):\n    pass\n"
    assert_status(make_repo({"train.py": TRAIN + hydra, "conf/c.yaml": "a: 1\n"}), "VER007", Status.PASS)
    unused = assert_status(
        make_repo({"train.py": TRAIN, "configs/train.yaml": "lr: 1\n"}), "VER007", Status.FAIL
    )
    assert unused.credit > 0
    assert (
        str(assert_status(make_repo({"train.py": TRAIN}), "VER007", Status.FAIL).evidence[0]) == "train.py:3"
    )
    assert_status(make_repo({"lib.py": "x = 1\n"}), "VER007", Status.NOT_APPLICABLE)


def test_ver008_dvc_lock(make_repo):
    dvc_yaml = "stages:\n  a:\n    cmd: x\n"
    assert_status(make_repo({"dvc.yaml": dvc_yaml, "dvc.lock": "schema: '2.0'\n"}), "VER008", Status.PASS)
    assert_status(make_repo({"dvc.yaml": dvc_yaml}), "VER008", Status.FAIL)
    assert_status(make_repo({"a.py": ""}), "VER008", Status.NOT_APPLICABLE)


def test_ver009_ignore_rules_cover_artefacts(make_repo):
    good = make_repo({".gitignore": "/data/*\n*.pkl\nmlruns/\nmlflow.db\n.env\n", "train.py": "x = 1\n"})
    result = assert_status(good, "VER009", Status.PASS)
    assert {e.note.split(":")[0] for e in result.evidence} == {"data", "models", "tracking stores", "secrets"}
    partial = make_repo({".gitignore": "__pycache__/\n.env\n", "train.py": "x = 1\n"})
    failed = assert_status(partial, "VER009", Status.FAIL)
    assert "data, models, tracking stores" in failed.message and failed.credit == 0.25
    assert str(failed.evidence[0]) == ".gitignore:1"
    assert_status(make_repo({"train.py": "x = 1\n"}), "VER009", Status.FAIL)
    assert_status(make_repo({"train.py": "x = 1\n"}, git=False), "VER009", Status.NOT_APPLICABLE)
