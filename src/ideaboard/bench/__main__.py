"""`python -m ideaboard.bench`: see ideaboard.bench.run."""

import sys

from ideaboard.bench.run import main

sys.exit(main())
