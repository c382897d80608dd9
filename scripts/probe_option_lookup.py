"""How fast a from-scratch tiny Tarsier learns to answer a multiple-choice question from a frame, when the options are
shuffled and when they are listed in a fixed order, beside the same question answered in a word.

    python scripts/probe_option_lookup.py [--steps 1000] [--lookup-steps 0] [--clips 1400] [--ways word fixed shuffled] [--lr 1e-3]

One frame of a one-subject clip of the simple world (`synth.WORLDS["simple"]`) and the question "What color is the
shape?", learnt three ways from the same random start (the training proof's model, `proof.PROOF_MODEL`, LeCun
projector; AdamW at `--lr`, batch 32, bf16 autocast):

- `word`: the answer is the colour word (what naming a colour from the frame takes);
- `fixed`: four options always in the world's order, the answer their letter (the letter follows from the colour);
- `shuffled`: the four options in random order, the answer their letter (the model must also find the letter).

With `--lookup-steps N`, the `shuffled` model first learns N steps (batch 64) of text-only questions that name the
answer ("Which option says blue?"), to see whether a learnt lookup carries over to frames. Prints held-out accuracy
on 200 other clips every 250 steps. A measurement, not a test: it takes a few minutes on 2 CPU cores.
"""
import argparse, random, tempfile, time
from pathlib import Path

import torch
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.inference import load
from tarsier_nb.proof import PROOF_MODEL
from tarsier_nb.synth import LETTERS, WORLDS, make_scene, render_frame

WORLD_COLORS = list(WORLDS['simple'].colors) # the simple world's colour names, in its order

class Probe:
    "A fresh copy of the start model and its way of turning (frame, colour) into prompt tokens and a target token."
    def __init__(self, start:Path, way:str, lr:float):
        self.model, self.processor = load(start, device='cpu')
        self.tokens, self.way = self.processor.tokenizer, way
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr)

    def ids(self, text:str)->list[int]: return self.tokens(text, add_special_tokens=False).input_ids

    def options(self, rng:random.Random, answer:str, pool:list)->tuple[str, str]:
        "The options text and the answer's letter: four of `pool`, fixed order or shuffled."
        if self.way == 'fixed': chosen = pool[:4]
        else: chosen = rng.sample([c for c in pool if c != answer], 3) + [answer]; rng.shuffle(chosen)
        return ''.join(f"({l}) {o}\n" for l, o in zip(LETTERS, chosen)), LETTERS[chosen.index(answer)]

    def frame_item(self, rng:random.Random, frame:torch.Tensor, color:str)->tuple:
        image = [self.tokens.bos_token_id] + [self.model.config.image_token_index] * self.processor.tokens_per_frame
        if self.way == 'word': return image + self.ids(' What color is the shape? Answer:'), self.ids(f' {color}')[-1], frame
        options, letter = self.options(rng, color, WORLD_COLORS)
        return image + self.ids(f' What color is the shape?\n{options}Answer: ('), self.ids(letter)[-1], frame

    def text_item(self, rng:random.Random)->tuple:
        pool = rng.choice([WORLD_COLORS + ['purple'], ['circle', 'square', 'triangle', 'star', 'hexagon'], ['left', 'right', 'up', 'down', 'away']])
        answer = rng.choice(pool)
        options, letter = self.options(rng, answer, pool)
        return [self.tokens.bos_token_id] + self.ids(f'Which option says {answer}?\n{options}Answer: ('), self.ids(letter)[-1], None

    def batch(self, items:list)->dict:
        "Left-padded prompts with the target appended; the loss falls on the target only."
        width, pad = max(len(p) for p, _, _ in items) + 1, self.tokens.pad_token_id
        ids = torch.tensor([[pad] * (width - len(p) - 1) + p + [t] for p, t, _ in items])
        labels = torch.full_like(ids, -100); labels[:, -1] = ids[:, -1]
        frames = [f for _, _, f in items if f is not None]
        return dict(input_ids=ids, attention_mask=(ids != pad).long(), labels=labels, pixel_values=torch.cat(frames) if frames else None)

    def learn(self, items:list)->float:
        with torch.autocast('cpu', dtype=torch.bfloat16): loss = self.model(**self.batch(items)).loss
        self.optimizer.zero_grad(); loss.backward(); self.optimizer.step()
        return loss.item()

    @torch.no_grad()
    def accuracy(self, items:list)->float:
        batch = self.batch([(p, t, f) for p, t, f in items]); target = batch.pop('labels')[:, -1]
        return (self.model(**batch).logits[:, -2].argmax(-1) == target).float().mean().item()

def frames(processor, n:int)->list:
    "(pixel values, colour) of the first frame of `n` one-subject simple-world clips."
    scenes = [make_scene(seed, n_subjects=1, world='simple') for seed in range(n)]
    return [(torch.from_numpy(processor.pixel_values([render_frame(s, 0.0)])), s.subjects[0].color) for s in scenes]

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=1000)
    parser.add_argument('--lookup-steps', type=int, default=0, help='text-only lookup steps before the shuffled run')
    parser.add_argument('--clips', type=int, default=1400)
    parser.add_argument('--lr', type=float, default=1e-3, help="AdamW's learning rate")
    parser.add_argument('--ways', nargs='+', default=['word', 'fixed', 'shuffled'], choices=['word', 'fixed', 'shuffled'])
    args = parser.parse_args()
    print(f"torch threads {torch.get_num_threads()}, model {PROOF_MODEL}, lr {args.lr:g}, {args.clips - 200} training clips, 200 held out")
    with tempfile.TemporaryDirectory() as tmp:
        start = tiny_tarsier(Path(tmp)/'start', seed=0, lecun_projector=True, **PROOF_MODEL)
        data = frames(load(start, device='cpu')[1], args.clips)
        for way in args.ways:
            probe, rng, began = Probe(start, way, args.lr), random.Random(0), time.perf_counter()
            held_out = random.Random(1)
            train, test = data[:-200], [probe.frame_item(held_out, *d) for d in data[-200:]]
            if way == 'shuffled':
                text_test = [probe.text_item(held_out) for _ in range(200)]
                for step in range(1, args.lookup_steps + 1):
                    probe.learn([probe.text_item(rng) for _ in range(64)])
                    if step % 500 == 0: print(f"{way}: text lookup step {step}: {probe.accuracy(text_test):.2f}", flush=True)
            for step in range(1, args.steps + 1):
                loss = probe.learn([probe.frame_item(rng, *d) for d in rng.sample(train, 32)])
                if step % 250 == 0:
                    print(f"{way:>8}: step {step:5d}  {time.perf_counter() - began:5.0f} s  loss {loss:.3f}  "
                          f"held-out accuracy {probe.accuracy(test):.2f}", flush=True)

if __name__ == '__main__': main()
