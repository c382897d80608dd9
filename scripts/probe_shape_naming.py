"""How fast a from-scratch tiny Tarsier learns to name the shape in one frame, at several learning rates side by side.

    python scripts/probe_shape_naming.py [--steps 1600] [--clips 8200] [--lrs 1e-3 3e-4] [--radius 0.12 0.15] [--vision-layers 2 3]

One frame of a one-subject clip of the simple world (`synth.WORLDS["simple"]`, its subject radius replaced by
`--radius` when given), the question "What shape is it?" and the shape's word as the answer. Each learning rate starts
from the same random model (the training proof's `proof.PROOF_MODEL`, LeCun projector; `--vision-layers` compares
vision towers of other depths, each from its own random start) and learns with AdamW, batch 32,
bf16 autocast, no schedule. Prints the loss and held-out accuracy on 200 other clips every 400 steps; chance is 0.25.
A measurement, not a test: a few minutes on 2 CPU cores.
"""
import argparse, dataclasses, random, tempfile, time
from pathlib import Path

import torch
from tarsier_nb import synth
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.inference import load
from tarsier_nb.proof import PROOF_MODEL

HELD_OUT = 200 # the last clips, never trained on

def shape_frames(processor, clips:int, world:str)->list:
    "(pixel values, shape) of the first frame of `clips` one-subject clips of `world`."
    scenes = [synth.make_scene(seed, n_subjects=1, world=world) for seed in range(clips)]
    return [(torch.from_numpy(processor.pixel_values([synth.render_frame(s, 0.0)])), s.subjects[0].shape) for s in scenes]

def batch(prompt:list, shape_ids:dict, items:list)->dict:
    "The frames, `prompt` (image tokens, then the question), and the shape's token as the only label."
    ids = torch.tensor([prompt + [shape_ids[shape]] for _, shape in items])
    labels = torch.full_like(ids, -100); labels[:, -1] = ids[:, -1]
    return dict(input_ids=ids, labels=labels, pixel_values=torch.cat([frame for frame, _ in items]))

@torch.no_grad()
def accuracy(model, prompt:list, shape_ids:dict, items:list)->float:
    inputs = batch(prompt, shape_ids, items); target = inputs.pop('labels')[:, -1]
    return (model(**inputs).logits[:, -2].argmax(-1) == target).float().mean().item()

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=1600)
    parser.add_argument('--clips', type=int, default=8200, help=f'clips drawn; the last {HELD_OUT} are held out')
    parser.add_argument('--lrs', type=float, nargs='+', default=[1e-3, 3e-4])
    parser.add_argument('--vision-layers', type=int, nargs='+', default=[PROOF_MODEL['vision_layers']],
                        help="vision tower depths to compare (the features come from the second-to-last layer's output)")
    parser.add_argument('--radius', type=float, nargs=2, default=None, help='smallest and largest subject radius, fraction of the frame')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        starts = {depth: tiny_tarsier(Path(tmp)/f'start{depth}', seed=0, lecun_projector=True, **(PROOF_MODEL | dict(vision_layers=depth)))
                  for depth in args.vision_layers}
        start_model, processor = load(starts[args.vision_layers[0]], device='cpu')
        tokens = processor.tokenizer
        split = {shape: tokens(' ' + shape, add_special_tokens=False).input_ids for shape in synth.WORLDS['simple'].shapes}
        if any(len(ids) != 1 for ids in split.values()): raise SystemExit(f"each shape should be one token; the tokenizer gives {split}")
        shape_ids = {shape: ids[0] for shape, ids in split.items()}
        prompt = ([tokens.bos_token_id] + [start_model.config.image_token_index] * processor.tokens_per_frame
                  + tokens(' What shape is it?', add_special_tokens=False).input_ids)
        world = 'simple'
        if args.radius:  # the simple world with other subject sizes, under its own name
            world = 'simple, other radius'
            synth.WORLDS[world] = dataclasses.replace(synth.WORLDS['simple'], subject_sizes=tuple(args.radius))
        data = shape_frames(processor, args.clips, world)
        train, test = data[:-HELD_OUT], data[-HELD_OUT:]
        print(f"torch threads {torch.get_num_threads()}, model {PROOF_MODEL}, radius {synth.WORLDS[world].subject_sizes}, "
              f"{len(train)} training frames, {len(test)} held out")
        for depth, lr in [(depth, lr) for depth in args.vision_layers for lr in args.lrs]:
            model, _ = load(starts[depth], device='cpu')
            optimizer, rng, began = torch.optim.AdamW(model.train().parameters(), lr), random.Random(0), time.perf_counter()
            for step in range(1, args.steps + 1):
                with torch.autocast('cpu', dtype=torch.bfloat16): loss = model(**batch(prompt, shape_ids, rng.sample(train, 32))).loss
                optimizer.zero_grad(); loss.backward(); optimizer.step()
                if step % 400 == 0:
                    print(f"vision layers {depth}, lr {lr:g}: step {step:5d}  {time.perf_counter() - began:4.0f} s  loss {loss.item():.3f}  "
                          f"held-out accuracy {accuracy(model, prompt, shape_ids, test):.2f}", flush=True)

if __name__ == '__main__': main()
