"""Really full disks for tests: a size-limited tmpfs mounted for the test, filled to the brim.

Mounting needs root (CI runs the suite as root on the same kind of machine); elsewhere the tests
that need it are skipped saying so, never faked.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

MOUNT_SKIP = "mounting a size-limited tmpfs needs root (the CI runs the suite as root)"


def mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip(MOUNT_SKIP)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"this machine refuses to mount a tmpfs: {done.stderr.strip()}")


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs of its own, mounted for this test only."""
    folder = tmp_path / "small-fs"
    mount_tmpfs(folder, "4m")
    try:
        yield folder
    finally:
        unmount(folder)


def fill(folder: Path, name: str = "filler") -> Path:
    """Write ``folder/name`` until the file system is full (ENOSPC even for one more byte) and
    return it; deleting it gives the space back."""
    filler = folder / name
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 20, 1 << 16, 4096, 512, 1):
            chunk = b"\0" * size
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC, exc
                    break
    finally:
        os.close(fd)
    assert_full(folder)
    return filler


def assert_full(folder: Path) -> None:
    """The proof a full-disk test needs: not one more byte fits."""
    probe = folder / ".probe"
    with pytest.raises(OSError) as caught:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.write(fd, b"x")
        finally:
            os.close(fd)
    probe.unlink(missing_ok=True)
    assert caught.value.errno == errno.ENOSPC
