import shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'
DEMO_VIDEO = SHARED/'assets'/'demo_test.mp4'
ANNOTATIONS = SHARED/'benchmarks'/'annotations'

def _cli():
    found = shutil.which('tarsier-nb', path=str(Path(sys.executable).parent)) or shutil.which('tarsier-nb')
    if not found: pytest.fail("the tarsier-nb command is not installed: run `pip install -e .` (make test does)")
    return found

def run_cli(*args, cwd=None, timeout=300, env=None):
    "Run the real `tarsier-nb` command; returns the CompletedProcess."
    return subprocess.run([_cli(), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)

needs_demo_video = pytest.mark.skipif(not DEMO_VIDEO.exists(), reason=f"{DEMO_VIDEO} is absent: the shared folder ships beside the repository in CI only")
needs_annotations = pytest.mark.skipif(not ANNOTATIONS.exists(), reason=f"{ANNOTATIONS} is absent: the shared folder ships beside the repository in CI only")
