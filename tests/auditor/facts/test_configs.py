"""Configuration facts: frameworks, config files, component selection, environments, packaging."""

from __future__ import annotations

from mlops_audit.facts import configs
from mlops_audit.repo import Repo

HYDRA = """
import hydra
from hydra.utils import instantiate

@hydra.main(config_path="../conf", config_name="config", version_base=None)
def main(cfg):
    model = instantiate(cfg.model)
"""


def test_hydra_with_target(make_repo):
    repo = Repo(
        make_repo(
            {
                "src/train.py": HYDRA,
                "conf/config.yaml": "defaults: [model: rf]\n",
                "conf/model/rf.yaml": "_target_: sklearn.ensemble.RandomForestClassifier\nn_estimators: 10\n",
            }
        )
    )
    fact = configs.config_management_fact(repo)
    assert fact.value is True and str(fact.evidence[0]) == "src/train.py:4"
    assert "hydra" in configs.config_inventory(repo)
    assert set(configs.config_files(repo)) == {"conf/config.yaml", "conf/model/rf.yaml"}
    assert configs.target_entries(repo) == [("conf/model/rf.yaml", 1)]
    hows = {how for _, _, how in configs.instantiation_uses(repo)}
    assert {"hydra instantiate", "_target_"} <= hows


def test_other_frameworks(make_repo):
    repo = Repo(
        make_repo(
            {
                "cli.py": "from lightning.pytorch.cli import LightningCLI\nLightningCLI(Model)\n",
                "omega.py": "from omegaconf import OmegaConf\ncfg = OmegaConf.load('params.yaml')\n",
                "conf/base/parameters.yml": "lr: 0.1\n",
            }
        )
    )
    assert {"lightning_cli", "omegaconf", "kedro"} <= set(configs.config_inventory(repo))


AML_PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
inputs:
  n_estimators: 300
jobs:
  train:
    command: >-
      python train.py --n_estimators ${{inputs.n_estimators}}
"""


def test_azureml_job_spec_configures_the_run(make_repo):
    repo = Repo(make_repo({"mlops/azureml/train/pipeline.yml": AML_PIPELINE, "src/train.py": "print(1)\n"}))
    fact = configs.config_management_fact(repo)
    assert fact.value is True and str(fact.evidence[0]) == "mlops/azureml/train/pipeline.yml:1"
    # a job spec that passes nothing to its scripts, or another YAML, is no configuration of the run
    bare = AML_PIPELINE.replace("${{inputs.n_estimators}}", "300")
    assert configs.config_management_fact(Repo(make_repo({"pipeline.yml": bare}))).value is False


ENV_SETTINGS = (
    "import os\n"
    'PROJECT = os.getenv("PROJECT", "")\nREGION = os.getenv("REGION", "")\n'
    'TRAIN_LIMIT = os.getenv("TRAIN_LIMIT", "0")\nMODEL_NAME = os.getenv("MODEL_NAME", "m")\n'
    'ACCURACY_THRESHOLD = os.getenv("ACCURACY_THRESHOLD", "0.8")\n'
)


def test_settings_module_read_from_the_environment(make_repo):
    repo = Repo(make_repo({"src/pipelines/config.py": ENV_SETTINGS}))
    fact = configs.config_management_fact(repo)
    assert fact.value is True and str(fact.evidence[0]) == "src/pipelines/config.py:2"
    # a web service's settings (hosts, secrets), or a few variables, are no run configuration
    web = "import os\n" + "".join(
        f'{n} = os.getenv("{n}")\n' for n in ("DB_HOST", "DB_USER", "SECRET", "PORT", "DEBUG")
    )
    assert configs.config_management_fact(Repo(make_repo({"app/settings.py": web}))).value is False
    few = "import os\nTRAIN_LIMIT = os.getenv('TRAIN_LIMIT')\nMODEL = os.getenv('MODEL')\n"
    assert configs.config_management_fact(Repo(make_repo({"config.py": few}))).value is False


def test_dvc_params_and_yaml_loaded_by_code(make_repo):
    dvc_repo = Repo(
        make_repo({"params.yaml": "lr: 1\n", "dvc.yaml": "stages:\n  t:\n    cmd: x\n    params: [lr]\n"})
    )
    assert configs.config_management_fact(dvc_repo).value is True
    loaded = Repo(
        make_repo(
            {
                "train.py": "import yaml\nparams = yaml.safe_load(open('params.yaml'))\n",
                "params.yaml": "a: 1\n",
            }
        )
    )
    assert configs.config_management_fact(loaded).value is True


def test_hardcoded_parameters_only(make_repo):
    repo = Repo(
        make_repo(
            {
                "train.py": "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', default=0.1)\n",
                ".github/workflows/ci.yml": "on: push\n",
                "mkdocs.yml": "site_name: x\n",
            }
        )
    )
    assert configs.config_management_fact(repo).value is False
    assert configs.config_files(repo) == []


def test_settings_from_environment_variables_and_ci_read_configs(make_repo):
    """A settings module reading five or more environment variables, or a config file a CI workflow names, is
    configuration management; two variables, or a workflow naming only a folder, are not."""
    names = ("PROJECT", "REGION", "GCS_LOCATION", "TRAIN_LIMIT", "ACCURACY_THRESHOLD")
    settings = "import os\n" + "".join(f"{n} = os.getenv('{n}', '')\n" for n in names)
    assert configs.config_management_fact(Repo(make_repo({"src/config.py": settings}))).value is True
    two = "import os\n" + "".join(f"{n} = os.getenv('{n}', '')\n" for n in names[:2])
    assert configs.config_management_fact(Repo(make_repo({"src/config.py": two}))).value is False
    infra = {"config-infra-dev.yml": "location: westeurope\n"}
    named = {
        **infra,
        ".github/workflows/t.yml": "jobs:\n  a:\n    steps:\n      - run: read config-infra-dev.yml\n",
    }
    assert configs.config_management_fact(Repo(make_repo(named))).value is True
    folder = {**infra, ".github/workflows/t.yml": "jobs:\n  a:\n    steps:\n      - run: ruff check infra/\n"}
    assert configs.config_management_fact(Repo(make_repo(folder))).value is False


def test_environment_configs(make_repo):
    repo = Repo(
        make_repo(
            {
                "conf/env/dev.yaml": "a: 1\n",
                "conf/env/prod.yaml": "a: 2\n",
                "deploy/overlays/staging/kustomization.yaml": "resources: []\n",
                ".env.production": "X=1\n",
                "tests/prod.yaml": "a: 1\n",
                "src/produce.py": "x = 1\n",
            }
        )
    )
    envs = configs.environment_configs(repo)
    assert set(envs) == {"dev", "prod", "staging"}
    assert "tests/prod.yaml" not in envs["prod"]


def test_package_layout_src_and_flat(make_repo):
    src = Repo(
        make_repo(
            {
                "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
                '[project]\nname = "churn-model"\nrequires-python = ">=3.11"\n',
                "src/churn_model/__init__.py": "",
                "tests/__init__.py": "",
            }
        )
    )
    layout = configs.package_layout(src)
    assert (layout.layout, layout.package_dir, layout.import_name) == (
        "src",
        "src/churn_model",
        "churn_model",
    )
    assert layout.installable and layout.build_backend == "hatchling.build" and layout.line == 1
    assert configs.python_version(src) == ">=3.11"
    flat = Repo(
        make_repo({"setup.py": "setup(name='pkg', python_requires='>=3.10')\n", "pkg/__init__.py": ""})
    )
    layout = configs.package_layout(flat)
    assert (layout.layout, layout.build_file, layout.name, layout.python_requires) == (
        "flat",
        "setup.py",
        "pkg",
        ">=3.10",
    )
    scripts = Repo(make_repo({"train.py": "x = 1\n", ".python-version": "3.12\n"}))
    layout = configs.package_layout(scripts)
    assert not layout.installable and layout.python_requires == "3.12"


def test_malformed_pyproject_is_a_note(make_repo):
    repo = Repo(make_repo({"pyproject.toml": "[project\nname=", "pkg/__init__.py": ""}))
    assert configs.package_layout(repo).build_file is None
    assert any(n.path == "pyproject.toml" for n in repo.notes)


def test_malformed_inputs_never_raise(make_repo):
    from mlops_audit import facts
    from mlops_audit.checks import load_checks

    root = make_repo(
        {
            "dvc.yaml": "stages: [1, 2\n",
            "sub/dvc.yaml": "stages:\n  a: 3\n  b:\n    outs: {x: [1]}\n",
            "x.dvc": "- not a mapping\n",
            ".dvc/config": "\0\0binary",
            "Dockerfile": "FROM\nUSER\nRUN <<EOF\necho hi\nEOF\nHEALTHCHECK\n",
            "compose.yaml": "services: [a, b]\n",
            "k8s/a.yaml": "apiVersion: v1\nkind: Pod\nspec: !!python/object:os.system {}\n",
            "conf/c.yaml": ":\n  - [",
            "pyproject.toml": "[tool.poe.tasks]\ntrain = 3\nall = [1, {ref = 'train'}]\n",
            "Makefile": "train data evaluate:\n\tpython x.py\n: broken\n",
            ".gitignore": "[\n!\n\\\n",
            ".gitattributes": "filter=lfs\n",
            "bad.py": "def (:\n",
            "nb.ipynb": "{not json .fit(",
        }
    )
    repo = Repo(root)
    facts.load()
    for name in (
        "config_management",
        "data_versioning",
        "pipeline_defined",
        "containerized",
        "model_serving",
    ):
        facts.REPORT_FACTS[name](repo)
    for category in (
        "pipeline_frameworks",
        "config_frameworks",
        "serving_frameworks",
        "data_versioning",
        "containers",
    ):
        facts.INVENTORY[category](repo)
    for check in load_checks().values():
        if check.family in ("VER", "PIP", "DEP", "FLX"):
            check.run(repo)
    assert any(n.path == "dvc.yaml" for n in repo.notes)
