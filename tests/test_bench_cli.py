"`tarsier-nb bench …` through the installed command: each runs on the tiny models on the CPU and appends one JSON line with its versions and command."
import json
import pytest
from conftest import run_cli

def last_line(path):
    return json.loads(path.read_text().splitlines()[-1])

@pytest.mark.parametrize('generation', [1, 2])
def test_bench_describe_matches_the_official_loop(tmp_path, generation):
    result = run_cli('bench', 'describe', '--size', 'tiny', '--generation', generation, '--videos', 4, '--new-tokens', 6, '--batch-size', 2,
                     '--profile-tokens', 2, '--folder', tmp_path/'work', '--out', tmp_path/'results')
    assert result.returncode == 0, result.stderr[-2000:]
    line = last_line(tmp_path/'results'/'describe.jsonl')
    assert line['identical'] is True and line['differing'] == []
    assert line['command'].startswith('tarsier-nb bench describe --size tiny') and line['torch'] and line['transformers']
    assert line['generation'] == generation and line['videos'] == 4 and line['new_tokens'] == 6
    assert line['speedup'] > 0 and 0 < line['limit_ratio'] and line['peaks']['source'].startswith('measured')
    assert line['profile']['top'] and json.loads(result.stdout)['speedup'] == line['speedup']

def test_bench_train_and_frames_write_their_lines(tmp_path):
    trained = run_cli('bench', 'train', '--size', 'tiny', '--answer-tokens', 16, '--steps', 1, '--variants', 'full', 'lora',
                      '--folder', tmp_path/'work', '--out', tmp_path/'results')
    assert trained.returncode == 0, trained.stderr[-2000:]
    line = last_line(tmp_path/'results'/'train.jsonl')
    assert set(line) >= {'full', 'lora'} and 'full+checkpointing' not in line
    assert line['lora']['trainable_params'] < line['full']['trainable_params'] and line['full']['mfu'] > 0
    read = run_cli('bench', 'frames', '--videos', 2, '--frames', 3, '--image-size', 56, '--small-clips', '--folder', tmp_path/'work', '--out', tmp_path/'results')
    assert read.returncode == 0, read.stderr[-2000:]
    line = last_line(tmp_path/'results'/'frames.jsonl')
    assert line['identical'] is True and line['videos'] == 2 and line['clips'].startswith('synthetic')

def test_bench_refuses_what_it_cannot_build(tmp_path):
    result = run_cli('bench', 'describe', '--size', '13b', '--folder', tmp_path, '--out', tmp_path)
    assert result.returncode != 0 and "size is '13b'; expected one of ('tiny', 'small', '7b')" in result.stderr
    assert not (tmp_path/'describe.jsonl').exists()
