"predict → kill -9 mid-run → resume → evaluate, through the installed command, on a synthetic world with the tiny model."
import json, os, shutil, signal, subprocess, sys, time
import pytest
from conftest import run_cli, needs_annotations, ANNOTATIONS
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.synth import generate_world

@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('bench')
    generate_world(root/'world', n=8, seed=5, format='mp4', progress=False)
    tiny_tarsier(root/'tiny')
    return root

def predict_args(root, out, *extra):
    return ['predict', '--benchmark', 'synth-mc', '--model', root/'tiny', '--annotations', root/'world', '--out', out,
            '--frames', 2, '--batch-size', 2, '--max-new-tokens', 3, *extra]

from tarsier_nb.records import read_jsonl as lines

def test_killed_run_resumes_to_the_same_file(setup, tmp_path):
    reference = run_cli(*predict_args(setup, tmp_path/'clean'))
    assert reference.returncode == 0, reference.stderr
    expected = (tmp_path/'clean'/'synth-mc.jsonl').read_text()
    out = tmp_path/'killed'/'synth-mc.jsonl'
    cli = shutil.which('tarsier-nb', path=os.path.dirname(sys.executable))
    process = subprocess.Popen([cli, *map(str, predict_args(setup, tmp_path/'killed', '--batch-size', 1))],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 3): time.sleep(0.05)
    process.send_signal(signal.SIGKILL); process.wait()
    partial = len(out.read_text().splitlines())
    assert 3 <= partial < len(expected.splitlines())  # killed mid-run
    resumed = run_cli(*predict_args(setup, tmp_path/'killed'))
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_text() == expected  # nothing lost, nothing twice, no torn line; same greedy text

def test_a_rerun_retries_failures_and_refuses_other_settings(setup, tmp_path):
    world, out = tmp_path/'world', tmp_path/'out'/'synth-mc.jsonl'
    shutil.copytree(setup/'world', world)
    video, hidden = world/'videos'/'synth_000001.mp4', tmp_path/'hidden.mp4'
    video.rename(hidden)
    first = run_cli(*predict_args(setup, out.parent, '--annotations', world))
    assert first.returncode == 0, first.stderr
    failed = [r['sample_id'] for r in lines(out) if 'error' in r]
    assert failed and f"synth-mc.jsonl: {len(lines(out))} samples, {len(failed)} failed (first: {failed[0]}: " in first.stdout, first.stdout
    hidden.rename(video)  # the video is back: the rerun predicts what failed, in record order
    again = run_cli(*predict_args(setup, out.parent, '--annotations', world))
    assert again.returncode == 0 and ' 0 failed' in again.stdout, again.stdout + again.stderr
    assert run_cli(*predict_args(setup, tmp_path/'clean')).returncode == 0
    assert out.read_text() == (tmp_path/'clean'/'synth-mc.jsonl').read_text()
    other = run_cli(*predict_args(setup, out.parent, '--annotations', world, '--frames', 3))
    assert other.returncode == 2 and "was made with other settings {'n_frames': (2, 3)}" in other.stderr, other.stderr
    assert 'Traceback' not in other.stderr and other.stderr.strip().splitlines()[-1].startswith('tarsier-nb predict: error: ')  # one line
    forced = run_cli(*predict_args(setup, out.parent, '--annotations', world, '--frames', 3, '--force'))
    assert forced.returncode == 0 and json.loads((out.parent/'synth-mc.settings.json').read_text())['n_frames'] == 3

def test_shards_merge_into_the_unsharded_file(setup, tmp_path):
    for shard in ('0/2', '1/2'): assert run_cli(*predict_args(setup, tmp_path/'sharded', '--shard', shard)).returncode == 0
    assert run_cli(*predict_args(setup, tmp_path/'whole')).returncode == 0
    assert (tmp_path/'sharded'/'synth-mc.jsonl').read_text() == (tmp_path/'whole'/'synth-mc.jsonl').read_text()

def test_evaluate_writes_numbers_and_a_summary(setup, tmp_path):
    assert run_cli(*predict_args(setup, tmp_path)).returncode == 0
    result = run_cli('evaluate', tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path/'eval'/'synth-mc.json').read_text())
    assert report['counts']['records'] == len(lines(tmp_path/'synth-mc.jsonl'))
    assert (tmp_path/'eval'/'summary.md').exists() and 'synth-mc' in result.stdout
    renamed = tmp_path/'elsewhere'/'preds.jsonl'  # any file name, with --benchmark: scored as that benchmark
    renamed.parent.mkdir(); shutil.copy(tmp_path/'synth-mc.jsonl', renamed)
    again = run_cli('evaluate', renamed, '--benchmark', 'SYNTH-MC')
    assert again.returncode == 0, again.stderr
    other = json.loads((renamed.parent/'eval'/'synth-mc.json').read_text())
    assert (other['name'], other['group'], other['scores']) == ('synth-mc', 'mc_qa', report['scores'])
    stray = tmp_path/'stray'/'synth-mc.jsonl'  # a record of a sample the annotations do not have: refused, listed
    stray.parent.mkdir(); records = lines(tmp_path/'synth-mc.jsonl')
    stray.write_text(''.join(json.dumps(r) + '\n' for r in records + [records[0] | {'idx': 10**6, 'sample_id': 'x/1000000'}]))
    checked = run_cli('evaluate', stray, '--annotations', setup/'world')
    assert checked.returncode == 0, checked.stderr
    refused = json.loads((stray.parent/'eval'/'synth-mc.json').read_text())
    assert (refused['counts']['foreign'], refused['counts']['records'], refused['scores']) == (1, len(records), report['scores'])
    assert any(f"{records[0]['dataset']}/1000000" in note for note in refused['notes'])

@needs_annotations
def test_missing_videos_are_listed_first_and_recorded_as_failures(setup, tmp_path):
    (tmp_path/'videos').mkdir()
    result = run_cli('predict', '--benchmark', 'next-qa', '--model', setup/'tiny', '--annotations', ANNOTATIONS,
                     '--videos', tmp_path/'videos', '--out', tmp_path/'runs', '--limit', 3, '--max-new-tokens', 2)
    assert result.returncode == 1, result.stderr  # every sample failed: the command says so
    assert 'next-qa: 3 samples, 3 videos missing' in result.stdout
    assert 'next-qa.jsonl: 3 samples, 3 failed (first: ' in result.stdout and 'FileNotFoundError: no video for vid' in result.stdout
    assert 'every sample of next-qa failed' in result.stderr, result.stderr
    records = lines(tmp_path/'runs'/'next-qa.jsonl')
    assert len(records) == 3 and all('error' in r and 'prediction' not in r for r in records)
    assert records[0]['text']['prompt'].endswith('ASSISTANT: Answer: (')  # the annotation's own prompt, verbatim

def test_tarsier2_predicts_at_its_own_frame_count_and_evaluates(setup, tmp_path):
    tiny_tarsier2(tmp_path/'tiny2')
    result = run_cli('predict', '--benchmark', 'synth-mc', '--model', tmp_path/'tiny2', '--annotations', setup/'world', '--out', tmp_path/'out',
                     '--batch-size', 4, '--max-new-tokens', 3)
    assert result.returncode == 0, result.stderr[-2000:]
    records = lines(tmp_path/'out'/'synth-mc.jsonl')
    assert records and all('prediction' in r for r in records)
    assert json.loads((tmp_path/'out'/'synth-mc.settings.json').read_text())['n_frames'] == 16  # Tarsier2's own, as its official scripts
    evaluated = run_cli('evaluate', tmp_path/'out')
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert json.loads((tmp_path/'out'/'eval'/'synth-mc.json').read_text())['counts']['records'] == len(records)

def moviechat_annotations(folder, entries):
    "MovieChat-1K annotation files: (file name, video name, frames, breakpoint frames) each, two global questions a video."
    for name, video, frames, breakpoints in entries:
        data = {'info': {'video_path': video, 'fps': 10, 'num_frame': frames},
                'global': [{'question': 'What is in the video?', 'answer': 'shapes'}, {'question': 'What moves?', 'answer': 'a shape'}],
                'breakpoint': [{'time': t, 'question': 'What happens now?', 'answer': 'a shape moves'} for t in breakpoints], 'caption': ''}
        (folder/name).write_text(json.dumps(data))

def test_moviechat_long_videos_predict_in_shards_resume_and_are_judged(setup, tmp_path):
    "MovieChat-1K through the installed command: read through the memory, in two shards merged, bad samples failed with reasons, judged."
    from chat_server import ChatServer, Reply
    from tarsier_nb.video import read_frames, write_video
    videos, annotations = tmp_path/'videos', tmp_path/'annotations'
    annotations.mkdir()
    clips = [read_frames(setup/'world'/'videos'/f'synth_00000{i}.mp4', 30).frames for i in range(3)]
    frames = [f.resize((64, 64)) for frames in clips for f in frames]
    write_video(videos/'film.mp4', frames, fps=10)
    n = len(frames)
    moviechat_annotations(annotations, [('1.json', 'film.mp4', n, [5, 45, n - 1, n]), ('2.json', 'lost.mp4', 90, [10])])
    def predict(shard, *extra):
        return run_cli('predict', '--benchmark', 'long', '--model', setup/'tiny', '--annotations', annotations, '--videos', videos,
                       '--out', tmp_path/'out', '--long-frames', 8, '--short-frames', 6, '--max-new-tokens', 4, '--shard', shard, *extra)
    for shard in ('0/2', '1/2'):
        result = predict(shard)
        assert result.returncode == 0, result.stderr[-2000:]
    assert 'moviechat-1k-breakpoint: 5 samples, 1 videos missing' in result.stdout, result.stdout
    breakpoints = lines(tmp_path/'out'/'moviechat-1k-breakpoint.jsonl')  # merged by the shard that finished last
    assert [r['sample_id'] for r in breakpoints] == [f'MovieChat-1K/breakpoint/film/{k}' for k in range(4)] + ['MovieChat-1K/breakpoint/lost/0']
    assert ['prediction' in r for r in breakpoints] == [True, True, True, False, False]
    assert f"breakpoint time {n} is beyond the video's {n} frames" in breakpoints[3]['error'] and "'lost.mp4'" in breakpoints[4]['error']
    assert len(lines(tmp_path/'out'/'moviechat-1k-global.jsonl')) == 4
    settings = json.loads((tmp_path/'out'/'moviechat-1k-breakpoint.settings.json').read_text())
    assert settings['long'] == {'short_frames': 6, 'merge_to': 2, 'long_frames': 8, 'every': 1, 'pool': 1} and 'n_frames' not in settings
    before = (tmp_path/'out'/'moviechat-1k-breakpoint.shard0of2.jsonl').read_text()
    again = predict('0/2')  # resumed: the failed samples are tried again and fail again, the others stay
    assert again.returncode == 0 and (tmp_path/'out'/'moviechat-1k-breakpoint.shard0of2.jsonl').read_text() == before, again.stderr[-2000:]
    other = predict('0/2', '--pool', 2)
    assert other.returncode == 2 and "other settings" in other.stderr and "'long.pool': (1, 2)" in other.stderr, other.stderr[-2000:]
    def respond(request, call): return Reply.json({'pred': 'yes', 'score': 4})
    with ChatServer(respond) as server:
        judged = run_cli('evaluate', tmp_path/'out', '--benchmark', 'long', '--judge-model', 'judge', '--base-url', server.url,
                         env={**os.environ, 'OPENAI_API_KEY': 'sk-test'})
    assert judged.returncode == 0, judged.stderr[-2000:]
    report = json.loads((tmp_path/'out'/'eval'/'moviechat-1k-breakpoint.json').read_text())
    assert report['scores'] == {'accuracy': 100.0, 'average_score': 4.0}, report['scores']  # the three answered, judged
    assert sorted(f['kind'] for f in report['failures']) == ['prediction_error', 'prediction_error'], report['failures']  # listed with their reasons
