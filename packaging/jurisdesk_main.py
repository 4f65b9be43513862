"""Entry point of both bundled programs, Jurisdesk (windowed) and jurisdesk-cli (console):
the same `jurisdesk` command as app.cli:main (see build_installer.spec)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
