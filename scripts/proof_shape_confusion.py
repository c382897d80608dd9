"""Which subjects a trained proof model names right in its descriptions: colours, shapes, and which shape it says for which.

    python scripts/proof_shape_confusion.py runs/proof/stage2/final runs/proof/held_out [--clips 100]

Describes the first `--clips` held-out clips with the proof's prompt (greedy, as `proof.score` does) and reads the
subjects ("a red circle and a blue star") from the first sentence of each description and of its reference. Prints
the clips whose colours are all right, the clips whose shapes are all right (as sets), and a table of reference
shape against the shape the model gave the same-coloured subject ("-" where it named no subject of that colour).
The subjects of a simple-world clip have different colours, so a colour finds its subject.
"""
import argparse, re
from collections import Counter

from tarsier_nb.records import sample_prompt, sample_reference
from tarsier_nb.inference import describe_batch, load
from tarsier_nb.proof import N_FRAMES, PROOF_WORLD, HeldOut
from tarsier_nb.synth import WORLDS

def subjects(description:str, pattern:re.Pattern)->dict:
    "colour -> shape of the subjects named in the description's first sentence."
    return dict(pattern.findall(description.split('.')[0].lower()))

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint'); parser.add_argument('held_out')
    parser.add_argument('--clips', type=int, default=100)
    args = parser.parse_args()
    world = WORLDS[PROOF_WORLD]
    pattern = re.compile(rf"\b({'|'.join(world.colors)}) ({'|'.join(world.shapes)})\b")
    held_out = HeldOut.read(args.held_out, n_clips=args.clips, n_frames=N_FRAMES)
    model, processor = load(args.checkpoint, device='cpu')
    records = held_out.descriptions
    said = describe_batch(model.eval(), processor, [held_out.frames[r['vid']] for r in records], [sample_prompt(r) for r in records],
                          batch_size=32, max_new_tokens=96, progress=True)
    colours_right = shapes_right = 0
    confusion = Counter()
    for record, description in zip(records, said):
        truth, given = subjects(sample_reference(record), pattern), subjects(description, pattern)
        colours_right += sorted(truth) == sorted(given)
        shapes_right += sorted(truth.values()) == sorted(given.values())
        for colour, shape in truth.items(): confusion[shape, given.get(colour, '-')] += 1
    print(f"{len(records)} clips: colours all right in {colours_right}, shapes all right in {shapes_right}")
    columns = list(world.shapes) + ['-']
    print(f"{'reference / said':>18}" + ''.join(f"{c:>10}" for c in columns))
    for shape in world.shapes: print(f"{shape:>18}" + ''.join(f"{confusion[shape, c]:>10}" for c in columns))

if __name__ == '__main__': main()
