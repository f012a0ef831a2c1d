"""`python -m tether` runs the same entry point as the `tether` console script."""

from tether.cli.entry import main

raise SystemExit(main())
