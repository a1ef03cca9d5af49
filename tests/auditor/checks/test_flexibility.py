"""FLX checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

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


def test_flx002_service_name_with_a_port(make_repo):
    """``http://mlflow-server:5000`` names a compose service: the code runs only beside that stack."""
    dirty = {"models/train.py": 'import mlflow\nmlflow.set_tracking_uri("http://mlflow-server:5000")\n'}
    fail = assert_status(make_repo(dirty), "FLX002", Status.FAIL)
    assert [str(e) for e in fail.evidence] == ["models/train.py:2"]
    # a public host, a placeholder without a port, or the environment's value with it as default, pass
    clean = {
        "models/train.py": 'import os\nuri = os.getenv("MLFLOW_TRACKING_URI", "http://mlflow-server:5000")\n'
        'docs = "https://mlflow.org:443/docs"\nhelp = "http://your-server/"\n'
    }
    assert_status(make_repo(clean), "FLX002", Status.PASS)


def test_flx003_components_by_config(make_repo):
    hydra = "import hydra\nfrom hydra.utils import instantiate\nmodel = instantiate(cfg.model)\n"
    assert_status(make_repo({"train.py": TRAIN + hydra}), "FLX003", Status.PASS)
    assert_status(make_repo({"train.py": TRAIN, "conf/model.yaml": "_target_: x.Y\n"}), "FLX003", Status.PASS)
    registry = "MODELS = {}\n@register_model('rf')\ndef rf():\n    pass\n"
    assert_status(make_repo({"train.py": TRAIN, "models.py": registry}), "FLX003", Status.PASS)
    assert_status(make_repo({"train.py": TRAIN}), "FLX003", Status.FAIL)
    assert_status(make_repo({"lib.py": "x = 1\n"}), "FLX003", Status.NOT_APPLICABLE)


def test_flx003_kedro_catalog_and_pipeline_registry(make_repo):
    catalog = "# companies:\n#   type: pandas.CSVDataset\n_csv: &csv\n  type: pandas.CSVDataset\n"
    dataset = "companies:\n  <<: *csv\n  filepath: data/01_raw/companies.csv\nshuttles:\n  type: pandas.ExcelDataset\n"
    ok = assert_status(
        make_repo({"train.py": TRAIN, "conf/base/catalog.yml": catalog + dataset}), "FLX003", Status.PASS
    )
    # The first dataset (its type merged from the anchor), not the `_csv` anchor itself.
    assert [str(e) for e in ok.evidence] == ["conf/base/catalog.yml:5"]
    # A catalog of comments and anchors only selects nothing.
    assert_status(make_repo({"train.py": TRAIN, "conf/base/catalog.yml": catalog}), "FLX003", Status.FAIL)
    registry = "def register_pipelines():\n    return {'__default__': pipeline}\n"
    ok = assert_status(
        make_repo({"train.py": TRAIN, "src/churn/pipeline_registry.py": registry}), "FLX003", Status.PASS
    )
    assert ok.evidence[0].note == "pipeline registry"
    # The same function anywhere else is not Kedro's registry.
    assert_status(make_repo({"train.py": TRAIN, "src/churn/misc.py": registry}), "FLX003", Status.FAIL)


def test_flx003_plugins(make_repo):
    pluggy = "import pluggy\nmanager = pluggy.PluginManager('churn')\nmanager.load_setuptools_entrypoints('churn')\n"
    assert_status(make_repo({"train.py": TRAIN, "plugins.py": pluggy}), "FLX003", Status.PASS)
    plugin_group = "[options.entry_points]\nchurn.models =\n    rf = churn.models:rf\n"
    ok = assert_status(make_repo({"train.py": TRAIN, "setup.cfg": plugin_group}), "FLX003", Status.PASS)
    assert [str(e) for e in ok.evidence] == ["setup.cfg:2"]
    scripts = "[options.entry_points]\nconsole_scripts =\n    churn = churn.cli:main\n"
    assert_status(make_repo({"train.py": TRAIN, "setup.cfg": scripts}), "FLX003", Status.FAIL)


def test_flx003_documented_extension_points(make_repo):
    page = "# Extending\n\nAdd a model in `src/churn/train.py` and its options in `configs/model/`.\n"
    files = {"src/churn/train.py": TRAIN, "configs/model/rf.yaml": "n_estimators: 10\n"}
    half = assert_status(make_repo({**files, "docs/extending.md": page}), "FLX003", Status.FAIL)
    assert half.credit == 0.5
    assert [e.path for e in half.evidence] == ["docs/extending.md"]
    assert "src/churn/train.py" in half.evidence[0].note
    # A page naming nothing of the repository documents nothing: no credit.
    vague = "# Extending\n\nSee `src/other/plugin.py` (not in this repository).\n"
    none = assert_status(make_repo({**files, "docs/extending.md": vague}), "FLX003", Status.FAIL)
    assert none.credit == 0
    # With a mechanism the check passes, and cites the page too.
    hydra = "import hydra\nmodel = hydra.utils.instantiate(cfg.model)\n"
    ok = assert_status(
        make_repo({**files, "src/churn/build.py": hydra, "docs/extending.md": page}), "FLX003", Status.PASS
    )
    assert [e.path for e in ok.evidence][-1] == "docs/extending.md"


def test_flx001_backend_ships_only_the_package_named_after_the_distribution(make_repo):
    """Poetry, hatchling, flit and uv_build build the package named after the distribution (or the one they are
    told): a monorepo's tooling pyproject named otherwise builds none of the project directories."""
    poetry = (
        '[tool.poetry]\nname = "ml-projects"\n\n'
        '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    files = {"pyproject.toml": poetry, "churn_project/__init__.py": "", "churn_project/run.py": TRAIN}
    result = assert_status(make_repo(files), "FLX001", Status.FAIL)
    assert "builds nothing" in result.message
    # the package named after the distribution, or one the backend is told to ship
    assert_status(make_repo({**files, "ml_projects/__init__.py": ""}), "FLX001", Status.PASS)
    told = poetry.replace(
        'name = "ml-projects"\n', 'name = "ml-projects"\npackages = [{include = "churn_project"}]\n'
    )
    assert_status(make_repo({**files, "pyproject.toml": told}), "FLX001", Status.PASS)
    flit = '[build-system]\nbuild-backend = "flit_core.buildapi"\n[project]\nname = "x-y"\n[tool.flit.module]\nname = "churn_project"\n'
    assert_status(make_repo({**files, "pyproject.toml": flit}), "FLX001", Status.PASS)
    # setuptools discovers packages whatever their name
    setuptools = '[build-system]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "ml-projects"\n'
    assert_status(make_repo({**files, "pyproject.toml": setuptools}), "FLX001", Status.PASS)


def test_flx001_project_template_generates_a_package(make_repo):
    gen = "{{ cookiecutter.repo_name }}"
    files = {
        "cookiecutter.json": '{"repo_name": "x"}\n',
        f"{gen}/pyproject.toml": PYPROJECT.replace('"churn"', '"{{ cookiecutter.repo_name }}"'),
        f"{gen}/src/{{{{ cookiecutter.package }}}}/__init__.py": "",
        f"{gen}/src/{{{{ cookiecutter.package }}}}/train.py": TRAIN,
    }
    result = assert_status(make_repo(files), "FLX001", Status.PASS)
    assert result.evidence[0].path == f"{gen}/pyproject.toml"
    # the generated project builds nothing unconditionally (build-system only in one Jinja branch)
    branch = "{% if cookiecutter.manager == 'poetry' %}\n" + PYPROJECT + "{% endif %}\n"
    assert_status(make_repo({**files, f"{gen}/pyproject.toml": branch}), "FLX001", Status.FAIL)


def test_flx003_class_path_in_configuration(make_repo):
    """``backend: inference.backend.Local`` in a config file, imported by its computed name in the code."""
    loader = (
        "import importlib\n"
        "def build(cfg):\n"
        "    module, cls = cfg['backend'].rsplit('.', 1)\n"
        "    return getattr(importlib.import_module(module), cls)()\n"
    )
    files = {
        "train.py": TRAIN,
        "src/common/loader.py": loader,
        "src/inference/backend.py": "class Local:\n    pass\n\n\nclass Sagemaker:\n    pass\n",
        "config/local.yml": "project: churn\nbackend: inference.backend.Local\n",
    }
    result = assert_status(make_repo(files), "FLX003", Status.PASS)
    assert str(result.evidence[0]) == "config/local.yml:2"
    # a class path the repository does not define, or code that imports only literal names
    assert_status(
        make_repo({**files, "config/local.yml": "backend: sklearn.svm.SVC\n"}), "FLX003", Status.FAIL
    )
    literal = loader.replace(
        "importlib.import_module(module)", "importlib.import_module('inference.backend')"
    )
    assert_status(make_repo({**files, "src/common/loader.py": literal}), "FLX003", Status.FAIL)


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


def test_flx004_environments_named_after_where_they_run(make_repo):
    """``configs/ci.yaml`` beside ``configs/dev.yaml``, ``config/sagemaker.yml`` beside ``config/local.yml``."""
    ok = assert_status(
        make_repo({"configs/dev.yaml": "a: 1\n", "configs/ci.yaml": "a: 2\n"}), "FLX004", Status.PASS
    )
    assert {e.note for e in ok.evidence} == {"ci", "dev"}
    files = {"config/local.yml": "a: 1\n", "config/sagemaker.yml": "a: 2\n"}
    assert_status(make_repo(files), "FLX004", Status.PASS)
    # only as the whole name of a file directly in a configuration directory
    elsewhere = {"configs/dev.yaml": "a: 1\n", ".gitlab-ci.yml": "a: 1\n", "conf/model/aws_ci.yaml": "a: 1\n"}
    assert_status(make_repo(elsewhere), "FLX004", Status.FAIL)


def test_flx004_no_model_of_its_own(make_repo):
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), "FLX004", Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), "FLX004", Status.FAIL)
