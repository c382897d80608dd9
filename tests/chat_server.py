"""A scripted OpenAI-compatible chat-completions server on the loopback interface, for tests and benchmarks.

Real HTTP, no client mocks: the judge under test talks to it through the `openai` package exactly as it would talk
to a hosted API. What the server answers comes from a *script*, `respond(request_json, call_number) -> Reply`,
called once per request (`call_number` counts every request the server received, from 0):

    from chat_server import ChatServer, Reply, in_order
    script = in_order(Reply.rate_limited(retry_after=0.3), Reply.json({'verdict': 'yes'}))  # a 429, then a 200
    with ChatServer(script, latency=0.2) as server:            # 127.0.0.1, an ephemeral port, a background thread
        judge = OpenAIJudge('judge-model', base_url=server.url)  # server.url == 'http://127.0.0.1:PORT/v1'
        ...
    server.requests       # every request received: Request(path, query, headers, body, call, received)
    server.max_in_flight  # the most requests it was answering at once
    server.errors         # exceptions the script raised (each was answered with a 500)

Outside a `with` block: `server = ChatServer(script).start()` ... `server.close()`.

Replies: `Reply.text(content)` / `Reply.json(obj)` (200, with usage tokens), `Reply.rate_limited(retry_after)`
(429 with a `Retry-After` header), `Reply.error(status, message)` (500 by default), `Reply.stall(seconds)` (a 200 sent only
after `seconds`: longer than the client's timeout, it stands for a hung server), `Reply.malformed(body)` (a 200 whose body
is `body` as it is: by default JSON cut short, as a broken proxy might send). `latency` adds a fixed delay to every
reply. Requests are served truly in parallel (one thread per connection), so a benchmark can keep 32 calls in flight.

Paths: `POST /v1/chat/completions`, and Azure's `POST /openai/deployments/{name}/chat/completions?api-version=...`
(use `azure_endpoint=server.root`). Anything else is a 404. It binds 127.0.0.1 only.

Run `python tests/chat_server.py` to serve `{"ok": true}` to every request until Ctrl-C (for trying a client by hand).
"""
from __future__ import annotations
import json, re, threading, time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

AZURE_PATH = re.compile(r'^/openai/deployments/[^/]+/chat/completions$')
OPENAI_PATH = '/v1/chat/completions'

@dataclass
class Reply:
    "What the server answers to one request."
    status: int = 200
    content: str = ''  # the assistant message of a 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, on top of the server's latency
    message: str = ''  # the error message of a non-200
    prompt_tokens: int = 10
    completion_tokens: int = 5
    body: str|None = None  # a 200 sent with this body as it is, instead of a completion (a malformed response)

    @classmethod
    def text(cls, content:str, prompt_tokens:int=10, completion_tokens:int=5): return cls(200, content, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
    @classmethod
    def json(cls, obj, **tokens): return cls.text(json.dumps(obj), **tokens)
    @classmethod
    def rate_limited(cls, retry_after:float): return cls(429, headers={'Retry-After': f'{retry_after:g}'})
    @classmethod
    def error(cls, status:int=500, message:str=''): return cls(status, message=message)
    @classmethod
    def stall(cls, seconds:float, content:str='{}'): return cls(200, content, delay=seconds)
    @classmethod
    def malformed(cls, body:str='{"id": "chatcmpl-0", "choices": [{"message": '): return cls(200, body=body)

def in_order(*replies:Reply):
    "A script that gives `replies` one per request, in order, repeating the last one."
    return lambda request, call: replies[min(call, len(replies) - 1)]

@dataclass
class Request:
    "One request as the server received it."
    path: str
    query: dict  # query parameters, one value each
    headers: dict  # header names lower-cased
    body: dict  # the JSON body
    call: int  # the call number the script saw
    received: float  # time.monotonic() on arrival

class _LoopbackServer(ThreadingHTTPServer):
    request_queue_size = 128  # many clients connect at once in a benchmark
    daemon_threads, block_on_close = True, False  # a stalled reply never holds up the test

class ChatServer:
    "A scripted chat-completions server on 127.0.0.1, serving from a background thread; use it as a context manager."
    def __init__(self, respond, # respond(request_json, call_number) -> Reply
                 latency:float=0.0 # seconds added to every reply
                ):
        self.respond, self.latency = respond, latency
        self.requests: list[Request] = []
        self.in_flight = self.max_in_flight = 0
        self._lock, self._stop = threading.Lock(), threading.Event()
        self.errors: list[Exception] = []  # exceptions the script raised (each answered with a 500)
        self._http = _LoopbackServer(('127.0.0.1', 0), _handler_for(self))
        self.port = self._http.server_address[1]
        self.root = f'http://127.0.0.1:{self.port}'  # Azure's azure_endpoint
        self.url = f'{self.root}/v1'  # OpenAI's base_url
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)

    def start(self):
        "Start serving in the background; returns the server (`with ChatServer(...)` starts and closes it for you)."
        self._thread.start(); return self

    def __enter__(self): return self.start()
    def __exit__(self, *exc): self.close()

    def close(self):
        "Stop serving; stalled replies are abandoned."
        self._stop.set()
        self._http.shutdown()
        self._http.server_close()

    def _arrive(self, path, query, headers, body)->Request:
        with self._lock:
            request = Request(path, query, headers, body, len(self.requests), time.monotonic())
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return request

    def _leave(self):
        with self._lock: self.in_flight -= 1

def _completion(model:str, call:int, reply:Reply)->dict:
    return {'id': f'chatcmpl-{call}', 'object': 'chat.completion', 'created': int(time.time()), 'model': model,
            'choices': [{'index': 0, 'message': {'role': 'assistant', 'content': reply.content}, 'finish_reason': 'stop'}],
            'usage': {'prompt_tokens': reply.prompt_tokens, 'completion_tokens': reply.completion_tokens,
                      'total_tokens': reply.prompt_tokens + reply.completion_tokens}}

def _error(status:int, message:str)->dict:
    return {'error': {'message': message, 'type': 'server_error' if status >= 500 else 'invalid_request_error', 'code': status}}

def _handler_for(server:ChatServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'  # keep-alive, as the openai client expects
        disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (Nagle + delayed ACK)

        def log_message(self, *args): pass  # quiet

        def do_POST(self):
            url = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers.get('Content-Length', 0))) or b'{}')
            if url.path != OPENAI_PATH and not AZURE_PATH.match(url.path):
                return self._send(404, _error(404, f'no route {url.path}'))
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            request = server._arrive(url.path, query, {k.lower(): v for k, v in self.headers.items()}, body)
            try: reply = server.respond(body, request.call)
            except Exception as e:
                server.errors.append(e); server._leave()
                return self._send(500, _error(500, f'the script raised {e!r}'))
            try:
                if server._stop.wait(server.latency + reply.delay): return  # shutting down: drop the reply
                payload = _completion(body.get('model', ''), request.call, reply) if reply.status == 200 else _error(reply.status, reply.message or f'scripted {reply.status}')
                self._send(reply.status, payload if reply.body is None else reply.body.encode(), reply.headers)
            finally: server._leave()

        def _send(self, status, payload, headers={}):
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                for name, value in {'Content-Type': 'application/json', 'Content-Length': str(len(data)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError): self.close_connection = True  # the client gave up (a timeout)
    return Handler

if __name__ == '__main__':
    with ChatServer(lambda request, call: Reply.json({'ok': True})) as server:
        print(f'serving on {server.url} (OpenAI base_url) and {server.root} (Azure endpoint); Ctrl-C stops')
        try: threading.Event().wait()
        except KeyboardInterrupt: pass
