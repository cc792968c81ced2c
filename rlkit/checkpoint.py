"""Checkpoints that survive crashes and full disks; files that are not rlkit's named in one line; the run-dir lock.

Every file of a run dir is written to ``<name>.tmp`` and renamed, so a crash, a signal or a full disk mid-write
leaves the previous file intact; a failed write removes its ``.tmp`` and raises ``WriteError`` (one line).
Checkpoints are loaded with ``weights_only=True`` and anything else (empty, truncated, garbage, a plain tensor,
another library's dict) is one ``ConfigError`` line saying what the file is. A run holds its run dir through an
OS lock (``flock`` on ``<run dir>/.rlkit.lock``), which the kernel releases on any exit, ``kill -9`` included.
"""

from __future__ import annotations

import errno
import os
import pickle
import random
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import torch

from rlkit.errors import ConfigError, WriteError

# What a checkpoint written by the trainer holds; rlkit.load / evaluate / export need only "agent".
RUN_STATE_KEYS = ("agent", "env", "rng", "progress")
LOCK_NAME = ".rlkit.lock"


class _Recording:
    """A file wrapper that keeps the ``OSError`` of a failed write: torch.save reports it as a bare RuntimeError."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.error = file, None

    def write(self, data: bytes) -> int:
        try:
            return self.file.write(data)
        except OSError as exc:
            self.error = exc
            raise

    def flush(self) -> None:
        self.file.flush()


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """A file to write ``path`` through: it holds either the previous or the new content, never half; an
    ``OSError`` (ENOSPC, EIO, EROFS, ...) becomes ``WriteError`` and no ``.tmp`` is left behind."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, mode, **kwargs) as file:
            yield file
        os.replace(tmp, path)  # atomic on POSIX
    except OSError as exc:
        _remove(tmp)
        raise WriteError(path, exc) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_file(path, "w") as file:
        file.write(text)


def open_append(path: str | os.PathLike, **kwargs: Any) -> IO[Any]:
    """A run-dir file opened for appending (metrics.csv); ``OSError`` as ``WriteError``."""
    try:
        return open(path, "a", **kwargs)
    except OSError as exc:
        raise WriteError(path, exc) from None


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> None:
    """Write ``state`` so that ``path`` always holds either the previous or the new checkpoint, never half."""
    with atomic_file(path) as file:
        recording = _Recording(file)
        try:
            torch.save(state, recording)
        except RuntimeError:
            if recording.error is not None:  # the disk's own reason, not "[enforce fail at inline_container.cc]"
                raise recording.error from None
            raise


def describe_file(path: Path) -> str:
    """What a file that does not load as a checkpoint is, in words, from its first bytes."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:
            head = file.read(4)
    except OSError as exc:
        return f"unreadable ({(exc.strerror or str(exc)).lower()})"
    if size == 0:
        return "an empty file"
    if head == b"PK\x03\x04":
        return f"a truncated or damaged torch file ({size} bytes)"
    if head[:1] == b"\x80":
        return f"a pickle (or a torch file of the legacy format) that does not load ({size} bytes)"
    return f"not a torch file ({size} bytes starting {head!r})"


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu",
                    need: tuple[str, ...] = RUN_STATE_KEYS) -> dict[str, Any]:
    """Load with ``weights_only=True``; a file that is not an rlkit checkpoint holding ``need`` is one
    ``ConfigError`` line saying what it is (never torch's advice to load it unsafely)."""
    path = Path(path)
    expected = "an rlkit checkpoint (a dict of " + ", ".join(need) + " written by python -m rlkit)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on legacy files: the one line below says it all
            state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:  # weights_only refused a global: pickled objects, not just weights
        words = str(exc).split("GLOBAL ", 1)
        found = (f"a pickle of Python objects other than tensors and plain values ({words[1].split()[0]})"
                 if len(words) == 2 and words[1].split() else describe_file(path))
        raise ConfigError(f"{path}: {found}; expected {expected}") from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile, KeyError, AttributeError,
            TypeError, IndexError, MemoryError):
        raise ConfigError(f"{path}: {describe_file(path)}; expected {expected}") from None
    if not isinstance(state, dict):
        raise ConfigError(f"{path}: a saved {type(state).__name__}, not a dict; expected {expected}")
    missing = [key for key in need if key not in state]
    if missing:
        keys = ", ".join(map(str, list(state)[:6])) + (", ..." if len(state) > 6 else "")
        raise ConfigError(f"{path}: a dict with keys {keys or '(none)'}, without {', '.join(missing)}; "
                          f"expected {expected}")
    if not isinstance(state["agent"], dict):
        raise ConfigError(f"{path}: its 'agent' entry is a {type(state['agent']).__name__}, not a state dict; "
                          f"expected {expected}")
    return state


def rng_state() -> dict[str, Any]:
    """Every random generator a run draws from, in types that ``weights_only`` loading accepts."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [kind, torch.from_numpy(keys.copy()), pos, has_gauss, cached],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy(), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


class RunDirBusy(ConfigError):
    """Another process holds the run dir's lock; ``pid`` is the holder's (None when it could not be read)."""

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


class RunDirLock:
    """An exclusive ``flock`` on ``<run dir>/.rlkit.lock`` for as long as a process writes into the run dir.

    The kernel drops it when the process ends however it ends, so a killed run never leaves a stale lock. The file
    holds the holder's pid for the message a second process gets; the holder removes it when it lets go (a process
    that opened the old file before then notices, by its inode, and tries again on a fresh one).
    """

    def __init__(self, run_dir: str | os.PathLike) -> None:
        self.path = Path(run_dir) / LOCK_NAME
        self.fd: int | None = None

    def acquire(self, describe: Callable[[int | None], str]) -> RunDirLock:
        """Take the lock or raise ``RunDirBusy(describe(holder pid))``; never waits."""
        import fcntl

        for _ in range(10):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise ConfigError(f"hydra.run.dir={self.path.parent}: cannot write the run dir "
                                  f"({(exc.strerror or str(exc)).lower()})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                pid = _read_pid(fd)
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise RunDirBusy(describe(pid), pid) from None
                raise
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the previous holder removed the file between our open and our flock
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self.fd = fd
            return self
        raise ConfigError(f"hydra.run.dir={self.path.parent}: its lock file keeps changing; try again")

    def release(self) -> None:
        if self.fd is None:
            return
        _remove(self.path)  # while still held: see the class docstring
        os.close(self.fd)  # closing the last descriptor drops the flock
        self.fd = None

    def __enter__(self) -> RunDirLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def holder_text(pid: int | None) -> str:
    return f"pid {pid}" if pid is not None else "pid unknown"
