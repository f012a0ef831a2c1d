"""Security checks for ML code that ruff's `S` rules and bandit miss or over-report:
loading models and data in ways that run code from the file (pickle underneath),
trusting a repository's code, unpinned Hub downloads, unsafe YAML, and executing what a
model said. Read with `ast`, never run; pure (text in, findings out).

    ML001  torch.load without weights_only=True (pickle runs code from the file)
    ML002  pickle / joblib / dill / cloudpickle / pandas.read_pickle loads, numpy.load
           with allow_pickle=True
    ML003  trust_remote_code=True (runs the repository's Python on load)
    ML004  from_pretrained / hf_hub_download / snapshot_download of a Hub id without a
           pinned revision= (the repository can change under you)
    ML005  yaml.load without a safe loader, yaml.unsafe_load
    ML006  eval / exec of a model's response

A finding is silenced on its line with `# tether: ignore[ML001]` (or a bare
`# tether: ignore`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

_IGNORE = re.compile(r"#\s*tether:\s*ignore(?:\[(?P<codes>[A-Z0-9, ]+)\])?")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_RESPONSE_ATTRIBUTES = frozenset(
    {"content", "output_text", "text", "choices", "completion", "generated_text", "message"}
)
_RESPONSE_NAMES = re.compile(r"(response|completion|llm|generated|reply|answer|output)", re.I)
_PICKLE_MODULES = frozenset({"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib"})
_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_DOWNLOADS = frozenset({"hf_hub_download", "snapshot_download"})

HINTS = {
    "ML001": "pass weights_only=True (the default from torch 2.6), or load safetensors",
    "ML002": "load only files you made yourself; prefer safetensors, JSON or parquet",
    "ML003": "review the repository's code and pin revision=, or use a model that "
    "needs no remote code",
    "ML004": 'pin the revision: revision="<commit sha>"',
    "ML005": "use yaml.safe_load, or Loader=yaml.SafeLoader",
    "ML006": "parse the response (json.loads, ast.literal_eval) instead of running it",
}


@dataclass(frozen=True, slots=True)
class MlFinding:
    path: str
    line: int
    column: int
    code: str
    message: str

    @property
    def hint(self) -> str:
        return HINTS[self.code]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


def check_source(path: str, text: str) -> list[MlFinding]:
    """The findings in one Python file (none when it does not parse: ruff says why)."""
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return []
    lines = text.splitlines()
    visitor = _Visitor(path, _aliases(tree), _constants(tree))
    visitor.visit(tree)
    return [f for f in visitor.findings if not _ignored(lines, f)]


def _ignored(lines: list[str], finding: MlFinding) -> bool:
    if finding.line > len(lines):
        return False
    match = _IGNORE.search(lines[finding.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or finding.code in {c.strip() for c in codes.split(",")}


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it was imported as (`import torch as t`: t -> torch;
    `from torch import load`: load -> torch.load)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names assigned a string literal (a model id kept in a constant)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str, aliases: dict[str, str], constants: dict[str, str]) -> None:
        self.path = path
        self.aliases = aliases
        self.constants = constants
        self.findings: list[MlFinding] = []
        self.assigned: list[dict[str, ast.expr]] = [{}]  # per function: name -> value
        self.parameters: list[set[str]] = [set()]  # per function: its parameters' names

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.assigned.append({})
        self.generic_visit(node)
        self.assigned.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]  # noqa: N815

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.assigned[-1][target.id] = node.value
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = self._qualified(node.func)
        for code, message in self._check(name, node):
            self.findings.append(
                MlFinding(self.path, node.lineno, node.col_offset + 1, code, message)
            )
        self.generic_visit(node)

    def _check(self, name: str, node: ast.Call) -> Iterator[tuple[str, str]]:
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        if name == "torch.load" and not _is_true(keywords.get("weights_only")):
            yield "ML001", "torch.load without weights_only=True unpickles (runs) the file"
        module, _, function = name.rpartition(".")
        if module in _PICKLE_MODULES and function in ("load", "loads"):
            yield "ML002", f"{name} runs code from the data it loads"
        if name == "pandas.read_pickle":
            yield "ML002", "pandas.read_pickle runs code from the file it loads"
        if name == "numpy.load" and _is_true(keywords.get("allow_pickle")):
            yield "ML002", "numpy.load with allow_pickle=True unpickles object arrays"
        if _is_true(keywords.get("trust_remote_code")):
            yield "ML003", "trust_remote_code=True runs the model repository's code"
        if self._unpinned_download(function or name, node, keywords):
            yield "ML004", f"{function or name} of a Hub repository without a pinned revision="
        if name in ("yaml.load", "yaml.load_all") and not self._safe_loader(node, keywords):
            yield "ML005", f"{name} without a safe Loader can build arbitrary objects"
        if name in ("yaml.unsafe_load", "yaml.unsafe_load_all"):
            yield "ML005", f"{name} can build arbitrary objects"
        evaluating = name in ("eval", "exec", "builtins.eval", "builtins.exec")
        if evaluating and node.args and self._from_model(node.args[0]):
            yield "ML006", f"{name.rsplit('.', 1)[-1]} of what looks like a model's response"

    def _qualified(self, func: ast.expr) -> str:
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if isinstance(func, ast.Name):
            parts.append(self.aliases.get(func.id, func.id))
        elif parts:
            parts.append("?")
        return ".".join(reversed(parts))

    def _unpinned_download(
        self, function: str, node: ast.Call, keywords: dict[str, ast.expr]
    ) -> bool:
        if function != "from_pretrained" and function not in _DOWNLOADS:
            return False
        if "revision" in keywords:
            return False
        target = (
            node.args[0]
            if node.args
            else keywords.get("repo_id") or keywords.get("pretrained_model_name_or_path")
        )
        text = None
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            text = target.value
        elif isinstance(target, ast.Name) and not any(
            target.id in names for names in self.parameters
        ):
            text = self.constants.get(target.id)
        # Only what is surely a Hub id: a local path or a value computed at run time
        # is not reported (that is where bandit's B615 is noisy).
        return text is not None and bool(_HUB_ID.match(text))

    def _safe_loader(self, node: ast.Call, keywords: dict[str, ast.expr]) -> bool:
        loader = keywords.get("Loader") or (node.args[1] if len(node.args) > 1 else None)
        if loader is None:
            return False
        name = self._qualified(loader) if isinstance(loader, ast.Attribute | ast.Name) else ""
        return name.rsplit(".", 1)[-1] in _SAFE_LOADERS

    def _from_model(self, value: ast.expr, depth: int = 0) -> bool:
        """Whether `value` reads like a model's output: `.content`, `.choices`,
        `.output_text`, or a name like `response` / `completion` (followed through one
        assignment in the same function)."""
        for node in ast.walk(value):
            if isinstance(node, ast.Attribute) and node.attr in _RESPONSE_ATTRIBUTES:
                return True
            if isinstance(node, ast.Name):
                if _RESPONSE_NAMES.search(node.id):
                    return True
                source = self.assigned[-1].get(node.id)
                if source is not None and depth < 2 and self._from_model(source, depth + 1):
                    return True
        return False


def _is_true(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is True
