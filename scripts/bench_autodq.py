"""AutoDQ throughput against a loopback judge: wall time versus the ideal `calls × latency / concurrency`.

    python scripts/bench_autodq.py [--samples 1000] [--latency 0.2] [--concurrency 32]

A scripted OpenAI-compatible server (tests/chat_server.py answering by the lexical rule) runs in its own process
on 127.0.0.1 and adds `--latency` to every reply. The DREAM-1K annotations from the shared folder are scored with
predictions taken from other videos. The first run asks the judge; the second, from the same cache, should ask
nothing. Prints both, and the ratio to the ideal (the target is ≤ 1.2×). A benchmark, not a test.
"""
import argparse, multiprocessing, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tests'))
from tarsier_nb.autodq import evaluate
from tarsier_nb.judge import OpenAIJudge
from tarsier_nb.records import read_jsonl, shared_dir

def serve(latency, urls):
    "Serve the lexical judge until the parent ends this process."
    from chat_server import ChatServer
    from judge_scripts import autodq_script
    with ChatServer(autodq_script(), latency=latency) as server:
        urls.put(server.url)
        while True: time.sleep(3600)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--samples', type=int, default=1000)
    parser.add_argument('--latency', type=float, default=0.2, help='seconds the server takes per reply')
    parser.add_argument('--concurrency', type=int, default=32, help='judge calls in flight')
    parser.add_argument('--annotations', default=str(Path(shared_dir() or 'shared')/'benchmarks'/'annotations'/'DREAM-1k.jsonl'))
    args = parser.parse_args()
    if not Path(args.annotations).exists(): raise SystemExit(f"{args.annotations} is absent: pass --annotations DREAM-1k.jsonl")
    records = read_jsonl(args.annotations)[:args.samples]
    predictions = [r | {'prediction': other['text']['response']} for r, other in zip(records, records[7:] + records[:7])]
    urls = multiprocessing.get_context('spawn').Queue()
    server = multiprocessing.get_context('spawn').Process(target=serve, args=(args.latency, urls), daemon=True)
    server.start()
    try:
        url = urls.get(timeout=60)
        cache = Path(tempfile.mkdtemp())/'judge_cache.sqlite'
        runs = []
        for run in ('first run', 'from cache'):
            judge = OpenAIJudge('lexical-judge', base_url=url, concurrency=args.concurrency, cache_path=cache)
            start = time.perf_counter()
            result = evaluate(predictions, judge, concurrency=args.concurrency*2, progress=False)
            runs.append((run, time.perf_counter() - start, judge.usage, result))
    finally:
        server.kill()
    (_, seconds, usage, result), (_, cached_seconds, cached_usage, _) = runs
    ideal = usage.calls * args.latency / args.concurrency
    print(f"{len(predictions)} samples, {len(result.failed)} failed; judge latency {args.latency*1000:.0f} ms, concurrency {args.concurrency}")
    print(f"first run:  {usage.calls} calls in {seconds:.2f} s; ideal {ideal:.2f} s; ratio {seconds/ideal:.2f}× (target ≤ 1.20×)")
    print(f"from cache: {cached_usage.calls} calls ({cached_usage.cached} answers from the cache) in {cached_seconds:.2f} s")
    print(f"overall F1 {result.overall.f1:.3f}, recall {result.overall.recall:.3f}, precision {result.overall.precision:.3f}")

if __name__ == '__main__': main()
