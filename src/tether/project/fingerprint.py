"""What the lock was made from, hashed per input, so `tether lock --check` can say
which input changed (not just that something did)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tether.project.dependency_metadata import describe
from tether.project.fields import RESOLVED_FIELDS
from tether.project.pyproject import Project
from tether.project.settings import Source
from tether.urls import without_userinfo


def inputs(project: Project, options: dict[str, Any]) -> dict[str, str]:
    """sha256 per input that changes the resolution (sorted keys: stable)."""
    settings = project.settings
    sections: dict[str, Any] = {
        "requires-python": str(project.requires_python),
        "dependencies": sorted(str(r) for r in project.dependencies),
        "optional-dependencies": {
            k: sorted(str(r) for r in v) for k, v in sorted(project.optional_dependencies.items())
        },
        "dependency-groups": {
            k: sorted(str(r) for r in v) for k, v in sorted(project.dependency_groups.items())
        },
        "tool.tether": {
            "environments": [str(m) for m in settings.environments],
            "required-environments": [str(m) for m in settings.required_environments],
            "constraints": sorted(str(r) for r in settings.constraints),
            "overrides": sorted(str(r) for r in settings.overrides),
            "conflicts": [[str(i) for i in c] for c in settings.conflicts],
            "indexes": [
                [
                    i.name,
                    without_userinfo(i.url),
                    i.default,
                    i.explicit,
                    *(["flat"] if i.flat else []),
                ]
                for i in settings.indexes
            ],
            "sources": {k: [_source(s) for s in v] for k, v in sorted(settings.sources.items())},
            "build": [
                settings.no_build,
                settings.no_binary,
                sorted(settings.no_build_package),
                sorted(settings.no_binary_package),
                sorted(str(r) for r in settings.build_constraints),
            ],
        },
        "resolver": options,
    }
    if settings.dependency_metadata:  # (only when set: older locks stay fresh)
        sections["tool.tether"]["dependency-metadata"] = describe(settings.dependency_metadata)
    digests = {key: _digest(value) for key, value in sections.items()}
    if project.workspace is not None:
        # What each member declares: its dependencies are not in the root's tables.
        digests["workspace"] = _digest(
            {
                str(name): [str(member.root.relative_to(project.root)), inputs(member, {})]
                for name, member in sorted(project.workspace.members.items())
                if member.root != project.root
            }
        )
    if project.dynamic & RESOLVED_FIELDS:
        from tether.project.dynamic import input_digest  # noqa: PLC0415 - rarely needed

        # What the backend computes from: the lock is stale when one of these changed.
        digests["dynamic-metadata"] = input_digest(project.root)
    return digests


def _source(source: Source) -> list[object]:
    """A source's fields; git and workspace ones only when set (locks made before they
    existed keep their digests)."""
    fields: list[object] = [
        source.index, source.path, source.url, str(source.marker), source.extra, source.group
    ]  # fmt: skip
    if source.git is not None:
        fields += [without_userinfo(source.git), source.rev, source.subdirectory]
    if source.workspace:
        fields.append("workspace")
    return fields


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
