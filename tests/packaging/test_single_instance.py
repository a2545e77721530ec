"""Single instance: a later launch hands its project to the running app instead of starting."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDir
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from annotator.settings import Settings
from annotator.single_instance import (
    InstanceServer,
    send_to_running_instance,
    server_name,
)
from annotator.store import Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(qapp, request) -> InstanceServer:
    name = f"news-annotator-test-{os.getpid()}-{request.node.name[-30:]}"
    instance = InstanceServer(name=name)
    assert instance.listen()
    yield instance
    instance.close()


def _send(qtbot, server: InstanceServer, project: Path | None) -> tuple[bool, list[str]]:
    # The client waits in a local event loop, in which this process's server answers.
    with qtbot.waitSignal(server.open_requested, timeout=5000) as blocker:
        delivered = send_to_running_instance(project, name=server.name, timeout_ms=5000)
    return delivered, blocker.args


def test_client_hands_an_absolute_path_to_the_server(qtbot, server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    delivered, args = _send(qtbot, server, Path("relative name ü.annot"))
    assert delivered is True
    assert args == [str((tmp_path / "relative name ü.annot").resolve())]


def test_a_launch_without_a_project_asks_the_window_to_come_forward(qtbot, server):
    delivered, args = _send(qtbot, server, None)
    assert delivered is True and args == [""]


def test_held_requests_are_announced_on_release(qapp, tmp_path):
    held = InstanceServer(name=f"news-annotator-test-{os.getpid()}-held", hold=True)
    assert held.listen()
    try:
        received: list[str] = []
        held.open_requested.connect(received.append)
        assert send_to_running_instance(tmp_path / "a.annot", name=held.name) is True
        assert received == []
        held.release()
        assert received == [str(tmp_path / "a.annot")]
        assert send_to_running_instance(tmp_path / "b.annot", name=held.name) is True
        assert received == [str(tmp_path / "a.annot"), str(tmp_path / "b.annot")]
    finally:
        held.close()


def test_file_open_events_are_announced_too(qtbot, qapp, server, tmp_path):
    # How macOS hands over a project double-clicked in the Finder.
    with qtbot.waitSignal(server.open_requested, timeout=1000) as blocker:
        QCoreApplication.sendEvent(qapp, QFileOpenEvent(str(tmp_path / "from finder.annot")))
    assert blocker.args == [str(tmp_path / "from finder.annot")]


def test_nobody_listening_means_not_delivered(qapp):
    started = time.monotonic()
    name = f"news-annotator-none-{os.getpid()}"
    assert send_to_running_instance(Path("x.annot"), name=name) is False
    assert time.monotonic() - started < 2


def test_a_foreign_message_is_refused_and_not_announced(qtbot, server):
    received: list[str] = []
    server.open_requested.connect(received.append)
    sock = QLocalSocket()
    reply = bytearray()
    sock.readyRead.connect(lambda: reply.extend(bytes(sock.readAll().data())))
    sock.connectToServer(server.name)
    sock.write(b'{"protocol": "something-else/9", "open": "/etc/passwd"}\n')
    qtbot.waitUntil(lambda: b"\n" in reply, timeout=5000)
    assert json.loads(reply)["ok"] is False
    assert received == []
    sock.abort()


def test_the_name_belongs_to_the_user_and_settings_folder(monkeypatch, tmp_path):
    first = server_name()
    assert first.startswith("news-annotator-") and len(first) < 40
    assert all(c.isalnum() or c == "-" for c in first)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-profile"))
    assert server_name() != first


@pytest.mark.skipif(sys.platform == "win32", reason="socket files are a Unix matter")
def test_a_socket_file_left_by_a_crashed_instance_is_taken_over(qapp):
    name = f"news-annotator-test-{os.getpid()}-stale"
    path = Path(QDir.tempPath()) / name
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()  # the file stays, nothing listens: what a crash leaves
    assert path.exists()
    instance = InstanceServer(name=name)
    try:
        assert instance.listen()
    finally:
        instance.close()
    assert not path.exists()


def test_a_live_instance_is_not_displaced(qapp, server):
    second = InstanceServer(name=server.name)
    assert second.listen() is False
    assert server.is_listening()


def test_second_launch_hands_its_project_to_the_first(tmp_path):
    """Two real processes: the second exits at once and the first opens its project."""
    first_project, second_project = tmp_path / "first.annot", tmp_path / "second.annot"
    for path in (first_project, second_project):
        Project.open(path).close()
    Settings(annotator="alice").save()  # no first-run name dialog
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    command = [sys.executable, "-m", "annotator.cli"]
    first = subprocess.Popen(
        [*command, str(first_project)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: Settings.load().last_project == str(first_project), first, "first start")
        # The first instance listens before it loads settings; it is surely listening now.
        second = subprocess.run(
            [*command, str(second_project)],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        _wait_for(lambda: Settings.load().last_project == str(second_project), first, "hand-over")
        assert first.poll() is None, "the first instance quit"
    finally:
        first.kill()
        first.communicate(timeout=30)
        QLocalServer.removeServer(server_name())


def _wait_for(condition, process: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"the app exited ({process.returncode}) before {what}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
