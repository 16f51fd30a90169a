#!/usr/bin/env python
"""Open QWOP Studio: ``python run_studio.py`` (the same as ``qwop-studio studio``)."""
import sys

from qwop_studio.cli import main

if __name__ == "__main__":
    sys.exit(main(["studio", *sys.argv[1:]]))
