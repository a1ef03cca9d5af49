"""DAT checks: pass, fail and not-applicable fixtures for each."""

from __future__ import annotations

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

PASS, FAIL, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE

SCHEMA = "import pandera as pa\nclass Raw(pa.DataFrameModel):\n    amount: float\ndef validate_raw(df):\n    return Raw.validate(df)\n"


def test_dat001_schema_defined(make_repo) -> None:
    result = assert_status(make_repo({"src/schema.py": SCHEMA}), "DAT001", PASS)
    assert str(result.evidence[0]) == "src/schema.py:1"
    assert_status(
        make_repo({"gx/expectations/raw.json": '{"expectations": []}', "main.py": ""}), "DAT001", PASS
    )
    fit = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(df, y)\n"
    assert_status(
        make_repo({"main.py": "import pandas as pd\ndf = pd.read_csv('x.csv')\n" + fit}), "DAT001", FAIL
    )
    # data read by a script that neither trains, runs a pipeline nor serves: nothing to validate it for
    assert_status(make_repo({"main.py": "import pandas as pd\ndf = pd.read_csv('x.csv')\n"}), "DAT001", NA)
    assert_status(make_repo({"README.md": ""}), "DAT001", NA)


FIT = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(df, y)\n"


def test_dat001_equivalent_schema_tools(make_repo) -> None:
    """dbt column tests, a Feast feature view's typed schema and data tests count as a written-down schema; the
    same files without the tests, the typed schema or the data checks do not."""
    dbt = "version: 2\nmodels:\n  - name: sessions\n    columns:\n      - name: SESSION_ID\n        tests: [unique, not_null]\n"
    untested = (
        "version: 2\nmodels:\n  - name: sessions\n    columns:\n      - name: SESSION_ID\n        tests: []\n"
    )
    result = assert_status(make_repo({"train.py": FIT, "dbt/models/schema.yml": dbt}), "DAT001", PASS)
    assert "dbt tests" in result.message
    assert_status(make_repo({"train.py": FIT, "dbt/models/schema.yml": untested}), "DAT001", FAIL)
    feast = (
        "from feast import FeatureView, Field\nfrom feast.types import Float64\n"
        "fv = FeatureView(name='f', entities=[], schema=[Field(name='radius', dtype=Float64)])\n"
    )
    assert_status(make_repo({"train.py": FIT, "features.py": feast}), "DAT001", PASS)
    store = "from feast import FeatureStore\nstore = FeatureStore(repo_path='.')\n"  # retrieval only
    assert_status(make_repo({"train.py": FIT, "features.py": store}), "DAT001", FAIL)
    data_test = (
        "import pandas as pd\nexpected_columns = 10\n"
        "def test_check_schema():\n    assert pd.read_csv(path).shape[1] == expected_columns\n"
    )
    assert_status(make_repo({"train.py": FIT, "data/data_test.py": data_test}), "DAT001", PASS)
    code_test = "import pandas as pd\ndef test_train_runs():\n    train(pd.read_csv(path))\n"
    assert_status(make_repo({"train.py": FIT, "tests/test_train.py": code_test}), "DAT001", FAIL)


def test_dat002_validated_before_training(make_repo) -> None:
    inline = (
        SCHEMA
        + "from sklearn.ensemble import RandomForestClassifier\ndf = validate_raw(df)\nRandomForestClassifier().fit(df, y)\n"
    )
    assert_status(make_repo({"train.py": inline}), "DAT002", PASS)
    via_import = {
        "src/pkg/schema.py": SCHEMA,
        "src/pkg/train.py": "from pkg.schema import validate_raw\nimport torch\nvalidate_raw(df)\nmodel.fit(df)\n",
    }
    assert_status(make_repo(via_import), "DAT002", PASS)
    dvc = "stages:\n  validate:\n    cmd: python -m pkg.validate\n  train:\n    cmd: python -m pkg.train\n"
    result = assert_status(make_repo({"src/pkg/schema.py": SCHEMA, "dvc.yaml": dvc}), "DAT002", PASS)
    assert str(result.evidence[0]) == "dvc.yaml:2"
    unused = {"src/pkg/schema.py": SCHEMA, "src/pkg/train.py": "import torch\nmodel.fit(df)\n"}
    assert_status(make_repo(unused), "DAT002", FAIL)
    blocked = assert_status(make_repo({"train.py": "import torch\nmodel.fit(df)\n"}), "DAT002", FAIL)
    assert blocked.message.startswith("needs DAT001 first")  # no validation at all: never better than partial
    assert_status(make_repo({"schema_only.py": SCHEMA}), "DAT002", NA)  # no training: not applicable


def test_dat002_what_is_not_data_validation_on_the_training_path(make_repo) -> None:
    """A settings validator, a model validation loop and a serving-side input check that training never calls
    do not validate the training data; a validation function the training file calls does."""
    settings = (
        "from pydantic import BaseSettings, field_validator\nclass Settings(BaseSettings):\n    num_gpus: int = 0\n"
        "    @field_validator('num_gpus')\n    def _check(cls, v):\n        return v\n"
    )
    train = "from pkg.config import Settings\nimport torch\nmodel.fit(x)\n"
    base = {"src/pkg/schema.py": SCHEMA, "src/pkg/config.py": settings, "src/pkg/train.py": train}
    assert_status(make_repo(base), "DAT002", FAIL)
    loop = "import torch\ndef log_validation(pipe):\n    pipe('a prompt')\nmodel.fit(x)\nlog_validation(p)\n"
    assert_status(make_repo({"src/pkg/schema.py": SCHEMA, "src/pkg/train.py": loop}), "DAT002", FAIL)
    serving = "def validate_prediction_input(pre, df):\n    return pre.validate_input(df)\n"
    uses = "from pkg.pre import load\nimport torch\nmodel.fit(load())\n"
    files = {"src/pkg/schema.py": SCHEMA, "src/pkg/pre.py": serving, "src/pkg/train.py": uses}
    assert_status(make_repo(files), "DAT002", FAIL)
    calls = (
        uses.replace("import load", "import load, validate_prediction_input")
        + "validate_prediction_input(p, d)\n"
    )
    assert_status(make_repo({**files, "src/pkg/train.py": calls}), "DAT002", PASS)


def test_dat003_drift(make_repo) -> None:
    assert_status(
        make_repo({"monitor.py": "from evidently.presets import DataDriftPreset\n"}), "DAT003", PASS
    )
    assert_status(
        make_repo({"drift.py": "from scipy.stats import ks_2samp\nks_2samp(a, b)\n"}), "DAT003", PASS
    )
    assert_status(make_repo({"train.py": "import torch\n"}), "DAT003", FAIL)
    assert_status(make_repo({"README.md": "drift"}), "DAT003", NA)
    # a managed platform's model monitoring: Vertex AI drift detection, SageMaker Model Monitor
    vertex = (
        "from google.cloud import aiplatform_v1beta1 as vertex_ai_beta\n"
        "cfg = vertex_ai_beta.ModelMonitoringObjectiveConfig.PredictionDriftDetectionConfig(drift_thresholds=t)\n"
    )
    assert_status(make_repo({"train.py": "import torch\n", "monitoring.py": vertex}), "DAT003", PASS)
    sagemaker = "from sagemaker.model_monitor import DefaultModelMonitor\nm = DefaultModelMonitor(role=r)\n"
    assert_status(make_repo({"train.py": "import torch\n", "monitor.py": sagemaker}), "DAT003", PASS)
    # metrics exported to InfluxDB and a Grafana shipped with the repository: its alert rules are not code
    influx = "from influxdb_client import InfluxDBClient, Point\nclient = InfluxDBClient(url=u)\n"
    grafana = "services:\n  grafana:\n    image: grafana/grafana:latest\n"
    stack = {"train.py": "import torch\n", "log_run.py": influx, "docker-compose.yml": grafana}
    assert_status(make_repo(stack), "DAT003", Status.UNKNOWN)
    no_grafana = {**stack, "docker-compose.yml": "services:\n  db:\n    image: postgres\n"}
    assert_status(make_repo(no_grafana), "DAT003", FAIL)
    endpoint = (
        "from google.cloud import aiplatform\nendpoint = aiplatform.Endpoint.create(display_name='x')\n"
    )
    assert_status(make_repo({"train.py": "import torch\n", "deploy.py": endpoint}), "DAT003", FAIL)


def test_dat004_reproducible_splits(make_repo) -> None:
    seeded = "from sklearn.model_selection import train_test_split, KFold\ntrain_test_split(X, y, random_state=0)\nKFold(5)\n"
    assert_status(make_repo({"split.py": seeded}), "DAT004", PASS)
    global_seed = "import numpy as np\nfrom sklearn.model_selection import train_test_split\nnp.random.seed(0)\ntrain_test_split(X, y)\n"
    assert_status(make_repo({"split.py": global_seed}), "DAT004", PASS)
    unseeded = "from sklearn.model_selection import train_test_split, KFold\ntrain_test_split(X, y)\nKFold(5, shuffle=True)\n"
    result = assert_status(make_repo({"split.py": unseeded}), "DAT004", FAIL)
    assert [str(e) for e in result.evidence] == ["split.py:2", "split.py:3"]
    assert_status(make_repo({"sample.py": "df.sample(frac=0.1)\n"}), "DAT004", FAIL)
    assert_status(make_repo({"main.py": "print(1)\n"}), "DAT004", NA)


def test_dat004_row_masks_spark_and_sql_random_splits(make_repo) -> None:
    """A random row mask, Spark's randomSplit and a SQL RAND() split are random splits: seeded or not."""
    mask = "import numpy as np\nr = np.random.rand(len(data))\ntrain = data[r < 0.7]\n"
    assert_status(make_repo({"prep.py": mask}), "DAT004", FAIL)
    assert_status(
        make_repo({"prep.py": "import numpy as np\nnp.random.seed(0)\n" + mask[19:]}), "DAT004", PASS
    )
    noise = "import numpy as np\nx = np.random.rand(3, 3)\n"  # not a mask over the rows
    assert_status(make_repo({"prep.py": noise}), "DAT004", NA)
    spark = "train, test = df.randomSplit([0.8, 0.2])\n"
    assert_status(make_repo({"nodes.py": spark}), "DAT004", FAIL)
    assert_status(make_repo({"nodes.py": spark.replace("])", "], seed=42)")}), "DAT004", PASS)
    sql = 'query = \'SELECT *, IF(RAND() <= 0.8, "TRAIN", "TEST") AS ml_use FROM t\'\n'
    assert_status(make_repo({"bq.py": sql}), "DAT004", FAIL)
    assert_status(make_repo({"tests/test_bq.py": sql}), "DAT004", NA)  # a test's SQL string is a fixture
    hashed = "query = 'SELECT *, IF(ABS(MOD(FARM_FINGERPRINT(id), 10)) < 8, 1, 0) FROM t'\n"
    assert_status(make_repo({"bq.py": hashed}), "DAT004", NA)


def test_dat004_split_without_shuffle_is_not_random(make_repo) -> None:
    code = (
        "from sklearn.model_selection import train_test_split\n"
        "X_train, X_test = train_test_split(X, test_size=0.2, shuffle=False)\n"
    )
    assert_status(make_repo({"split.py": code}), "DAT004", NA)
    seeded = "from sklearn.utils import shuffle\nX, y = shuffle(X, y, random_state=seed)\n"
    assert_status(make_repo({"split.py": seeded}), "DAT004", PASS)


def test_dat003_drift_word_in_notebook_output_is_not_code(make_repo) -> None:
    import json

    out = [{"output_type": "stream", "name": "stdout", "text": "Data Drift detected\n"}]
    cell = {"cell_type": "code", "source": "from evidently import Report\n", "execution_count": 1,
            "outputs": out, "metadata": {}}  # fmt: skip
    nb = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})
    assert_status(make_repo({"eda.ipynb": nb}), "DAT003", FAIL)
    cell["source"] = "from evidently.presets import DataDriftPreset\n"
    nb = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})
    assert_status(make_repo({"eda.ipynb": nb}), "DAT003", PASS)


@pytest.mark.parametrize("check_id", ["DAT001", "DAT002", "DAT003"])
def test_dat_no_training_run_of_its_own(make_repo, check_id) -> None:
    """A library's package code, gallery examples and tutorial notebooks, and numbered lesson notebooks, are
    no training run of the repository's own: nothing to check; a training script of its own is."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), check_id, Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), check_id, Status.FAIL)
