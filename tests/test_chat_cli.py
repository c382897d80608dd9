"`tarsier-nb chat` as a person uses it, in a real pseudo-terminal, and as a script uses it, from a pipe; both generations."
import json, subprocess
import pexpect, pytest
from conftest import _cli
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.synth import make_scene, write_clip

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('chat')
    tiny_tarsier(root/'tiny')
    tiny_tarsier2(root/'tiny2')
    write_clip(make_scene(2, duration=2.0), root/'clip.mp4')
    (root/'corrupt.mp4').write_bytes(b'not a video' * 100)
    return root

@pytest.mark.parametrize('checkpoint', ['tiny', 'tiny2'])
def test_a_conversation_in_a_terminal(world, checkpoint, tmp_path):
    child = pexpect.spawn(_cli(), ['chat', '--model', str(world/checkpoint), '--frames', '4', '--max-new-tokens', '8'],
                          encoding='utf-8', timeout=180, dimensions=(40, 250))
    def turn(line, *expected):
        child.sendline(line)
        for pattern in expected: child.expect(pattern)
        child.expect('you> ')
    child.expect('you> ')
    turn(f"/load {world/'clip.mp4'}", 'note: loaded .*clip.mp4: 4 frames')
    turn('What happens?', 'tarsier> ')
    turn('And then?', 'tarsier> ')
    turn('/frames 2', 'read again at 2 frames; a new conversation')
    turn(f"/load {world/'corrupt.mp4'}", 'error: .*corrupt.mp4: cannot be decoded as a video')
    turn('/nope', 'error: unknown command /nope')
    turn('Which shape moves?', 'tarsier> ')
    turn(f"/save {tmp_path/'t.json'}", 'note: saved 2 turns')
    child.sendcontrol('c')
    child.expect('Ctrl-C again to leave')
    child.expect('you> ')
    child.sendcontrol('c')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    saved = json.loads((tmp_path/'t.json').read_text())
    assert (saved['visual'], saved['frames'], [t['text'] for t in saved['turns'][::2]]) == (str(world/'clip.mp4'), 2, ['Which shape moves?'])
    assert saved['model'] == str(world/checkpoint) and saved['settings']['max_new_tokens'] == 8

def test_ctrl_c_stops_an_answer_not_the_program(world):
    child = pexpect.spawn(_cli(), ['chat', str(world/'clip.mp4'), '--model', str(world/'tiny2'), '--frames', '4', '--max-new-tokens', '1900'],
                          encoding='utf-8', timeout=180, dimensions=(40, 250))
    child.expect('you> ')
    child.sendline('Describe the video in detail.')  # random weights, greedy: it loops without an end of turn
    child.expect('tarsier> ')
    child.expect('.{20}')  # it is writing
    child.sendcontrol('c')
    child.expect(r'\[stopped\]')
    child.expect('you> ')
    child.sendline('/quit')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

def test_questions_from_a_pipe(world):
    script = f"/load {world/'clip.mp4'}\nWhat happens?\n\nAnd then?\n/quit\nnever read\n"
    result = subprocess.run([_cli(), 'chat', '--model', str(world/'tiny'), '--frames', '4', '--max-new-tokens', '6'],
                            input=script, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert [line.split(' ')[0] for line in lines] == ['note:', 'tarsier>', 'error:', 'tarsier>'], lines
    assert 'you>' not in result.stdout and 'Traceback' not in result.stderr
