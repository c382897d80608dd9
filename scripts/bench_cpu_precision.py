"""Training-step time of the training proof's tiny Tarsier in fp32 and in bf16-mixed, side by side in one run.

    python scripts/bench_cpu_precision.py [--steps 12] [--batch-size 16] [--frames 8]

Builds the proof's model (`proof.PROOF_MODEL`, LeCun projector) in a temporary folder and times forward + backward +
AdamW steps on random frames and tokens shaped like a description sample, first in fp32, then under bf16 autocast
with fp32 weights (what `precision: bf16-mixed` does), alternating twice. Prints the median step of each and the
ratio. A benchmark, not a test: the ratio depends on the CPU (bf16 matmuls are fast where it has avx512_bf16 or AMX).
"""
import argparse, statistics, tempfile, time
from pathlib import Path

import torch
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.inference import load
from tarsier_nb.proof import PROOF_MODEL

def step_seconds(model, batch:dict, optimizer, steps:int, bf16:bool)->float:
    "Median seconds of `steps` training steps (after two warm-up steps)."
    times = []
    for _ in range(steps + 2):
        start = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): loss = model(**batch).loss
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times[2:])

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=12)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--text-tokens', type=int, default=60, help='prompt + answer tokens after the frames')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model, processor = load(tiny_tarsier(Path(tmp)/'tiny', lecun_projector=True, **PROOF_MODEL), device='cpu')
    model.train()
    image_tokens = args.frames * processor.tokens_per_frame
    ids = torch.randint(5, 400, (args.batch_size, 1 + image_tokens + args.text_tokens))  # plain words of the tiny vocabulary
    ids[:, 1:1 + image_tokens] = model.config.image_token_index
    labels = ids.clone(); labels[:, :1 + image_tokens + args.text_tokens // 2] = -100
    side = PROOF_MODEL['image_size']
    batch = dict(input_ids=ids, labels=labels, pixel_values=torch.randn(args.batch_size * args.frames, 3, side, side))
    optimizer = torch.optim.AdamW(model.parameters(), 1e-4)
    seconds = {'fp32': [], 'bf16-mixed': []}
    for _ in range(2):
        for name in seconds: seconds[name].append(step_seconds(model, batch, optimizer, args.steps, name == 'bf16-mixed'))
    fp32, bf16 = min(seconds['fp32']), min(seconds['bf16-mixed'])
    print(f"torch threads {torch.get_num_threads()}, batch {args.batch_size} × ({image_tokens} image + {args.text_tokens} text tokens), "
          f"model {PROOF_MODEL}")
    print(f"fp32:       {fp32:.3f} s a step")
    print(f"bf16-mixed: {bf16:.3f} s a step")
    print(f"bf16-mixed / fp32 steps per second: {fp32 / bf16:.2f}×")

if __name__ == '__main__': main()
