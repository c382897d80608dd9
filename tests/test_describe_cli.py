"`tarsier-nb describe` end to end: a tiny checkpoint in the official layout, real video files, the installed command."
import json, os
import pytest
from conftest import run_cli
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.synth import make_scene, write_clip

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('describe')
    tiny_tarsier(root/'tiny')
    videos = root/'videos'
    for seed in range(3): write_clip(make_scene(seed, duration=3.0), videos/f'clip{seed}.mp4')
    (videos/'broken.mp4').write_bytes(b'not a video at all' * 50)
    (videos/'notes.txt').write_text('ignored: not a media file')
    return root

def describe(world, *extra):
    return run_cli('describe', world/'videos', '--model', world/'tiny', '--frames', 4, '--max-new-tokens', 6, '--json', *extra)

def test_every_video_gets_a_line_and_the_broken_one_its_reason(world):
    result = describe(world, '--batch-size', 2)
    assert result.returncode == 1, result.stderr  # one input failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [os.path.basename(line['source']) for line in lines] == ['broken.mp4', 'clip0.mp4', 'clip1.mp4', 'clip2.mp4']
    assert 'cannot be decoded as a video' in lines[0]['error']
    assert all(isinstance(line['description'], str) for line in lines[1:])

def test_batch_size_does_not_change_greedy_output(world):
    by_one, by_three = (describe(world, '--batch-size', n).stdout for n in (1, 3))
    assert by_one == by_three

def test_model_errors_are_one_line(world, tmp_path):
    result = run_cli('describe', world/'videos', '--model', tmp_path)
    assert result.returncode == 2 and 'config.json: no such file' in result.stderr and 'Traceback' not in result.stderr
    env_offline = {**os.environ, 'HF_HUB_OFFLINE': '1'}
    import subprocess, sys, shutil
    result = subprocess.run([shutil.which('tarsier-nb', path=os.path.dirname(sys.executable)), 'describe', str(world/'videos'),
                             '--model', 'omni-research/no-such-model'], capture_output=True, text=True, env=env_offline, timeout=120)
    assert result.returncode == 2 and 'downloading it from the hub failed' in result.stderr

def test_tarsier2_in_its_release_layout(world):
    tiny_tarsier2(world/'tiny2')
    result = run_cli('describe', world/'videos'/'clip0.mp4', world/'videos'/'clip1.mp4', '--model', world/'tiny2',
                     '--max-new-tokens', 6, '--batch-size', 2, '--json')
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [os.path.basename(line['source']) for line in lines] == ['clip0.mp4', 'clip1.mp4']
    assert all(isinstance(line['description'], str) for line in lines)

def test_a_long_video_through_the_memory(world):
    from tarsier_nb.video import read_frames, write_video
    scenes = [read_frames(world/'videos'/f'clip{seed}.mp4', 30).frames for seed in range(3)]
    long_video = write_video(world/'long.mp4', (f.resize((64, 64)) for _ in range(3) for frames in scenes for f in frames), fps=10)  # 270 frames, 27 s
    result = run_cli('describe', long_video, '--model', world/'tiny', '--long', '--max-new-tokens', 6, '--json')
    assert result.returncode == 0, result.stderr[-2000:]
    assert isinstance(json.loads(result.stdout)['description'], str)
    at = run_cli('describe', long_video, '--model', world/'tiny', '--long', '--at', 12.5, '--pool', 2, '--long-frames', 8, '--max-new-tokens', 6, '--json')
    assert at.returncode == 0 and isinstance(json.loads(at.stdout)['description'], str), at.stderr[-2000:]
    past = run_cli('describe', long_video, '--model', world/'tiny', '--long', '--at', 99, '--json')
    assert past.returncode == 1 and 'past the end of the video (27.00 s)' in json.loads(past.stdout)['error'], past.stdout
    unpooled = run_cli('describe', long_video, '--model', world/'tiny', '--long', '--pool', 0, '--json')
    assert unpooled.returncode == 1 and 'pool is 0' in json.loads(unpooled.stdout)['error'], unpooled.stdout
    alone = run_cli('describe', long_video, '--model', world/'tiny', '--at', 3)
    assert alone.returncode == 2 and 'use it with --long' in alone.stderr
