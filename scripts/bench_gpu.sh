#!/usr/bin/env bash
# Every GPU measurement of the speed notebook (nbs/17_bench.ipynb) and of the long-video memory (nbs/06b_memory.ipynb)
# in one run, about 10 minutes on one H100/H200:
# Tarsier-7b and Tarsier2-7b shapes with random bf16 weights (no download), results appended to bench/results/*.jsonl.
#
#     bash scripts/bench_gpu.sh            # on a machine with a CUDA GPU and the package installed (pip install -e .)
#
# Offline machines: carry the wheels the package needs beside torch/transformers (fastcore, av, decord, natsort,
# pydantic, ...) and `pip install --no-index --find-links WHEELS -e .` first.
set -euo pipefail
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
bench() { echo "== tarsier-nb bench $*" >&2; tarsier-nb bench "$@" --device cuda; }
# describing: the official loop against ours, 16 videos, greedy outputs compared; the profile says where a step's time goes
bench describe --size 7b --generation 1 --videos 16 --frames 8 --new-tokens 64 --batch-size 16 --profile-tokens 16
bench describe --size 7b --generation 1 --videos 16 --frames 8 --new-tokens 64 --batch-size 16 --cache static --profile-tokens 0
bench describe --size 7b --generation 2 --videos 16 --frames 8 --new-tokens 64 --batch-size 16 --profile-tokens 16
# training: full fine-tuning against LoRA, with and without activation checkpointing
bench train --size 7b --generation 1 --frames 8 --answer-tokens 256 --steps 3
bench train --size 7b --generation 2 --frames 8 --answer-tokens 256 --steps 3
# frames on this machine's CPUs
tarsier-nb bench frames --videos 32 --workers "$(nproc)"
# the long-video memory at 7B widths: GPU memory growth per frame and frames per second over 10,000 frames
for model in 7b 7b2; do
  echo "== bench_long_memory.py --model $model" >&2
  python scripts/bench_long_memory.py --model "$model" --device cuda --frames 10000 --out "data/results/long_memory_$model.json"
done
