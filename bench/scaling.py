"""How lock and install time grow with the number of packages: a synthetic dependency
graph on a local index, N from 100 to 2,000, tether beside uv.

    python bench/scaling.py [--sizes 100,250,500,1000,2000] [--depth 5] [--fanout 3]

The graph has `depth` layers of N/depth packages; every package has versions 1.0 and 2.0
and each version depends on `fanout` packages of the next layer (every package of a layer
is needed by at least one of the layer above), the project on the whole first layer. The
index is tether's test index server (`tests/support/index_server.py`: PEP 691 JSON, PEP
658 metadata) on 127.0.0.1, serving real wheels, so the curve shows the tools' own cost,
not the network's. For each N: cold lock (empty cache), warm lock (no lock file, warm
cache), install (fresh virtual environment, warm cache). Writes scaling.md, scaling.json
and scaling.png (log-log) into --out; super-linear growth shows as a steeper line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run import PACKAGES, install_tool  # noqa: E402 - bench/run.py, beside this file

SERVE = textwrap.dedent(
    """\
    import random, sys
    from tests.support.dists import Dist
    from tests.support.index_server import IndexServer

    n, depth, fanout = (int(a) for a in sys.argv[1:4])
    width = max(1, n // depth)
    layers = [[f"pkg-{d}-{i}" for i in range(width)] for d in range(depth)]
    rng = random.Random(n)
    dists = []
    for d, layer in enumerate(layers):
        below = layers[d + 1] if d + 1 < depth else []
        for i, name in enumerate(layer):
            for version in ("1.0", "2.0"):
                needs = set()
                if below:
                    needs.add(below[i % len(below)])  # everyone below is needed
                    while len(needs) < min(fanout, len(below)):
                        needs.add(rng.choice(below))
                dists.append(Dist(name, version, requires=[f"{x}>=1.0" for x in sorted(needs)]))
    server = IndexServer(dists).start()
    print(server.index_url, flush=True)
    print(" ".join(f'"{name}>=1.0"' for name in layers[0]), flush=True)
    sys.stdin.read()  # serve until the parent closes stdin
    server.stop()
    """
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,250,500,1000,2000")
    parser.add_argument("--depth", type=int, default=5)
    parser.add_argument("--fanout", type=int, default=3)
    parser.add_argument("--tools", default="tether,uv")
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    tools = {name: install_tool(name, args.work) for name in args.tools.split(",")}
    server_python = tools.get("tether", install_tool("tether", args.work)).bin / "python"
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        server = subprocess.Popen(
            [str(server_python), "-c", SERVE, str(size), str(args.depth), str(args.fanout)],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if server.stdout is None or server.stdin is None:
            raise RuntimeError("the index server's pipes are missing")
        index_url = server.stdout.readline().strip()
        requirements = server.stdout.readline().strip()
        try:
            for name, tool in tools.items():
                row = measure_size(name, tool.bin, size, index_url, requirements)
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            server.stdin.close()
            server.wait(timeout=30)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaling.json").write_text(json.dumps(rows, indent=2) + "\n")
    (args.out / "scaling.md").write_text(markdown(rows, args))
    print((args.out / "scaling.md").read_text())
    chart(rows, args)
    return 0


def measure_size(
    name: str, bin_dir: Path, size: int, index_url: str, requirements: str
) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"scaling-{name}-{size}-"))
    try:
        project = work / "project"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            f'[project]\nname = "synthetic"\nversion = "0"\nrequires-python = ">=3.11"\n'
            f"dependencies = [{', '.join(requirements.split())}]\n"
        )
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        env |= {
            "TETHER_CACHE_DIR": str(work / "cache"), "UV_CACHE_DIR": str(work / "cache"),
            "TETHER_INDEX_URL": index_url, "UV_DEFAULT_INDEX": index_url,
            "UV_NO_PROGRESS": "1", "NO_COLOR": "1",
        }  # fmt: skip
        exe = str(bin_dir / name)
        lock_file = project / ("pylock.toml" if name == "tether" else "uv.lock")
        row: dict[str, object] = {"tool": name, "packages": size}
        row["cold lock"] = timed([exe, "lock"], project, env)
        lock_file.unlink()
        row["warm lock"] = timed([exe, "lock"], project, env)
        row["install"] = timed([exe, "sync", "--frozen"], project, env)
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float | None:
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.stderr.write(f"{' '.join(command)} failed:\n{done.stderr[-1500:]}\n")
        return None
    return round(seconds, 3)


def markdown(rows: list[dict[str, object]], args: argparse.Namespace) -> str:
    lines = [
        f"Synthetic graph: depth {args.depth}, fan-out {args.fanout}, 2 versions per package; "
        f"local index; {os.cpu_count()} CPUs; seconds, one run per size.",
        "",
        "| packages | tool | cold lock | warm lock | install |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        cells = [
            f"{row[k]:.2f}" if isinstance(row[k], float) else "failed"
            for k in ("cold lock", "warm lock", "install")
        ]
        lines.append(f"| {row['packages']} | {row['tool']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def chart(rows: list[dict[str, object]], args: argparse.Namespace) -> None:
    plot = args.work / "tools" / "plot" / "bin" / "python"
    if not plot.exists():
        subprocess.run([sys.executable, "-m", "venv", str(plot.parent.parent)], check=True)
        subprocess.run([str(plot), "-m", "pip", "install", "-q", *PACKAGES["plot"]], check=True)
    spec = json.dumps({"rows": rows, "out": str(args.out / "scaling.png")})
    subprocess.run([str(plot), "-c", PLOT, spec], check=True)


PLOT = textwrap.dedent(
    """\
    import json, sys
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    spec = json.loads(sys.argv[1])
    rows = spec["rows"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for tool in sorted({r["tool"] for r in rows}):
        for scenario, style in (("cold lock", "-"), ("warm lock", "--"), ("install", ":")):
            points = [(r["packages"], r[scenario]) for r in rows
                      if r["tool"] == tool and r[scenario]]
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, style, marker="o", label=f"{tool} {scenario}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("packages in the resolution")
    ax.set_ylabel("seconds (log)")
    ax.legend(fontsize=8)
    ax.grid(which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(spec["out"], dpi=120)
    """
)


if __name__ == "__main__":
    raise SystemExit(main())
