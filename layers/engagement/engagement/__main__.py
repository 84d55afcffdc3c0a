"""``python -m engagement`` runs the CLI."""

from engagement.cli import main

raise SystemExit(main())
