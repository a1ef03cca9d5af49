"""Dependency facts: declarations from every source, locks (and what is not a lock), Python pins."""

from __future__ import annotations

from mlops_audit.facts import dependencies as deps
from mlops_audit.repo import Repo


def test_requirements_parsing_pins_and_local_entries() -> None:
    reqs = deps.parse_requirements_text(
        "# comment\nnumpy==1.26.4\npandas>=2  # range\nScikit_Learn[all]==1.4.0 \\\n  --hash=sha256:abc\n"
        "mypkg @ file:///home/u/mypkg\n-e .\n-r base.txt\ntorch @ https://example.org/torch.whl\n",
        "requirements.txt",
    )
    by_name = {r.name: r for r in reqs if r.name}
    assert by_name["numpy"].pinned and by_name["numpy"].line == 2
    assert not by_name["pandas"].pinned
    assert by_name["scikit-learn"].pinned and by_name["scikit-learn"].line == 4
    assert by_name["mypkg"].local and not by_name["mypkg"].pinned
    assert not by_name["torch"].pinned
    assert any(r.local and r.raw == "-e ." for r in reqs)


def test_requirements_in_a_subfolder_count_as_declared(make_repo) -> None:
    root = make_repo({"app/requirements/base.txt": "pandas>=2\n", "app/main.py": "import pandas\n"})
    fact = deps.deps_declared_fact(Repo(root))
    assert fact.value is True
    assert fact.evidence[0].path == "app/requirements/base.txt"


def test_no_declaration_is_false(make_repo) -> None:
    root = make_repo({"main.py": "import pandas\n", "README.md": "pandas\n"})
    assert deps.deps_declared_fact(Repo(root)).value is False


def test_every_declaration_source(make_repo) -> None:
    root = make_repo(
        {
            "pyproject.toml": """
                [project]
                name = "demo"
                dependencies = ["pandas>=2"]
                [project.optional-dependencies]
                plot = ["matplotlib"]
                [dependency-groups]
                dev = ["pytest", {include-group = "lint"}]
                lint = ["ruff"]
                [tool.poetry.group.ml.dependencies]
                torch = "^2"
            """,
            "environment.yml": "name: x\ndependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - mlflow==2.0\n",
            "setup.py": "from setuptools import setup\nsetup(name='x', install_requires=['requests>=2'])\n",
            "setup.cfg": "[options]\ninstall_requires =\n    pyyaml\n",
            "Pipfile": '[packages]\nflask = "*"\n',
        }
    )
    names = deps.declared_names(Repo(root))
    assert {
        "pandas",
        "matplotlib",
        "pytest",
        "ruff",
        "torch",
        "numpy",
        "mlflow",
        "requests",
        "pyyaml",
        "flask",
    } <= names


def test_setup_py_is_never_executed_and_computed_requires_still_declared(make_repo, tmp_path) -> None:
    marker = tmp_path / "executed"
    root = make_repo(
        {
            "setup.py": f"open({str(marker)!r}, 'w').write('x')\nfrom setuptools import setup\n"
            "setup(install_requires=open('requirements.in').read().split())\n"
        }
    )
    assert deps.deps_declared_fact(Repo(root)).value is True
    assert not marker.exists()


def test_malformed_pyproject_is_a_note(make_repo) -> None:
    root = make_repo({"pyproject.toml": "[project\nname = 'x'\n", "requirements.txt": "numpy\n"})
    repo = Repo(root)
    assert deps.declared_names(repo) == {"numpy"}
    assert any("invalid TOML" in n.message for n in repo.notes)


def test_lock_files_are_locks(make_repo) -> None:
    for name in ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "pylock.toml"):
        root = make_repo({name: "x\n", "requirements.txt": "numpy\n"})
        fact = deps.deps_locked_fact(Repo(root))
        assert fact.value is True, name
        assert fact.evidence[0].path == name


def test_dvc_lock_is_not_a_dependency_lock(make_repo) -> None:
    root = make_repo({"dvc.lock": "schema: '2.0'\nstages: {}\n", "requirements.txt": "numpy>=1\n"})
    assert deps.deps_locked_fact(Repo(root)).value is False


def test_fully_pinned_requirements_are_a_lock(make_repo) -> None:
    root = make_repo({"requirements.txt": "numpy==1.26.4\npandas==2.2.2 ; python_version > '3.8'\n"})
    fact = deps.deps_locked_fact(Repo(root))
    assert fact.value is True
    assert fact.evidence[0].path == "requirements.txt"


def test_partially_pinned_requirements_are_not_a_lock(make_repo) -> None:
    root = make_repo({"requirements.txt": "numpy==1.26.4\npandas\n"})
    assert deps.deps_locked_fact(Repo(root)).value is False


def test_pip_freeze_with_file_urls_is_not_a_lock(make_repo) -> None:
    root = make_repo(
        {"requirements.txt": "numpy==1.26.4\nmkl-service @ file:///croot/mkl-service_1/work\nsix==1.16.0\n"}
    )
    repo = Repo(root)
    assert deps.deps_locked_fact(repo).value is False
    assert deps.lock_status(repo).unlockable[0][:2] == ("requirements.txt", 2)


def test_python_version_pins(make_repo) -> None:
    assert deps.python_version_pins(Repo(make_repo({".python-version": "3.12\n"})))[0][:2] == (
        ".python-version",
        1,
    )
    root = make_repo({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n'})
    assert deps.python_version_pins(Repo(root))[0][:2] == ("pyproject.toml", 3)
    root = make_repo({"environment.yml": "dependencies:\n  - python=3.10\n  - numpy\n"})
    assert deps.python_version_pins(Repo(root))[0][:2] == ("environment.yml", 2)
    assert deps.python_version_pins(Repo(make_repo({"requirements.txt": "numpy\n"}))) == []


def test_import_mapping() -> None:
    declared = {"scikit-learn", "pyyaml", "opencv-python-headless", "pillow", "google-cloud-storage"}
    for name in ("sklearn", "yaml", "cv2", "PIL", "google"):
        assert deps.is_declared(name, declared), name
    assert not deps.is_declared("pandas", declared)
    assert deps.is_stdlib("json") and deps.is_stdlib("__future__") and not deps.is_stdlib("numpy")


def test_dependency_managers_inventory(make_repo) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[project]\nname = "x"\n[tool.uv]\n',
            "uv.lock": "",
            "environment.yml": "dependencies: []\n",
        }
    )
    assert deps.dependency_managers(Repo(root)) == ["uv", "conda"]
