"""Memory growth per frame and time of the long-video memory, on a synthetic 10,000-frame video, printed as JSON.

    python scripts/bench_long_memory.py [--frames 10000] [--early 1000] [--model tiny|tiny2|small|small2|7b|7b2|DIR] [--pool 1] [--out data/results/long_memory.json]
    python scripts/bench_long_memory.py --compare-pools 1 2 [--frames 2000] [--model ...] [--out data/results/long_pool.json]
    python scripts/bench_long_memory.py --model 7b --device cuda --out data/results/long_memory_7b.json   # Tarsier-7b widths, random bf16 weights

Writes a synthetic video of `--frames` frames as a stream (never held whole: ten scenes of the synthetic world,
cycled), then reads it with `memory.read_long` (every frame through the vision tower and MovieChat's memory) and
records the process's peak resident memory and the elapsed time after `--early` frames and at the end. Prints:
growth per frame = (peak at the end - peak after `--early`) / (frames - early), in KB (MovieChat reports 21.3 KB),
and the time ratio end / early (a linear cost gives frames / early). A benchmark, not a test: the numbers depend on
the machine. `small`/`7b` (Tarsier) and `small2`/`7b2` (Tarsier2) are random-weight models of those shapes built
with no download (`bench.bench_model`; `7b` needs a GPU). On a GPU the growth is also measured in the GPU's own
peak allocated memory (what MovieChat's 21.3 KB counts), and frames per second are printed.

`--compare-pools` reads the same video once per pooling setting, side by side in one run, and prints for each the
vectors per frame, the frames that fit the model's context beside a prompt, the seconds to read the video and the
seconds to answer from the memory (the prompt and one new token; the median of five), with their ratios to the first.
"""
import argparse, json, statistics, tempfile, time
from pathlib import Path

import torch
from tarsier_nb.bench import bench_model, peak_memory_gib, reset_peak_memory
from tarsier_nb.inference import load
from tarsier_nb.memory import LongSettings, answer_long, frames_to_read, frames_that_fit, read_long
from tarsier_nb.model import pick_device
from tarsier_nb.records import DESCRIBE_PROMPT
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.synth import make_scene, write_clip
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.video import read_frames, write_video

def peak_kb(device='cpu')->int: return round(peak_memory_gib(device) * 2**20)  # the process's resident peak (CPU) or the GPU's allocated peak
def gpu_peak_kb(device)->int|None: return peak_kb(device) if device.type == 'cuda' else None

BUILT = {'small': ('small', 1), 'small2': ('small', 2), '7b': ('7b', 1), '7b2': ('7b', 2)} # --model names built at a `bench` size: (size, generation)

def model_for(name:str, device:str|None, work:Path)->tuple:
    "(model, processor): a tiny checkpoint written here, a random-weight model of a `bench` size, or a checkpoint folder."
    device = str(pick_device(device or 'auto'))
    if name in BUILT: return bench_model(*BUILT[name], device=device, folder=work)
    folder = {'tiny': lambda: tiny_tarsier(work/'tiny'), 'tiny2': lambda: tiny_tarsier2(work/'tiny2')}.get(name, lambda: name)()
    return load(folder, device=device)

def synthetic_video(path:Path, n:int, work:Path)->Path:
    "`n` frames: ten 64 px synthetic scenes of 40 frames, cycled, written as they are made."
    scenes = [read_frames(write_clip(make_scene(s, duration=4.0, fps=10, size=64), work/f'scene{s}.mp4'), 40).frames for s in range(10)]
    return write_video(path, (scenes[(i // 40) % 10][i % 40] for i in range(n)), fps=25)

def seconds(f)->tuple:
    "(f's result, the seconds it took)"
    start = time.perf_counter()
    result = f()
    return result, time.perf_counter() - start

def compare_pools(model, processor, video:Path, pools:list[int], chunk:int)->dict:
    "Each pooling setting's vectors per frame, frames that fit, read and answer seconds, side by side."
    rows = []
    read_long(model, processor, video, at=2.0, chunk=chunk)  # warm-up, untimed: the first read pays for allocations the others reuse
    for pool in pools:
        read, read_s = seconds(lambda: read_long(model, processor, video, settings=LongSettings(pool=pool), chunk=chunk, progress=True))
        tokens = int(read.memory.frames()[0].shape[1])
        answer_s = statistics.median(seconds(lambda: answer_long(model, processor, read, DESCRIBE_PROMPT, max_new_tokens=1))[1] for _ in range(5))
        rows.append(dict(pool=pool, tokens_per_frame=tokens, frames_read=read.frames_read, slots_read=len(frames_to_read(read, None)[0]),
                         frames_that_fit=frames_that_fit(processor, DESCRIBE_PROMPT, tokens, 512),
                         read_seconds=round(read_s, 2), answer_seconds=round(answer_s, 4)))
    for row in rows:
        row |= dict(tokens_ratio=round(row['tokens_per_frame'] / rows[0]['tokens_per_frame'], 3),
                    read_time_ratio=round(row['read_seconds'] / rows[0]['read_seconds'], 3),
                    answer_time_ratio=round(row['answer_seconds'] / rows[0]['answer_seconds'], 3))
    return dict(pools=rows)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--frames', type=int, default=10_000)
    parser.add_argument('--early', type=int, default=1_000)
    parser.add_argument('--model', default='tiny', help="'tiny' (Tarsier), 'tiny2' (Tarsier2), 'small', 'small2', '7b', '7b2' (random weights at those shapes) or a checkpoint folder")
    parser.add_argument('--device', help="where the model runs (default: a GPU when there is one)")
    parser.add_argument('--chunk', type=int, default=32)
    parser.add_argument('--pool', type=int, default=1, help='average each frame over pool x pool blocks of its grid')
    parser.add_argument('--compare-pools', type=int, nargs='+', help='read the video once per pooling setting, side by side')
    parser.add_argument('--out', help='also write the JSON here')
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    try: model, processor = model_for(args.model, args.device, work)
    except ValueError as e: parser.error(str(e))
    video = synthetic_video(work/'long.mp4', args.frames, work)
    if args.compare_pools:
        result = dict(model=str(args.model), device=str(model.device), frames=args.frames, torch=torch.__version__,
                      **compare_pools(model, processor, video, args.compare_pools, args.chunk))
        print(json.dumps(result, indent=1))
        if args.out: Path(args.out).write_text(json.dumps(result, indent=1) + '\n')
        return
    reset_peak_memory(model.device)
    marks, series, start = {}, [], time.perf_counter()
    def watch(read:int):
        series.append((read, peak_kb()))
        if read >= args.early and 'early' not in marks: marks['early'] = (read, peak_kb(), gpu_peak_kb(model.device), time.perf_counter() - start)
    read = read_long(model, processor, video, settings=LongSettings(pool=args.pool), chunk=args.chunk, progress=True, watch=watch)
    end = (read.frames_read, peak_kb(), gpu_peak_kb(model.device), time.perf_counter() - start)
    (n0, kb0, gkb0, s0), (n1, kb1, gkb1, s1) = marks['early'], end
    gpu = {} if gkb0 is None else dict(gpu_peak_kb_early=gkb0, gpu_peak_kb_end=gkb1, gpu_growth_kb_per_frame=round((gkb1 - gkb0) / (n1 - n0), 3))
    result = dict(model=str(args.model), device=str(model.device), pool=args.pool, frames=n1, early_frames=n0,
                  memory_slots=len(read.memory.long) + len(read.memory.short), tokens_per_frame=int(read.memory.frames()[0].shape[1]),
                  peak_kb_early=kb0, peak_kb_end=kb1, growth_kb_per_frame=round((kb1 - kb0) / (n1 - n0), 3), **gpu,
                  moviechat_kb_per_frame=21.3, seconds_early=round(s0, 2), seconds_end=round(s1, 2),
                  time_ratio=round(s1 / s0, 2), linear_time_ratio=round(n1 / n0, 2), frames_per_second=round(n1 / s1, 1),
                  torch=torch.__version__, peak_kb_by_frames=series)
    print(json.dumps({k: v for k, v in result.items() if k != 'peak_kb_by_frames'}, indent=1))
    if args.out: Path(args.out).write_text(json.dumps(result, indent=1) + '\n')

if __name__ == '__main__': main()
