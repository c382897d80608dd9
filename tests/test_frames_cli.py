"`tarsier-nb frames` on a real H.264 clip and on bad input, through the installed command."
import re
from PIL import Image
from conftest import run_cli, needs_demo_video, DEMO_VIDEO

def frame_lines(stdout): return [(int(m[1]), float(m[2])) for m in re.finditer(r'frame\s+(\d+)\s+t=\s*([\d.]+)s', stdout)]

@needs_demo_video
def test_uniform_frames_of_real_video(tmp_path):
    result = run_cli('frames', DEMO_VIDEO, '--n-frames', 8, '--grid', tmp_path/'grid.png')
    assert result.returncode == 0, result.stderr
    frames = frame_lines(result.stdout)
    assert [i for i, _ in frames] == [round(i*83/7) for i in range(8)]  # 84 frames: first and last always taken
    assert all(abs(t - i/8) < 1e-3 for i, t in frames)  # 8 fps
    with Image.open(tmp_path/'grid.png') as grid: assert grid.size[0] == 4*256

@needs_demo_video
def test_window_and_rate(tmp_path):
    frames = frame_lines(run_cli('frames', DEMO_VIDEO, '--start', 2, '--end', 4, '--n-frames', 4).stdout)
    assert len(frames) == 4 and all(2 <= t <= 4 for _, t in frames)
    frames = frame_lines(run_cli('frames', DEMO_VIDEO, '--fps', 2, '--n-frames', 64).stdout)
    assert [i for i, _ in frames] == list(range(0, 84, 4))  # one frame every 0.5 s

@needs_demo_video
def test_window_outside_the_video_names_its_duration():
    result = run_cli('frames', DEMO_VIDEO, '--start', 30)
    assert result.returncode == 2
    assert 'duration 10.50 s' in result.stderr and str(DEMO_VIDEO) in result.stderr
    assert 'Traceback' not in result.stderr

def test_bad_inputs_are_one_line_errors(tmp_path):
    (tmp_path/'notes.txt').write_text('hello')
    (tmp_path/'clip.mp4').write_bytes(b'definitely not a video' * 100)
    cases = {tmp_path/'missing.mp4': 'no such file', tmp_path/'notes.txt': 'unsupported extension',
             tmp_path/'clip.mp4': 'cannot be decoded as a video'}
    for path, message in cases.items():
        result = run_cli('frames', path)
        assert result.returncode == 2, (path, result.stdout)
        assert message in result.stderr and str(path) in result.stderr and 'Traceback' not in result.stderr
    result = run_cli('frames', tmp_path/'clip.mp4', '--n-frames', 0)
    assert result.returncode == 2 and 'n_frames must be >= 1' in result.stderr
