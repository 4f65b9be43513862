"""`python -m app` runs the jurisdesk command (also the installer's entry point)."""

import sys

from app.cli import main

sys.exit(main())
