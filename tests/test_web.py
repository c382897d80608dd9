"`tarsier-nb web` in a real headless browser (Debian's chromium through Playwright): upload a clip, see its frames, ask, watch the answer stream in."
import os, shutil, signal, socket, subprocess, time, urllib.request
import pytest
from conftest import _cli
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.synth import make_scene, write_clip

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
needs_chromium = pytest.mark.skipif(not CHROMIUM and not os.environ.get('CI'), reason="chromium is not installed (CI installs Debian's)")

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp('web')
    tiny_tarsier2(root/'tiny2')
    clip = write_clip(make_scene(5, duration=2.0), root/'clip.mp4')
    port = free_port()
    process = subprocess.Popen([_cli(), 'web', '--model', str(root/'tiny2'), '--port', str(port), '--frames', '4', '--max-new-tokens', '300'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url, deadline = f"http://127.0.0.1:{port}/", time.monotonic() + 180
    while True:
        try: urllib.request.urlopen(url, timeout=5); break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill(); raise RuntimeError(f"the web command did not serve {url}: {process.stdout.read()[-3000:]}")
            time.sleep(0.5)
    yield url, clip
    process.send_signal(signal.SIGINT)
    try: process.wait(timeout=30)
    except subprocess.TimeoutExpired: process.kill()

@needs_chromium
def test_upload_see_frames_ask_and_watch_the_answer_stream(server, tmp_path):
    from playwright.sync_api import sync_playwright
    url, clip = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox'])
        page = browser.new_page(viewport={'width': 1400, 'height': 1000})
        page.goto(url, wait_until='domcontentloaded')
        page.locator('#upload input[type=file]').set_input_files(str(clip))
        gallery = page.locator('#frames img')
        gallery.nth(3).wait_for(timeout=60_000)  # the 4 sampled frames
        assert gallery.count() == 4
        assert 'clip.mp4: 4 frames' in page.locator('#status').inner_text(timeout=30_000)
        page.locator('#message textarea').fill('What happens in the video?')
        page.locator('#message textarea').press('Enter')
        bot = page.locator('#chat .message.bot, #chat [data-testid="bot"]').last
        seen, deadline = [], time.monotonic() + 120
        while time.monotonic() < deadline:
            text = bot.inner_text() if bot.count() else ''
            if text and (not seen or text != seen[-1]): seen.append(text)
            if page.locator('#message textarea').input_value() == '' and len(seen) > 1 and page.locator('.generating, .pending').count() == 0: break
            time.sleep(0.05)
        page.screenshot(path=str(tmp_path/'web.png'), full_page=True)
        browser.close()
    assert len(seen) >= 2, seen  # the answer grew on the page while it was written
    assert len(seen[-1]) > len(seen[0]) > 0, seen  # and ended longer than it began
    assert (tmp_path/'web.png').stat().st_size > 10_000
    print('answer on the page:', repr(seen[-1][:80]), f"({len(seen)} states seen); screenshot {tmp_path/'web.png'}")
