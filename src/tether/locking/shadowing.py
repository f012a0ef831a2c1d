"""Names on more than one index: the first index in the search order wins (against
dependency confusion, as uv does), but pip users read `--index-url private
--extra-index-url public` the other way round. When a locked package exists on another
index of the chain too, the lock says so and how to pin it.

Checked only when the chain has more than one index; the pages asked for are cached
like any other (a missing page too), so a re-lock asks again only when they expire.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor

from tether.errors import TetherError
from tether.index.client import IndexClient
from tether.index.config import Index
from tether.index.page import ProjectPage
from tether.lock.pylock import LockedPackage
from tether.urls import redact_url

THREADS = 8
MAX_NAMED = 3  # more than this: one warning for all


def shadowed(
    packages: Sequence[LockedPackage], client: IndexClient, pinned: Collection[str]
) -> tuple[str, ...]:
    """A warning for each locked package (not pinned to an index) that another index
    of the chain also has."""
    chain = client.chain
    if len(chain) < 2:
        return ()
    checked = [p for p in packages if p.index is not None and p.name not in pinned]

    def others(package: LockedPackage) -> list[Index]:
        found = []
        for index in chain:
            if index.url == package.index:
                continue
            try:
                page = client.project_page(package.name, index)
            except TetherError:
                continue  # best effort: an unreachable index warns of nothing
            if isinstance(page, ProjectPage):
                found.append(index)
        return found

    with ThreadPoolExecutor(THREADS, thread_name_prefix="tether-shadow") as pool:
        answers = list(pool.map(others, checked))
    found = [(p, also) for p, also in zip(checked, answers, strict=True) if also]
    if len(found) > MAX_NAMED:
        names = ", ".join(p.name for p, _ in found[:MAX_NAMED])
        return (
            f"{len(found)} locked packages are on more than one index ({names}, ...): each "
            "is locked from the first index in the search order that has it. Pin those that "
            'must come from another: [tool.tether.sources] NAME = { index = "INDEX" }, with '
            "the index declared in [[tool.tether.index]] (or mark an index explicit = true)",
        )
    warnings = []
    for package, also in found:
        used = next((i for i in chain if i.url == package.index), None)
        where = f"{used.name} <{redact_url(used.url)}>" if used else redact_url(package.index or "")
        names = ", ".join(f"{i.name} <{redact_url(i.url)}>" for i in also)
        warnings.append(
            f"{package.name} is on more than one index: it is locked from {where}, the first "
            f"in the search order, and {names} has it too. If that is not the one you mean, "
            f'pin it: [tool.tether.sources] {package.name} = {{ index = "NAME" }} with the '
            "index declared in [[tool.tether.index]]"
        )
    return tuple(warnings)
