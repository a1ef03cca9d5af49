"""DVC facts, parsed from files only (dvc is never run)."""

from __future__ import annotations

from mlops_audit.facts import dvc
from mlops_audit.repo import Repo

DVC_YAML = """
stages:
  prepare:
    cmd: python -m pkg.data
    deps: [data/raw]
    outs: [data/processed]
  train:
    cmd:
      - python -m pkg.train
    deps:
      - data/processed
    params:
      - train.lr
      - params.yaml:
          - seed
    outs:
      - models/model.pkl:
          cache: true
    metrics:
      - metrics.json:
          cache: false
"""

CONFIG = """[core]
    remote = storage
['remote "storage"']
    url = s3://bucket/dvc
"""


def test_stages_parsed_with_lines(make_repo):
    repo = Repo(make_repo({"dvc.yaml": DVC_YAML}))
    stages = {s.name: s for s in dvc.stages(repo)}
    assert set(stages) == {"prepare", "train"}
    assert stages["prepare"].line == 2 and stages["train"].line == 6
    train = stages["train"]
    assert train.cmd == ("python -m pkg.train",)
    assert train.deps == ("data/processed",)
    assert "models/model.pkl" in train.outs and "metrics.json" in train.metrics
    assert "train.lr" in train.params and "params.yaml:seed" in train.params
    assert dvc.is_dvc_tracked(repo, "models/model.pkl")
    assert dvc.data_versioning_fact(repo).value is True


def test_nested_dvc_yaml_paths_are_rebased(make_repo):
    repo = Repo(make_repo({"proj/dvc.yaml": "stages:\n  s:\n    cmd: x\n    outs: [out/]\n"}))
    assert dvc.tracked_outputs(repo) == ["proj/out"]


def test_pointer_files(make_repo):
    repo = Repo(make_repo({"data/raw.dvc": "outs:\n- md5: abc\n  path: raw\n", ".dvc/config": ""}))
    assert [(p.path, p.outs) for p in dvc.pointers(repo)] == [("data/raw.dvc", ("data/raw",))]
    assert dvc.is_dvc_tracked(repo, "data/raw/file.csv")
    assert dvc.uses_dvc(repo)
    assert "dvc" in dvc.data_versioning_inventory(repo)


def test_remote_declared_in_config_counts_without_dvc_installed(make_repo):
    repo = Repo(make_repo({".dvc/config": CONFIG, "data.dvc": "outs:\n- path: data\n"}))
    cfg = dvc.config(repo)
    assert [(r.name, r.url, r.line) for r in cfg.remotes] == [("storage", "s3://bucket/dvc", 3)]
    assert cfg.default_remote == "storage" and cfg.default_line == 2


def test_malformed_files_become_notes(make_repo):
    repo = Repo(make_repo({".dvc/config": "[core\nremote = x\n", "dvc.yaml": "stages: [unclosed\n"}))
    assert dvc.config(repo).remotes == ()
    assert dvc.stages(repo) == []
    assert {n.path for n in repo.notes} == {".dvc/config", "dvc.yaml"}


def test_no_dvc(make_repo):
    repo = Repo(make_repo({"src/a.py": "x = 1\n"}))
    assert not dvc.uses_dvc(repo)
    assert dvc.data_versioning_fact(repo).value is False


def test_lfs_for_data_counts_but_images_do_not(make_repo):
    images = Repo(make_repo({".gitattributes": "*.png filter=lfs diff=lfs merge=lfs -text\n"}))
    assert dvc.data_versioning_fact(images).value is False
    data = Repo(make_repo({".gitattributes": "*.parquet filter=lfs diff=lfs merge=lfs -text\n"}))
    fact = dvc.data_versioning_fact(data)
    assert fact.value is True and str(fact.evidence[0]) == ".gitattributes:1"
