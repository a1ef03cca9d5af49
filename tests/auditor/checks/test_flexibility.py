"""FLX checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from mlops_audit.model import Status

from tests.helpers.checks import assert_status

PYPROJECT = (
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n[project]\nname = "churn"\n'
)
TRAIN = "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\nm.fit(X, y)\n"


def test_flx001_installable_package(make_repo):
    ok = assert_status(
        make_repo({"pyproject.toml": PYPROJECT, "src/churn/__init__.py": ""}), "FLX001", Status.PASS
    )
    assert [str(e) for e in ok.evidence] == ["pyproject.toml:1", "src/churn/__init__.py"]
    assert_status(make_repo({"setup.py": "setup(name='x')\n", "x/__init__.py": ""}), "FLX001", Status.PASS)
    assert_status(make_repo({"pyproject.toml": PYPROJECT, "train.py": TRAIN}), "FLX001", Status.FAIL)
    assert_status(
        make_repo({"churn/__init__.py": "", "pyproject.toml": "[tool.ruff]\n"}), "FLX001", Status.FAIL
    )
    assert_status(make_repo({"train.py": TRAIN}), "FLX001", Status.FAIL)
    assert_status(make_repo({"README.md": "x\n"}), "FLX001", Status.NOT_APPLICABLE)


def test_flx002_hardcoded_hosts(make_repo):
    clean = {
        "src/app.py": 'import os\nuri = os.environ.get("MLFLOW_TRACKING_URI", "http://localhost:5000")\n'
        'url = "https://archive.ics.uci.edu/data.csv"\nhost = "0.0.0.0"\n',
        "tests/test_app.py": 'URI = "s3://bucket/test"\n',
        "conf/settings.py": 'BUCKET = "s3://bucket/data"\n',
    }
    assert_status(make_repo(clean), "FLX002", Status.PASS)
    dirty = {
        "src/train.py": 'data = "s3://prod-bucket/raw/train.csv"\n\nmlflow_uri = "http://localhost:5000"\n',
        "src/db.py": 'HOST = "10.0.3.17"\n',
    }
    fail = assert_status(make_repo(dirty), "FLX002", Status.FAIL)
    assert {str(e) for e in fail.evidence} == {"src/train.py:1", "src/train.py:3", "src/db.py:1"}
    assert_status(make_repo({"README.md": "s3://bucket\n"}), "FLX002", Status.NOT_APPLICABLE)


def test_flx003_components_by_config(make_repo):
    hydra = "import hydra\nfrom hydra.utils import instantiate\nmodel = instantiate(cfg.model)\n"
    assert_status(make_repo({"train.py": TRAIN + hydra}), "FLX003", Status.PASS)
    assert_status(make_repo({"train.py": TRAIN, "conf/model.yaml": "_target_: x.Y\n"}), "FLX003", Status.PASS)
    registry = "MODELS = {}\n@register_model('rf')\ndef rf():\n    pass\n"
    assert_status(make_repo({"train.py": TRAIN, "models.py": registry}), "FLX003", Status.PASS)
    assert_status(make_repo({"train.py": TRAIN}), "FLX003", Status.FAIL)
    assert_status(make_repo({"lib.py": "x = 1\n"}), "FLX003", Status.NOT_APPLICABLE)


def test_flx004_environments(make_repo):
    ok = assert_status(
        make_repo({"conf/env/dev.yaml": "a: 1\n", "conf/env/prod.yaml": "a: 2\n"}), "FLX004", Status.PASS
    )
    assert {e.note for e in ok.evidence} == {"dev", "prod"}
    assert_status(
        make_repo({"k8s/overlays/staging/kustomization.yaml": "a: 1\n", ".env.prod": "X=1\n"}),
        "FLX004",
        Status.PASS,
    )
    one = assert_status(make_repo({"conf/prod.yaml": "a: 1\n"}), "FLX004", Status.FAIL)
    assert one.credit == 0.5
    assert_status(make_repo({"train.py": TRAIN}), "FLX004", Status.FAIL)
