"""Whether a process of this machine still runs: how a writer tells a killed one's leftovers from a live one's."""

from __future__ import annotations

import os


def is_running(pid: int) -> bool:
    """Whether process `pid` exists here (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
