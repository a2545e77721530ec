"""One writer per project: a lock file beside the project, held with an OS lock.

The lock file (``.NAME.annot.lock``) says who holds the project (process, host, user, since
when) as JSON, and the holder keeps an OS lock on it (``fcntl.flock`` on POSIX, ``msvcrt`` on
Windows), which the operating system frees when the holder dies however it dies. So a lock file
left by a crashed run is recognised and taken over. File systems where OS locks do not reach
other computers (some network shares, sync folders) are covered by a heartbeat: the holder
rewrites the file every minute, and a lock from another host counts as stale only once its
heartbeat is older than ``stale_after``.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotator import __version__
from annotator.store.errors import ProjectError, store_failure

STALE_AFTER = 10 * 60.0  # seconds without a heartbeat before another host's lock is stale
HEARTBEAT_EVERY = 60.0  # seconds
_RECORD_SIZE = 1024  # the JSON is padded to this size and written in one call, never truncated
_WINDOWS_LOCK_OFFSET = 1 << 30  # a byte far past the JSON: Windows locks keep others from reading


def lock_path_for(project_path: Path) -> Path:
    """The lock file of the real project file: symbolic links (of the file or of any folder on
    the way) are followed, so every name that reaches one file shares one lock."""
    project_path = real_path(project_path)
    return project_path.with_name(f".{project_path.name}.lock")


def real_path(project_path: str | Path) -> Path:
    """The project file's own path, every symbolic link resolved (the file need not exist)."""
    return Path(os.path.realpath(Path(project_path).expanduser().absolute()))


def hard_link_problem(project_path: str | Path) -> str | None:
    """Why a project file must not be written through this name: it has other hard links.

    SQLite names its -wal, -shm and -journal after the name a file was opened by, and the lock
    file is named the same way; through two hard links two programs would each keep their own
    write-ahead log of one database, which corrupts it. Such a file is opened read-only.
    """
    try:
        links = os.stat(project_path).st_nlink
    except OSError:
        return None
    if links <= 1:
        return None
    return (
        f"the file has {links} names (hard links), and writing one database through several "
        "names can corrupt it; make a real copy (or remove the other names) to edit it"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _host() -> str:
    return socket.gethostname() or "unknown host"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is no reason to refuse a lock
        return ""


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a project, as its lock file says."""

    pid: int
    host: str
    user: str = ""
    started_at: str = ""
    heartbeat_at: str = ""
    app_version: str = ""

    @property
    def same_host(self) -> bool:
        return self.host == _host()

    @property
    def this_process(self) -> bool:
        return self.same_host and self.pid == os.getpid()

    def describe(self) -> str:
        if self.this_process:
            return "it is already open in this window or another window of this program"
        who = f" by {self.user}" if self.user else ""
        where = "on this computer" if self.same_host else f"on {self.host}"
        since = f" since {self.started_at}" if self.started_at else ""
        return f"it is open in News Annotator {where}{who} (process {self.pid}){since}"

    @classmethod
    def from_json(cls, raw: bytes) -> LockHolder | None:
        try:
            data = json.loads(raw.decode("utf-8").strip() or "null")
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict) or type(data.get("pid")) is not int:
            return None
        return cls(
            pid=data["pid"],
            host=str(data.get("host", "")),
            user=str(data.get("user", "")),
            started_at=str(data.get("started_at", "")),
            heartbeat_at=str(data.get("heartbeat_at", "")),
            app_version=str(data.get("app_version", "")),
        )

    def to_json(self) -> bytes:
        data: dict[str, Any] = {
            "pid": self.pid,
            "host": self.host,
            "user": self.user,
            "started_at": self.started_at,
            "heartbeat_at": self.heartbeat_at,
            "app_version": self.app_version,
        }
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")[: _RECORD_SIZE - 1]
        return raw.ljust(_RECORD_SIZE - 1) + b"\n"


class ProjectLocked(ProjectError):
    """Another instance (or window) holds the project; it can still be opened read-only."""

    def __init__(self, path: Path, holder: LockHolder | None) -> None:
        self.holder = holder
        reason = holder.describe() if holder else "it is open in another News Annotator window"
        super().__init__(
            path,
            f"cannot be opened for editing: {reason}. Open it read-only, or close it there first.",
        )


# ------------------------------------------------------------------------------ OS locks
def _os_lock(fd: int) -> bool | None:
    """Try to take the OS lock: True taken, False held by someone else, None unsupported."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        try:
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except PermissionError:
            return False
        except OSError:
            return None
    import errno
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        return None  # ENOLCK, EOPNOTSUPP...: a file system without locks


def _os_unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        try:
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        pass


def pid_alive(pid: int) -> bool:
    """Whether a process with that id runs on this host (True when it cannot be told)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_holder(fd: int) -> LockHolder | None:
    try:
        if hasattr(os, "pread"):
            raw = os.pread(fd, _RECORD_SIZE, 0)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            raw = os.read(fd, _RECORD_SIZE)
    except OSError:
        return None
    return LockHolder.from_json(raw)


def _is_stale(
    holder: LockHolder | None, os_locked: bool | None, mtime: float, stale_after: float
) -> bool:
    """Whether a lock file we could open belongs to nobody alive any more."""
    heartbeat_age = time.time() - mtime  # the heartbeat rewrites the file: mtime is its time
    if holder is None:
        # Garbage or an empty file: a writer that died before writing, or a half-written record.
        return bool(os_locked) or heartbeat_age > stale_after
    if holder.same_host:
        if os_locked:
            return True  # the OS lock is free: whoever wrote this is gone
        return not pid_alive(holder.pid) or heartbeat_age > stale_after
    # Another computer: its OS lock may not reach us, so only an old heartbeat makes it stale.
    return heartbeat_age > stale_after


class ProjectLock:
    """The write lock of one project, held until :meth:`release` (or the process ends)."""

    def __init__(
        self,
        project_path: Path,
        lock_path: Path,
        fd: int,
        holder: LockHolder,
        heartbeat_every: float | None,
    ) -> None:
        self.project_path = project_path
        self.lock_path = lock_path
        self.holder = holder
        self._fd: int | None = fd
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if heartbeat_every:
            self._thread = threading.Thread(
                target=self._beat,
                args=(heartbeat_every,),
                name="project-lock-heartbeat",
                daemon=True,
            )
            self._thread.start()

    @classmethod
    def acquire(
        cls,
        project_path: str | Path,
        *,
        stale_after: float = STALE_AFTER,
        heartbeat_every: float | None = HEARTBEAT_EVERY,
    ) -> ProjectLock:
        """Take the project's write lock, clearing a stale one; raise :class:`ProjectLocked`."""
        project_path = real_path(project_path)
        lock_path = lock_path_for(project_path)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        for _attempt in range(10):
            try:
                fd = os.open(lock_path, flags, 0o644)
            except OSError as exc:
                raise ProjectError(
                    project_path, f"cannot be locked for editing: {exc.strerror or exc}"
                ) from exc
            try:
                os_locked = _os_lock(fd)
                holder = _read_holder(fd)
                if os_locked is False:
                    raise ProjectLocked(project_path, holder)
                if not _same_file(fd, lock_path):
                    continue  # the holder released (deleted) it as we opened it: try again
                if os.fstat(fd).st_size and not _is_stale(
                    holder, os_locked, os.fstat(fd).st_mtime, stale_after
                ):
                    raise ProjectLocked(project_path, holder)
                mine = LockHolder(
                    pid=os.getpid(),
                    host=_host(),
                    user=_user(),
                    started_at=_now(),
                    heartbeat_at=_now(),
                    app_version=__version__,
                )
                try:
                    _write_record(fd, mine)
                except OSError as exc:
                    # A full disk: leave no empty or half-written lock file behind (we still
                    # hold the OS lock on it, so nobody else is using it).
                    if _same_file(fd, lock_path):
                        lock_path.unlink(missing_ok=True)
                    failure = store_failure(project_path, exc)
                    raise ProjectError(
                        project_path, f"cannot be locked for editing: {failure.advice}"
                    ) from exc
            except BaseException:
                os.close(fd)  # closing frees the OS lock too
                raise
            return cls(project_path, lock_path, fd, mine, heartbeat_every)
        raise ProjectError(project_path, "cannot be locked for editing: the lock file keeps moving")

    @staticmethod
    def holder_of(project_path: str | Path) -> LockHolder | None:
        """Who the lock file names (alive or not), for a message; None without a lock file."""
        try:
            raw = lock_path_for(Path(project_path)).read_bytes()
        except OSError:
            return None
        return LockHolder.from_json(raw[:_RECORD_SIZE])

    @property
    def held(self) -> bool:
        return self._fd is not None

    def heartbeat(self) -> None:
        """Tell other computers this holder is alive (the background thread does this too)."""
        with self._guard:
            if self._fd is None:
                return
            self.holder = LockHolder(
                self.holder.pid,
                self.holder.host,
                self.holder.user,
                self.holder.started_at,
                _now(),
                self.holder.app_version,
            )
            try:
                _write_record(self._fd, self.holder, sync=False)
            except OSError:
                pass  # a full disk must not take the app down; the OS lock still holds

    def _beat(self, every: float) -> None:
        while not self._stop.wait(every):
            self.heartbeat()

    def release(self) -> None:
        """Give the project up; harmless when already released."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._guard:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            try:
                # Delete while still holding the OS lock, so nobody takes over a file that is
                # about to vanish (acquire checks it locked the file that is still there).
                if _same_file(fd, self.lock_path):
                    self.lock_path.unlink(missing_ok=True)
            except OSError:
                pass
            finally:
                _os_unlock(fd)
                os.close(fd)

    def __enter__(self) -> ProjectLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "held" if self.held else "released"
        return f"<ProjectLock {self.project_path} {state}>"


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _write_record(fd: int, holder: LockHolder, *, sync: bool = True) -> None:
    data = holder.to_json()
    written = os.pwrite(fd, data, 0) if hasattr(os, "pwrite") else _seek_write(fd, data)
    if written != len(data):
        raise OSError("short write to the lock file")
    if os.fstat(fd).st_size > len(data):
        os.ftruncate(fd, len(data))
    if sync:
        os.fsync(fd)


def _seek_write(fd: int, data: bytes) -> int:  # pragma: no cover - Windows has no pwrite
    os.lseek(fd, 0, os.SEEK_SET)
    return os.write(fd, data)
