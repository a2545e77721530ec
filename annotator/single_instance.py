"""One running app per user: a second launch hands its project to the first over a local socket.

The first instance listens on a :class:`QLocalServer` (a Unix socket or a Windows named pipe)
whose name is derived from the user and the settings folder, so two users, or two profiles of
one user, never meet. A later ``annotator PROJECT`` connects, sends one JSON line
``{"protocol": "news-annotator/1", "open": "/abs/path.annot"}`` (``"open": null`` only asks the
window to come forward), waits for ``{"ok": true}`` and exits; the running instance opens the
project and raises its window. Nobody answering means no instance runs: the caller starts one.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QTimer, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from annotator.settings import APP_NAME, config_dir

PROTOCOL = "news-annotator/1"
CONNECT_TIMEOUT_MS = 500
REPLY_TIMEOUT_MS = 5000
MAX_MESSAGE_BYTES = 64 * 1024


def server_name() -> str:
    """The socket name for this user and settings folder, e.g. ``news-annotator-3f2a…``.

    A hash keeps it short (Unix socket paths are limited to about 100 bytes) and free of
    characters a pipe or file name cannot hold.
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name, e.g. in a container with an unknown uid
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = hashlib.sha256(f"{user}\0{config_dir()}".encode()).hexdigest()[:16]
    return f"{APP_NAME}-{digest}"


def send_to_running_instance(
    project: Path | None, *, name: str | None = None, timeout_ms: int = REPLY_TIMEOUT_MS
) -> bool:
    """Ask a running instance to open ``project`` (or just to come forward, when None).

    True when an instance answered that it took the request; False when none is listening or it
    did not answer within ``timeout_ms``. Needs a Q(Core)Application. It waits in a local event
    loop rather than with ``waitFor…()``, which would hold the GIL and keep a server in this very
    process (as in tests) from answering.
    """
    target = None if project is None else str(Path(project).expanduser().resolve())
    message = json.dumps({"protocol": PROTOCOL, "open": target}, ensure_ascii=False) + "\n"
    socket = QLocalSocket()
    loop = QEventLoop()
    reply = bytearray()
    finished = False

    def finish() -> None:
        nonlocal finished
        finished = True
        loop.quit()

    def on_ready_read() -> None:
        reply.extend(bytes(socket.readAll().data()))
        if b"\n" in reply or len(reply) > MAX_MESSAGE_BYTES:
            finish()

    socket.connected.connect(lambda: socket.write(message.encode("utf-8")))
    socket.readyRead.connect(on_ready_read)
    socket.errorOccurred.connect(lambda _error: finish())
    socket.disconnected.connect(finish)
    timer = QTimer(singleShot=True, interval=timeout_ms)
    timer.timeout.connect(finish)
    socket.connectToServer(name or server_name())
    # Nobody listening usually fails at once, before there is a loop to leave.
    if not finished and socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        timer.start()
        loop.exec()
    timer.stop()
    if socket.isOpen():
        reply.extend(bytes(socket.readAll().data()))
    socket.abort()
    try:
        answer = json.loads(bytes(reply).split(b"\n", 1)[0])
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("ok") is True


class InstanceServer(QObject):
    """Listens for later launches and announces the projects they hand over.

    It also announces the application's file-open events: macOS hands a project double-clicked
    in the Finder to the running app (even to the one it is starting) that way, not in argv.
    With ``hold=True`` requests that arrive before :meth:`release` (while the first run asks for
    the analyst's name, say) are kept and announced on release, so none is lost.
    """

    open_requested = Signal(str)  # an absolute project path, or "" to raise the window only

    def __init__(
        self, parent: QObject | None = None, *, name: str | None = None, hold: bool = False
    ) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._held: list[str] | None = [] if hold else None
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._server = QLocalServer(self)
        # Only this user may connect (the socket file is mode 0700 / the pipe is the user's).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def listen(self) -> bool:
        """Start listening; False when a live instance owns the name or it cannot be had."""
        # Ask first: with UserAccessOption Qt renames its socket file into place, which would
        # silently take the name from a live instance rather than fail.
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.abort()
            return False
        # A socket file left behind by an instance that crashed refuses connections: remove it.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def is_listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        """Stop listening (the socket file is removed) and watching for file-open events."""
        self._server.close()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def release(self) -> None:
        """Announce the requests held so far, and every later one as it arrives."""
        held, self._held = self._held or [], None
        for path in held:
            self.open_requested.emit(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FileOpen and watched is QCoreApplication.instance():
            path = event.file()  # type: ignore[attr-defined]
            if path:
                self._announce(str(Path(path).resolve()))
                return True
        return super().eventFilter(watched, event)

    def _announce(self, path: str) -> None:
        if self._held is not None:
            self._held.append(path)
        else:
            self.open_requested.emit(path)

    # ------------------------------------------------------------------------ connections
    @Slot()
    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE_BYTES:
                self._reply(socket, {"ok": False, "error": "message too long"})
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        path = _parse_request(line)
        if path is None:
            self._reply(socket, {"ok": False, "error": "not a News Annotator request"})
            return
        self._reply(socket, {"ok": True})
        self._announce(path)

    def _reply(self, socket: QLocalSocket, answer: dict[str, object]) -> None:
        self._buffers.pop(socket, None)
        socket.write((json.dumps(answer) + "\n").encode("utf-8"))
        socket.flush()
        socket.disconnectFromServer()

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()


def _parse_request(line: bytes) -> str | None:
    """The requested path ("" for none), or None when the line is not a valid request."""
    try:
        request = json.loads(line.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
        return None
    target = request.get("open")
    if target is None:
        return ""
    if not isinstance(target, str) or not target or "\0" in target:
        return None
    return target
