"""Model quality gates in Python code, from its AST: a metric compared (``<``, ``>=``...) with a non-trivial
threshold or with a champion's metric in an ``assert``, in an ``if`` that raises, exits or decides (returns,
registers, promotes, cancels), or in a comprehension of a gate function (``failed_thresholds``); and MLflow's
``MetricThreshold`` / ``validation_thresholds``. Pure functions of syntax trees: the Python collector calls
:func:`statement_gate` and :func:`call_gate` during its one walk of each file.
"""

from __future__ import annotations

import ast
import re

from .. import lazyre

#: A line that opens an ``assert`` / ``if`` / ``elif`` statement.
_TEST_LINE = lazyre.compile(rb"^[ \t]*(?:assert|if|elif)\b[^\n]*", re.MULTILINE)
#: A comparison operator (not ``->``, ``<<``, ``>>``) and a metric name (any spelling :func:`_metric_tokens`
#: could split out of an identifier or a key).
_COMPARISON = lazyre.compile(rb"(?<![-<>=])[<>](?![<>])")
_METRIC_TEXT = lazyre.compile(
    rb"(?i)acc|top\d|f1|fbeta|auc|roc|rmse|mse|mae|mape|r2|rsquared|precision|recall|score|loss|metric|ndcg|"
    rb"bleu|rouge|perplexity|ppl|iou|dice|brier|map|wer|cer|error|eval"
)
_OTHER_GATES = lazyre.compile(
    rb"MetricThreshold|validation_thresholds|def[ \t]+\w*(?i:threshold|gate|champion|promot|quality)|"
    rb"(?i:champ\w*|incumbent)[^\n]*[<>][^\n]*(?i:chall\w*|candidate)|(?i:chall\w*|candidate)[^\n]*[<>]"
    rb"[^\n]*(?i:champ\w*|incumbent)"
)


def may_hold_gate(data: bytes) -> bool:
    """Whether a file can hold a gate :func:`statement_gate` or :func:`call_gate` would find, read from its
    bytes (no parse): an ``assert`` / ``if`` line comparing something named like a metric, a test that goes on
    to the next line, a gate function or a threshold declaration. A superset: the parse decides."""
    if _OTHER_GATES.search(data):
        return True
    for match in _TEST_LINE.finditer(data):
        line = match.group()
        code = line.rstrip()  # a comment only adds candidates (a ``#`` may be inside a string)
        if _COMPARISON.search(code) and _METRIC_TEXT.search(code):
            return True
        opened = code.count(b"(") + code.count(b"[") + code.count(b"{")
        closed = code.count(b")") + code.count(b"]") + code.count(b"}")
        if opened > closed or code.endswith((b"\\", b",")):
            return True  # the statement goes on: let the parser read it whole
    return False


def statement_gate(node: ast.stmt) -> tuple[int, ast.AST] | None:
    """(line, the part to cite) when a statement is a quality gate (the assertion, an ``if``'s test, the
    comprehension condition of a gate function), else None. Only ``assert``, ``if`` and function definitions
    can be gates."""
    if isinstance(node, ast.Assert):
        return (node.lineno, node) if _metric_compare(node.test) else None
    if isinstance(node, ast.If):
        return (node.lineno, node.test) if _if_gate(node) else None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _GATE_FUNCTION.search(node.name):
        # ``def failed_thresholds(m, t): return [k for k, low in t.items() if m[k] < low]``
        for sub in ast.walk(node):
            if isinstance(sub, ast.comprehension) and any(_metric_compare(c) for c in sub.ifs):
                return sub.ifs[0].lineno, sub.ifs[0]
    return None


class FlagScope:
    """The flag gates of one function body, gathered while the collector walks it (each node is seen once, by
    its innermost function, instead of walking every function again): a comparison kept in a variable and
    decided on later in the same function::

        challenger_wins = m_chall < m_champ
        if challenger_wins:
            registry.add_version_aliases(["champion"], challenger.version_id)
    """

    __slots__ = ("assigned", "tests")

    def __init__(self) -> None:
        self.assigned: dict[str, list[ast.AST]] = {}  # name -> the values it takes, in order
        self.tests: list[tuple[str, ast.If]] = []

    def assign(self, node: ast.Assign) -> None:
        """An assignment in this function (judged only if an ``if`` tests its name: most are never tested)."""
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.assigned.setdefault(node.targets[0].id, []).append(node.value)

    def branch(self, node: ast.If) -> None:
        """An ``if`` in this function: a candidate when it tests a bare name (or its negation)."""
        test = node.test.operand if isinstance(node.test, ast.UnaryOp) else node.test
        if isinstance(test, ast.Name):
            self.tests.append((test.id, node))

    def gate(self) -> tuple[int, ast.AST] | None:
        """(line, the cited comparison) of the first ``if`` on a flag (a name that took a comparison of
        metrics) that raises, exits or decides."""
        flags: dict[str, ast.AST | None] = {}
        for name, branch in self.tests:
            if name not in self.assigned:
                continue
            if name not in flags:
                flags[name] = next((v for v in reversed(self.assigned[name]) if _compares_metrics(v)), None)
            flag = flags[name]
            if flag is None:
                continue
            if _raises_or_exits(branch.body) or _decides(branch.body) or _decides(branch.orelse):
                return branch.lineno, flag
        return None


def _compares_metrics(value: ast.AST) -> bool:
    return any(isinstance(c, ast.Compare) and _metric_compare(c) for c in ast.walk(value))


def call_gate(name: str, node: ast.Call) -> bool:
    """A call that declares thresholds a model must meet: ``MetricThreshold(...)``, ``validation_thresholds=``."""
    return name.endswith("MetricThreshold") or any(k.arg == "validation_thresholds" for k in node.keywords)


def source(node: ast.AST) -> str:
    """The cited text of a gate (at most 120 characters)."""
    try:
        return ast.unparse(node)[:120]
    except (ValueError, RecursionError):
        return ""


def _if_gate(node: ast.If) -> bool:
    """An ``if`` that holds a metric to a bar and raises, exits or decides. The cheap question (does the test
    compare a metric at all?) comes first: walking every branch body of every ``if`` is quadratic in nesting."""
    if not (_metric_compare(node.test) or _metric_compare(node.test, failing=True)):
        return False
    raises = _raises_or_exits(node.body)
    if not _metric_compare(node.test, failing=raises):
        return False
    return raises or _decides(node.body) or _decides(node.orelse)


_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
#: One token of an identifier (``val_f1_score`` -> val, f1, score) that names a model metric, or the value of
#: an evaluation function (``evaluate(model)``).
_METRIC_TOKEN = lazyre.compile(
    r"^(acc(uracy)?|top\d+(acc)?|f1|fbeta|auc|roc|rocauc|aucroc|prauc|rmse|mse|mae|mape|smape|r2|rsquared|"
    r"precision|recall|scores?|loss(es)?|logloss|metrics?|ndcg|bleu|rouge\w*|perplexity|ppl|iou|miou|dice|"
    r"brier|map|wer|cer|errors?|evaluat\w*|eval)$"
)
#: Metrics where higher is better (a lower bound at or below chance is no gate); the others are errors.
_HIGHER_BETTER = lazyre.compile(
    r"^(acc(uracy)?|top\d+(acc)?|f1|fbeta|auc|roc|rocauc|aucroc|prauc|r2|rsquared|precision|recall|scores?|"
    r"ndcg|bleu|rouge\w*|iou|miou|dice|map)$"
)
_AUC = lazyre.compile(r"^(auc|roc|rocauc|aucroc)$")
#: Numerical tolerances: ``if max_conf_score > self.eps: raise`` checks inputs, it does not gate a model.
_TOLERANCE = lazyre.compile(r"^(eps|epsilon|tol|tolerance|atol|rtol)$")
_THRESHOLD_TOKEN = lazyre.compile(
    r"^(thresholds?|thresh|min|max|minimum|maximum|baseline|champion|best|prod|production|current|previous|"
    r"prev|old|target|expected|required|limit|bound|floor|ceiling|cutoff|low|high|lower|upper)$"
)
#: Functions whose comparisons are the gate itself (``failed_thresholds``, ``beats_champion``).
_GATE_FUNCTION = lazyre.compile(r"threshold|gate|champion|promot|quality", re.I)
_DECISION_CALL = lazyre.compile(
    r"promot|regist|alias|transition|cancel|reject|deploy|publish|fail|abort|stop_run|skip", re.I
)


_DECISION_FLAG = lazyre.compile(
    r"promot|regist|deploy|reject|accept|approv|bless|better|should|passed|failed", re.I
)


def _tokens(word: str) -> list[str]:
    """``val_F1Score`` -> ["val", "f1", "score"]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", word)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def _words(node: ast.AST) -> list[str]:
    """The identifiers an expression reads: names, attributes, string subscripts and ``.get("key")``."""
    words: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            words.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            words.append(sub.attr)
        elif (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
        ):
            words.append(sub.slice.value)
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "get":
            words += [
                a.value for a in sub.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
    return [w for w in words if len(w) < 60]


def _metric_tokens(node: ast.AST) -> list[str]:
    return [t for w in _words(node) for t in _tokens(w) if _METRIC_TOKEN.match(t)]


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _number(node.operand)
        return None if value is None else -value
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
        arg = node.args[0] if node.args else None
        if (
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
            and arg.value.strip("+- ").lower() == "inf"
        ):
            return float("-inf") if arg.value.strip().startswith("-") else float("inf")
    return None


def _threshold_side(node: ast.AST) -> bool:
    """Can ``node`` be the bar a metric is held to: a number, or a value that is not a collection, not a
    numerical tolerance and not another entry of the same table (``top["f2"]`` beside ``top["f1"]``)?"""
    if _number(node) is not None:
        return True
    if isinstance(node, (ast.Constant, ast.Set, ast.List, ast.Tuple, ast.Dict)):
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return False
    tokens = [t for w in _words(node) for t in _tokens(w)]
    if any(_TOLERANCE.match(t) for t in tokens):
        return False
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return any(_THRESHOLD_TOKEN.match(t) or _METRIC_TOKEN.match(t) for t in tokens)
    return True


def _trivial_bar(metric: list[str], lower_bound: bool, bound: float) -> bool:
    """A bar every model clears: a score above 0 (an AUC above 0.5), a score below 1, an error above 0."""
    higher = any(_HIGHER_BETTER.match(t) for t in metric)
    if higher:
        if lower_bound:
            return bound <= (0.5 if any(_AUC.match(t) for t in metric) else 0.0)
        return bound >= 1.0
    return bound <= 0.0 if lower_bound else bound == float("inf")


def _metric_compare(test: ast.AST, *, failing: bool = False) -> bool:
    """Does ``test`` hold a model metric to a bar — a threshold or another metric (the champion's)? ``failing``:
    the test describes the failure (``if auc < 0.8: raise``), so the bar it implies is the other way round."""
    if isinstance(test, ast.BoolOp):
        return any(_metric_compare(v, failing=failing) for v in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _metric_compare(test.operand, failing=not failing)
    if not isinstance(test, ast.Compare):
        return False
    sides = [test.left, *test.comparators]
    for i, op in enumerate(test.ops):
        if not isinstance(op, _ORDER):
            continue
        left, right = sides[i], sides[i + 1]
        left_metric, right_metric = _metric_tokens(left), _metric_tokens(right)
        if left_metric and right_metric:
            return True  # new vs champion
        roles = {_role(left), _role(right)}
        if roles == {"champion", "challenger"}:
            return True  # m_chall < m_champ: the challenger's metric against the champion's
        if not (left_metric or right_metric) or not _threshold_side(right if left_metric else left):
            continue
        metric, bar = (left_metric, right) if left_metric else (right_metric, left)
        greater = isinstance(op, (ast.Gt, ast.GtE))
        lower_bound = greater == bool(left_metric)  # metric > bar, or bar < metric
        if failing:
            lower_bound = not lower_bound
        value = _number(bar)
        if value is not None and _trivial_bar(metric, lower_bound, value):
            continue
        return True
    return False


_CHAMPION = frozenset({"champ", "champion", "incumbent"})
_CHALLENGER = frozenset({"chall", "challenger", "candidate"})


def _role(node: ast.AST) -> str | None:
    """``champion`` / ``challenger`` when an expression names one side of a champion/challenger comparison."""
    tokens = {t for w in _words(node) for t in _tokens(w)}
    if tokens & _CHAMPION and not tokens & _CHALLENGER:
        return "champion"
    if tokens & _CHALLENGER and not tokens & _CHAMPION:
        return "challenger"
    return None


def _decides(body: list[ast.stmt]) -> bool:
    """A branch that decides the model's fate: returns a decision, promotes, registers, cancels... or sets a
    decision flag (``should_promote = False``)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Return) and node.value is not None:
                return True
            if isinstance(node, ast.Assign) and any(
                (isinstance(t, ast.Name) and _DECISION_FLAG.search(t.id))
                or (isinstance(t, ast.Attribute) and _DECISION_FLAG.search(t.attr))  # self.registered = True
                for t in node.targets
            ):
                return True
            if isinstance(node, ast.Call):
                func = node.func
                name = (
                    func.attr
                    if isinstance(func, ast.Attribute)
                    else func.id
                    if isinstance(func, ast.Name)
                    else ""
                )
                if _DECISION_CALL.search(name):
                    return True
    return False


def _raises_or_exits(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func) if isinstance(node.func, (ast.Name, ast.Attribute)) else ""
                if name in ("sys.exit", "exit", "quit", "pytest.fail", "os._exit") or name.endswith(".fail"):
                    return True
    return False
