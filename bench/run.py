"""tether beside uv, Poetry, PDM and pip-tools on the workloads in ../shared/bench/.

    python bench/run.py --tools tether,uv,poetry,pdm,pip-tools --reps 3

Each tool is installed from PyPI into its own virtual environment under `bench/.work/`
(tether from this checkout). For every workload and repetition, each scenario runs for
each tool in turn (tools interleaved, so drift hits all alike), in a fresh copy of the
workload with the tool's own cache directory:

- cold lock: empty cache, no lock file;
- warm lock: the cache the cold lock filled, no lock file;
- install: from the lock into a fresh virtual environment, warm cache (an unmeasured
  install first fills the cache with the wheels);
- no-op sync: the environment already matches the lock;
- run: `<tool> run python -c pass` in the synced project, and bare
  `.venv/bin/python -c pass` as the floor;
- script run: `<tool> run script.py` for a PEP 723 script (tether and uv) that declares
  the workload's dependencies and does nothing, warm (an unmeasured run first resolves
  and installs it).

`ml-stack` and `ml-research` are locked only (torch's CUDA wheels are gigabytes;
ml-research, a 400-package research graph with sdist-only dependencies and Python
forks, has no requirements.in, so pip-tools has nothing to compile there). It reports median and
spread (min-max) of wall time, the peak resident memory of the command's process tree,
and ratios to uv; failures are shown as failures. Writes `results.md`, `results.json`
and `results.png` (log-scale bars, matplotlib from its own environment) into `--out`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORKLOADS = REPO.parent / "shared" / "bench" / "workloads"
TOOLS = ("tether", "uv", "poetry", "pdm", "pip-tools")
SCENARIOS = ("cold lock", "warm lock", "install", "no-op sync", "run", "script run")
LOCK_ONLY = ("ml-stack", "ml-research")
# Pinned so that runs compare like with like; bump deliberately.
PACKAGES = {
    "uv": ["uv==0.13.9"],
    "poetry": ["poetry==2.5.1"],
    "pdm": ["pdm==2.29.4", "hishel<2"],  # hishel 2.0 removed what pdm 2.29.4 imports
    "pip-tools": ["pip-tools==7.6.2", "pip>=25"],
    "plot": ["matplotlib>=3.8"],
}
PROBE = textwrap.dedent(
    """\
    import resource, subprocess, sys, time
    start = time.perf_counter()
    done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
    print(done.returncode, seconds, peak)
    """
)


@dataclass
class Sample:
    seconds: float | None  # None: the command failed
    peak_mb: float | None = None
    error: str = ""


@dataclass
class Results:
    """(workload, scenario, tool) -> samples."""

    samples: dict[tuple[str, str, str], list[Sample]] = field(default_factory=dict)
    floor: dict[str, list[float]] = field(default_factory=dict)  # workload -> bare python

    def add(self, key: tuple[str, str, str], sample: Sample) -> None:
        self.samples.setdefault(key, []).append(sample)


@dataclass(frozen=True)
class Tool:
    """How one tool does each scenario: argv lists, run in the project directory."""

    name: str
    bin: Path  # the directory holding the tool's executables
    cache_env: str  # the environment variable naming its cache directory

    def argv(self, scenario: str, exclude_newer: str) -> list[str] | None:
        exe = str(self.bin / ("pip-compile" if self.name == "pip-tools" else self.name))
        sync = str(self.bin / "pip-sync")
        if self.name == "tether":
            return {
                "lock": [exe, "lock"],  # exclude-newer: in [tool.tether], see configure()
                "install": [exe, "sync", "--frozen"],
                "no-op sync": [exe, "sync", "--frozen"],
                "run": [exe, "run", "python", "-c", "pass"],
                "script run": [exe, "run", "script.py"],
            }.get(scenario)
        if self.name == "uv":
            return {
                "lock": [exe, "lock"],  # exclude-newer: in [tool.uv], see configure()
                "install": [exe, "sync", "--frozen"],
                "no-op sync": [exe, "sync", "--frozen"],
                "run": [exe, "run", "python", "-c", "pass"],
                "script run": [exe, "run", "script.py"],
            }.get(scenario)
        if self.name == "poetry":
            return {
                "lock": [exe, "lock", "--no-interaction"],
                "install": [exe, "install", "--no-interaction", "--no-root"],
                "no-op sync": [exe, "install", "--no-interaction", "--no-root"],
                "run": [exe, "run", "python", "-c", "pass"],
            }.get(scenario)
        if self.name == "pdm":
            return {
                "lock": [exe, "lock", "--exclude-newer", exclude_newer],
                "install": [exe, "sync", "--no-self"],
                "no-op sync": [exe, "sync", "--no-self"],
                "run": [exe, "run", "python", "-c", "pass"],
            }.get(scenario)
        return {  # pip-tools: no run command
            "lock": [exe, "--quiet", "requirements.in", "-o", "requirements.txt"],
            "install": [sync, "--python-executable", ".venv/bin/python", "requirements.txt"],
            "no-op sync": [sync, "--python-executable", ".venv/bin/python", "requirements.txt"],
        }.get(scenario)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--workloads", default="ai-service,ml-stack,ml-research")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--exclude-newer", default="2026-11-01T00:00:00Z")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    args.work.mkdir(parents=True, exist_ok=True)
    installed = {name: install_tool(name, args.work) for name in tools}
    results = Results()
    for workload in [w.strip() for w in args.workloads.split(",") if w.strip()]:
        scenarios = ("cold lock", "warm lock") if workload in LOCK_ONLY else SCENARIOS
        for rep in range(args.reps):
            run_repetition(workload, scenarios, installed, results, args, rep)
    args.out.mkdir(parents=True, exist_ok=True)
    write_outputs(results, tools, args)
    return 0


def install_tool(name: str, work: Path) -> Tool:
    """The tool in its own venv, reused when present; tether is re-installed from this
    checkout every time (a reused one would measure yesterday's code)."""
    env = work / "tools" / name
    python = env / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        packages = [str(REPO)] if name == "tether" else PACKAGES[name]
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip", *packages],
            check=True,
        )
    elif name == "tether":
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps",
             str(REPO)], check=True,
        )  # fmt: skip
    cache_env = {
        "tether": "TETHER_CACHE_DIR",
        "uv": "UV_CACHE_DIR",
        "poetry": "POETRY_CACHE_DIR",
        "pdm": "PDM_CACHE_DIR",
        "pip-tools": "PIP_CACHE_DIR",
    }[name]
    return Tool(name=name, bin=env / "bin", cache_env=cache_env)


def run_repetition(
    workload: str,
    scenarios: Sequence[str],
    tools: dict[str, Tool],
    results: Results,
    args: argparse.Namespace,
    rep: int,
) -> None:
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-{workload}-{rep}-", dir=args.work))
    try:
        projects = {}
        for name, tool in tools.items():
            project = scratch / name / "project"
            shutil.copytree(WORKLOADS / workload, project)
            configure(project, name, args.exclude_newer)
            (scratch / name / "cache").mkdir()
            projects[name] = project
            del tool
        for scenario in scenarios:
            for name, tool in tools.items():
                project = projects[name]
                if scenario == "install":  # a warm cache holds the wheels, too
                    prepare(scenario, project, tool, args.exclude_newer)
                    warm = tool.argv("install", args.exclude_newer)
                    if warm is not None:
                        measure(warm, project, environ(tool, project.parent / "cache"))
                prepare(scenario, project, tool, args.exclude_newer)
                command = tool.argv(scenario.split()[-1] if "lock" in scenario else scenario,
                                    args.exclude_newer)  # fmt: skip
                if command is None:
                    continue
                sample = measure(command, project, environ(tool, project.parent / "cache"))
                results.add((workload, scenario, name), sample)
                status = f"{sample.seconds:.2f}s" if sample.seconds is not None else "FAILED"
                print(f"[{workload} #{rep + 1}] {scenario:<11} {name:<9} {status}", flush=True)
            if scenario == "run":
                python = next(iter(projects.values())) / ".venv" / "bin" / "python"
                floor = measure([str(python), "-c", "pass"], scratch, dict(os.environ))
                if floor.seconds is not None:
                    results.floor.setdefault(workload, []).append(floor.seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def configure(project: Path, tool: str, exclude_newer: str) -> None:
    """The same `exclude-newer` in the project's own configuration for the tools that
    keep it there (so that their `run` sees the lock as fresh); PDM takes the flag."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    if tool == "tether":
        text += f'\n[tool.tether]\nexclude-newer = "{exclude_newer}"\n'
    elif tool == "uv":
        text = text.replace("[tool.uv]\n", f'[tool.uv]\nexclude-newer = "{exclude_newer}"\n', 1)
    elif tool == "poetry":
        # Poetry's default source reads PyPI's per-release JSON API, which here lags the
        # simple API (releases it lists are "not found"): point it at the simple API.
        text += (
            '\n[[tool.poetry.source]]\nname = "pypi-simple"\n'
            'url = "https://pypi.org/simple/"\npriority = "primary"\n'
        )
    pyproject.write_text(text)


def prepare(scenario: str, project: Path, tool: Tool, exclude_newer: str) -> None:
    """Put the project in the state the scenario starts from."""
    if scenario == "script run" and tool.name in ("tether", "uv"):
        write_script(project, tool.name, exclude_newer)
        warm = tool.argv("script run", exclude_newer)
        if warm is not None:  # resolve and install once, unmeasured
            measure(warm, project, environ(tool, project.parent / "cache"))
    if scenario == "warm lock":
        for name in ("pylock.toml", "uv.lock", "poetry.lock", "pdm.lock", "requirements.txt"):
            (project / name).unlink(missing_ok=True)
    if scenario == "install":
        shutil.rmtree(project / ".venv", ignore_errors=True)
        if tool.name == "pip-tools":
            subprocess.run([sys.executable, "-m", "venv", str(project / ".venv")], check=True)
            subprocess.run(  # pip-sync installs with the environment's own pip
                [str(project / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q",
                 "--upgrade", "pip"], check=True,
            )  # fmt: skip


def write_script(project: Path, tool: str, exclude_newer: str) -> None:
    """`script.py`: the workload's dependencies and Python range as a PEP 723 block."""
    table = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    lines = [
        f"requires-python = {json.dumps(table.get('requires-python', '>=3.9'))}",
        f"dependencies = {json.dumps(table.get('dependencies', []))}",
        f"[tool.{tool}]",
        f'exclude-newer = "{exclude_newer}"',
    ]
    block = "\n".join(f"# {line}" for line in lines)
    (project / "script.py").write_text(f"# /// script\n{block}\n# ///\npass\n")


def environ(tool: Tool, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env[tool.cache_env] = str(cache)
    env["PATH"] = f"{tool.bin}{os.pathsep}{env.get('PATH', '')}"
    env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
    env["POETRY_VIRTUALENVS_CREATE"] = "true"
    env["PDM_IGNORE_ACTIVE_VENV"] = "1"
    env["PDM_VENV_IN_PROJECT"] = "true"
    env["PDM_CHECK_UPDATE"] = "false"
    env["UV_NO_PROGRESS"] = "1"
    env["NO_COLOR"] = "1"
    return env


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(cwd), *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        code, seconds, peak = done.stdout.split()
    except ValueError:
        return Sample(None, error=done.stderr[-500:])
    if code != "0":
        return Sample(None, error=done.stderr.strip().splitlines()[-1:][0] if done.stderr else "")
    return Sample(float(seconds), float(peak) / 1024)


def write_outputs(results: Results, tools: list[str], args: argparse.Namespace) -> None:
    rows = summarise(results, tools)
    (args.out / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    (args.out / "results.md").write_text(markdown(rows, results, tools, args))
    chart(rows, tools, args)
    print((args.out / "results.md").read_text())


def summarise(results: Results, tools: list[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    keys = sorted({(w, s) for (w, s, _) in results.samples}, key=_order)
    for workload, scenario in keys:
        uv = _median(results.samples.get((workload, scenario, "uv"), []))
        for tool in tools:
            samples = results.samples.get((workload, scenario, tool))
            if samples is None:
                continue
            good = [s.seconds for s in samples if s.seconds is not None]
            median = statistics.median(good) if len(good) == len(samples) else None
            rows.append(
                {
                    "workload": workload,
                    "scenario": scenario,
                    "tool": tool,
                    "median_s": median,
                    "min_s": min(good) if good else None,
                    "max_s": max(good) if good else None,
                    "peak_mb": max((s.peak_mb or 0.0) for s in samples) or None,
                    "ratio_to_uv": None if median is None or not uv else median / uv,
                    "failures": [s.error for s in samples if s.seconds is None],
                    "reps": len(samples),
                }
            )
    return rows


def _order(key: tuple[str, str]) -> tuple[str, int]:
    return key[0], SCENARIOS.index(key[1])


def _median(samples: list[Sample]) -> float | None:
    good = [s.seconds for s in samples if s.seconds is not None]
    return statistics.median(good) if good and len(good) == len(samples) else None


def markdown(
    rows: list[dict[str, object]], results: Results, tools: list[str], args: argparse.Namespace
) -> str:
    lines = [
        f"Medians of {args.reps} runs, spread min-max, peak RSS of the process tree; "
        "ratio = tool / uv (lower is faster).",
        "",
        "| workload | scenario | " + " | ".join(tools) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in tools) + " |",
    ]
    by_key = {(r["workload"], r["scenario"], r["tool"]): r for r in rows}
    for workload, scenario in sorted({(r["workload"], r["scenario"]) for r in rows}, key=_order):  # type: ignore[arg-type]
        cells = [_cell(by_key.get((workload, scenario, tool))) for tool in tools]
        lines.append(f"| {workload} | {scenario} | " + " | ".join(cells) + " |")
    for workload, floor in sorted(results.floor.items()):
        lines.append(f"\nBare `.venv/bin/python -c pass` ({workload}): "
                     f"{statistics.median(floor) * 1000:.0f} ms.")  # fmt: skip
    lines += [
        "",
        "Same index (PyPI) for all. `--exclude-newer "
        f"{args.exclude_newer}` for tether, uv and PDM; Poetry and pip-tools have no such "
        "option and resolve against today's PyPI. Caches: each tool's own directory "
        "(TETHER_CACHE_DIR, UV_CACHE_DIR, POETRY_CACHE_DIR, PDM_CACHE_DIR, PIP_CACHE_DIR), "
        "empty for the cold lock. pip-tools has no `run`; its install is `pip-sync` into a "
        "fresh venv. All tools read PyPI's simple API: Poetry through a "
        "`[[tool.poetry.source]]` (`pypi-simple`, primary), as its default JSON API source "
        "failed to find current releases here. PDM runs with `hishel<2` (hishel 2.0 breaks "
        "PDM 2.29.4). "
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}.",
    ]
    failures = [r for r in rows if r["failures"]]
    for row in failures:
        lines.append(f"\nFAILED: {row['tool']} {row['scenario']} on {row['workload']}: "
                     f"{row['failures'][0]}")  # type: ignore[index]  # fmt: skip
    return "\n".join(lines) + "\n"


def _cell(row: dict[str, object] | None) -> str:
    if row is None:
        return "n/a"
    median = row["median_s"]
    if median is None:
        return "**failed**"
    text = f"{median:.2f} s ({row['min_s']:.2f}-{row['max_s']:.2f})"
    if row["peak_mb"]:
        text += f", {row['peak_mb']:.0f} MB"
    if row["ratio_to_uv"] is not None and row["tool"] != "uv":
        text += f", **{row['ratio_to_uv']:.2f}×**"
    return text


def chart(rows: list[dict[str, object]], tools: list[str], args: argparse.Namespace) -> None:
    """A grouped, log-scale bar chart, drawn by matplotlib from its own environment."""
    plot = args.work / "tools" / "plot" / "bin" / "python"
    if not plot.exists():
        subprocess.run([sys.executable, "-m", "venv", str(plot.parent.parent)], check=True)
        subprocess.run([str(plot), "-m", "pip", "install", "-q", *PACKAGES["plot"]], check=True)
    data = json.dumps({"rows": rows, "tools": tools, "out": str(args.out / "results.png")})
    subprocess.run([str(plot), "-c", PLOT, data], check=True)


PLOT = textwrap.dedent(
    """\
    import json, sys
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    spec = json.loads(sys.argv[1])
    rows, tools = spec["rows"], spec["tools"]
    groups = []
    for r in rows:
        key = (r["workload"], r["scenario"])
        if key not in groups:
            groups.append(key)
    width = 0.8 / len(tools)
    fig, ax = plt.subplots(figsize=(max(8, 1.4 * len(groups)), 4.5))
    for i, tool in enumerate(tools):
        xs, ys = [], []
        for g, key in enumerate(groups):
            for r in rows:
                if (r["workload"], r["scenario"]) == key and r["tool"] == tool and r["median_s"]:
                    xs.append(g + i * width)
                    ys.append(r["median_s"])
        ax.bar(xs, ys, width, label=tool)
    ax.set_yscale("log")
    ax.set_ylabel("seconds (median, log scale)")
    ax.set_xticks([g + width * (len(tools) - 1) / 2 for g in range(len(groups))])
    ax.set_xticklabels([f"{w}\\n{s}" for w, s in groups], fontsize=8)
    ax.legend(fontsize=8)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(spec["out"], dpi=120)
    """
)


if __name__ == "__main__":
    raise SystemExit(main())
