"""Where a project file lives: network and sync folders (unsafe for WAL) and write access."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath

# Filesystem types (as Linux's /proc/self/mountinfo and macOS's mount(8) name them) whose
# locking or shared memory SQLite's WAL mode cannot rely on: the -shm file is memory-mapped and
# must be coherent between processes, which network and FUSE file systems do not guarantee.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "coda",
        "9p", "v9fs", "drvfs", "ceph", "glusterfs", "lustre", "gpfs", "ocfs2", "gfs2",
        "davfs", "webdav", "afpfs", "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse",
        "fuse.glusterfs", "fuse.davfs2", "fuse.gvfsd-fuse", "fuse.onedriver", "fuse.cephfs",
        "fuse.juicefs", "fuse.goofys", "fuse.mergerfs",
    }
)  # fmt: skip

# Folder names that sync clients own. A sync client copies the main file without its -wal
# (losing the latest work in the copy) or replaces it under an open connection; with a
# rollback journal the main file is complete after every commit.
_SYNC_FOLDERS = (
    ("Dropbox", re.compile(r"dropbox( \(.+\))?", re.I)),
    ("OneDrive", re.compile(r"onedrive( - .+)?|skydrive", re.I)),
    ("Google Drive", re.compile(r"google ?drive(-.+)?|my drive|shared drives", re.I)),
    ("iCloud Drive", re.compile(r"icloud ?drive|mobile documents|com~apple~clouddocs", re.I)),
    ("a cloud storage folder", re.compile(r"cloudstorage", re.I)),  # macOS File Provider root
    ("Nextcloud", re.compile(r"nextcloud", re.I)),
    ("ownCloud", re.compile(r"owncloud", re.I)),
    ("pCloud", re.compile(r"pcloud ?drive", re.I)),
    ("Box", re.compile(r"box sync|box drive", re.I)),
    ("MEGA", re.compile(r"MEGA|MEGAsync")),  # case matters: "mega" is also just a word
    ("Seafile", re.compile(r"seafile", re.I)),
)


@dataclass(frozen=True, slots=True)
class Mount:
    mount_point: str
    fs_type: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class StorageInfo:
    """What is known about the storage a project file lives on."""

    fs_type: str | None  # None when the platform does not tell
    network: bool
    sync_service: str | None  # e.g. "Dropbox" when the path lies in a sync client's folder

    @property
    def unsafe_for_wal(self) -> bool:
        return self.network or self.sync_service is not None

    def warning(self, path: Path) -> str | None:
        """A message for the analyst, or None when the storage is a plain local disk."""
        if self.network:
            kind = f" ({self.fs_type})" if self.fs_type else ""
            return (
                f"{path} is on a network drive{kind}. News Annotator saves every change "
                "straight to the file, which is slower there, and two computers must never "
                "open it at once. For safety, keep projects on this computer's own disk."
            )
        if self.sync_service is not None:
            return (
                f"{path} is in a folder synchronised by {self.sync_service}. If the project is "
                "changed on two computers before the sync finishes, one set of changes can be "
                "lost. Close the project on one computer before opening it on another."
            )
        return None


LOCAL = StorageInfo(fs_type=None, network=False, sync_service=None)


def _unescape_mountinfo(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes (\040 ...)
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts listed in Linux's /proc/self/mountinfo format."""
    mounts: list[Mount] = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or not tail:
            continue
        mounts.append(
            Mount(
                _unescape_mountinfo(fields[4]),
                tail[0],
                _unescape_mountinfo(tail[1]) if len(tail) > 1 else "",
            )
        )
    return mounts


_MAC_MOUNT_LINE = re.compile(r"^(?P<source>.+?) on (?P<point>.+?) \((?P<type>[^,)]+)")


def parse_mac_mount(text: str) -> list[Mount]:
    """The mounts listed by macOS's mount(8): ``//user@server/share on /Volumes/share (smbfs,``."""
    mounts = []
    for line in text.splitlines():
        match = _MAC_MOUNT_LINE.match(line)
        if match:
            mounts.append(Mount(match["point"], match["type"].strip(), match["source"]))
    return mounts


def mount_of(path: Path, mounts: list[Mount]) -> Mount | None:
    """The mount holding ``path``: the one with the longest mount point that contains it."""
    best: Mount | None = None
    target = PurePath(path)
    for mount in mounts:
        point = PurePath(mount.mount_point)
        if target == point or point in target.parents:
            if best is None or len(point.parts) >= len(PurePath(best.mount_point).parts):
                best = mount  # later mounts over the same point hide earlier ones
    return best


def is_network_type(fs_type: str, source: str = "") -> bool:
    fs_type = fs_type.lower()
    if fs_type in NETWORK_FILESYSTEMS:
        return True
    # FUSE mounts name the helper after the dot; sshfs also shows as fuse with an
    # "user@host:" source.
    if fs_type.startswith("fuse") and re.match(r"^[^/\s]+@?[^/\s]*:", source):
        return True
    return False


def sync_service_of(path: Path) -> str | None:
    """The sync client whose folder holds ``path``, from the folder names on the way to it."""
    for part in PurePath(path).parts[:-1]:
        name = part.strip()
        for service, pattern in _SYNC_FOLDERS:
            if pattern.fullmatch(name):
                return service
    return None


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor, symlinks resolved (a new project's folder)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path.resolve()


def _linux_mounts() -> list[Mount]:
    try:
        return parse_mountinfo(Path("/proc/self/mountinfo").read_text(encoding="utf-8"))
    except OSError:
        return []


def _mac_mounts() -> list[Mount]:  # pragma: no cover - macOS only
    try:
        out = subprocess.run(
            ["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_mac_mount(out)


def _windows_storage(path: Path) -> tuple[str | None, bool]:  # pragma: no cover - Windows only
    import ctypes

    text = str(path)
    if text.startswith("\\\\") and not text.startswith("\\\\?\\"):
        return None, True  # a UNC path: \\server\share\...
    drive = os.path.splitdrive(text)[0]
    if not drive:
        return None, False
    root = drive + "\\"
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    drive_remote = 4
    network = kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)) == drive_remote
    name = ctypes.create_unicode_buffer(64)
    ok = kernel32.GetVolumeInformationW(
        ctypes.c_wchar_p(root), None, 0, None, None, None, name, len(name)
    )
    return (name.value or None) if ok else None, network


def detect_storage(path: Path) -> StorageInfo:
    """Best effort: tested on Linux; macOS and Windows code paths are untested."""
    where = _existing(path)
    sync = sync_service_of(Path(os.path.abspath(path))) or sync_service_of(where / "x")
    fs_type: str | None = None
    network = False
    if sys.platform.startswith("linux"):
        mount = mount_of(where, _linux_mounts())
        if mount is not None:
            fs_type, network = mount.fs_type, is_network_type(mount.fs_type, mount.source)
    elif sys.platform == "darwin":  # pragma: no cover - macOS only
        mount = mount_of(where, _mac_mounts())
        if mount is not None:
            fs_type, network = mount.fs_type, is_network_type(mount.fs_type, mount.source)
    elif sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            fs_type, network = _windows_storage(where)
        except (OSError, AttributeError, ValueError):
            pass
    return StorageInfo(fs_type=fs_type, network=network, sync_service=sync)


def write_problem(path: Path) -> str | None:
    """Why an existing project file cannot be written, or None when it can.

    SQLite writes a journal (or -wal and -shm) beside the file, so the folder must be writable
    too. Uses ``os.access``, so a process running as root sees nearly everything as writable.
    """
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "its folder is read-only (the project needs to write a journal file beside it)"
    return None
