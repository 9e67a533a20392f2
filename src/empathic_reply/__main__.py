"""``python -m empathic_reply`` runs the command line."""

import sys

from empathic_reply.cli import main

sys.exit(main())
