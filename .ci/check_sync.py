"""Fail when the library, the notebooks or the README are out of step with the notebooks.

- `nbdev-export` must not change `tarsier_nb/` (the notebooks are the source);
- `nbdev-clean` must not change `nbs/` (notebooks are committed clean);
- README.md must equal what `nbs/index.ipynb` renders to (`--write-readme` writes it).
"""
import argparse, hashlib, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HIDE = re.compile(r'^#\|\s*(hide|export|exporti)\b', re.M)
DIRECTIVE = re.compile(r'^#\|.*\n?', re.M)

def snapshot(folder, pattern):
    return {p.relative_to(ROOT): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((ROOT/folder).rglob(pattern))
            if '.ipynb_checkpoints' not in p.parts and '__pycache__' not in p.parts}

def changed_by(command, folder, pattern):
    before = snapshot(folder, pattern)
    subprocess.run([str(BIN/command)], cwd=ROOT, check=True)
    after = snapshot(folder, pattern)
    return sorted(str(p) for p in before.keys() | after.keys() if before.get(p) != after.get(p))

def render_readme(notebook):
    "Markdown cells as they are, shown code cells as python blocks, their stdout and text results as plain blocks."
    parts = []
    for cell in json.loads(notebook.read_text())['cells']:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': parts.append(source.strip()); continue
        if cell['cell_type'] != 'code' or HIDE.search(source) or not DIRECTIVE.sub('', source).strip(): continue
        parts.append(f"```python\n{DIRECTIVE.sub('', source).strip()}\n```")
        texts = [''.join(o.get('text', '')) if o['output_type'] == 'stream' else ''.join(o.get('data', {}).get('text/plain', ''))
                 for o in cell.get('outputs', []) if o.get('name') != 'stderr']  # progress bars and warnings stay out
        if ''.join(texts).strip(): parts.append(f"```\n{''.join(t if t.endswith(chr(10)) else t + chr(10) for t in texts if t).rstrip()}\n```")
    return '\n\n'.join(parts) + '\n'

def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--write-readme', action='store_true', help='write README.md from nbs/index.ipynb and stop')
    args = parser.parse_args()
    readme, index = ROOT/'README.md', ROOT/'nbs'/'index.ipynb'
    if args.write_readme:
        readme.write_text(render_readme(index)); print(f"wrote {readme}"); return
    problems = []
    exported = changed_by('nbdev-export', 'tarsier_nb', '*.py')
    if exported: problems.append(f"nbdev-export changed {exported}: export the notebooks and commit tarsier_nb/")
    cleaned = changed_by('nbdev-clean', 'nbs', '*.ipynb')
    if cleaned: problems.append(f"nbdev-clean changed {cleaned}: clean the notebooks and commit them")
    if not readme.exists() or readme.read_text() != render_readme(index):
        problems.append("README.md differs from nbs/index.ipynb: run `make readme` and commit README.md")
    for problem in problems: print(f"out of sync: {problem}", file=sys.stderr)
    if problems: raise SystemExit(1)
    print("in sync: tarsier_nb/ = nbdev-export(nbs/), nbs/ clean, README.md = nbs/index.ipynb")

if __name__ == '__main__': main()
