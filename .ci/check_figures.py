"""Regenerate every figure that needs no GPU into a temporary folder and fail if `figures/` differs (a stale figure).

The DREAM-1K statistics come from the official annotation files in ../shared; the results figures from the published
numbers in data/published alone (no local result is committed).

    python .ci/check_figures.py            # check
    python .ci/check_figures.py --write    # regenerate figures/ in place
"""
import filecmp, sys, tempfile
from pathlib import Path

from tarsier_nb.figures import all_figures

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT.parent/'shared'/'benchmarks'/'annotations'
PUBLISHED = ROOT/'data'/'published'

def regenerate(out: Path): all_figures(ANNOTATIONS/'DREAM-1k.jsonl', PUBLISHED, out)

def main():
    if not ANNOTATIONS.is_dir(): sys.exit(f"{ANNOTATIONS} is missing: the figures are made from the official annotation files there")
    figures = ROOT/'figures'
    if '--write' in sys.argv: return regenerate(figures)
    with tempfile.TemporaryDirectory() as tmp:
        regenerate(Path(tmp))
        made = sorted(p.name for p in Path(tmp).iterdir())
        stale = [name for name in made if not (figures/name).is_file() or not filecmp.cmp(Path(tmp)/name, figures/name, shallow=False)]
    if stale: sys.exit(f"stale figures in {figures}: {stale}; run `python .ci/check_figures.py --write` and commit them")
    print(f"figures up to date: {made}")

if __name__ == '__main__': main()
