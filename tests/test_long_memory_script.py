"`scripts/bench_long_memory.py` as a user runs it: a few hundred frames streamed through the memory, its JSON checked; the 7B-width models refused on a CPU."
import json, subprocess, sys
from conftest import ROOT
from tarsier_nb.memory import LongSettings

def run_script(*args, timeout=300):
    return subprocess.run([sys.executable, str(ROOT/'scripts'/'bench_long_memory.py'), *map(str, args)], capture_output=True, text=True, timeout=timeout)

def test_memory_growth_on_a_few_hundred_frames(tmp_path):
    result = run_script('--model', 'tiny', '--frames', 300, '--early', 100, '--chunk', 32, '--out', tmp_path/'long.json')
    assert result.returncode == 0, result.stderr[-2000:]
    written = json.loads((tmp_path/'long.json').read_text())
    assert written['frames'] == 300 and 100 <= written['early_frames'] < 300 and written['device'] == 'cpu'
    assert written['memory_slots'] <= LongSettings().short_frames + LongSettings().long_frames  # bounded: the short buffer plus the long-term budget
    assert written['growth_kb_per_frame'] <= written['moviechat_kb_per_frame']
    assert written['peak_kb_by_frames'][-1][0] == 300 and 'gpu_growth_kb_per_frame' not in written
    assert json.loads(result.stdout)['frames_per_second'] == written['frames_per_second']

def test_7b_widths_need_a_gpu(tmp_path):
    result = run_script('--model', '7b', '--device', 'cpu', '--frames', 10, '--out', tmp_path/'long.json')
    assert result.returncode != 0 and "size '7b' on the CPU" in result.stderr
    assert not (tmp_path/'long.json').exists()
