"`make lab`: JupyterLab, from the notebook extra, serves the notebooks of nbs/ (a real server on 127.0.0.1)."
import json, os, re, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest
from conftest import ROOT

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def lab_command()->list[str]:
    "The command `make lab` runs, as make prints it."
    shown = subprocess.run(['make', '-n', 'lab'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    line = next(l for l in shown if re.search(r'\bjupyter lab\b', l))
    return line.split()

def test_make_lab_serves_the_notebooks(tmp_path):
    command = lab_command()
    assert command[:3] == ['.venv/bin/jupyter', 'lab', 'nbs'], command
    jupyter = shutil.which('jupyter', path=str(Path(sys.executable).parent))
    if jupyter is None: pytest.fail("jupyter is not installed: pip install -e '.[notebook]' (make setup does)")
    port, token = free_port(), secrets.token_hex(8)
    env = os.environ | {'JUPYTER_RUNTIME_DIR': str(tmp_path/'runtime'), 'JUPYTER_CONFIG_DIR': str(tmp_path/'config')}
    server = subprocess.Popen([jupyter, *command[1:], '--no-browser', '--ip=127.0.0.1', f'--port={port}', f'--IdentityProvider.token={token}'],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    def get(path):
        with urllib.request.urlopen(f'http://127.0.0.1:{port}{path}', timeout=5) as r:
            return r.status, r.read().decode()
    try:
        deadline = time.monotonic() + 120
        while True:
            try: get(f'/api/status?token={token}'); break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline: pytest.fail(f"jupyter lab did not start: {server.stderr.read()[-2000:]}")
                time.sleep(0.5)
        names = {item['name'] for item in json.loads(get(f'/api/contents?token={token}')[1])['content']}
        assert {'index.ipynb', '00_records.ipynb', '01_video.ipynb', 'experiments'} <= names, names
        cells = json.loads(get(f'/api/contents/01_video.ipynb?token={token}')[1])['content']['cells']
        assert any('read_frames' in ''.join(c['source']) for c in cells)
        status, page = get(f'/lab?token={token}')
        assert status == 200 and 'JupyterLab' in page
    finally:
        server.terminate(); server.wait(timeout=30)
