"""Long work off the GUI thread: one operation on a worker thread, with a database connection of
its own, reporting progress and its result by signals, and cancellable (Anki's CollectionOp,
in small).

An operation is a function of a :class:`Control`, through which it reports progress and asks
whether it was cancelled; it opens what it reads and writes itself (:func:`own_project`), since
a SQLite connection belongs to the thread that made it. The GUI keeps working while it runs:
nothing pumps events by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal

from annotator.store import Project

T = TypeVar("T")


class Control:
    """What a running operation may do: say how far it is, and ask whether to stop."""

    def __init__(self, report: Callable[[int, int, str], None], stop: threading.Event) -> None:
        self._report = report
        self._stop = stop

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._report(done, total, text)

    def cancelled(self) -> bool:
        return self._stop.is_set()


class Worker(QThread, Generic[T]):
    """Runs ``operation(control)`` on its own thread once :meth:`start` is called.

    Exactly one of :attr:`succeeded` (with the operation's result) or :attr:`failed` (with the
    exception it raised) is emitted, then ``finished``; :attr:`result` and :attr:`error` keep
    them. :meth:`cancel` asks the operation to stop at its next check.
    """

    progressed = Signal(int, int, str)  # done, total, what is being done
    succeeded = Signal(object)  # the operation's result
    failed = Signal(object)  # the exception the operation raised
    _ended = Signal()  # after either: delivered to the GUI thread once the two above are

    def __init__(self, operation: Callable[[Control], T], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._operation = operation
        self._cancel = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None
        self._delivered = False  # the GUI thread has received the outcome
        self._loop: QEventLoop | None = None
        self._ended.connect(self._on_ended)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self._operation(Control(self.progressed.emit, self._cancel))
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, none lost
            self.error = exc
            self.failed.emit(exc)
        else:
            self.result = result
            self.succeeded.emit(result)
        self._ended.emit()

    def _on_ended(self) -> None:
        self._delivered = True
        if self._loop is not None:
            self._loop.quit()

    def wait_for_end(self) -> T:
        """Wait for the started operation and return its result (raising what it raised),
        the event loop running meanwhile, so the GUI stays alive and the signals above reach
        their slots first: for callers that need the answer before going on."""
        if not self._delivered:
            self._loop = QEventLoop()
            self._loop.exec()
            self._loop = None
        self.wait()  # the thread is ending: a QThread must not be destroyed while it runs
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


@contextmanager
def own_project(path: Path, *, read_only: bool = False) -> Iterator[Project]:
    """The project at ``path`` on a connection of the calling (worker) thread. The window's
    own connection keeps the write lock and the backups; this one takes neither."""
    with Project.open(path, create=False, read_only=read_only, lock=False, backups=False) as p:
        yield p
