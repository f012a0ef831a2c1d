"""The `tether` console script: an in-sync `tether run` goes straight to the command and
a `tether sync` with nothing to do says so (tether.cli.fastrun); everything else loads the
command line (tether.cli.main)."""

from __future__ import annotations

import os
import sys


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["run"]:
        from tether.cli.fastrun import try_exec

        try_exec(argv[1:], os.environ)  # returns only when the fast path does not apply
    elif argv[:1] == ["sync"]:
        from tether.cli.fastrun import try_noop_sync

        status = try_noop_sync(argv[1:], os.environ)
        if status is not None:
            return status
    from tether.cli.main import INTERRUPTED
    from tether.cli.main import main as full

    status = full()
    if status == INTERRUPTED:
        # Ctrl-C: leave now rather than wait at exit for worker threads still blocked on
        # the network (their downloads go to temporary files, which `cache prune` clears).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status
