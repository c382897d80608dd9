"""Speed of `describe_batch` against a one-by-one `describe` loop, side by side in one run.

    python scripts/bench_describe_batch.py [--videos 16] [--batch-size 8] [--max-new-tokens 32] [--hidden-size 64]

Builds a tiny Tarsier checkpoint and synthetic clips in a temporary folder, checks that both ways give the same
greedy text, and prints the seconds of each and the speedup. A benchmark, not a test: numbers depend on the machine.
"""
import argparse, tempfile, time
from pathlib import Path

import torch
from tarsier_nb.inference import describe, describe_batch, load
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.synth import make_scene, write_clip
from tarsier_nb.video import read_frames

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--videos', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--max-new-tokens', type=int, default=32)
    parser.add_argument('--hidden-size', type=int, default=64, help='width of the tiny LLM and vision tower')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model, processor = load(tiny_tarsier(tmp/'tiny', hidden_size=args.hidden_size, vision_hidden_size=args.hidden_size), device=args.device)
        clips = [read_frames(write_clip(make_scene(seed), tmp/f'{seed}.mp4'), args.frames) for seed in range(args.videos)]
        settings = dict(max_new_tokens=args.max_new_tokens, min_new_tokens=args.max_new_tokens)  # same work for every answer
        describe_batch(model, processor, clips[:2], batch_size=2, **settings)  # warm-up
        start = time.perf_counter()
        one_by_one = [describe(model, processor, clip, **settings) for clip in clips]
        loop_s = time.perf_counter() - start
        start = time.perf_counter()
        batched = describe_batch(model, processor, clips, batch_size=args.batch_size, **settings)
        batch_s = time.perf_counter() - start
    same = batched == one_by_one
    print(f"device {args.device}, torch threads {torch.get_num_threads()}, {args.videos} videos × {args.frames} frames, "
          f"{args.max_new_tokens} new tokens each, tiny model width {args.hidden_size}")
    print(f"one by one:          {loop_s:7.2f} s  ({args.videos/loop_s:5.2f} videos/s)")
    print(f"describe_batch (×{args.batch_size}): {batch_s:7.2f} s  ({args.videos/batch_s:5.2f} videos/s)")
    print(f"speedup: {loop_s/batch_s:.2f}×   identical greedy text: {same}")
    if not same: raise SystemExit("batched and one-by-one greedy outputs differ")

if __name__ == '__main__': main()
