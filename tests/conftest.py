import os, shutil, subprocess, sys
from pathlib import Path
import pytest
from tarsier_nb.records import shared_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_dir() or ROOT.parent/'shared'
DEMO_VIDEO = SHARED/'assets'/'demo_test.mp4'
ANNOTATIONS = SHARED/'benchmarks'/'annotations'

def _cli():
    found = shutil.which('tarsier-nb', path=str(Path(sys.executable).parent)) or shutil.which('tarsier-nb')
    if not found: pytest.fail("the tarsier-nb command is not installed: run `pip install -e .` (make test does)")
    return found

def run_cli(*args, cwd=None, timeout=300, env=None):
    "Run the real `tarsier-nb` command; returns the CompletedProcess."
    return subprocess.run([_cli(), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)

def needs(path):
    "Skip a test that reads `path` from the shared folder where it is absent — except in CI (`CI` set), which always has it."
    return pytest.mark.skipif(not path.exists() and not os.environ.get('CI'),
                              reason=f"{path} is absent: the shared folder ships beside the repository in CI only")

needs_demo_video, needs_annotations = needs(DEMO_VIDEO), needs(ANNOTATIONS)
