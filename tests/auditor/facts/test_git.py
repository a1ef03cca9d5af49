"""Git facts: ignore rules, LFS patterns, large files (including blobs deleted from the working tree)."""

from __future__ import annotations

from mlops_audit.facts import git as gitfacts
from mlops_audit.repo import Repo

from tests.helpers.repos import git

MB = 1_000_000


def test_is_ignored_follows_gitignore_rules_and_nesting(make_repo):
    root = make_repo(
        {
            ".gitignore": "# data\n/data/\n*.pkl\n!keep.pkl\n",
            "sub/.gitignore": "local.yaml\n",
            "src/app.py": "x = 1\n",
        }
    )
    repo = Repo(root)
    assert gitfacts.is_ignored(repo, "data/raw.csv")
    assert gitfacts.is_ignored(repo, "data", is_dir=True)
    assert gitfacts.is_ignored(repo, "models/model.pkl")
    assert not gitfacts.is_ignored(repo, "models/keep.pkl")
    assert gitfacts.is_ignored(repo, "sub/local.yaml")
    assert not gitfacts.is_ignored(repo, "local.yaml")
    assert not gitfacts.is_ignored(repo, "src/app.py")
    rule = gitfacts.ignore_rule(repo, "data/raw.csv")
    assert rule is not None and rule.path == ".gitignore" and rule.line == 2 and rule.pattern == "/data/"


def test_lfs_patterns_from_gitattributes(make_repo):
    root = make_repo({".gitattributes": "*.parquet filter=lfs diff=lfs merge=lfs -text\n*.py text\n"})
    repo = Repo(root)
    assert [(p.pattern, p.line) for p in gitfacts.lfs_patterns(repo)] == [("*.parquet", 1)]
    assert gitfacts.is_lfs(repo, "data/x.parquet")
    assert not gitfacts.is_lfs(repo, "src/x.py")


def test_large_and_data_files(make_repo):
    root = make_repo(
        {
            "big.bin": b"\0" * (6 * MB),
            "data/train.csv": b"a,b\n" * 300_000,  # 1.2 MB data file
            "small.csv": "a,b\n1,2\n",
            "src/code.py": "x = 1\n",
        }
    )
    repo = Repo(root)
    found = {f.path: f.reason for f in gitfacts.large_files(repo)}
    assert found == {"big.bin": "large", "data/train.csv": "data"}
    assert gitfacts.large_files_fact(repo).value is True
    assert {f.path for f in gitfacts.large_files(repo, max_file_mb=10, max_data_mb=7)} == set()


def test_deleted_but_tracked_blob_still_counts(make_repo):
    root = make_repo({"model.bin": b"\1" * (6 * MB), "README.md": "x\n"})
    (root / "model.bin").unlink()  # deleted from disk, never `git rm`-ed
    repo = Repo(root)
    [found] = gitfacts.large_files(repo)
    assert found.path == "model.bin" and not found.present and found.size == 6 * MB
    assert gitfacts.large_files_fact(repo).value is True


def test_lfs_files_are_not_large_files_in_git(make_repo):
    root = make_repo({".gitattributes": "*.bin filter=lfs\n", "w.bin": b"\0" * (6 * MB)})
    assert gitfacts.large_files(Repo(root)) == []


def test_no_git_means_unknown(make_repo):
    root = make_repo({"big.bin": b"\0" * (6 * MB)}, git=False)
    assert gitfacts.large_files_fact(Repo(root)).value is None


def test_model_files_and_fixtures(make_repo):
    root = make_repo({"models/m.pkl": b"x", "tests/fixtures/m.pkl": b"x", "data/x.csv": "a\n"})
    repo = Repo(root)
    assert gitfacts.model_files(repo) == ["models/m.pkl"]
    assert gitfacts.data_files(repo) == ["data/x.csv"]
    git(root, "status")  # the fixture is a real git repository
