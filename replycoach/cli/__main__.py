"""``python -m replycoach.cli`` runs the same command line as ``replycoach``."""

import sys

from replycoach.cli import main

sys.exit(main())
