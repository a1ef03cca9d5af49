"""CT: continuous training — training runs on a schedule or an event, retrains on drift, validates and promotes
the new model automatically, and reports metric changes on pull requests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lazyre
from ..facts import ci, schedules, source, testing, tracking
from ..facts.pipelines import training_notebooks
from ..facts.python import prefilter
from ..facts.training import training_evidence
from ..facts.yamlfile import LineDict
from ..model import Evidence, Result, Severity
from ..repo import Repo, memoized, word
from .base import check

_CT_PROFILES = ("pipeline", "service")


@dataclass(frozen=True)
class TrainingRun:
    """A CI job that runs training, with the events that start it."""

    pipeline: ci.Pipeline
    job: ci.Job | None
    command: ci.Command
    events: frozenset[str]

    @property
    def triggered(self) -> frozenset[str]:
        return self.events & ci.EVENT_TRIGGERS


@memoized
def training_runs(repo: Repo) -> list[TrainingRun]:
    out = []
    for pipe in ci.pipelines(repo):
        for cmd in ci.pipeline_commands(repo, pipe):
            if "train" not in ci.classify(cmd.text) and not re.search(r"\btrain", cmd.step, re.I):
                continue
            if "train" not in ci.classify(cmd.text) and "test" in ci.classify(cmd.text):
                continue
            job = pipe.job(cmd.job)
            events = pipe.job_events(job) if job else pipe.events
            if job is not None and job.manual:
                events = events | {"manual"}
            out.append(TrainingRun(pipe, job, cmd, frozenset(events)))
    for pipe in ci.pipelines(repo):
        for job in pipe.jobs:
            called = _reusable_training(repo, pipe, job)
            if called is not None:
                events = pipe.job_events(job) | ({"manual"} if job.manual else set())
                out.append(TrainingRun(pipe, job, called, frozenset(events)))
    return out


_TRAIN_WORD = lazyre.compile(r"(^|[^a-z])(re)?train", re.I)


def _reusable_training(repo: Repo, pipe: ci.Pipeline, job: ci.Job) -> ci.Command | None:
    """A GitHub job that calls a reusable workflow (``uses: org/templates/.github/workflows/run-pipeline.yml``)
    to run training: the job, the workflow or a repository file passed in ``with:`` (the pipeline definition
    it submits, ``parameters-file: mlops/train/pipeline.yml``) is named for training. The called workflow is
    elsewhere; what it is given says what it runs."""
    if pipe.provider != "github" or not job.uses:
        return None
    data = ci.load_config(repo, pipe.path)
    jobs = data.get("jobs") if isinstance(data, dict) else None
    spec = jobs.get(job.id) if isinstance(jobs, dict) else None
    with_ = spec.get("with") if isinstance(spec, dict) else None
    files = [
        v.strip().removeprefix("./")
        for v in (with_.values() if isinstance(with_, dict) else [])
        if isinstance(v, str) and v.strip().removeprefix("./") in repo.entries
    ]
    named = [job.id, job.name, job.uses.split("@", 1)[0].rsplit("/", 1)[-1], *files]
    if not any(_TRAIN_WORD.search(n) for n in named):
        return None
    return ci.Command(" ".join([job.uses, *files]), pipe.path, job.uses_line, job=job.id, pipeline=pipe.path,
                      step=job.name)  # fmt: skip


def ct_runs(repo: Repo) -> list[TrainingRun]:
    """Training runs started by a schedule or an event (the continuous-training workflows)."""
    return [r for r in training_runs(repo) if r.triggered]


def _trigger_evidence(run: TrainingRun) -> Evidence:
    trig = next((t for t in run.pipeline.triggers if t.event in run.triggered), None)
    line = trig.line if trig else None
    note = f"on {trig.event}" + (f" ({', '.join(trig.crons)})" if trig and trig.crons else "") if trig else ""
    return Evidence(run.pipeline.path, line, note)


def _training_where(repo: Repo) -> list[Evidence]:
    """Where the repository trains: its training code or pipeline, else the notebooks that train."""
    return training_evidence(repo) or [
        Evidence(p, None, "trains in a notebook") for p in training_notebooks(repo)[:2]
    ]


def _na(repo: Repo) -> Result | None:
    """Not applicable without training (code, a pipeline or a notebook that trains); unknown when the repository is a training application: it records
    the runs its users start in its own run tables (an AutoML service) and no CI workflow trains. Its
    training is on demand; whether some production model is retrained cannot be read from the code."""
    if not training_evidence(repo) and not training_runs(repo) and not training_notebooks(repo):
        return Result.not_applicable("no training code or training pipeline found")
    if not training_runs(repo) and tracking.RUN_TABLES in tracking.tracker_usages(repo):
        runs = tracking.run_tables(repo).get("runs", [])
        return Result.unknown(
            "the application trains on demand and records each run in its own tables: whether a production"
            " model is retrained continuously cannot be decided from the code",
            runs[:1],
        )
    return None


@check("CT001", Severity.WARNING, "Training runs on a schedule or an event", level=2, profiles=_CT_PROFILES,
       fix="ct_workflow", fix_hint="add a scheduled (cron) CI workflow that runs the training pipeline")  # fmt: skip
def scheduled_training(repo: Repo) -> Result:
    """A CI workflow runs the training on a schedule (``schedule:`` cron) or on an event
    (``workflow_dispatch``, ``repository_dispatch``, an API or pipeline trigger, GitLab
    ``$CI_PIPELINE_SOURCE == "schedule"``), or an orchestrator or the cloud schedules it: a Prefect deployment
    with a cron (``flow.serve(cron=...)``, ``prefect.yaml``), an Airflow DAG or Dagster / ZenML schedule, a
    Vertex AI / Kubeflow recurring run, or a Cloud Scheduler job / EventBridge schedule declared in Terraform
    that starts the training pipeline; or an event handler outside CI (a cloud function on Pub/Sub, a Lambda)
    submits the training pipeline — not only on a laptop. A job that calls a reusable workflow runs training
    when it, the workflow or the pipeline file it is given is named for training
    (``uses: org/templates/.github/workflows/run-pipeline.yml`` with ``parameters-file: train/pipeline.yml``).

    Why it matters: models decay as the world changes; continuous training refreshes them from new data with
    the same reviewed code, producing a traceable run each time.

    How to fix: add a workflow that runs the training pipeline on a ``schedule:`` (and ``workflow_dispatch``
    for a manual or API trigger); ``mlops-audit fix --select CT001`` renders the template's CT workflow.
    Training that runs in CI only on pushes earns partial credit.

    Example (``.github/workflows/train.yml``)::

        on:
          schedule: [{cron: "0 3 * * 1"}]
          workflow_dispatch:
        jobs:
          train:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
              - run: uv sync --locked && uv run dvc repro
    """
    na = _na(repo)
    if na:
        return na
    runs = ct_runs(repo)
    if runs:
        run = runs[0]
        how = ", ".join(sorted(run.triggered))
        return Result.passed(f"{run.pipeline.path} trains on {how}",
                             [_trigger_evidence(run), Evidence(run.command.path, run.command.line, run.command.text[:80])])  # fmt: skip
    scheduled = schedules.training_schedules(repo)
    if scheduled:
        return Result.passed(f"training is scheduled outside CI: {scheduled[0].what}",
                             [Evidence(s.path, s.line, s.what) for s in scheduled[:3]])  # fmt: skip
    launched = _event_launched_pipelines(repo)
    if launched:
        return Result.passed(
            "an event handler (a cloud function) launches the training pipeline", launched[:2]
        )
    other = training_runs(repo)
    if other:
        cmd = other[0].command
        return Result.failed("training runs in CI only on code changes; add a schedule or a dispatch trigger",
                             [Evidence(cmd.path, cmd.line, cmd.text[:80])], credit=0.4)  # fmt: skip
    return Result.failed("no CI workflow runs the training", _training_where(repo)[:2])


#: calls that start a run of a compiled or registered pipeline on a platform
_PIPELINE_SUBMITS = frozenset({
    "create_run_from_job_spec", "create_run_from_pipeline_package", "create_run_from_pipeline_func",
    "start_pipeline_execution", "run_pipeline",
})  # fmt: skip
#: a serverless event handler: the Cloud Functions / Lambda ``(event, context)`` signature, or a
#: functions-framework / Azure Functions event decorator
_EVENT_HANDLER = lazyre.compile(
    r"^def\s+\w+\(\s*(event|cloud_event)\s*(:[^,]*)?,\s*context\b|^@functions_framework\.cloud_event\b"
    r"|^@\w+\.(event_grid_trigger|service_bus_queue_trigger|blob_trigger|queue_trigger|schedule)\(",
    re.MULTILINE,
)


@memoized
def _event_launched_pipelines(repo: Repo) -> list[Evidence]:
    """Event handlers outside CI that launch the training pipeline: a cloud function triggered by Pub/Sub (a
    Lambda on S3 or EventBridge...) that submits a compiled pipeline run (``create_run_from_job_spec``,
    ``PipelineJob(...).submit()``, SageMaker ``start_pipeline_execution``)."""
    from ..facts import python as pyfacts

    tests = set(testing.test_files(repo))
    out = []
    for info in pyfacts.modules_containing(repo, *_EVENT_NEEDLES):
        if info.path in tests or source.search(repo, info.path, _EVENT_HANDLER) is None:
            continue
        submits = [
            c
            for c in info.calls
            if c.attr in _PIPELINE_SUBMITS or (c.attr in ("submit", "run") and "PipelineJob" in c.name)
        ]
        if submits:
            out.append(Evidence(info.path, submits[0].line, submits[0].name))
    return out


_DRIFT_TYPES = lazyre.compile(r"drift|monitor|degrad|retrain", re.I)


@check("CT002", Severity.INFO, "Drift triggers retraining", level=2, profiles=_CT_PROFILES,
       fix="ct_workflow", fix_hint="check drift before training in the CT workflow, or dispatch it on drift")  # fmt: skip
def drift_triggered(repo: Repo) -> Result:
    """Retraining is triggered by drift: the training workflow checks drift before it trains (Evidently,
    NannyML, a drift script...), or a drift monitor dispatches it (``repository_dispatch`` with a drift event
    type, ``workflow_run`` of a monitoring workflow, code calling the dispatch API). A web endpoint that
    launches retraining (``/retrain``) leaves it unknown: the alert that may call it is configured outside the
    code.

    Why it matters: a fixed schedule retrains too late or for nothing; retraining when the input distribution
    moves keeps the model fresh and the compute bill honest.

    How to fix: add a drift step (``run: uv run python -m project.drift``) before the training step of the
    scheduled workflow, or have the monitor dispatch the training workflow with a drift event type.

    Example (``.github/workflows/train.yml``)::

        on:
          schedule: [{cron: "0 3 * * *"}]
          repository_dispatch:
            types: [data-drift]
        jobs:
          retrain:
            runs-on: ubuntu-latest
            steps:
              - run: uv run python -m churn.drift --fail-on-drift
              - run: uv run python -m churn.train
    """
    na = _na(repo)
    if na:
        return na
    for pipe in ci.pipelines(repo):
        for trig in pipe.triggers:
            if trig.event == "repository_dispatch" and any(_DRIFT_TYPES.search(t) for t in trig.types):
                return Result.passed(
                    f"{pipe.path} is dispatched on {', '.join(trig.types)}", [(pipe.path, trig.line)]
                )
    runs = ct_runs(repo) or training_runs(repo)
    for run in runs:
        commands = ci.pipeline_commands(repo, run.pipeline)
        first_train = commands.index(run.command) if run.command in commands else len(commands)
        for cmd in commands[:first_train]:
            if "drift" in ci.classify(cmd.text) or ci.classify(cmd.step) & {"drift"}:
                ev = [
                    Evidence(cmd.path, cmd.line, cmd.text[:80]),
                    Evidence(run.command.path, run.command.line, "train"),
                ]
                if run.triggered:
                    return Result.passed("the training workflow checks drift before it trains", ev)
                return Result.failed("drift is checked before training, but the workflow is not scheduled",
                                     ev, credit=0.5)  # fmt: skip
        if run.pipeline.provider == "github" and "workflow_run" in run.pipeline.events:
            data = ci.load_config(repo, run.pipeline.path)
            on = data.get("on", data.get(True)) if isinstance(data, dict) else None
            names = on.get("workflow_run", {}).get("workflows") if isinstance(on, dict) else None
            if isinstance(names, list) and any(_DRIFT_TYPES.search(str(n)) for n in names):
                trig = next(t for t in run.pipeline.triggers if t.event == "workflow_run")
                return Result.passed(
                    "training runs after the monitoring workflow", [(run.pipeline.path, trig.line)]
                )
    from ..facts import python as pyfacts

    for info in pyfacts.modules_containing(repo, *_DISPATCH_NEEDLES):
        if info.path in set(testing.test_files(repo)) or not repo.contains(info.path, b"drift", b"Drift"):
            continue
        urls = [ln for s, ln in info.strings if "/dispatches" in s]
        calls = [c.line for c in info.calls_to(".create_dispatch", ".create_repository_dispatch")]
        if urls or calls:
            return Result.passed("code dispatches retraining on drift", [(info.path, (urls or calls)[0])])
    hook = _retraining_webhook(repo)
    if hook is not None:
        return Result.unknown(
            "a web endpoint launches retraining; whether a drift alert (a monitoring rule outside the code) calls"
            " it cannot be read from the code",
            [hook],
        )
    evidence = [Evidence(r.command.path, r.command.line, "training") for r in runs[:1]] or _training_where(
        repo
    )[:1]
    return Result.failed("retraining is not triggered by drift", evidence)


_RETRAIN_ROUTE = lazyre.compile(r"^/[\w/{}<>:-]*re-?train", re.IGNORECASE)
_WEB_FRAMEWORKS = ("flask", "fastapi", "starlette", "litestar", "django", "aiohttp", "bottle", "sanic")


def _retraining_webhook(repo: Repo) -> Evidence | None:
    """A web route of the project named for retraining (``@app.route("/retrain")``): a webhook a monitoring
    alert can call, configured outside the code."""
    from ..facts import python as pyfacts

    tests = set(testing.test_files(repo))
    for info in pyfacts.modules_containing(repo, *_RETRAIN_NEEDLES):
        if info.path in tests or not info.imports_any(*_WEB_FRAMEWORKS):
            continue
        for text, line in info.strings:
            if _RETRAIN_ROUTE.match(text):
                return Evidence(info.path, line, text)
    return None


#: a step or call after a quality gate that publishes the model: register, promote, deploy, push (TFX Pusher)
_GATED_PROMOTION = lazyre.compile(
    r"promot|regist|deploy|push|upload|alias|transition|set_stage|link_model", re.I
)


def _promotion_in_code(repo: Repo) -> Result | None:
    """Code that promotes models after a quality gate in the same file: it moves a registry alias or stage, or
    registers, deploys or pushes the model (``if acc >= threshold: register``, a TFX Evaluator with thresholds
    and then a Pusher, a ZenML deployment trigger and deployer). A promotion with no gate in its file is a
    failure with partial credit (a stage transition that promotes whatever was trained is no validation)."""
    from ..facts import python as pyfacts

    tests = set(testing.test_files(repo))
    ungated: Result | None = None
    for info in pyfacts.modules_containing(repo, *_PROMOTION_WORDS):
        calls = info.calls_to(*_PROMOTION_CALLS)
        if not calls or info.path in tests:
            continue
        gate = next((g for g in testing.quality_gates(repo) if g.path == info.path), None)
        if gate is not None:
            return Result.passed(
                f"code promotes models in the registry ({calls[0].attr}) after a quality gate ({gate.text[:60]})",
                [
                    Evidence(gate.path, gate.line, gate.text[:80]),
                    Evidence(info.path, calls[0].line, calls[0].name),
                ],
            )
        ungated = ungated or Result.failed(
            f"code promotes models in the registry ({calls[0].attr}) without comparing them with a threshold "
            "or the champion first",
            [(info.path, calls[0].line)],
            credit=0.5,
        )
    for gate in testing.quality_gates(repo):
        gate_module = pyfacts.module(repo, gate.path) if gate.path not in tests else None
        after = [
            c
            for c in (gate_module.calls if gate_module else [])
            if c.line >= gate.line
            and (_GATED_PROMOTION.search(c.attr) or "registered_model_name" in c.kwargs)
        ]
        if after:
            return Result.passed(
                f"the model is promoted ({after[0].attr}) only after a quality gate ({gate.text[:60]})",
                [
                    Evidence(gate.path, gate.line, gate.text[:80]),
                    Evidence(gate.path, after[0].line, after[0].name),
                ],
            )
    return _promotion_step_after_gate(repo) or ungated


_EVALUATION_STEP = lazyre.compile(r"\b\w*(evaluat|validat)\w*(_step|_op|_task|_component)\b", re.I)
_PROMOTION_STEP = lazyre.compile(r"\b\w*(regist|promot|deploy|push)\w*(_step|_op|_task|_component)\b", re.I)
_EVALUATION_MODULE = lazyre.compile(r"evaluat|validat", re.I)


_STOP = lazyre.compile(r"\.cancel\(|\braise\b|\bsys\.exit\(|\bexit\(|\.fail\(")


def _stops_the_run(repo: Repo, gate: testing.Gate) -> bool:
    """Whether the gate's branch stops the pipeline run (cancels it, raises, exits) within the lines after it:
    a flag the next step may ignore (``deploy_flag = 1``) stops nothing."""
    lines = (repo.read_text(gate.path) or "").splitlines()
    return any(
        _STOP.search(ln) for ln in lines[gate.line - 1 : gate.line + 12] if not ln.lstrip().startswith("#")
    )


def _promotion_step_after_gate(repo: Repo) -> Result | None:
    """A pipeline definition that runs a registration (promotion, deployment) step after its evaluation step,
    where the evaluation code gates the model (it cancels or fails the run when the candidate is worse): the
    AzureML ``evaluate_step`` / ``register_step`` chain, a Kubeflow ``evaluate_op`` then ``deploy_op``."""
    from ..facts import pipelines

    tests = set(testing.test_files(repo))
    gates = [
        g
        for g in testing.quality_gates(repo)
        if g.path not in tests and _EVALUATION_MODULE.search(g.path) and _stops_the_run(repo, g)
    ]
    if not gates:
        return None
    for definition in pipelines.python_pipelines(repo):
        text = repo.read_text(definition.path) or ""
        evaluation = _EVALUATION_STEP.search(text)
        promotion = _PROMOTION_STEP.search(text, evaluation.end()) if evaluation else None
        if evaluation and promotion:
            line = text.count("\n", 0, promotion.start()) + 1
            return Result.passed(
                f"the pipeline runs {promotion.group(0)} after {evaluation.group(0)}, whose code gates the model",
                [Evidence(gates[0].path, gates[0].line, gates[0].text[:80]), Evidence(definition.path, line)],
            )
    return None


_PROMOTION_CALLS = (
    ".set_registered_model_alias",
    ".transition_model_version_stage",
    ".link_model",
    ".link_artifact",
    ".copy_model_version",
    ".add_version_aliases",  # Vertex AI Model Registry
)
_PROMOTION_WORDS = prefilter(*(word(c[1:]) for c in _PROMOTION_CALLS))  # a promotion call names one
_DISPATCH_NEEDLES = prefilter(b"/dispatches", b"create_dispatch")
_EVENT_NEEDLES = prefilter(b"event", b"cloud_event", b"_trigger")
_RETRAIN_NEEDLES = prefilter(b"retrain", b"re-train")


@check("CT003", Severity.WARNING, "New models are validated and promoted automatically", level=2,
       profiles=_CT_PROFILES, fix="ct_workflow",
       fix_hint="evaluate after training and promote (registry alias) only when the gate passes")  # fmt: skip
def validation_and_promotion(repo: Repo) -> Result:
    """After training, the pipeline evaluates the candidate and promotes it only if it passes: an evaluation /
    validation / promotion step after the training step of the CT workflow, code that moves a registry alias
    or stage (``set_registered_model_alias``, ``transition_model_version_stage``, W&B ``link_model``, Vertex
    ``add_version_aliases``) after comparing the model with a threshold or the champion, or a pipeline
    definition that runs a registration step after an evaluation step whose code gates the model
    (``register_step.run_after(evaluate_step)``, the evaluation cancelling or failing the run when the model
    is worse; a flag the registration step may ignore is no gate). Moving an alias or stage with no comparison
    promotes whatever was trained: partial credit.

    Why it matters: automatic retraining without an automatic gate ships regressions automatically; the gate
    (new model vs. thresholds and vs. the champion) is what makes continuous training safe.

    How to fix: follow the training step of the CT workflow with an evaluation step that fails below the
    thresholds or the champion, then a promotion step that moves the registry alias
    (``mlops-audit fix --select CT003`` renders the template's CT workflow). Evaluation after a training
    run that is not continuous, or a gate in code that nothing promotes after, earns partial credit.

    Example (``.github/workflows/train.yml``)::

        on:
          schedule: [{cron: "0 3 * * 1"}]
        jobs:
          train:
            runs-on: ubuntu-latest
            steps:
              - run: uv run python -m project.train
              - run: uv run python -m project.evaluate --min-f1 0.8 --against champion
              - run: uv run python -m project.promote   # sets the "champion" alias
    """
    na = _na(repo)
    if na:
        return na
    promoted = _promotion_in_code(repo)
    for run in ct_runs(repo) or training_runs(repo):
        commands = ci.pipeline_commands(repo, run.pipeline)
        start = commands.index(run.command) if run.command in commands else 0
        after = [
            c
            for c in commands[start + 1 :]
            if "evaluate" in ci.classify(c.text) or "evaluate" in ci.classify(c.step)
        ]
        if not after and "dvc" in run.command.text and "dvc.yaml" in repo.entries:
            data = ci.load_config(repo, "dvc.yaml")
            stages = data.get("stages") if isinstance(data, dict) else None
            if isinstance(stages, LineDict):
                names = list(stages)
                train_i = next((i for i, n in enumerate(names) if re.search(r"train", str(n), re.I)), None)
                for name in names[(train_i or 0) + 1 :] if train_i is not None else []:
                    if re.search(r"evaluat|validat|promot|gate|register", str(name), re.I):
                        after = [ci.Command(str(name), "dvc.yaml", stages.line_of(name), run.command.text)]
                        break
        if after:
            ev = [
                Evidence(run.command.path, run.command.line, "train"),
                Evidence(after[0].path, after[0].line, after[0].text[:80]),
            ]
            if run.triggered:
                return Result.passed("the CT workflow evaluates the model after training", ev)
            if promoted:
                return promoted
            return Result.failed("evaluation follows training in CI, but training is not continuous (see CT001)",
                                 ev, credit=0.6)  # fmt: skip
    if promoted:
        return promoted
    gates = [g for g in testing.quality_gates(repo) if g.path not in set(testing.test_files(repo))]
    if gates:
        return Result.failed("a quality gate exists in code, but no pipeline step promotes the model after it",
                             [(gates[0].path, gates[0].line)], credit=0.5)  # fmt: skip
    evidence = [Evidence(r.command.path, r.command.line, "training") for r in training_runs(repo)[:1]]
    return Result.failed(
        "no automated evaluation/promotion after training", evidence or _training_where(repo)[:1]
    )


_COMMENT_ACTIONS = lazyre.compile(
    r"sticky-pull-request-comment|create-or-update-comment|actions-comment-pull-request|github-script|"
    r"comment-pull-request|pr-comment|setup-cml",
    re.I,
)
_METRIC_WORDS = lazyre.compile(r"metric|accuracy|score|f1|auc|rmse|mae|loss|report\.md|eval", re.I)


def _on_review(pipe: ci.Pipeline, job: ci.Job | None) -> bool:
    """Whether ``job`` (the whole pipeline when unknown) runs for pull / merge requests. A GitLab job without
    trigger rules runs in every branch pipeline, which the merge request shows; a ``push`` trigger without a
    branch or tag filter runs on every branch, a pull request's branch included (its report lands on the
    pull request's commits)."""
    if pipe.provider == "jenkins":
        return True
    if pipe.provider == "gitlab" and job is not None and job.events is None:
        return True
    events = pipe.job_events(job) if job is not None else pipe.events
    if "push" in events and any(t.event == "push" and not t.branches and not t.tags for t in pipe.triggers):
        return True
    return bool(events & (ci.REVIEW_TRIGGERS | {"pull_request"}))


@check("CT004", Severity.INFO, "Metric changes are reported on pull requests", level=2, profiles=_CT_PROFILES,
       fix="ct_workflow", fix_hint="post `dvc metrics diff` (or a CML report) as a PR comment")  # fmt: skip
def metrics_on_prs(repo: Repo) -> Result:
    """A pull-request workflow reports how the change moves the model's metrics: ``dvc metrics diff``,
    ``cml comment create``, an MLflow comparison or a metrics table posted as a comment or to the step summary,
    or a GitLab metrics report (``artifacts: reports: metrics:``), which the merge request widget shows with its
    change against the target branch. A job counts when it runs for pull (merge) requests: its own trigger
    rules, not the pipeline's, decide; a ``push`` trigger without a branch filter runs on the pull request's
    branch too. A GitLab metrics report needs the job to run on the default branch as
    well (the baseline the merge request is compared with); reported on merge requests only, it earns partial
    credit.

    Why it matters: reviewers judge ML changes by their effect on metrics; without the diff on the PR, a
    regression is merged because the code looked fine.

    How to fix: in a workflow that runs on pull requests, reproduce the pipeline and post the metric diff
    against the main branch as a comment (CML, a comment action) or to the step summary
    (``mlops-audit fix --select CT004`` renders the template's workflow).

    Example (``.github/workflows/metrics.yml``)::

        on: pull_request
        jobs:
          metrics:
            runs-on: ubuntu-latest
            steps:
              - run: uv run dvc repro && uv run dvc metrics diff main --md >> report.md
              - run: cml comment create report.md
                env: {REPO_TOKEN: "${{ secrets.GITHUB_TOKEN }}"}
    """
    na = _na(repo)
    if na:
        return na
    elsewhere: list[Evidence] = []
    no_baseline: list[Evidence] = []
    for pipe in ci.pipelines(repo):
        hits: list[Evidence] = []
        missed: list[Evidence] = []
        for c in ci.pipeline_commands(repo, pipe):
            if "metrics_report" in ci.classify(c.text):
                (hits if _on_review(pipe, pipe.job(c.job)) else missed).append(
                    Evidence(c.path, c.line, c.text[:80])
                )
        for job in pipe.jobs:
            for step in job.steps:
                if (
                    step.uses
                    and _COMMENT_ACTIONS.search(step.uses)
                    and _METRIC_WORDS.search(ci.step_text(step))
                ):
                    ev = Evidence(pipe.path, step.uses_line or step.line, step.uses)
                    (hits if _on_review(pipe, job) else missed).append(ev)
            for target, line in job.metrics_reports:
                ev = Evidence(pipe.path, line, f"merge request metrics report {target} (job {job.id})")
                events = pipe.job_events(job)
                if not _on_review(pipe, job):
                    missed.append(ev)
                elif job.events is None or "push" in events:
                    hits.append(ev)
                else:
                    no_baseline.append(ev)
        if hits:
            return Result.passed(f"{pipe.path} reports metrics on pull requests", hits[:2])
        elsewhere += missed
    if no_baseline:
        return Result.failed(
            "the metrics report runs on merge requests only: the default branch never produces the baseline",
            no_baseline[:2],
            credit=0.7,
        )
    if elsewhere:
        return Result.failed(
            "metrics are reported, but not by a pull-request workflow", elsewhere[:2], credit=0.5
        )
    return Result.failed("no CI step reports metric changes on pull requests",
                         [Evidence(p.path, 1) for p in ci.pipelines(repo)[:1]] or _training_where(repo)[:1])  # fmt: skip
