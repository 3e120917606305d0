"""`python -m ideaboard.bench [--soak]`: see ideaboard.bench.run and ideaboard.bench.soak."""

import sys

from ideaboard.bench import run, soak

sys.exit(soak.main() if "--soak" in sys.argv[1:] else run.main())
