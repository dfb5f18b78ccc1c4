"""Entry point of the frozen desktop app without a console window (Windows `workbench-gui.exe`)."""

import sys

from workbench.app import main

if __name__ == "__main__":
    sys.exit(main())
