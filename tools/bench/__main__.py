"""`python -m tools.bench STAGE PARAMS.json OUT.json`: one benchmark stage in a process of its
own (started by `tools.bench.stages.run_stage`, so that the stage's peak memory is its own)."""

import sys

from tools.bench.stages import _child_main

sys.exit(_child_main(sys.argv[1:]))
