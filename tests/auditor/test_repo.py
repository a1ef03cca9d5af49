"""Repo: the file list (git and plain directories), sizes from git metadata, safe reading."""

from __future__ import annotations

import os

from mlops_audit.repo import Repo


def test_git_listing_includes_untracked_but_not_ignored(make_repo):
    root = make_repo({"a.py": "x", ".gitignore": "ignored.txt\n"})
    (root / "new.py").write_text("y")
    (root / "ignored.txt").write_text("z")
    repo = Repo(root)
    assert repo.is_git
    assert set(repo.entries) == {"a.py", ".gitignore", "new.py"}
    assert repo.entries["a.py"].tracked and not repo.entries["new.py"].tracked


def test_tracked_blob_missing_from_worktree_keeps_its_size(make_repo):
    root = make_repo({"model.pkl": b"\0" * 4096, "README.md": "x"})
    (root / "model.pkl").unlink()
    entry = Repo(root).entries["model.pkl"]
    assert entry.tracked and not entry.present and entry.size == 4096
    assert Repo(root).read_bytes("model.pkl") is None


def test_non_git_walk_honours_nested_gitignores(make_repo):
    root = make_repo(
        {"keep.py": "", "sub/.gitignore": "*.csv\n", "sub/data.csv": "", "sub/code.py": "", "node/x.js": ""},
        git=False,
    )
    (root / ".gitignore").write_text("node/\n")
    repo = Repo(root)
    assert not repo.is_git
    assert set(repo.entries) == {"keep.py", ".gitignore", "sub/.gitignore", "sub/code.py"}


def test_exclude_patterns(make_repo):
    root = make_repo({"a.py": "", "legacy/b.py": ""})
    assert set(Repo(root, exclude=["legacy/"]).entries) == {"a.py"}


def test_non_utf8_names_are_listed(make_repo):
    root = make_repo({"README.md": "x"}, git=False)
    name = os.fsdecode(b"caf\xe9.py")
    (root / name).write_text("print(1)")
    repo = Repo(root)
    assert name in repo.entries
    assert repo.read_text(name) == "print(1)"


def test_reads_are_cached_and_binary_is_not_text(make_repo):
    root = make_repo({"bin.py": b"\x00\x01\x02", "a.txt": "hello"})
    repo = Repo(root)
    assert repo.read_text("bin.py") is None
    assert any(n.path == "bin.py" for n in repo.notes)
    assert repo.read_bytes("a.txt") is repo.read_bytes("a.txt")


def test_subproject_view_shares_the_cache(make_repo):
    root = make_repo({"svc/a.py": "x = 1", "b.py": ""})
    repo = Repo(root)
    view = repo.subproject("svc")
    assert list(view.entries) == ["a.py"]
    assert view.read_bytes("a.py") is repo.read_bytes("svc/a.py")


def test_glob_patterns(make_repo):
    root = make_repo({"src/pkg/train.py": "", "tests/test_x.py": "", ".github/workflows/ci.yml": ""})
    repo = Repo(root)
    assert repo.glob("*.py") == ["src/pkg/train.py", "tests/test_x.py"]
    assert repo.glob(".github/workflows/*.yml") == [".github/workflows/ci.yml"]
    assert repo.glob("src/**/train.py") == ["src/pkg/train.py"]


def test_detached_and_uncommitted_repo(make_repo, run_git):
    root = make_repo({"a.py": ""}, git=False)
    run_git(root, "init", "-q")
    assert set(Repo(root).entries) == {"a.py"}  # untracked in a fresh repository


def test_word_needles_match_whole_words_only(make_repo):
    from mlops_audit.repo import word

    root = make_repo(
        {"serve.py": "from ray import serve\n", "observe.py": "observed = reserve()\n", "both.py": "x"}
    )
    repo = Repo(root)
    assert repo.grep(["serve.py", "observe.py"], word("serve")) == ["serve.py"]
    # plain and whole-word needles together: any of them
    assert sorted(repo.grep(["serve.py", "observe.py", "both.py"], b"observed", word("serve"))) == [
        "observe.py",
        "serve.py",
    ]
    # a plain needle spelling the same word is a different question (and a different cache bit)
    assert sorted(repo.grep(["serve.py", "observe.py"], b"serve")) == ["observe.py", "serve.py"]


def test_unchanged_tracked_files_are_stat_ed_only_when_their_size_is_read(make_repo, monkeypatch):
    from mlops_audit import gitls

    root = make_repo({"a.py": "x = 1\n", "b.txt": "hello\n", "sub/c.py": "y = 2\n"})
    (root / "b.txt").write_text("changed\n")  # modified since the commit: stat'ed with the listing
    (root / "new.txt").write_text("untracked\n")
    calls: list[str] = []
    real = os.lstat
    monkeypatch.setattr(
        gitls.os, "lstat", lambda path, *a, **k: calls.append(str(path)) or real(path, *a, **k)
    )
    repo = Repo(root)
    entries = repo.entries
    files = {"a.py", "b.txt", "c.py", "new.txt"}

    def stat_ed() -> list[str]:
        return sorted(name for p in calls if (name := p.rsplit("/", 1)[-1]) in files)

    assert stat_ed() == ["b.txt", "new.txt"]
    assert entries["a.py"].blob and not entries["a.py"].modified and entries["b.txt"].modified
    view = repo.subproject("sub")
    assert view.entries["c.py"].path == "c.py"  # a view's copy is not stat'ed either
    assert stat_ed() == ["b.txt", "new.txt"]
    for path in ("a.py", "sub/c.py"):
        st = real(root / path)
        assert (entries[path].size, entries[path].mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert view.entries["c.py"].size == 6
    assert entries["a.py"] == gitls.FileEntry(
        "a.py", 6, entries["a.py"].blob, True, True, False, entries["a.py"].mtime_ns
    )
