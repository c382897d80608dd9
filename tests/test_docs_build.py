"The docs build's own steps (docs/build_docs.py), on small notebooks made here: the whole build runs in `make check-docs`."
import importlib.util, json, sys
from pathlib import Path
from fastcore.nbio import read_nb, mk_cell

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location('build_docs', ROOT/'docs'/'build_docs.py')
build_docs = importlib.util.module_from_spec(_spec)
sys.modules['build_docs'] = build_docs
_spec.loader.exec_module(build_docs)

def write_notebook(path:Path, cells:list)->Path:
    "A notebook of `(cell_type, source)` pairs at `path`"
    nb = {'cells': [{'cell_type': t, 'id': f'c{i}', 'metadata': {}, 'source': s, **({'outputs': [], 'execution_count': None} if t == 'code' else {})}
                    for i, (t, s) in enumerate(cells)], 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    path.write_text(json.dumps(nb))
    return path

def test_quarto_options_become_myst_nb_tags():
    cases = {'#| include: false\nx = 1': ['remove-cell'], '#| echo: false\nprint(1)': ['remove-input'],
             '#| output: false\nprint(2)': ['remove-output'], '#| code-fold: true\nprint(3)': ['hide-input'],
             '#| echo: false\n#| output: asis\nshow_doc(f)': ['remove-input'], 'print(4)  #| not an option': []}
    for source, tags in cases.items():
        cell = mk_cell(source)
        build_docs.quarto_to_tags(cell)
        assert cell.metadata.get('tags', []) == tags, (source, cell.metadata)
        assert not cell.source.startswith('#|'), cell.source
    magic = mk_cell('%%time\n#| echo: false\nx = 1')
    build_docs.quarto_to_tags(magic)
    assert magic.source == '%%time\nx = 1' and magic.metadata['tags'] == ['remove-input']

def test_api_links_point_at_this_sites_pages_and_anchors():
    url = build_docs.site_url()
    anchors = {'video.html': {'read_frames', 'videofinder'}, 'index.html': set()}
    links = build_docs.ApiLinks(anchors, 'experiments/smoke.html')
    md = (f"[`read_frames`]({url}video.html#read_frames), [`VideoFinder.find`]({url}video.html#videofinder.find), "
          f"[`gone`]({url}video.html#gone), [`nowhere`]({url}nowhere.html#x)\n## The [`read_frames`]({url}video.html#read_frames)\n")
    out = links(md)
    assert 'href="../video.html#read_frames"' in out          # the anchor is on the page
    assert 'href="../video.html#videofinder"' in out          # a method without a heading: its class
    assert 'href="../video.html"><code>gone' in out           # no such heading: the page
    assert '`nowhere`' in out and 'nowhere.html' not in out   # no such page: plain code
    assert out.splitlines()[1] == '## The `read_frames`'      # headings stay plain text
    assert url not in out

def test_heading_anchors_as_quarto_makes_them():
    md = "# The `Clip`\n```python\n# not a heading\n```\n### VideoFinder.find\n### read_frames"
    assert build_docs.heading_anchors(md) == {'the-clip', 'videofinder.find', 'read_frames'}
    assert build_docs.notebook_links('[world](01_synth.ipynb), [home](index.ipynb)') == '[world](synth.ipynb), [home](index.ipynb)'

def test_a_notebook_is_processed_by_nbdev_and_executed(tmp_path):
    src = write_notebook(tmp_path/'05_demo.ipynb', [
        ('markdown', '# Demo\n> What the page is about'),
        ('code', '#| hide\nsecret = 41'),
        ('code', '#| export\ndef answer(x:int # a number\n          )->int: # one more\n    "The number after `x`."\n    return x + 1'),
        ('code', 'answer(secret)'),
        ('code', '#| eval: false\nraise RuntimeError("never run")')])
    dest = build_docs.process_nb(src, tmp_path/'out'/'demo.ipynb', cwd=tmp_path/'stage')
    cells = read_nb(dest).cells
    sources = [c.source for c in cells]
    assert cells[0].source.startswith('# Demo') and 'What the page is about' in cells[0].source
    assert not any('secret = 41' in s or 'def answer' in s for s in sources)  # hidden and exported cells are gone
    show_doc = next(c for c in cells if 'show_doc(answer)' in c.source)
    assert '### answer' in ''.join(show_doc.outputs[0]['data']['text/markdown'])
    shown = next(c for c in cells if c.source.strip() == 'answer(secret)')
    assert ''.join(shown.outputs[0]['data']['text/plain']) == '42'  # run in order, the hidden cell included
    assert not next(c for c in cells if 'never run' in c.source).get('outputs')
