"""Fixture trees for "no training run of its own" (facts.pipelines.no_training_run): a library whose training
code is its package and its documentation, the numbered lesson notebooks of a course, and the same library
with a training script of its own."""

from __future__ import annotations

import json


def notebook(source: str) -> str:
    cell = {"cell_type": "code", "source": source, "execution_count": None, "outputs": [], "metadata": {}}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


PYPROJECT = '[project]\nname = "difflib-x"\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
TRAINER = (
    "import random\nimport torch\n\n\nclass Trainer:\n    def train(self, data):\n"
    "        random.shuffle(data)\n        loss = self.model(data)\n        loss.backward()\n        self.opt.step()\n"
)
#: an installable library: a reusable Trainer in the package, a gallery example and a tutorial notebook
LIBRARY = {
    "pyproject.toml": PYPROJECT,
    "README.md": "# difflib-x\n",
    "difflib_x/__init__.py": "from .trainer import Trainer\n",
    "difflib_x/trainer.py": TRAINER,
    "examples/plot_quickstart.py": "import pandas as pd\nfrom sklearn.svm import SVC\nfrom difflib_x import Trainer\n"
    "df = pd.read_csv('data.csv')\nSVC().fit(df, df.y)\n",
    "notebooks/tutorial.ipynb": notebook(
        "import torch\nfrom difflib_x import Trainer\nTrainer().train(data)\n"
    ),
}
#: the same library with a training script of its own, outside the package and the documentation
LIBRARY_RUN = {
    **LIBRARY,
    "scripts/train.py": "import pandas as pd\nfrom difflib_x.trainer import Trainer\n"
    "data = pd.read_csv('data/train.csv')\nTrainer().train(data)\n",
}
#: five numbered lessons of a course, each fitting a model
LESSONS = {
    f"{i:02d}-lesson-{i}.ipynb": notebook("import pandas as pd\nfrom fastai.vision.all import *\n"
                                          "df = pd.read_csv('x.csv')\nlearn.fit(3)\n")
    for i in range(1, 6)
}  # fmt: skip
