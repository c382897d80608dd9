"`tarsier-nb synth` and `tarsier-nb demo` through the installed command: real files, read back, official schemas."
import json
import pytest
from conftest import run_cli, needs_annotations, ANNOTATIONS
from tarsier_nb.records import read_jsonl as rows
from tarsier_nb.video import read_frames

@pytest.mark.parametrize('fmt', ['mp4', 'gif', 'frames'])
def test_synth_writes_clips_that_read_back(tmp_path, fmt):
    result = run_cli('synth', tmp_path/'world', '--n', 5, '--seed', 11, '--format', fmt)
    assert result.returncode == 0, result.stderr
    truths = {t['vid']: t for t in rows(tmp_path/'world'/'ground_truth.jsonl')}
    assert len(truths) == 5
    for record in rows(tmp_path/'world'/'dream.jsonl'):
        truth = truths[record['vid']]
        clip = read_frames(tmp_path/'world'/record['video_file'], 6, source_fps=truth['fps'])
        assert len(clip) == 6 and clip.frames[0].size == (truth['size'], truth['size'])
        assert abs(clip.duration - truth['duration']) < 0.11, (fmt, clip.duration, truth['duration'])
        assert record['extra_info']['events'] == [e['sentence'] for e in truth['events']]
        assert all(0 <= e['start_s'] < e['end_s'] <= truth['duration'] for e in truth['events'])

def test_same_seed_same_world_other_seed_other_world(tmp_path):
    for name, seed in [('a', 5), ('b', 5), ('c', 6)]: assert run_cli('synth', tmp_path/name, '--n', 3, '--seed', seed).returncode == 0
    files = ['dream.jsonl', 'mc_qa.jsonl', 'oe_qa.jsonl', 'caption.jsonl', 'ground_truth.jsonl', 'dream.messages.jsonl']
    assert all((tmp_path/'a'/f).read_bytes() == (tmp_path/'b'/f).read_bytes() for f in files)
    assert (tmp_path/'a'/'dream.jsonl').read_bytes() != (tmp_path/'c'/'dream.jsonl').read_bytes()
    first = lambda d: read_frames(tmp_path/d/'videos'/'synth_000000.mp4', 1).frames[0].tobytes()
    assert first('a') == first('b') != first('c')

def test_multiple_choice_answers_point_at_the_right_option(tmp_path):
    assert run_cli('synth', tmp_path, '--n', 6).returncode == 0
    questions = {(t['vid'], q['question']): q for t in rows(tmp_path/'ground_truth.jsonl') for q in t['questions']}
    for record in rows(tmp_path/'mc_qa.jsonl'):
        text = record['text']
        assert text['prompt'].endswith('ASSISTANT: Answer: (') and text['question'] in text['prompt']
        question = questions[(record['vid'], text['question'].split('\n')[0])]
        assert f"({text['response']}) {question['answer']}\n" in text['question']

def key_shape(value):
    "The nesting of a JSON value: dict keys (sorted) all the way down, types at the leaves."
    if isinstance(value, dict): return {k: key_shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list): return [key_shape(value[0])] if value else []
    return 'number' if isinstance(value, (int, float)) else type(value).__name__

@needs_annotations
@pytest.mark.parametrize('ours, official, ignore', [
    ('dream.jsonl', 'DREAM-1k.jsonl', {'vid'}),  # the official vid is a number, ours a clip id
    ('dream.messages.jsonl', 'DREAM-1k.messages.jsonl', {'vid'}),
    ('mc_qa.jsonl', 'Next-QA-val-multi_choice.jsonl', {'extra_info'}),
    ('oe_qa.jsonl', 'MSVD-QA-val.jsonl', {'extra_info'}),
    ('caption.jsonl', 'MSVD-Caption-test.jsonl', set())])
def test_annotations_follow_the_official_schemas(tmp_path, ours, official, ignore):
    assert run_cli('synth', tmp_path, '--n', 2).returncode == 0
    mine, theirs = rows(tmp_path/ours)[0], json.loads((ANNOTATIONS/official).open().readline())
    drop = lambda r: {k: v for k, v in r.items() if k not in ignore}
    assert key_shape(drop(mine)) == key_shape(drop(theirs))

def test_bad_arguments_fail_clearly(tmp_path):
    result = run_cli('synth', tmp_path/'w', '--n', 0)
    assert result.returncode == 2 and 'n must be a positive number of clips, got 0' in result.stderr
    assert not (tmp_path/'w').exists()
    result = run_cli('synth', tmp_path/'w', '--format', 'avi')
    assert result.returncode == 2 and "format must be one of ('mp4', 'gif', 'frames'), got 'avi'" in result.stderr
    (tmp_path/'file').write_text('x')
    result = run_cli('synth', tmp_path/'file', '--n', 1)
    assert result.returncode == 2 and 'is a file' in result.stderr and 'Traceback' not in result.stderr

def test_demo_runs_the_whole_offline_job(tmp_path):
    result = run_cli('demo', tmp_path/'demo', '--n', 8)
    assert result.returncode == 0, result.stderr
    assert 'read back 8/8 clips, 8 frames each' in result.stdout
    assert (tmp_path/'demo'/'frames.png').exists()
