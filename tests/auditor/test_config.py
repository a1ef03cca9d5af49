"""Configuration: files, validation (exit 2 material), command-line overrides."""

from __future__ import annotations

import pytest
from mlops_audit.checks import load_checks
from mlops_audit.config import Config, ConfigError, load, merge, parse, validate


def test_pyproject_table_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlops-audit]\nprofile = "research"\nfail-under = 70\nselect = ["doc"]\n'
        'ignore = {DOC002 = "no license on purpose"}\nexclude = ["legacy/**"]\n'
    )
    config = load(tmp_path)
    assert config.profile == "research"
    assert config.fail_under == 70.0
    assert config.select == ("DOC",)
    assert config.ignore == {"DOC002": "no license on purpose"}
    assert config.exclude == ("legacy/**",)
    assert config.source == "pyproject.toml [tool.mlops-audit]"


def test_dedicated_file_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mlops-audit]\nprofile = "research"\n')
    (tmp_path / ".mlops-audit.toml").write_text('profile = "service"\n')
    assert load(tmp_path).profile == "service"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"selct": ["DOC"]}, "unknown configuration key"),
        ({"fail-on": "fatal"}, "fail-on"),
        ({"fail-under": 120}, "fail-under"),
        ({"profile": "prod"}, "profile"),
        ({"ignore": [{"id": "DOC001", "because": "x"}]}, "only 'id' and 'reason'"),
        ({"options": {"DOC001": 3}}, "table of tables"),
    ],
)
def test_bad_values_are_errors(table, message):
    with pytest.raises(ConfigError, match=message):
        parse(table, source="test")


def test_unknown_ids_and_options_are_errors():
    checks = load_checks()
    with pytest.raises(ConfigError, match="unknown check"):
        validate(parse({"ignore": ["NOPE001"]}), checks)
    with pytest.raises(ConfigError, match="unknown check or family"):
        validate(parse({"select": ["NOPE"]}), checks)
    with pytest.raises(ConfigError, match="has no option"):
        validate(parse({"options": {"DOC001": {"colour": "red"}}}), checks)


def test_invalid_toml_config_file_is_an_error(tmp_path):
    (tmp_path / ".mlops-audit.toml").write_text("profile = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(tmp_path)


def test_broken_pyproject_is_not_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    assert load(tmp_path) == Config()


def test_command_line_overrides():
    base = parse({"ignore": ["DOC001: old"], "profile": "research"})
    merged = merge(
        base, ignore=["DOC002: new reason"], profile="service", select=["doc001,DOC002"], fail_under=50
    )
    assert merged.ignore == {"DOC001": "old", "DOC002": "new reason"}
    assert merged.profile == "service"
    assert merged.select == ("DOC001", "DOC002")
    assert merged.fail_under == 50.0


def test_option_keys_are_kebab_case_and_typed(tmp_path):
    from mlops_audit.checks import load_checks
    from mlops_audit.config import Config, validate

    checks = load_checks()
    with pytest.raises(ConfigError, match="kebab-case: 'max-missing'"):
        validate(Config(options={"REP003": {"max_missing": 2}}), checks)
    with pytest.raises(ConfigError, match="must be a list"):
        validate(Config(options={"REP003": {"ignore": "google.colab"}}), checks)
    validate(Config(options={"REP003": {"ignore": ["google.colab"], "max-missing": 2}}), checks)
    validate(Config(options={"VER002": {"max-file-mb": 10}}), checks)  # an int where a float is expected
