"""PySide6 user interface: windows, views, models, actions and undo commands."""
