"""One writer per project: the lock file and OS lock, tested against real second processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project, ProjectError
from annotator.store.lock import LockHolder, ProjectLock, ProjectLocked, lock_path_for

REPO = Path(__file__).resolve().parents[2]

HOLDER_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from annotator.store import Project, ProjectError
    try:
        project = Project.open(sys.argv[2])
    except ProjectError as exc:
        print("REFUSED", type(exc).__name__, exc, flush=True)
        sys.exit(0)
    print("HELD", flush=True)
    sys.stdin.read()  # hold the project until the parent closes our stdin
    project.close()
    print("CLOSED", flush=True)
    """
)


class Holder:
    """A second process that opens the project for writing and keeps it open."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER_SCRIPT, str(REPO), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline().strip()

    def close(self) -> str:
        out, err = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, err
        return out

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.communicate(timeout=30)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "shared.annot"
    with Project.open(path) as project:
        project.add_article(ArticleDraft("Some work"))
    return path


@pytest.fixture
def holder(path: Path) -> Iterator[Holder]:
    other = Holder(path)
    assert other.first_line == "HELD"
    yield other
    if other.proc.poll() is None:
        other.kill()


def test_a_second_process_gets_a_clear_refusal_and_can_read(path: Path, holder: Holder) -> None:
    with pytest.raises(ProjectLocked) as caught:
        Project.open(path)
    error = caught.value
    assert isinstance(error, ProjectError) and error.path == path
    assert error.holder is not None
    assert error.holder.pid == holder.proc.pid
    assert error.holder.host == socket.gethostname() and error.holder.same_host
    assert f"process {holder.proc.pid}" in str(error) and str(path) in str(error)
    assert "read-only" in str(error)
    with Project.open(path, read_only=True) as reader:  # what the GUI offers instead
        assert reader.counts()["articles"] == 1
        assert reader.lock is None
    assert ProjectLock.holder_of(path) == error.holder
    assert holder.close().strip() == "CLOSED"
    assert not lock_path_for(path).exists()  # a clean close removes the lock file
    with Project.open(path) as project:
        assert project.lock is not None and project.lock.holder.pid == os.getpid()


def test_the_lock_of_a_killed_process_is_stale_and_taken_over(path: Path, holder: Holder) -> None:
    holder.kill()
    stale = ProjectLock.holder_of(path)
    assert stale is not None and stale.pid == holder.proc.pid  # the file is still there
    with Project.open(path) as project:
        assert project.lock is not None
        assert ProjectLock.holder_of(path) == project.lock.holder
        assert project.lock.holder.pid == os.getpid()


def test_this_process_holding_it_refuses_another_process(path: Path) -> None:
    with Project.open(path):
        other = Holder(path)
        assert other.first_line.startswith("REFUSED ProjectLocked")
        assert f"process {os.getpid()}" in other.first_line
        other.close()
    other = Holder(path)
    assert other.first_line == "HELD"
    other.close()


def test_a_second_window_of_the_same_process_is_refused(path: Path) -> None:
    with Project.open(path):
        with pytest.raises(ProjectLocked) as caught:
            Project.open(path)
        assert caught.value.holder is not None and caught.value.holder.this_process
        assert "already open in this window" in str(caught.value)
    with Project.open(path):  # closing the first frees it
        pass


def write_lock_file(path: Path, **fields: object) -> Path:
    record = {
        "pid": 4_000_000,
        "host": socket.gethostname(),
        "user": "someone",
        "started_at": "2026-01-01T00:00:00+00:00",
        "heartbeat_at": "2026-01-01T00:00:00+00:00",
        "app_version": "0.1.0",
    }
    record.update(fields)
    lock = lock_path_for(path)
    lock.write_text(json.dumps(record))
    return lock


def test_a_lock_file_of_a_dead_process_on_this_host_is_cleared(path: Path) -> None:
    write_lock_file(path, pid=4_000_000)  # above any pid_max: no such process
    with ProjectLock.acquire(path, heartbeat_every=None) as lock:
        assert lock.holder.pid == os.getpid()


def test_a_garbage_lock_file_is_cleared(path: Path) -> None:
    lock_path_for(path).write_bytes(b"\x00\xffnot json")
    with ProjectLock.acquire(path, heartbeat_every=None):
        pass
    assert not lock_path_for(path).exists()


def test_another_hosts_lock_holds_while_its_heartbeat_is_fresh(path: Path) -> None:
    """A share where OS locks do not reach the other computer: the heartbeat decides."""
    lock = write_lock_file(path, host="analyst-laptop-2", pid=os.getpid())
    with pytest.raises(ProjectLocked) as caught:
        ProjectLock.acquire(path, heartbeat_every=None)
    assert caught.value.holder is not None
    assert "on analyst-laptop-2 by someone" in str(caught.value)
    old = time.time() - 3600
    os.utime(lock, (old, old))  # no heartbeat for an hour: that computer crashed
    with ProjectLock.acquire(path, heartbeat_every=None) as taken:
        assert taken.holder.host == socket.gethostname()


def test_the_heartbeat_rewrites_the_lock_file(path: Path) -> None:
    lock = ProjectLock.acquire(path, heartbeat_every=0.02)
    try:
        first = ProjectLock.holder_of(path)
        old = time.time() - 3600
        os.utime(lock.lock_path, (old, old))
        deadline = time.monotonic() + 10
        while lock.lock_path.stat().st_mtime < time.time() - 60:
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.01)
        assert ProjectLock.holder_of(path) is not None
        assert first is not None and ProjectLock.holder_of(path).pid == first.pid  # type: ignore[union-attr]
        assert len(lock.lock_path.read_bytes()) == 1024  # fixed size: never read half-written
    finally:
        lock.release()
    lock.release()  # twice is harmless
    assert not lock.held and not lock.lock_path.exists()


def test_lock_holder_json_round_trip() -> None:
    holder = LockHolder(12, "host", "ana", "2026-01-01", "2026-01-02", "0.1.0")
    assert LockHolder.from_json(holder.to_json()) == holder
    assert LockHolder.from_json(b"") is None
    assert LockHolder.from_json(b'{"pid": "12"}') is None
    assert "on host by ana (process 12) since 2026-01-01" in holder.describe()


def test_a_read_only_open_takes_no_lock(path: Path, holder: Holder) -> None:
    before = lock_path_for(path).read_bytes()
    with Project.open(path, read_only=True) as project:
        assert project.lock is None
    assert lock_path_for(path).read_bytes() == before


def test_opening_without_the_lock_for_tools(path: Path) -> None:
    with Project.open(path) as project, Project.open(path, lock=False) as tool:
        assert project.lock is not None and tool.lock is None


def test_without_os_locks_the_pid_and_heartbeat_decide(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system without flock (some FUSE and network mounts)."""
    from annotator.store import lock as lock_module

    monkeypatch.setattr(lock_module, "_os_lock", lambda fd: None)
    write_lock_file(path, pid=os.getpid())  # alive, fresh: held
    with pytest.raises(ProjectLocked):
        ProjectLock.acquire(path, heartbeat_every=None)
    write_lock_file(path, pid=4_000_000)  # no such process: stale
    with ProjectLock.acquire(path, heartbeat_every=None) as taken:
        assert taken.holder.pid == os.getpid()
