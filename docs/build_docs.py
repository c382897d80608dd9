"""Build the documentation site into `_docs/` from the notebooks, offline: `make docs` runs this.

1. Each notebook in `nbs/` goes through nbdev's documentation processors (`#| hide` and `#| export` cells dropped,
   `show_doc` cells added after exported definitions, links to the API added) and is executed on the way, every cell
   in order, so each shown cell has its outputs. It runs from `_proc/`, at the same depth as `nbs/`, so relative paths
   hold; the result is kept in `_proc/.executed/` and redone only when the notebook, the library or this script changed.
   A notebook that `make test-notebooks` has just run (`nbdev-test --save` on a copy in `_tested/`) is not run again:
   its saved outputs are used, and only the `show_doc` cells the docs add are executed.
2. The experiment notebooks (`nbs/experiments/`) are never run here: the executed copy `runs/<name>/<experiment>.ipynb`
   is shown when a run left one, the notebook as it is otherwise.
3. The pages in `_proc/`: links to the API point at this site's pages and anchors, Quarto's cell options left by nbdev
   (`include`, `echo`, `output`, `code-fold`) become myst-nb cell tags, `figures/` gets a page, and the home page lists
   every page in the notebooks' file-name order.
4. Sphinx with myst-nb renders `_proc/` into `_docs/` (settings in `docs/conf.py`); any warning fails the build.
"""
import argparse, html, inspect, os, re, shutil, subprocess, sys, time
from pathlib import Path

import fastcore.docments, yaml
from fastcore.basics import str2bool
from fastcore.nbio import read_nb, write_nb, mk_cell, does_cell_eval, fm_default_eval
from fastcore.parallel import parallel
from fastcore.xtras import modified_env, working_directory
from execnb.shell import CaptureShell
from nbdev.config import get_config, nbpath2html
from nbdev.process import NBProcessor, Processor
from nbdev.processors import FilterDefaults, exec_show_docs
from tarsier_nb.records import shared_dir

ROOT = Path(__file__).resolve().parents[1]
NBS, FIGURES, RUNS, TESTED = ROOT/'nbs', ROOT/'figures', ROOT/'runs', ROOT/'_tested'
EXPERIMENTS = NBS/'experiments'
STAGE, SITE = ROOT/'_proc', ROOT/'_docs'
EXECUTED = STAGE/'.executed'
IMAGE_EXTS = ('.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp')
_re_not_anchor = re.compile(r'[^\w\-. ]')

def quarto_anchor(title:str)->str:
    "The anchor Quarto gives a heading, which nbdev's API links use (`video.html#read_frames`): lowercased, `_` `.` kept"
    return _re_not_anchor.sub('', title.strip().lower()).replace(' ', '-')

def _signature(obj, *args, eval_str=False, **kwargs):
    "`inspect.signature`, keeping annotations as strings when they name a module that is not installed"
    try: return inspect.signature(obj, *args, eval_str=eval_str, **kwargs)
    except NameError: return inspect.signature(obj, *args, **kwargs)  # e.g. transformers' `Trainer` names `datasets`

# ---- 1-2. nbdev's processing, executing every cell

class exec_all(Processor):
    "In place of nbdev's `exec_show_docs` (imports and exports only): run each cell a test run would run, keep outputs"
    allow_errors = False  # `--allow-errors`: show the error on the page and go on
    def begin(self):
        fastcore.docments.signature = _signature  # so `show_doc` of a `Trainer` subclass renders instead of failing
        self.nb.failed_cells_ = []
        self.fname = Path(self.nb.path_).name
        # as `make test` runs them: every cell, but those reading the shared folder where it is absent
        self.skip_flags = {'shared'} if shared_dir() is None or not shared_dir().is_dir() else set()
        fm = getattr(self.nb, 'frontmatter_', {})  # as nbdev-test: `skip_exec` skips the notebook, `eval` sets the default
        self.skip_all, self.default_eval = str2bool(fm.get('skip_exec', False)), fm_default_eval(fm)
        self.shell = CaptureShell(self.nb.path_)
        self.shell.run_cell('from nbdev.showdoc import show_doc')

    def cell(self, cell):
        if self.skip_all or cell.cell_type != 'code' or not does_cell_eval(cell, self.default_eval): return
        if self.skip_flags & cell.directives_.keys(): return
        self.shell.cell(cell, timeout=600)
        if self.shell.exc is None: return
        error = f"{self.fname}, cell {cell.idx_}: {type(self.shell.exc).__name__}: {self.shell.exc}"
        if not self.allow_errors: raise RuntimeError(f"{error}\nwhile building the docs, in:\n{cell.source}") from self.shell.exc
        print(f"kept going after {error}", file=sys.stderr)
        self.nb.failed_cells_.append(cell.idx_)

_re_default_exp = re.compile(r'^#\|\s*default_exp\s+(\S+)', re.M)

class exec_doc_cells(Processor):
    "For a notebook executed and saved by `make test-notebooks`: run only the `show_doc` cells the docs add, on its module"
    def begin(self):
        fastcore.docments.signature = _signature
        self.fname, self.shell = Path(self.nb.path_).name, None
        self.module = next(m[1] for c in read_nb(self.nb.path_).cells if (m := _re_default_exp.search(c.source)))

    def cell(self, cell):
        if not getattr(cell, 'has_sd', False): return
        if self.shell is None:  # the module's public names, as the notebook defined them
            self.shell = CaptureShell(self.nb.path_)
            self.shell.run_cell(f'from nbdev.showdoc import show_doc\nfrom {get_config().lib_name}.{self.module} import *')
            if self.shell.exc is not None: raise RuntimeError(f"{self.fname}: importing its module failed") from self.shell.exc
        self.shell.cell(cell)
        if self.shell.exc is not None:
            raise RuntimeError(f"{self.fname}: {cell.source}: {type(self.shell.exc).__name__}: {self.shell.exc}") from self.shell.exc

def doc_procs(execute:bool|str=True)->list:
    "nbdev's documentation processors: running every cell (`execute`), only the added `show_doc` cells ('doc'), or none"
    run = exec_all if execute is True else exec_doc_cells if execute == 'doc' else None
    return [run if p is exec_show_docs else p for p in FilterDefaults().procs() if run is not None or p is not exec_show_docs]

def frontmatter_as_heading(nb):
    "nbdev moves a notebook's `# Title` and `> description` into YAML frontmatter: bring them back as markdown"
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != 'raw' or not first.source.startswith('---'): return
    fm = yaml.safe_load(first.source.strip().strip('-')) or {}
    text = f"# {fm.get('title', Path(nb.path_).stem)}"
    if fm.get('description'): text += f"\n\n{fm['description']}"
    nb.cells[0] = mk_cell(text, 'markdown')

def process_nb(src:Path, dest:Path, execute:bool|str=True, cwd:Path=STAGE)->Path:
    "Process the notebook `src` into `dest`, executing it (or with 'doc' its `show_doc` cells) from `cwd`, at the depth of `nbs/`"
    nb = read_nb(src)
    nb.path_ = str(Path(src).absolute())  # errors name it; its folder joins `sys.path`, as under nbdev-test
    dest.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    with working_directory(cwd), modified_env(IN_TEST='1'):  # as under nbdev-test: notebooks keep their slow paths out
        NBProcessor(nb=nb, procs=doc_procs(execute), rm_directives='quarto').process()
    frontmatter_as_heading(nb)
    write_nb(nb, dest)
    if getattr(nb, 'failed_cells_', None): os.utime(dest, (0, 0))  # a page showing errors is redone by the next build
    return dest

def page_name(nb_path:Path)->str:
    "The page a notebook becomes, as nbdev names it (`01_video.ipynb` → `video`), so nbdev's API links land"
    return nbpath2html(nb_path).stem

def _stale(src:Path, dest:Path, deps:list)->bool:
    return not dest.exists() or dest.stat().st_mtime < max(p.stat().st_mtime for p in [src, *deps])

def tested_copy(src:Path, deps:list)->Path|None:
    "The copy of `src` that `make test-notebooks` ran and saved with its outputs, if it holds `src`'s cells and is up to date"
    copy = TESTED/src.relative_to(NBS)
    if not copy.is_file() or _stale(src, copy, deps): return None
    return copy if [c.source for c in read_nb(copy).cells] == [c.source for c in read_nb(src).cells] else None

def _run_one(job:tuple, allow_errors:bool=False)->bool:
    "Process one notebook in a fresh Python, as `build_docs.py --notebook SRC DEST`; what it printed is shown if it failed"
    src, dest, tested = job
    start = time.time()
    cmd = ([sys.executable, __file__, '--notebook', str(tested or src), str(dest)] + (['--allow-errors'] if allow_errors else [])
           + (['--doc-cells-only'] if tested else []))
    run = subprocess.run(cmd, capture_output=True, text=True)
    ok = run.returncode == 0
    kept_going = [l for l in run.stderr.splitlines() if l.startswith('kept going after')]
    report = '\n'.join(kept_going) if ok else f"{run.stdout}{run.stderr}"
    how = 'outputs of make test-notebooks' if tested else 'executed'
    print(f"  {src.name}: {'ok' if ok else 'FAILED'} in {time.time()-start:.0f}s ({how})" + (f"\n{report}" if report else ''), flush=True)
    return ok

def execute_modules(force:bool=False, n_workers:int=2, allow_errors:bool=False)->list:
    "Process `nbs/*.ipynb` into `_proc/.executed/`, those older than their notebook, the library or this script: from their tested copies, or executed"
    srcs = sorted(NBS.glob('*.ipynb'))
    dests = [EXECUTED/f'{page_name(s)}.ipynb' for s in srcs]
    deps = list((ROOT/get_config().lib_path.name).glob('*.py')) + [Path(__file__)]
    todo = [(s, d, tested_copy(s, deps)) for s, d in zip(srcs, dests) if force or _stale(s, d, deps)]
    if todo: print(f"processing {len(todo)} notebook(s) for the docs, {sum(t is None for *_, t in todo)} to execute", flush=True)
    oks = parallel(_run_one, todo, allow_errors=allow_errors, n_workers=n_workers, threadpool=True)
    if failed := [src.name for (src, *_), ok in zip(todo, oks) if not ok]:
        raise SystemExit(f"docs build failed: these notebooks did not run (errors above): {', '.join(failed)}")
    return dests

def experiment_source(nb:Path)->Path:
    "The executed copy of the experiment `nb` that a run left in `runs/<name>/`, the newest one, else `nb` itself"
    runs = sorted(RUNS.glob(f'*/{nb.name}'), key=lambda p: p.stat().st_mtime)
    return runs[-1] if runs else nb

def process_experiments()->list:
    "The experiment notebooks through nbdev's processors into `_proc/.executed/experiments/`, never executed here"
    shutil.rmtree(EXECUTED/'experiments', ignore_errors=True)
    return [process_nb(experiment_source(nb), EXECUTED/'experiments'/nb.name, execute=False)
            for nb in sorted(EXPERIMENTS.glob('*.ipynb'))]

# ---- 3. the pages

def _text(data)->str: return ''.join(data) if isinstance(data, list) else data

def markdown_texts(nb)->list:
    "The markdown a page shows: its markdown cells and its cells' markdown outputs (`show_doc`'s among them)"
    return [_text(c.source) for c in nb.cells if c.cell_type == 'markdown'] + [
        _text(o.data['text/markdown']) for c in nb.cells for o in c.get('outputs', []) if 'text/markdown' in o.get('data', {})]

_re_heading = re.compile(r'^#{1,6}\s+(.+?)\s*#*\s*$')
_re_md_link = re.compile(r'\[([^\]]*)\]\([^)]*\)')

def heading_text(md:str)->str:
    "The text a markdown heading shows: link texts without their urls, no code or emphasis marks"
    return _re_md_link.sub(r'\1', md).replace('`', '').replace('*', '')

def heading_anchors(md:str)->set:
    "Quarto's anchors for the headings in `md` (code fences skipped), as `docs/conf.py` gives them on the page"
    anchors, fenced = set(), False
    for line in md.splitlines():
        if line.startswith('```'): fenced = not fenced
        elif not fenced and (m := _re_heading.match(line)): anchors.add(quarto_anchor(heading_text(m[1])))
    return anchors

def site_anchors(pages:dict)->dict:
    "The anchors of each page, by its url relative to the site (`video.html`)"
    return {f'{rel}.html': set().union(*map(heading_anchors, markdown_texts(nb))) for rel, nb in pages.items()}

def site_url()->str:
    "Where nbdev's links to the API say the docs live (`doc_host` + `doc_baseurl`)"
    cfg = get_config()
    return '/'.join(o for o in (cfg.doc_host.rstrip('/'), cfg.doc_baseurl.strip('/')) if o) + '/'

class ApiLinks:
    "Point nbdev's links to the published API at this site: the anchor when the page has it, else its class, else the page"
    def __init__(self, anchors:dict, page:str):
        self.anchors, self.root = anchors, '../' * page.count('/')  # from `page` back to the site's root
        self.link = re.compile(rf'\[`([^`]+)`\]\({re.escape(site_url())}([^)#\s]*)#?([^)\s]*)\)')

    def target(self, page:str, anchor:str)->str|None:
        "Where a link to `page#anchor` should go here; None when the site has no such page"
        if page not in self.anchors: return None
        if anchor in self.anchors[page]: return f'{page}#{anchor}'
        owner = anchor.rsplit('.', 1)[0]  # `videofinder.find` with no heading of its own: its class's
        return f'{page}#{owner}' if owner in self.anchors[page] else page

    def _html(self, m)->str:
        target = self.target(m[2], m[3])
        code = f'<code>{html.escape(m[1])}</code>'
        return f'<a class="reference internal" href="{self.root}{target}">{code}</a>' if target else f'`{m[1]}`'

    def line(self, line:str)->str:
        if line.lstrip().startswith('#'): return self.link.sub(r'`\1`', line)  # headings stay plain: they name anchors
        return self.link.sub(self._html, line)  # HTML, which myst passes through as it is, rather than a myst reference

    def __call__(self, md)->str: return ''.join(map(self.line, _text(md).splitlines(keepends=True)))

_re_nb_link = re.compile(r'\]\((\d+[a-zA-Z0-9]*_[^)/#\s]+\.ipynb)')

def notebook_links(md:str)->str:
    "Links between notebooks (`[..](02_synth.ipynb)`) to the pages they became (`synth.ipynb`), which myst resolves"
    return _re_nb_link.sub(lambda m: f"]({page_name(Path(m[1]))}.ipynb", md)

QUARTO_TAGS = {('include', 'false'): 'remove-cell', ('echo', 'false'): 'remove-input',
               ('output', 'false'): 'remove-output', ('code-fold', 'true'): 'hide-input'}
_re_option = re.compile(r'^#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def split_options(source:str)->tuple:
    "The `#| key: value` lines opening a cell's `source` (after any cell magic) as a dict, lowercased, and the rest"
    lines, options, kept = source.splitlines(keepends=True), {}, []
    while lines and (lines[0].startswith('%%') or _re_option.match(lines[0].rstrip('\n'))):
        line = lines.pop(0)
        if line.startswith('%%'): kept.append(line); continue
        m = _re_option.match(line.rstrip('\n'))
        options[m[1]] = m[2].strip('"\'').lower()
    return options, ''.join(kept + lines)

def quarto_to_tags(cell):
    "Turn the Quarto options nbdev leaves at the top of a code cell into myst-nb tags, and drop their lines"
    options, cell.source = split_options(cell.source)
    tags = [tag for (k, v), tag in QUARTO_TAGS.items() if options.get(k) == v]
    if tags: cell.setdefault('metadata', {})['tags'] = sorted(set(cell.metadata.get('tags', []) + tags))

_re_rule = re.compile(r'^---[ \t]*$', re.M)
NB_CELL_KEYS = {'id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}
PYTHON_NB = {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'},
             'language_info': {'name': 'python', 'pygments_lexer': 'ipython3'}}  # nbdev-clean strips them; myst-nb needs them

def finish_cell(cell, links:ApiLinks):
    "One cell as Sphinx + myst-nb should get it"
    for k in set(cell) - NB_CELL_KEYS: del cell[k]  # nbdev's bookkeeping (`has_sd`) would make the notebook invalid
    cell.get('metadata', {}).pop('execution', None)   # execnb's timings, numbers where the format wants dates
    if cell.cell_type == 'markdown': cell.source = notebook_links(links(cell.source))
    if cell.cell_type == 'code': quarto_to_tags(cell)
    for out in cell.get('outputs', []):
        if 'text/markdown' not in out.get('data', {}): continue
        # show_doc opens with a `---` rule, which docutils allows only between sections: an HTML rule instead
        out.data['text/markdown'] = _re_rule.sub('<hr>', links(out.data['text/markdown']))

def write_page(nb, rel:str, anchors:dict, extra_cells=()):
    "Write `nb` as the page `_proc/<rel>.ipynb`"
    links = ApiLinks(anchors, f'{rel}.html')
    for cell in nb.cells: finish_cell(cell, links)
    nb.cells += list(extra_cells)
    nb.metadata.update(PYTHON_NB)
    dest = STAGE/f'{rel}.ipynb'
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, dest)

def figures_page()->str:
    "`figures/` as the page `figures/index`: its README, then every image in it and a link to each data file"
    dest = STAGE/'figures'
    shutil.copytree(FIGURES, dest, ignore=shutil.ignore_patterns('README.md'))
    readme = (FIGURES/'README.md').read_text() if (FIGURES/'README.md').exists() else ''
    readme = re.sub(r'\A#\s.*\n', '', readme.lstrip())  # its title (`figures/`) gives way to the page's
    files = sorted(p.name for p in dest.iterdir())
    page = ['# Figure gallery', '', readme.strip(), '']
    page += [f"## {name}\n\n![{name}]({name})\n" for name in files if Path(name).suffix.lower() in IMAGE_EXTS]
    data = [f"- [{name}]({name})" for name in files if Path(name).suffix.lower() not in IMAGE_EXTS]
    if data: page += ['## Data files', ''] + data
    (dest/'index.md').write_text('\n'.join(page) + '\n')
    return 'figures/index'

def toctree(caption:str, pages:list)->str:
    "A hidden MyST toctree: the sidebar lists `pages` under `caption`"
    return f"```{{toctree}}\n:hidden:\n:caption: {caption}\n\n" + '\n'.join(pages) + "\n```" if pages else ''

def contents_cell(modules:list, figures:str, experiments:list):
    "The site's reading order, the notebooks' file-name order, as hidden toctrees for the end of the home page"
    trees = [toctree('Modules', modules), toctree('Figures', [figures]), toctree('Experiments', experiments)]
    return mk_cell('\n\n'.join(t for t in trees if t), 'markdown')

def clear_pages():
    "Remove the pages of the last build from `_proc/`, and anything a notebook run left there that Sphinx would read"
    for p in STAGE.iterdir():
        if p.name.startswith('.'): continue
        if p.is_dir(): shutil.rmtree(p)
        elif p.suffix in ('.ipynb', '.md', '.rst'): p.unlink()

def write_pages(executed:list, experiments:list):
    "Every page of the site into `_proc/`: the home page (`index`), the modules, the figure gallery, the experiments"
    clear_pages()
    pages = {str(p.relative_to(EXECUTED).with_suffix('')): read_nb(p) for p in executed + experiments}
    if 'index' not in pages: raise SystemExit(f"no home page: {NBS/'index.ipynb'} is missing")
    anchors = site_anchors(pages)
    modules = [rel for rel in pages if rel != 'index' and not rel.startswith('experiments/')]
    contents = contents_cell(modules, figures_page(), [rel for rel in pages if rel.startswith('experiments/')])
    for rel, nb in pages.items(): write_page(nb, rel, anchors, [contents] if rel == 'index' else [])

# ---- 4. the site

def sphinx(quiet:bool=True):
    "Render `_proc/` into `_docs/` with Sphinx (settings in `docs/conf.py`); warnings fail the build"
    shutil.rmtree(SITE, ignore_errors=True)
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-E', '-W', '--keep-going', '-c', str(ROOT/'docs'),
           '-d', str(STAGE/'.doctrees'), str(STAGE), str(SITE)] + (['-q'] if quiet else [])
    if subprocess.run(cmd).returncode: raise SystemExit("docs build failed: Sphinx names the problems above (file and line)")

def build(force:bool=False, n_workers:int=2, allow_errors:bool=False):
    "Execute what changed, write every page into `_proc/` and render the site into `_docs/`"
    start = time.time()
    EXECUTED.mkdir(parents=True, exist_ok=True)
    executed = execute_modules(force=force, n_workers=n_workers, allow_errors=allow_errors)
    write_pages(executed, process_experiments())
    sphinx()
    print(f"docs built in {time.time()-start:.0f}s: {SITE/'index.html'}")

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--force', action='store_true', help='execute every notebook again, even those up to date')
    parser.add_argument('--n-workers', type=int, default=2, help='notebooks executed at once')
    parser.add_argument('--allow-errors', action='store_true', help="show a failing cell's error on its page and go on")
    parser.add_argument('--notebook', nargs=2, type=Path, metavar=('SRC', 'DEST'), help='only process and execute SRC into DEST')
    parser.add_argument('--doc-cells-only', action='store_true', help="with --notebook: SRC holds its outputs; run only the docs' show_doc cells")
    args = parser.parse_args()
    exec_all.allow_errors = args.allow_errors
    if args.notebook: process_nb(*args.notebook, execute='doc' if args.doc_cells_only else True)
    else: build(force=args.force, n_workers=args.n_workers, allow_errors=args.allow_errors)

if __name__ == '__main__': main()
