"""PEP 723 scripts: `tether run script.py`, `--script`, stdin, shebangs, `lock/add/remove/
init --script`, against the test index."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from packaging.pylock import Pylock

from tests.e2e.test_sync import UNIVERSE, project
from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer

SHOW = "import sys, util; print(util.__version__, sys.argv[1:], sys.prefix)"


def script(path: Path, dependencies: str, body: str = SHOW, *, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# /// script\n"
        '# requires-python = ">=3.11"\n'
        f"# dependencies = [{dependencies}]\n"
        f"{extra}"
        "# ///\n"
        f"{body}\n"
    )
    return path


def env_for(tmp_path: Path, index: IndexServer | None) -> dict[str, str]:
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    env["TETHER_INDEX_URL"] = index.index_url if index else "http://127.0.0.1:9/simple/"
    return env


def printed(result: RunResult) -> tuple[str, list[str], str]:
    version, argv, prefix = result.stdout.strip().split(" ", 2)[0], None, None
    match = re.match(r"(\S+) (\[.*\]) (\S+)$", result.stdout.strip())
    assert match is not None, (result.stdout, result.stderr)
    version, argv_text, prefix = match.groups()
    argv = eval(argv_text)  # noqa: S307 - the script printed a list literal
    return version, argv, prefix


def test_a_script_runs_with_its_own_dependencies_then_fast_and_offline(tmp_path: Path) -> None:
    path = script(tmp_path / "work" / "show.py", '"util==1.0"')
    with IndexServer(UNIVERSE) as index:
        env = env_for(tmp_path, index)
        first = run_tether("run", "show.py", "a", "b c", cwd=path.parent, env=env)
        assert first.exit_code == 0, first.stderr
        version, argv, prefix = printed(first)
        assert (version, argv) == ("1.0", ["a", "b c"])
        assert Path(prefix).parent.name == "environments-v1"
        failing = path.parent / "fail.py"
        script(failing, '"util"', "raise SystemExit(5)")
        assert run_tether("run", "fail.py", cwd=path.parent, env=env).exit_code == 5
    # The index is gone: the warm run neither resolves nor downloads, and imports no
    # command line (the memo of the last run is enough).
    offline = env_for(tmp_path, None)
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tether", "run", "show.py"],
        cwd=path.parent, env={**_base_env(), **offline}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert timed.returncode == 0, timed.stderr
    assert timed.stdout.startswith("1.0 [] ")
    imported = set(re.findall(r"\|\s+([\w.]+)$", timed.stderr, re.M))
    assert "tether.cli.fastrun" in imported
    assert "tether.cli.main" not in imported
    # Without the memo, the full path finds the lock fresh and the environment whole.
    for memo in (tmp_path / "cache" / "scripts-v1").glob("*/run.json"):
        memo.unlink()
    again = run_tether("run", "show.py", cwd=path.parent, env=offline)
    assert again.exit_code == 0, again.stderr
    assert printed(again)[0] == "1.0"


def test_a_changed_block_relocks_and_same_resolutions_share_an_environment(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    with IndexServer(UNIVERSE) as index:
        env = env_for(tmp_path, index)
        one = script(work / "one.py", '"util"')
        two = script(work / "two.py", '"util>=1"')
        first = run_tether("run", "one.py", cwd=work, env=env)
        second = run_tether("run", "two.py", cwd=work, env=env)
        assert printed(first)[0] == printed(second)[0] == "2.0"
        assert printed(first)[2] == printed(second)[2]  # one environment for one resolved set
        # Editing the code below the block changes nothing; editing the block re-locks.
        one.write_text(one.read_text() + "print('more')\n")
        assert run_tether("run", "one.py", cwd=work, env=env).stdout.endswith("more\n")
        script(one, '"util<2"')
        changed = run_tether("run", "one.py", cwd=work, env=env)
        assert printed(changed)[0] == "1.0", changed.stderr
        assert printed(changed)[2] != printed(second)[2]
        assert two.exists()


def test_lock_script_writes_a_pep751_lock_beside_it_that_runs_then_use(tmp_path: Path) -> None:
    work = tmp_path / "work"
    with IndexServer(UNIVERSE) as index:
        env = env_for(tmp_path, index)
        path = script(work / "eval.py", '"util<2"')
        assert run_tether("run", "eval.py", cwd=work, env=env).exit_code == 0
        script(path, '"util"')  # a looser block: the first lock beside keeps what ran
        locked = run_tether("lock", "--script", "eval.py", cwd=work, env=env)
        assert locked.exit_code == 0, locked.stderr
        lock = work / "pylock.eval.toml"
        assert lock.exists()
        import tomllib

        pylock = Pylock.from_dict(tomllib.loads(lock.read_text()))
        assert [(p.name, str(p.version)) for p in pylock.packages] == [("util", "1.0")]
        assert printed(run_tether("run", "eval.py", cwd=work, env=env))[0] == "1.0"
        upgraded = run_tether("lock", "--script", "eval.py", "--upgrade", cwd=work, env=env)
        assert upgraded.exit_code == 0, upgraded.stderr
        assert 'version = "2.0"' in lock.read_text()
        assert printed(run_tether("run", "eval.py", cwd=work, env=env))[0] == "2.0"
        # A lock that no longer matches the block: --locked refuses, a plain run re-locks.
        script(path, '"util<2"')
        refused = run_tether("run", "--locked", "eval.py", cwd=work, env=env)
        assert refused.exit_code == 1
        assert "lock" in refused.stderr.lower()
        assert printed(run_tether("run", "eval.py", cwd=work, env=env))[0] == "1.0"
        assert 'version = "1.0"' in lock.read_text()


def test_add_and_remove_script_edit_the_block_and_keep_comments(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = work / "tool.py"
    path.write_text(
        textwrap.dedent(
            """\
            #!/usr/bin/env python3
            # /// script
            # requires-python = ">=3.11"  # the floor we test on
            # dependencies = [
            #   "web",  # the web client
            # ]
            # ///
            import util
            print(util.__version__)
            """
        )
    )
    with IndexServer(UNIVERSE) as index:
        env = env_for(tmp_path, index)
        added = run_tether("add", "--script", "tool.py", "util", cwd=work, env=env)
        assert added.exit_code == 0, added.stderr
        text = path.read_text()
        assert text.startswith("#!/usr/bin/env python3\n# /// script\n")
        assert "# the floor we test on" in text
        assert '"web",  # the web client' in text
        assert '"util>=2.0"' in text
        assert run_tether("run", "tool.py", cwd=work, env=env).stdout == "2.0\n"
        removed = run_tether("remove", "--script", "tool.py", "web", cwd=work, env=env)
        assert removed.exit_code == 0, removed.stderr
        assert "web" not in path.read_text().split("# ///")[1]
        missing = run_tether("remove", "--script", "tool.py", "nothere", cwd=work, env=env)
        assert missing.exit_code == 2
        assert "nothere is not in the dependencies of tool.py" in missing.stderr
        # A package that does not exist: the script is left exactly as it was.
        before = path.read_bytes()
        failed = run_tether("add", "--script", "tool.py", "no-such-pkg", cwd=work, env=env)
        assert failed.exit_code == 1
        assert path.read_bytes() == before
        # A plain file gets a block under its shebang.
        plain = work / "plain.py"
        plain.write_text("#!/usr/bin/env python3\nprint('hi')\n")
        assert run_tether("add", "--script", "plain.py", "util", cwd=work, env=env).exit_code == 0
        assert plain.read_text().startswith(
            '#!/usr/bin/env python3\n# /// script\n# dependencies = ["util>=2.0"]\n# ///\n'
        )


def test_init_script_writes_a_runnable_script_and_never_overwrites(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = env_for(tmp_path, None)
    made = run_tether("init", "--script", "hello.py", "--python", "3.11", cwd=work, env=env)
    assert made.exit_code == 0, made.stderr
    text = (work / "hello.py").read_text()
    assert text.startswith('# /// script\n# requires-python = ">=3.11"\n# dependencies = []\n')
    ran = run_tether("run", "hello.py", cwd=work, env=env)
    assert (ran.exit_code, ran.stdout) == (0, "Hello from a tether script!\n"), ran.stderr
    again = run_tether("init", "--script", "hello.py", cwd=work, env=env)
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert (work / "hello.py").read_text() == text


def test_shebang_script_flag_and_stdin(tmp_path: Path) -> None:
    work = tmp_path / "work"
    body = "import sys, util; print(util.__version__, sys.argv[1:])"
    path = script(work / "runme", '"util==1.0"', body)
    path.write_text("#!/usr/bin/env -S tether run --script\n" + path.read_text())
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    with IndexServer(UNIVERSE) as index:
        env = {**_base_env(), **env_for(tmp_path, index), "NO_COLOR": "1"}
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        direct = subprocess.run(
            [str(path), "x", "--flag"], cwd=work, env=env, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        assert (direct.returncode, direct.stdout) == (0, "1.0 ['x', '--flag']\n"), direct.stderr
        flagged = run_tether(
            "run", "--script", "runme", "y", cwd=work, env=env_for(tmp_path, index)
        )
        assert flagged.stdout == "1.0 ['y']\n", flagged.stderr
        piped = subprocess.run(
            [sys.executable, "-m", "tether", "run", "-", "z"],
            input="# /// script\n# dependencies = ['util==2.0']\n# ///\n" + body + "\n",
            cwd=work, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (piped.returncode, piped.stdout) == (0, "2.0 ['z']\n"), piped.stderr
    missing = run_tether("run", "--script", "nothere", cwd=work, env=env_for(tmp_path, None))
    assert missing.exit_code == 1
    assert "nothere: script does not exist" in missing.stderr


def test_in_a_project_a_script_with_a_block_uses_its_own_environment(tmp_path: Path) -> None:
    with IndexServer(UNIVERSE) as index:
        root = project(tmp_path / "svc", '"web==1.0", "util==1.0"')
        env = env_for(tmp_path, index)
        own = script(root / "scripts" / "own.py", '"util==2.0"', SHOW + "\nimport web")
        ran = run_tether("run", "scripts/own.py", cwd=root, env=env)
        assert ran.exit_code == 1  # web is the project's, not the script's
        assert "No module named 'web'" in ran.stderr
        own.write_text(own.read_text().replace("import web", ""))
        assert printed(run_tether("run", "scripts/own.py", cwd=root, env=env))[0] == "2.0"
        plain = root / "plain.py"
        plain.write_text("import sys, util, web; print(util.__version__, sys.prefix)\n")
        in_project = run_tether("run", "plain.py", cwd=root, env=env)
        assert in_project.exit_code == 0, in_project.stderr
        version, prefix = in_project.stdout.split()
        assert (version, Path(prefix)) == ("1.0", root / ".venv")
        # The same again, now that the project is in sync (the fast path).
        fast = run_tether("run", "plain.py", cwd=root, env=env)
        assert fast.stdout == in_project.stdout, fast.stderr


def test_broken_scripts_get_one_clear_error(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = env_for(tmp_path, None)
    cases = {
        "toml.py": (
            "# /// script\n# dependencies = [\n# ///\n",
            "invalid TOML in the script block",
        ),
        "two.py": (
            "# /// script\n# dependencies = []\n# ///\nimport os\n"
            "# /// script\n# dependencies = []\n# ///\n",
            "more than one `# /// script` block",
        ),
        "key.py": ("# /// script\n# depends = []\n# ///\n", "unknown key `depends`"),
        "req.py": ('# /// script\n# dependencies = ["not a req!"]\n# ///\n', "not a req!"),
        "py.py": ('# /// script\n# requires-python = "3.11"\n# ///\n', "requires-python"),
    }
    for name, (text, message) in cases.items():
        (work / name).write_text(text)
        result = run_tether("run", name, cwd=work, env=env)
        assert result.exit_code == 1, (name, result.stderr)
        assert message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
        assert str(work / name) in result.stderr
    with IndexServer(UNIVERSE) as index:
        script(work / "nope.py", '"util>=9"')
        unsat = run_tether("run", "nope.py", cwd=work, env=env_for(tmp_path, index))
        assert unsat.exit_code == 1
        assert "util" in unsat.stderr
        assert "Traceback" not in unsat.stderr


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}


def test_the_api_locks_and_prepares_scripts_and_runs_tasks(tmp_path: Path) -> None:
    from tether import api

    work = tmp_path / "work"
    path = script(work / "job.py", '"util<2"')
    root = project(tmp_path / "svc", '"util==1.0"', '[tool.tether.tasks]\nok = "python -c pass"\n')
    with IndexServer(UNIVERSE) as index:
        environ = {**_base_env(), **env_for(tmp_path, index)}
        result = api.lock(script=path, environ=environ)
        assert result.path == work / "pylock.job.toml"
        environment = api.script_environment(path, environ=environ)
        ran = subprocess.run(
            [str(environment / "bin" / "python"), str(path)], capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        assert ran.stdout.startswith("1.0 [] ")
        assert api.task(root, "ok", environ=environ) == 0
