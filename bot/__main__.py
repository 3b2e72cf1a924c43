"""`python -m bot` runs the `lyceum` command line."""

import sys

from bot.cli import main

sys.exit(main())
