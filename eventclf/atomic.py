"""Write a file or a folder so that a reader, or a run killed mid-write, never sees it half written."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(target: str | Path, folder: bool = False) -> Iterator[Path]:
    """Yield a scratch path beside `target`; when the block ends without an error, swap it in as `target`.

    The scratch path sits in `target`'s own directory, so the final `os.replace` is one atomic rename. An existing
    `target` is replaced whole; on an error it is left as it was and the scratch path is removed.

    Args:
        target: the file or folder to (re)write.
        folder: yield an empty folder to fill instead of a file path to write; the file path keeps `target`'s suffix
            (so `np.save` adds no second `.npy`).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "scores.json"
        >>> with atomic_path(target) as partial:
        ...     _ = partial.write_text("{}")
        >>> target.read_text()
        '{}'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tag = f".{target.stem}.partial-{os.getpid()}-"
    if folder:
        partial = Path(tempfile.mkdtemp(prefix=tag, dir=target.parent))
        partial.chmod(0o755)  # mkdtemp's 0o700 would hide a shared model folder from other users
    else:
        handle, name = tempfile.mkstemp(prefix=tag, suffix=target.suffix, dir=target.parent)
        os.close(handle)
        partial = Path(name)
        partial.chmod(0o644)  # mkstemp's 0o600 likewise
    old = partial.with_name(partial.name.replace(".partial-", ".old-", 1))  # unique, like the scratch path
    try:
        yield partial
        if folder and target.exists():  # a rename cannot replace a non-empty folder: move the old one aside first
            os.replace(target, old)
        os.replace(partial, target)
    finally:
        for leftover in (partial, old):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
