"""`tether sync`: make the project's environment hold exactly what the lock selects for
this machine (creating the environment and the lock when needed)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock
from packaging.utils import canonicalize_name

from tether.cache import Bucket, Cache
from tether.commands.basics import (
    IndexOptions,
    is_offline,
    keep_wheel_archives,
    open_cache,
    resolve_indexes,
)
from tether.commands.freshness import lock_is_fresh
from tether.commands.locations import lock_location
from tether.commands.torch_backend import BackendPick, pick_backend
from tether.errors import InstallError, LockError, PythonNotFound
from tether.fs import atomic_write
from tether.install.plan import Directory, GitPin, InstallPlan, Wanted, plan
from tether.install.script_runs import STATE
from tether.install.site_listing import site_listing
from tether.install.state import sync_state
from tether.install.wheel import LinkMode, Target, installed, same_filesystem, settled
from tether.project import Project, Selection, find_pyproject
from tether.project.workspace import open_project
from tether.python.interpreter import Interpreter, describe

if TYPE_CHECKING:
    from tether.index.client import IndexClient
    from tether.index.config import Index
    from tether.index.http import HttpClient
    from tether.install.apply import ApplyResult
    from tether.install.progress import InstallProgress

# Installing, building and locking load on demand: a no-op sync needs none of them.


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncOptions:
    start: Path
    environ: Mapping[str, str]
    index: IndexOptions = field(default_factory=IndexOptions)
    selection: Selection = field(default_factory=Selection)
    frozen: bool = False
    locked: bool = False
    python: str | None = None
    reinstall: bool = False
    reinstall_packages: tuple[str, ...] = ()
    exact: bool = True
    link_mode: LinkMode = LinkMode.HARDLINK
    compile_bytecode: bool = False
    torch_backend: str | None = None  # a declared backend, or "auto" (the default)
    on_progress: Callable[[str], None] | None = None  # a status line for a terminal
    progress: InstallProgress | None = None  # bars for a terminal (tether.cli.progress)
    project: Project | None = None  # already read (a PEP 723 script); else found from start


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    environment: Path
    interpreter: Interpreter
    plan: InstallPlan
    applied: ApplyResult | None
    skipped_project: bool
    warnings: tuple[str, ...] = ()
    torch: BackendPick | None = None
    directories: tuple[str, ...] = ()  # path dependencies (re)built and installed
    git_commits: Mapping[str, str] = field(default_factory=dict)  # ... of those, git ones


def sync(options: SyncOptions) -> SyncResult:
    project = options.project or open_project(find_pyproject(options.start))
    lock_path = lock_location(project)
    fresh, lock_warnings = _ensure_lock(project, lock_path, options)
    environment = _environment(project, options)
    cache = open_cache(options.environ)
    interpreter = describe(environment / "bin" / "python", cache)
    torch = pick_backend(project, options.torch_backend, options.environ)
    chosen = options.selection
    if torch is not None:
        chosen = replace(chosen, torch_backend=torch.backend)
    extras = project.selected_extras(chosen)
    groups = project.selected_groups(chosen)
    # PEP 751 selects only what the lock declares (one another tool exported may lack
    # a group the project has).
    lock_bytes = lock_path.read_bytes()  # read once: hashed, and its header parsed
    groups, extras, selection_warnings = _in_lock(
        chosen, groups, extras, lock_path, lock_bytes.decode("utf-8")
    )
    # `--only-group`: the groups' own closure, not the project's dependencies (as uv and
    # `poetry install --only` do).
    only = bool(chosen.only_groups) and not chosen.all_groups
    # In a workspace: the members this sync is for (the one it started in, `--package`,
    # `--all-packages`), and what they reach in the lock.
    members = _members(project, chosen)
    lock_sha256 = hashlib.sha256(lock_bytes).hexdigest()
    key = _selection_key(lock_sha256, extras, groups, interpreter, only=only, members=members)
    remembered = _remembered(environment, key) or _from_memo(_cached_memo(cache, key), key)
    if remembered is not None:
        wanted, directories, skipped_project = remembered
    else:
        wanted, directories, skipped_project = _select(
            project, lock_path, interpreter, extras, groups, only=only, members=members
        )
        with contextlib.suppress(OSError):  # a read-only cache only costs the next sync
            memo = _memo(key, wanted, directories, skipped_project)
            cache.write(Bucket.SELECTIONS, f"{key}.json", data=json.dumps(memo).encode())
    target = Target.from_paths(interpreter.paths, environment / "bin" / "python")
    site = Path(interpreter.paths["purelib"])
    # One sync at a time per environment; the plan is made under the lock, so a sync
    # that waited sees what the one before it did.
    with FileLock(str(environment / ".tether.lock")):
        present = installed(site)
        if project.build_system is not None and (project.workspace is None or skipped_project):
            present.pop(project.name, None)  # the project itself is handled below
        for directory in directories:  # so are path dependencies
            present.pop(canonicalize_name(directory.name), None)
        install_plan = plan(
            wanted,
            present,
            exact=options.exact,
            reinstall=options.reinstall_packages,
            reinstall_all=options.reinstall,
        )
        applied = _apply(project, install_plan, target, environment, options)
        if options.compile_bytecode and applied is not None:
            _compile(target)
        built = _install_directories(project, directories, interpreter, target, options)
        selected_project = skipped_project  # the memo keeps what the lock selects
        if skipped_project and project.build_system is not None:
            # Every time: the check is cheap, and a project whose metadata changed
            # (a new console script) is rebuilt.
            _install_project(project, interpreter, target, options)
            skipped_project = False
        state = _state(
            project,
            environment,
            lock_sha256=lock_sha256,
            fresh=fresh,
            extras=extras,
            groups=groups,
            torch=torch,
            memo=_memo(key, wanted, directories, selected_project),
            only=only,
            members=members,
        )
        if state.get("pyproject-sha256") and torch is None and not directories:
            listing, _count = site_listing(str(environment))
            state["site"] = {"listing": listing, "packages": len(wanted)}
        # Not fsynced: a state file lost to a crash only makes the next sync do the full
        # check, and an fsync right after thousands of links waits for the journal.
        atomic_write(environment / STATE, json.dumps(state, sort_keys=True), durable=False)
    warnings = [
        *lock_warnings,
        *selection_warnings,
        _environment_warning(project, options.environ),
    ]
    if applied is not None and applied.installed and options.link_mode is LinkMode.HARDLINK:
        warnings.append(_copy_warning(cache.root, environment))
    return SyncResult(
        environment=environment,
        interpreter=interpreter,
        plan=install_plan,
        applied=applied,
        skipped_project=skipped_project,
        warnings=tuple(w for w in warnings if w),
        torch=torch,
        directories=tuple(built),
        git_commits={d.name: d.vcs.commit for d in directories if d.vcs and d.name in built},
    )


def _ensure_lock(
    project: Project, lock_path: Path, options: SyncOptions
) -> tuple[bool | None, tuple[str, ...]]:
    """Lock first when the lock is stale (unless --frozen); True when the lock is known
    to match pyproject.toml, None when --frozen left that unchecked; and what the lock
    warned of."""
    if options.frozen:
        if not lock_path.exists():
            raise LockError(
                f"{lock_path} does not exist, and --frozen uses the lock as it is",
                hint="run `tether lock` first, or drop --frozen",
            )
        return None, ()
    if options.locked or options.index.refresh or not lock_is_fresh(project):
        from tether.commands.lock import LockOptions, lock  # noqa: PLC0415 - when stale

        result = lock(
            LockOptions(
                start=project.root,
                index=options.index,
                environ=options.environ,
                check=options.locked,
                project=options.project,
            )
        )
        return True, result.warnings
    return True, ()


def _select(
    project: Project,
    lock_path: Path,
    interpreter: Interpreter,
    extras: list[str],
    groups: list[str],
    *,
    only: bool = False,
    members: tuple[str, ...] | None = None,
) -> tuple[list[Wanted], list[Directory], bool]:
    """What the lock selects for this interpreter, extras and groups (`only`: just what
    the groups' requirements need; `members`: just what those workspace members and
    their groups need)."""
    from packaging.pylock import PylockSelectError  # noqa: PLC0415

    from tether.lock import read_lock  # noqa: PLC0415 - parsing a lock is the slow part

    pylock = read_lock(lock_path)
    try:
        selected = list(
            pylock.select(
                environment=dict(interpreter.markers),  # type: ignore[arg-type]
                tags=interpreter.tags(),
                extras=extras,
                dependency_groups=groups,
            )
        )
    except PylockSelectError as err:
        raise InstallError(
            f"the lock has nothing installable for this environment: {err}",
            hint=f"Python {interpreter.version} on {interpreter.markers['sys_platform']}; "
            "re-lock, or pick another interpreter with --python",
        ) from None
    if only:
        roots = _requested(project, [], groups, with_project=False)
        selected = _closure(selected, roots)
        return _partition(selected, project, roots)
    if members is not None:
        selected = _closure(selected, _member_roots(project, members, groups))
    return _partition(selected, project, _requested(project, extras, groups))


def _members(project: Project, chosen: Selection) -> tuple[str, ...] | None:
    """The workspace members a sync installs (None: not a workspace)."""
    if project.workspace is None:
        return None
    return tuple(str(n) for n in project.workspace.chosen(all_packages=chosen.all_packages))


def _member_roots(project: Project, members: tuple[str, ...], groups: list[str]) -> set[str]:
    """Where the closure starts: the members, and what their selected groups require."""
    assert project.workspace is not None  # noqa: S101 - only for workspaces
    roots: set[str] = {canonicalize_name(m) for m in members}
    for name in members:
        member = project.workspace.members[canonicalize_name(name)]
        for group in groups:
            for requirement in member.dependency_groups.get(canonicalize_name(group), ()):
                roots.add(canonicalize_name(requirement.name))
    if project.workspace.root_project is None:  # a virtual root's own groups
        for group in groups:
            own = project.dependency_groups.get(canonicalize_name(group), ())
            member_names = {
                canonicalize_name(r.name)
                for m in project.workspace.members.values()
                for r in m.dependency_groups.get(canonicalize_name(group), ())
            }
            roots |= {canonicalize_name(r.name) for r in own} - member_names
    return roots


def _in_lock(
    chosen: Selection, groups: list[str], extras: list[str], lock_path: Path, text: str
) -> tuple[list[str], list[str], list[str]]:
    """The groups and extras to select that the lock (`text`) declares, and warnings."""
    warnings: list[str] = []
    declared_groups, declared_extras = _lock_header(text)
    explicit = {*chosen.groups, *chosen.only_groups, *chosen.extras}
    groups = _declared(
        "dependency group", groups, declared_groups, lock_path,
        explicit=explicit, warnings=warnings,
    )  # fmt: skip
    extras = _declared(
        "extra", extras, declared_extras, lock_path, explicit=explicit, warnings=warnings
    )
    return groups, extras, warnings


def _lock_header(text: str) -> tuple[list[str], list[str]]:
    """The groups (declared and default) and extras the lock declares, read from its
    top-level keys only (the packages, the slow part to parse, come after them)."""
    import tomllib  # noqa: PLC0415

    head = text.split("\n[", 1)[0]
    try:
        data = tomllib.loads(head)
    except tomllib.TOMLDecodeError:
        data = tomllib.loads(text)  # an unusual layout: parse it all
    groups = [*data.get("dependency-groups", []), *data.get("default-groups", [])]
    return [str(g) for g in groups], [str(e) for e in data.get("extras", [])]


def _declared(
    kind: str,
    wanted: list[str],
    declared: list[str],
    lock_path: Path,
    *,
    explicit: set[str],
    warnings: list[str],
) -> list[str]:
    """The groups (or extras) to select that the lock declares (PEP 751 selects only
    those). One the project has by default but the lock lacks (a lock another tool
    exported without it) is left out with a warning; one asked for by name is an error
    that says how to get a lock that has it."""
    known = {canonicalize_name(d) for d in declared}
    missing = [w for w in wanted if canonicalize_name(w) not in known]
    asked = [m for m in missing if m in explicit]
    if asked:
        raise InstallError(
            f"{lock_path.name} declares no {kind} {', '.join(repr(a) for a in asked)} "
            f"(it declares: {', '.join(sorted(declared)) or 'none'})",
            hint=f"re-lock with `tether lock` to include it (the lock was made without it, "
            f"e.g. exported by another tool), or drop the {kind} from the command",
        )
    if missing:
        names = ", ".join(repr(m) for m in missing)
        warnings.append(
            f"{lock_path.name} declares no {kind} {names}, which the project installs by "
            f"default: installing without it (run `tether lock` for a lock that has it)"
        )
    return [w for w in wanted if canonicalize_name(w) in known]


def _closure(selected: list[tuple[Any, Any]], roots: Iterable[str]) -> list[tuple[Any, Any]]:
    """The selected packages `roots` reach through the lock's dependency lists."""
    from tether.lock.reach import dependency_names, reached  # noqa: PLC0415

    children: dict[str, list[str]] = {}
    for package, _dist in selected:
        children.setdefault(canonicalize_name(package.name), []).extend(
            dependency_names(package.dependencies)
        )
    found = reached(children, roots)
    return [entry for entry in selected if canonicalize_name(entry[0].name) in found]


def _selection_key(
    lock_sha256: str,
    extras: list[str],
    groups: list[str],
    interpreter: Interpreter,
    *,
    only: bool = False,
    members: tuple[str, ...] | None = None,
) -> str:
    """What a selection from the lock depends on, hashed: the lock's bytes, the extras
    and groups, and the interpreter (markers and tags follow from its identity)."""
    identity = {
        "lock": lock_sha256,
        "extras": extras,
        "groups": groups,
        **({"only-groups": True} if only else {}),
        **({"members": list(members)} if members is not None else {}),
        "python": [str(interpreter.path), interpreter.executable, str(interpreter.version)],
        "markers": dict(interpreter.markers),
    }
    text = json.dumps(identity, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _remembered(environment: Path, key: str) -> tuple[list[Wanted], list[Directory], bool] | None:
    """The last sync's selection, when it was made from the same lock, extras, groups
    and interpreter: a no-op sync then needs no TOML parsing (a tenth of a second for a
    large lock)."""
    return _from_memo(sync_state(environment).get("selection"), key)


def _cached_memo(cache: Cache, key: str) -> object:
    """The same, kept in the global cache: a re-created environment skips the parse too."""
    data = cache.read(Bucket.SELECTIONS, f"{key}.json")
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _memo(
    key: str, wanted: list[Wanted], directories: list[Directory], has_project: bool
) -> dict[str, object]:
    return {
        "key": key,
        "wanted": [
            {
                "name": w.name,
                "version": w.version,
                "filename": w.filename,
                "url": w.url,
                "path": None if w.path is None else str(w.path),
                "sha256": w.sha256,
                "size": w.size,
                "requested": w.requested,
            }
            for w in wanted
        ],
        "directories": [
            {
                "name": d.name,
                "version": d.version,
                "source": str(d.source),
                "editable": d.editable,
                "vcs": None if d.vcs is None else asdict(d.vcs),
            }
            for d in directories
        ],
        "project": has_project,
    }


def _from_memo(memo: object, key: str) -> tuple[list[Wanted], list[Directory], bool] | None:
    if not isinstance(memo, dict) or memo.get("key") != key:
        return None
    try:
        wanted = [
            Wanted(**{**w, "path": None if w["path"] is None else Path(w["path"])})
            for w in memo["wanted"]
        ]
        directories = [
            Directory(
                d["name"],
                d["version"],
                Path(d["source"]),
                d["editable"],
                None if d.get("vcs") is None else GitPin(**d["vcs"]),
            )
            for d in memo["directories"]
        ]
        return wanted, directories, bool(memo["project"])
    except (KeyError, TypeError):
        return None


def _partition(
    selected: list[tuple[Any, Any]], project: Project, requested: set[str]
) -> tuple[list[Wanted], list[Directory], bool]:
    """The lock's selection split into archives to install, directories to build, and
    whether the project itself is among them."""
    from packaging.pylock import (  # noqa: PLC0415
        PackageArchive,
        PackageDirectory,
        PackageSdist,
        PackageVcs,
        PackageWheel,
    )

    wanted: list[Wanted] = []
    directories: list[Directory] = []
    has_project = False
    for package, dist in selected:
        if canonicalize_name(package.name) == project.name and not isinstance(
            dist, PackageWheel | PackageSdist | PackageArchive
        ):
            has_project = True
            continue
        if isinstance(dist, PackageVcs):
            version = None if package.version is None else str(package.version)
            pin = GitPin(
                url=dist.url or str(dist.path),
                commit=dist.commit_id,
                requested=dist.requested_revision,
                subdirectory=dist.subdirectory,
            )
            directories.append(Directory(package.name, version, Path(), editable=False, vcs=pin))
            continue
        if isinstance(dist, PackageDirectory):
            version = None if package.version is None else str(package.version)
            source = (project.root / dist.path).resolve()
            directories.append(Directory(package.name, version, source, bool(dist.editable)))
            continue
        wanted.append(_wanted(package.name, str(package.version), dist, project.root, requested))
    return wanted, directories, has_project


def _install_directories(
    project: Project,
    directories: list[Directory],
    interpreter: Interpreter,
    target: Target,
    options: SyncOptions,
) -> list[str]:
    if not directories:
        return []
    from tether.commands.build_env import installer  # noqa: PLC0415
    from tether.commands.directories import (  # noqa: PLC0415
        install_directory,
        install_git,
        read_build_system,
    )

    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    build_installer = installer(indexes, options.index, options.environ)
    cache = open_cache(options.environ)
    done = []
    for directory in directories:
        if directory.vcs is not None:
            changed = install_git(
                directory,
                interpreter,
                target,
                cache=cache,
                installer=build_installer,
                environ=options.environ,
                reinstall=options.reinstall or directory.name in options.reinstall_packages,
            )
        else:
            changed = install_directory(
                directory,
                read_build_system(directory.source),
                interpreter,
                target,
                installer=build_installer,
                environ=options.environ,
                reinstall=options.reinstall,
            )
        if changed:
            done.append(directory.name)
    return done


def apply_plan(
    install_plan: InstallPlan,
    *,
    target: Target,
    indexes: tuple[Index, ...],
    index: IndexOptions,
    environ: Mapping[str, str],
    link_mode: LinkMode = LinkMode.HARDLINK,
    on_progress: Callable[[str], None] | None = None,
    progress: InstallProgress | None = None,
) -> ApplyResult:
    """Carry out `install_plan` in `target`: download (or take from the cache), build
    sdists into wheels with the environment's interpreter, link, remove."""
    from tether.install.apply import apply  # noqa: PLC0415

    # The index client (HTTP, urllib3) and the PEP 517 machinery are loaded only when a
    # file must be downloaded or an sdist built: a warm-cache install needs neither.
    clients: list[IndexClient] = []
    guard = threading.Lock()

    def http() -> HttpClient:
        with guard:
            if not clients:
                from tether.commands.services import index_client  # noqa: PLC0415

                clients.append(index_client(indexes, index, environ))
            return clients[0].http

    def build(sdist: Path) -> Path:
        from tether.build.sdist import build_wheel_from_sdist  # noqa: PLC0415
        from tether.commands.build_env import installer  # noqa: PLC0415

        return build_wheel_from_sdist(
            sdist,
            out_dir=build_into,
            python=target.python,
            install_requirements=installer(indexes, index, environ),
            environ=environ,
        )

    build_into = Path(tempfile.mkdtemp(prefix="tether-built-"))
    try:
        return apply(
            install_plan,
            target=target,
            cache=open_cache(environ),
            http=http,
            link_mode=link_mode,
            on_progress=on_progress,
            build=build,
            offline=is_offline(index, environ),
            progress=progress,
            keep_archives=keep_wheel_archives(environ),
        )
    finally:
        shutil.rmtree(build_into, ignore_errors=True)


def _compile(target: Target) -> None:
    """Byte-compile site-packages with the environment's own interpreter (first imports
    of a fresh container or CI image then skip compiling)."""
    subprocess.run(
        [str(target.python), "-m", "compileall", "-q", "-j", "0", str(target.purelib)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _copy_warning(cache_root: Path, environment: Path) -> str | None:
    """Hard links cannot cross filesystems: say so once, as uv does, since copying is
    slower and doubles the disk used."""
    if same_filesystem(cache_root, environment):
        return None
    return (
        f"the cache ({cache_root}) and the environment are on different filesystems, so "
        "files were copied instead of hard-linked; set TETHER_CACHE_DIR to a directory on "
        "the environment's filesystem for faster installs"
    )


def _environment_warning(project: Project, environ: Mapping[str, str]) -> str | None:
    """An active virtual environment that is not the project's is ignored, and said so."""
    active = environ.get("VIRTUAL_ENV")
    if not active:
        return None
    if project.script is not None:
        return None  # a script's environment is its own, whatever is active
    if Path(active).resolve() == project.environment(environ).resolve():
        return None
    return f"ignoring VIRTUAL_ENV={active}: it is not the project's environment"


def _install_project(
    project: Project, interpreter: Interpreter, target: Target, options: SyncOptions
) -> None:
    """The project itself, editable (PEP 660)."""
    from tether.commands.build_env import installer  # noqa: PLC0415
    from tether.commands.directories import install_directory  # noqa: PLC0415

    build_system = project.build_system
    assert build_system is not None  # noqa: S101 - checked by the caller
    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    version = None if project.version is None else str(project.version)
    install_directory(
        Directory(project.name, version, project.root, editable=True),
        build_system,
        interpreter,
        target,
        installer=installer(indexes, options.index, options.environ),
        environ=options.environ,
        reinstall=options.reinstall,
    )


def _environment(project: Project, options: SyncOptions) -> Path:
    """The project's environment, created (or re-created for another interpreter) when it
    does not fit."""
    root = project.environment(options.environ)
    python = root / "bin" / "python"
    if python.exists() and options.python is None:
        try:
            current = describe(python, open_cache(options.environ))
        except PythonNotFound:
            current = None
        if current is not None and project.requires_python.contains(
            current.version, prereleases=True
        ):
            return root
    from tether.commands.python import find_python  # noqa: PLC0415 - only to create one
    from tether.python.venv import create  # noqa: PLC0415

    interpreter = find_python(options.python, options.environ, str(project.requires_python))
    create(root, interpreter, prompt=project.display_name)
    return root


def _requested(
    project: Project, extras: list[str], groups: list[str], *, with_project: bool = True
) -> set[str]:
    names: set[str] = (
        {canonicalize_name(r.name) for r in project.dependencies} if with_project else set()
    )
    for extra in extras:
        names |= {
            canonicalize_name(r.name)
            for r in project.optional_dependencies.get(canonicalize_name(extra), ())
        }
    for group in groups:
        names |= {
            canonicalize_name(r.name)
            for r in project.dependency_groups.get(canonicalize_name(group), ())
        }
    return names


def _wanted(
    name: str,
    version: str,
    dist: object,
    root: Path,
    requested: set[str],
) -> Wanted:
    from packaging.pylock import PackageArchive, PackageSdist, PackageWheel  # noqa: PLC0415

    if isinstance(dist, PackageWheel | PackageSdist):
        url = dist.url
        path = None if dist.path is None else (root / dist.path)
        filename = dist.name or (url or str(path)).rsplit("/", 1)[-1]
        sha256 = dist.hashes.get("sha256", "")
        size = dist.size
    elif isinstance(dist, PackageArchive):
        url = dist.url
        path = None if dist.path is None else (root / dist.path)
        filename = (url or str(path)).rsplit("/", 1)[-1]
        sha256 = dist.hashes.get("sha256", "")
        size = dist.size
    else:
        raise InstallError(
            f"{name} is locked as a {type(dist).__name__}, which tether cannot install yet",
            hint="lock it from an index, a wheel or an sdist",
        )
    if not sha256:
        raise InstallError(f"the lock has no sha256 for {filename}; refusing to install it")
    return Wanted(
        name=name,
        version=version,
        filename=filename,
        url=url,
        path=path,
        sha256=sha256,
        size=size,
        requested=canonicalize_name(name) in requested,
    )


def _default_selection(
    project: Project,
    environment: Path,
    extras: list[str],
    groups: list[str],
    torch: BackendPick | None,
) -> bool:
    """At least what a plain `tether sync` into the project's own `.venv` installs: what
    a later `tether run` without options needs."""
    return (
        set(project.default_groups()) <= set(groups)
        and (torch is None or torch.backend in extras)
        and project.environment({}) == environment
    )


def _apply(
    project: Project,
    install_plan: InstallPlan,
    target: Target,
    environment: Path,
    options: SyncOptions,
) -> ApplyResult | None:
    if install_plan.empty:
        settled(target.purelib)  # an interrupted change found whole: nothing to redo
        return None
    # A sync interrupted from here on must not leave a state that reads as in sync:
    # the next one checks the environment in full.
    (environment / STATE).unlink(missing_ok=True)
    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    return apply_plan(
        install_plan,
        target=target,
        indexes=indexes,
        index=options.index,
        environ=options.environ,
        link_mode=options.link_mode,
        on_progress=options.on_progress,
        progress=options.progress,
    )


def _state(
    project: Project,
    environment: Path,
    *,
    lock_sha256: str,
    fresh: bool | None,
    extras: list[str],
    groups: list[str],
    torch: BackendPick | None,
    memo: dict[str, object],
    only: bool = False,
    members: tuple[str, ...] | None = None,
) -> dict[str, object]:
    """What this sync installed from, so an in-sync `run` can skip all of this. For a
    default sync from a lock fresh for this pyproject.toml, also the pyproject's hash:
    `run` then needs two hashes and no parsing (tether.cli.fastrun)."""
    state: dict[str, object] = {
        "lock-sha256": lock_sha256,
        "extras": extras,
        "groups": groups,
        "torch-backend": None if torch is None else torch.backend,
        "selection": memo,
    }
    if project.build_system is not None and project.script is None:
        from tether.project.dynamic import build_fingerprint  # noqa: PLC0415

        state["project-build"] = build_fingerprint(project.root)
    if members is not None:
        state["members"] = list(members)
    if only:
        state["only-groups"] = True  # the project's own dependencies are not there
    elif (
        members is None  # the fast path cannot see the members' pyproject.toml files
        and project.script is None
        and _default_selection(project, environment, extras, groups, torch)
        and (fresh if fresh is not None else lock_is_fresh(project))
    ):
        pyproject = project.root / "pyproject.toml"
        state["pyproject-sha256"] = hashlib.sha256(pyproject.read_bytes()).hexdigest()
        # Exactly the default selection: only then is a plain `tether sync` a no-op.
        state["default-selection"] = groups == sorted(project.default_groups()) and extras == (
            [] if torch is None else [torch.backend]
        )
    return state
