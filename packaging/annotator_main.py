"""Entry point of the PyInstaller bundle: the same ``annotator`` command as the pip install."""

import sys

from annotator.cli import main

if __name__ == "__main__":
    sys.exit(main())
