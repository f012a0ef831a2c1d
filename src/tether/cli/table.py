"""Plain-text tables for reports (upgrade, audit, check-all): columns padded to their
widest cell, the first row a header."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    columns = len(rows[0])
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
