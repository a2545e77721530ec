"""Cold-start driver: runs the app's real entry path and exits once the main window has painted.

``python -m tests.benchmarks.coldstart`` does exactly what ``annotator`` with no argument does
(:func:`annotator.app.run_gui`: single-instance check, settings, the last project, the main
window); the only addition is an application event filter, installed the moment run_gui creates
the QApplication, that notices the main window's first paint. When that paint pass is over it
prints the wall-clock time, closes the window as a user would (settings and reading place saved,
project closed) and lets run_gui return. The parent process measures from before it started this
process to the printed time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    import annotator.app as app_module

    original = app_module.create_application
    state: dict[str, Any] = {"painted": None}

    def create_application(argv: list[str] | None = None) -> Any:
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QMainWindow, QWidget

        app = original(argv)

        class FirstPaint(QObject):
            def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
                if (
                    state["painted"] is None
                    and event.type() == QEvent.Type.Paint
                    and isinstance(obj, QWidget)
                    and isinstance(obj.window(), QMainWindow)
                ):
                    state["painted"] = obj.window()
                    # Runs once the rest of this paint pass (every widget of the window) is done.
                    QTimer.singleShot(0, done)
                return False

        def done() -> None:
            print(json.dumps({"painted_at": time.time()}))
            sys.stdout.flush()
            state["painted"].close()
            app.quit()

        state["filter"] = FirstPaint(app)
        app.installEventFilter(state["filter"])
        return app

    app_module.create_application = create_application
    code = app_module.run_gui(None)
    sys.stdout.flush()
    os._exit(code)  # Qt's teardown is not part of a start


if __name__ == "__main__":
    raise SystemExit(main())
