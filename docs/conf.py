"""Sphinx settings for the documentation site: the notebooks in `_proc/`, staged and already executed by
`docs/build_docs.py`, through myst-nb, with the furo theme; everything the pages load is served by the site itself
(no CDN, no web fonts)."""
import sys
from pathlib import Path
from docutils import nodes

sys.path.insert(0, str(Path(__file__).parent))
from build_docs import quarto_anchor  # the anchors docs/build_docs.py points nbdev's API links at

project = 'tarsier_nb'
author = 'tarsier_nb authors'
root_doc = 'index'
extensions = ['myst_nb']
exclude_patterns = ['.*', '**/.*']  # the staging's own folders: .executed, .doctrees, .outputs

nb_execution_mode = 'off'                # docs/build_docs.py executed the notebooks from the right folder
nb_render_markdown_format = 'myst'       # show_doc output is markdown with attributes on its source link
nb_merge_streams = True
myst_enable_extensions = ['attrs_inline', 'colon_fence']  # no dollarmath: MathJax would come from a CDN
suppress_warnings = ['myst.header']      # show_doc headings start at level 3 under a level 1 title

html_theme = 'furo'
html_title = project
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {'top_of_page_buttons': []}
html_static_path = ['_static']
html_css_files = ['showdoc.css']

def add_quarto_anchors(app, doctree):
    "Give each heading Quarto's anchor too (docutils turns `read_frames` into `read-frames`); output headings are rubrics"
    for node in doctree.findall(lambda n: isinstance(n, (nodes.section, nodes.rubric))):
        anchor = quarto_anchor((node[0] if isinstance(node, nodes.section) else node).astext())
        if anchor and anchor not in node['ids'] and anchor not in doctree.ids:
            node['ids'].append(anchor)
            doctree.ids[anchor] = node

def keep_outputs_in_stage(app):
    "myst-nb writes notebook images beside the site folder by default: keep them in `_proc/` with the other staging"
    app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(Path(app.srcdir)/'.outputs'))

def setup(app):
    app.connect('doctree-read', add_quarto_anchors)
    app.connect('builder-inited', keep_outputs_in_stage, priority=900)
