"""What kind of file a hook sees, in pre-commit's words (`identify`'s tags: `text` or
`binary`, `python`, `yaml`, `executable`, ...), so that `types`, `types_or` and
`exclude_types` select the same files they do under pre-commit, and no text hook
(whitespace and end-of-file fixers above all) is ever handed a binary file such as
model weights."""

from __future__ import annotations

import io

from identify import identify


def file_tags(path: str, content: bytes, *, executable: bool = False) -> frozenset[str]:
    """The tags of a staged file, from its name and its first bytes."""
    tags = set(identify.tags_from_filename(path.rsplit("/", 1)[-1]))
    if not tags & {"text", "binary"}:
        tags.add("text" if identify.is_text(io.BytesIO(content[:1024])) else "binary")
    elif "text" in tags and b"\0" in content[:8192]:
        tags = (tags - {"text"}) | {"binary"}  # a text name on binary bytes: trust bytes
    tags |= {"file", "executable" if executable else "non-executable"}
    return frozenset(tags)


def is_text(path: str, content: bytes) -> bool:
    return "text" in file_tags(path, content)
