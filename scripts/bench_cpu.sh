#!/usr/bin/env bash
# The CPU measurements of the speed notebook (nbs/17_bench.ipynb) in one run, about 6 minutes on 2 cores: the `small`
# size (whose matrix products, not Python, take most of the time) and the tiny one; results appended to bench/results/.
# On a CPU only the ratios mean something.
#
#     bash scripts/bench_cpu.sh
set -euo pipefail
bench() { echo "== tarsier-nb bench $*" >&2; tarsier-nb bench "$@" --device cpu; }
bench describe --size tiny --generation 1 --videos 16 --new-tokens 32 --batch-size 8
bench describe --size small --generation 1 --videos 8 --new-tokens 32 --batch-size 8
bench describe --size small --generation 1 --videos 8 --new-tokens 32 --batch-size 8 --cache static --profile-tokens 0
bench describe --size small --generation 2 --videos 8 --new-tokens 32 --batch-size 8
bench train --size small --generation 1 --answer-tokens 256 --steps 3
bench train --size small --generation 2 --answer-tokens 256 --steps 3
tarsier-nb bench frames --videos 8 --workers 2
