"""Progress of long runs on stderr: points done, rate and ETA (tqdm), silent when not a terminal.

``enabled=None`` (the default everywhere) shows the bar only when stderr is a TTY, so logs,
CI output and piped runs stay clean; ``True``/``False`` force it on or off.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from tqdm import tqdm


def progress_bar(
    total: int,
    *,
    initial: int = 0,
    desc: str = "sweep",
    enabled: bool | None = None,
    file: IO[str] | None = None,
) -> tqdm[Any]:
    """A tqdm bar counting points: ``done/total [elapsed<ETA, rate pt/s]``.

    Args:
        total: points in the whole run (including those already done).
        initial: points already done before this run (the rate counts only new ones).
        desc: label shown before the bar.
        enabled: True/False to force; None shows the bar only when ``file`` is a terminal.
        file: the stream (default ``sys.stderr``).

    Use it as a context manager and call ``update(n)`` as points finish.
    """
    stream = sys.stderr if file is None else file
    if enabled is None:
        isatty = getattr(stream, "isatty", None)
        enabled = bool(isatty and isatty())
    return tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit="pt",
        file=stream,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
        mininterval=0.2,
    )
