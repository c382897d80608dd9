"""Regenerate every figure that needs no GPU into a temporary folder and fail if `figures/` differs (a stale figure).

The DREAM-1K statistics come from the official annotation files in the shared folder (`records.shared_path`); the results figures from the published
numbers in data/published alone (no local result is committed).

    python .ci/check_figures.py            # check
    python .ci/check_figures.py --write    # regenerate figures/ in place
"""
import filecmp, os, sys, tempfile
from pathlib import Path

from tarsier_nb.figures import all_figures
from tarsier_nb.records import shared_path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT/'data'/'published'

def main():
    try: annotations = shared_path('benchmarks', 'annotations', 'DREAM-1k.jsonl')
    except FileNotFoundError as e:  # a user's machine may lack the shared folder; CI always has it
        if os.environ.get('CI'): sys.exit(str(e))
        return print(f"skipped the figure check: {e}")
    figures = ROOT/'figures'
    if '--write' in sys.argv: return all_figures(annotations, PUBLISHED, figures)
    with tempfile.TemporaryDirectory() as tmp:
        all_figures(annotations, PUBLISHED, tmp)
        made = sorted(p.name for p in Path(tmp).iterdir())
        stale = [name for name in made if not (figures/name).is_file() or not filecmp.cmp(Path(tmp)/name, figures/name, shallow=False)]
    if stale: sys.exit(f"stale figures in {figures}: {stale}; run `python .ci/check_figures.py --write` and commit them")
    print(f"figures up to date: {made}")

if __name__ == '__main__': main()
