"""Check the built docs site (`_docs/`, from `make docs`) the way a reader meets it: served over HTTP on 127.0.0.1.

- every `href`/`src` inside the site, on every page, must be served (200), and its `#anchor` must exist on the target page;
  no page may load a script, style or image from outside the site (it would fail offline);
- the home page and an API page must render in a real headless Chromium (Debian's `chromium`, driven by Playwright):
  the expected heading and text visible, stylesheets applied, no JavaScript error, no failed request;
- a screenshot of each is kept in `_docs/_check/` (`home.png`, `api.png`) for a person, or a CI artifact, to look at.
"""
import argparse, re, shutil, sys, threading, urllib.error, urllib.request
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
LINK_ATTRS = {'href', 'src'}

# ---- serving

class QuietHandler(SimpleHTTPRequestHandler):
    "A static file handler that keeps the request log off the console"
    def log_message(self, *args): pass

def serve(site:Path)->tuple:
    "Serve `site` on a free port of 127.0.0.1 in a background thread; returns (server, base url)"
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_address[1]}/'

# ---- links

class PageLinks(HTMLParser):
    "The ids a page defines, the links (`href`, `src`) it holds, and what it loads as it opens (scripts, styles, images)"
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.loads = set(), [], []
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(v for k, v in attrs.items() if k in ('id', 'name') and v)
        self.links += [v for k, v in attrs.items() if k in LINK_ATTRS and v is not None]
        if attrs.get('src'): self.loads.append(attrs['src'])
        if tag == 'link' and attrs.get('href') and set((attrs.get('rel') or '').split()) & {'stylesheet', 'preload', 'icon'}:
            self.loads.append(attrs['href'])

def parse_page(text:str)->PageLinks:
    parser = PageLinks()
    parser.feed(text)
    return parser

def is_internal(link:str)->bool:
    "A link to somewhere in this site: no scheme, no host (`https:`, `mailto:`, `data:`, `//cdn` are not)"
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc

class Site:
    "What the server answers for each url, fetched once each"
    def __init__(self, base:str): self.base, self.answers = base, {}
    def rel(self, url:str)->str: return url.removeprefix(self.base) or '/'

    def get(self, url:str)->tuple:
        "(HTTP status, body as text for HTML pages or None)"
        if url not in self.answers:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    body = r.read()
                    html = r.headers.get_content_type() == 'text/html'
                    self.answers[url] = (r.status, body.decode('utf-8', 'replace') if html else None)
            except urllib.error.HTTPError as e: self.answers[url] = (e.code, None)
        return self.answers[url]

    def ids(self, url:str)->set:
        "The anchors `url`'s page defines"
        status, text = self.get(url)
        return parse_page(text).ids if text is not None else set()

def page_urls(site_dir:Path, base:str)->list:
    "The url of every HTML page in the site"
    return [urljoin(base, p.relative_to(site_dir).as_posix()) for p in sorted(site_dir.rglob('*.html'))]

def link_problems(site:Site, page:str)->list:
    "Each internal link of `page` that the server does not answer with 200, or whose `#anchor` is not on its target"
    status, text = site.get(page)
    if status != 200 or text is None: return [f"{site.rel(page)}: the page itself answers {status}"]
    links = parse_page(text)
    problems = [f"{site.rel(page)}: loads {url!r} from outside the site, which fails offline"
                for url in dict.fromkeys(links.loads) if not is_internal(url) and not url.startswith('data:')]
    for link in dict.fromkeys(links.links):
        if not link.strip() or not is_internal(link): continue
        target, anchor = urldefrag(urljoin(page, link))
        status, _ = site.get(target)
        where = f"{site.rel(page)}: link {link!r}"
        if status != 200: problems.append(f"{where}: {site.rel(target)} answers {status}")
        elif anchor and anchor not in site.ids(target): problems.append(f"{where}: {site.rel(target)} has no #{anchor}")
    return problems

def check_links(site_dir:Path, base:str)->tuple:
    "Problems with the internal links of every page of the site, and how many pages and link targets were checked"
    site, pages = Site(base), page_urls(site_dir, base)
    problems = [p for url in pages for p in link_problems(site, url)]
    return problems, len(pages), len(site.answers)

# ---- the browser

def find_chromium(path:str|None)->str:
    found = path or shutil.which('chromium') or shutil.which('chromium-browser')
    if not found or not Path(found).exists():
        raise SystemExit("chromium not found: install Debian's package (as root: apt-get install -y chromium) or pass --chromium PATH")
    return found

def is_error(message)->bool:
    "A console error, other than Chromium's own request for `/favicon.ico` (a site without an icon is not broken)"
    return message.type == 'error' and not urlsplit(message.location.get('url', '')).path.endswith('/favicon.ico')

def heading(page, text:str):
    "A heading of `page` that says `text`: a real one, or the title of a `show_doc` entry (a rubric, in a cell's output)"
    return page.get_by_role('heading', name=text).or_(page.locator('p.rubric').filter(has_text=re.compile(rf'^\s*{re.escape(text)}\s*$')))

def render_problems(browser, url:str, texts:list, screenshot:Path)->list:
    "Load `url`, screenshot it, and list what went wrong: JS errors, failed requests, missing text, no styles"
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors = []
    page.on('pageerror', lambda e: errors.append(f"JavaScript error: {e}"))
    page.on('console', lambda m: errors.append(f"console error: {m.text} ({m.location.get('url')})") if is_error(m) else None)
    page.on('requestfailed', lambda r: errors.append(f"request failed: {r.url} ({r.failure})"))
    page.on('response', lambda r: errors.append(f"{r.url} answered {r.status}") if r.status >= 400 else None)
    response = page.goto(url, wait_until='load')
    if response is None or response.status != 200: errors.append(f"answered {response and response.status}")
    for text in texts:
        shown = heading(page, text).filter(visible=True).first
        try: shown.wait_for(state='visible', timeout=10_000)
        except Exception: errors.append(f"{text!r} is not visible")
    styled = page.evaluate("() => [...document.styleSheets].filter(s => s.href && s.cssRules.length > 0).length")
    if not styled: errors.append("no stylesheet applied")
    if texts and (first := heading(page, texts[0]).filter(visible=True).first).count():
        first.scroll_into_view_if_needed()  # the screenshot shows the first heading asked for
    page.screenshot(path=str(screenshot))
    page.close()
    return [f"{url.split('/', 3)[-1] or '/'} in Chromium: {e}" for e in errors]

def check_rendering(base:str, chromium:str, shots:Path, api_page:str, api_texts:list, home_texts:list)->list:
    "Problems seen in Chromium on the home page and on the API page `api_page`"
    from playwright.sync_api import sync_playwright
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=['--no-sandbox'])
        try:
            return (render_problems(browser, base, home_texts, shots/'home.png') +
                    render_problems(browser, urljoin(base, api_page), api_texts, shots/'api.png'))
        finally: browser.close()

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--site', type=Path, default=ROOT/'_docs', help='the built site')
    parser.add_argument('--chromium', help='the Chromium binary (default: chromium on PATH)')
    parser.add_argument('--api-page', default='video.html', help='the API page to render, relative to the site')
    parser.add_argument('--api-text', nargs='+', default=['read_frames', 'Clip'], help='headings the API page must show (show_doc titles count)')
    parser.add_argument('--home-text', nargs='+', default=['tarsier_nb', 'Install'], help='headings the home page must show')
    args = parser.parse_args()
    if not (args.site/'index.html').exists(): raise SystemExit(f"{args.site/'index.html'} is missing: build the site first (make docs)")
    chromium = find_chromium(args.chromium)
    server, base = serve(args.site)
    try:
        problems, n_pages, n_targets = check_links(args.site, base)
        problems += check_rendering(base, chromium, args.site/'_check', args.api_page, args.api_text, args.home_text)
    finally: server.shutdown()
    for problem in problems: print(f"docs: {problem}", file=sys.stderr)
    if problems: raise SystemExit(f"docs check failed: {len(problems)} problem(s) above")
    print(f"docs ok: {n_pages} pages whose links to {n_targets} files of the site all resolve, anchors included; "
          f"the home page and {args.api_page} render in Chromium (screenshots in {args.site/'_check'})")

if __name__ == '__main__': main()
