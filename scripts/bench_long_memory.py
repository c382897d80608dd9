"""Memory growth per frame and time of the long-video memory, on a synthetic 10,000-frame video, printed as JSON.

    python scripts/bench_long_memory.py [--frames 10000] [--early 1000] [--model tiny|tiny2|DIR] [--out data/results/long_memory.json]

Writes a synthetic video of `--frames` frames as a stream (never held whole: ten scenes of the synthetic world,
cycled), then reads it with `memory.read_long` (every frame through the vision tower and MovieChat's memory) and
records the process's peak resident memory and the elapsed time after `--early` frames and at the end. Prints:
growth per frame = (peak at the end - peak after `--early`) / (frames - early), in KB (MovieChat reports 21.3 KB),
and the time ratio end / early (a linear cost gives frames / early). A benchmark, not a test: the numbers depend on
the machine. With a GPU the model runs there and frames per second are printed too.
"""
import argparse, json, resource, tempfile, time
from pathlib import Path

import torch
from tarsier_nb.inference import load
from tarsier_nb.memory import read_long
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.synth import make_scene, write_clip
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.video import read_frames, write_video

def peak_kb()->int: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux

def synthetic_video(path:Path, n:int, work:Path)->Path:
    "`n` frames: ten 64 px synthetic scenes of 40 frames, cycled, written as they are made."
    scenes = [read_frames(write_clip(make_scene(s, duration=4.0, fps=10, size=64), work/f'scene{s}.mp4'), 40).frames for s in range(10)]
    return write_video(path, (scenes[(i // 40) % 10][i % 40] for i in range(n)), fps=25)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--frames', type=int, default=10_000)
    parser.add_argument('--early', type=int, default=1_000)
    parser.add_argument('--model', default='tiny', help="'tiny' (Tarsier), 'tiny2' (Tarsier2) or a checkpoint folder")
    parser.add_argument('--chunk', type=int, default=32)
    parser.add_argument('--out', help='also write the JSON here')
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    folder = {'tiny': lambda: tiny_tarsier(work/'tiny'), 'tiny2': lambda: tiny_tarsier2(work/'tiny2')}.get(args.model, lambda: args.model)()
    model, processor = load(folder)
    video = synthetic_video(work/'long.mp4', args.frames, work)
    marks, series, start = {}, [], time.perf_counter()
    def watch(read:int):
        series.append((read, peak_kb()))
        if read >= args.early and 'early' not in marks: marks['early'] = (read, peak_kb(), time.perf_counter() - start)
    read = read_long(model, processor, video, chunk=args.chunk, progress=True, watch=watch)
    end = (read.frames_read, peak_kb(), time.perf_counter() - start)
    (n0, kb0, s0), (n1, kb1, s1) = marks['early'], end
    result = dict(model=str(args.model), device=str(model.device), frames=n1, early_frames=n0,
                  memory_slots=len(read.memory.long) + len(read.memory.short), tokens_per_frame=int(read.memory.frames()[0].shape[1]),
                  peak_kb_early=kb0, peak_kb_end=kb1, growth_kb_per_frame=round((kb1 - kb0) / (n1 - n0), 3),
                  moviechat_kb_per_frame=21.3, seconds_early=round(s0, 2), seconds_end=round(s1, 2),
                  time_ratio=round(s1 / s0, 2), linear_time_ratio=round(n1 / n0, 2), frames_per_second=round(n1 / s1, 1),
                  torch=torch.__version__, peak_kb_by_frames=series)
    print(json.dumps({k: v for k, v in result.items() if k != 'peak_kb_by_frames'}, indent=1))
    if args.out: Path(args.out).write_text(json.dumps(result, indent=1) + '\n')

if __name__ == '__main__': main()
