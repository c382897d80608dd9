"The LLM judges end to end: `OpenAIJudge` over real HTTP against the scripted loopback server, `LocalJudge` on a tiny random model."
import asyncio, json, time, traceback
import pytest
from chat_server import ChatServer, Reply, in_order
from tarsier_nb.judge import JudgeError, LocalJudge, OpenAIJudge, tiny_chat_model

KEY = 'sk-test-7f3a9c1e5b2d4680'
QUESTION = [{'role': 'system', 'content': 'You judge entailment. Answer in JSON.'},
            {'role': 'user', 'content': 'Premise: the cat leaps onto the sofa. Hypothesis: a cat jumps. Entailed?'}]

def verdict_problem(obj):
    if not isinstance(obj, dict) or obj.get('verdict') not in ('yes', 'no'): return f"'verdict' must be \"yes\" or \"no\", got {json.dumps(obj)}"

@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', KEY)
    monkeypatch.delenv('OPENAI_BASE_URL', raising=False)

def judge_for(server, **kwargs):
    return OpenAIJudge('judge-model', base_url=server.url, **{'backoff': 0.05, 'timeout': 5.0, **kwargs})

@pytest.mark.parametrize('content', ['{"verdict": "yes"}', 'Here you go:\n```json\n{"verdict": "yes"}\n```\nAnything else?',
                                     "{'verdict': 'yes', 'confidence': None, 'sure': True}"])
def test_valid_fenced_and_python_replies_are_read_in_one_call(content):
    with ChatServer(lambda request, call: Reply.text(content, prompt_tokens=30, completion_tokens=7)) as server:
        judge = judge_for(server)
        assert judge.ask_json_sync(QUESTION, verdict_problem)['verdict'] == 'yes'
    [request] = server.requests
    assert request.path == '/v1/chat/completions'
    assert (request.body['model'], request.body['temperature'], request.body['messages']) == ('judge-model', 0.0, QUESTION)
    assert (judge.usage.calls, judge.usage.prompt_tokens, judge.usage.completion_tokens, judge.usage.retries) == (1, 30, 7, 0)

def test_a_wrong_reply_is_fixed_by_one_reask_that_names_the_problem():
    with ChatServer(in_order(Reply.json({'verdict': 'probably'}), Reply.json({'verdict': 'no'}))) as server:
        judge = judge_for(server)
        assert judge.ask_json_sync(QUESTION, verdict_problem) == {'verdict': 'no'}
    first, reask = (request.body['messages'] for request in server.requests)
    assert first == QUESTION
    assert reask[:2] == QUESTION and reask[2] == {'role': 'assistant', 'content': '{"verdict": "probably"}'}
    assert reask[3]['role'] == 'user'
    assert '\'verdict\' must be "yes" or "no", got {"verdict": "probably"}' in reask[3]['content']
    assert 'only the corrected JSON' in reask[3]['content']
    assert (judge.usage.calls, judge.usage.failures) == (2, 0)

def test_a_reply_that_stays_wrong_raises_with_the_reason_and_is_not_cached(tmp_path):
    with ChatServer(in_order(Reply.text('I would say yes.'), Reply.text('Yes, entailed.'))) as server:
        judge = judge_for(server, cache_path=tmp_path/'cache.sqlite')
        with pytest.raises(JudgeError, match="still unusable after a re-ask: the reply has no JSON object or array: 'Yes, entailed.'"):
            judge.ask_json_sync(QUESTION, verdict_problem)
    assert 'no JSON object or array' in server.requests[1].body['messages'][-1]['content']
    assert (judge.usage.calls, judge.usage.failures, len(judge.cache)) == (2, 1, 0)

def test_rate_limit_waits_as_long_as_retry_after_says():
    with ChatServer(in_order(Reply.rate_limited(retry_after=0.5), Reply.json({'verdict': 'yes'}))) as server:
        judge = judge_for(server, backoff=3.0)  # without Retry-After the wait would be 3-6 s
        assert judge.ask_json_sync(QUESTION, verdict_problem) == {'verdict': 'yes'}
    waited = server.requests[1].received - server.requests[0].received
    assert 0.5 <= waited < 0.5*1.1 + 0.4, waited
    assert (judge.usage.calls, judge.usage.retries) == (1, 1)

def test_a_server_error_is_retried():
    with ChatServer(in_order(Reply.error(500), Reply.error(503), Reply.json({'verdict': 'no'}))) as server:
        judge = judge_for(server)
        assert judge.ask_json_sync(QUESTION, verdict_problem) == {'verdict': 'no'}
    assert (len(server.requests), judge.usage.calls, judge.usage.retries) == (3, 1, 2)

def test_a_stall_past_the_timeout_is_abandoned_and_retried():
    with ChatServer(in_order(Reply.stall(10.0), Reply.json({'verdict': 'yes'}))) as server:
        judge = judge_for(server, timeout=0.3)
        start = time.monotonic()
        assert judge.ask_json_sync(QUESTION, verdict_problem) == {'verdict': 'yes'}
        assert time.monotonic() - start < 3.0  # did not wait for the stalled reply
    assert (len(server.requests), judge.usage.retries) == (2, 1)

def test_persistent_failure_raises_after_max_retries():
    with ChatServer(lambda request, call: Reply.error(502, 'upstream is down')) as server:
        judge = judge_for(server, max_retries=3)
        with pytest.raises(JudgeError, match=r'failed after 4 attempts: HTTP 502: .*upstream is down'):
            judge.ask_json_sync(QUESTION)
    assert (len(server.requests), judge.usage.retries, judge.usage.failures, judge.usage.calls) == (4, 3, 1, 1)

def test_a_bad_request_is_not_retried():
    with ChatServer(lambda request, call: Reply.error(400, 'unknown model')) as server:
        judge = judge_for(server)
        with pytest.raises(JudgeError, match='after 1 attempt: HTTP 400'): judge.ask_json_sync(QUESTION)
    assert len(server.requests) == 1

def test_concurrency_bound_is_respected_and_calls_overlap():
    with ChatServer(lambda request, call: Reply.json({'verdict': 'yes'}), latency=0.1) as server:
        judge = judge_for(server, concurrency=5)
        async def ask_all():
            async with judge:
                asks = [judge.ask_json([{'role': 'user', 'content': f'claim {i}'}], verdict_problem) for i in range(30)]
                return await asyncio.gather(*asks)
        assert len(asyncio.run(ask_all())) == 30
    assert server.max_in_flight == 5  # five calls were in the server at once: they overlap, and never more than five

def test_the_same_judge_works_across_event_loops():
    with ChatServer(lambda request, call: Reply.json({'verdict': 'yes'})) as server:
        judge = judge_for(server, concurrency=2)
        for round in range(3):  # each asyncio.run is a new loop; connections of a closed loop must not be reused
            async def ask_twice():
                return await asyncio.gather(*[judge.ask_json([{'role': 'user', 'content': f'{round} {i}'}]) for i in range(2)])
            assert asyncio.run(ask_twice()) == [{'verdict': 'yes'}] * 2
        async def inside_a_loop(): return judge.ask_json_sync(QUESTION)  # as in Jupyter, where a loop already runs
        assert asyncio.run(inside_a_loop()) == {'verdict': 'yes'}
    assert judge.usage.calls == 7

def test_the_cache_answers_a_second_run_with_no_call(tmp_path):
    questions = [[{'role': 'user', 'content': f'claim {i}'}] for i in range(5)]
    with ChatServer(lambda request, call: Reply.json({'verdict': 'yes'})) as server:
        first = judge_for(server, cache_path=tmp_path/'cache.sqlite')
        answers = [first.ask_json_sync(q, verdict_problem) for q in questions]
        assert len(server.requests) == 5
        second = judge_for(server, cache_path=tmp_path/'cache.sqlite')  # a new run: a new judge, the same file
        assert [second.ask_json_sync(q, verdict_problem) for q in questions] == answers
        assert len(server.requests) == 5
        assert (second.usage.calls, second.usage.cached) == (0, 5)
        other_model = OpenAIJudge('another-model', base_url=server.url, cache_path=tmp_path/'cache.sqlite')
        other_model.ask_json_sync(questions[0])
        assert len(server.requests) == 6  # the model is part of the key
        pickier = judge_for(server, cache_path=tmp_path/'cache.sqlite')
        with pytest.raises(JudgeError, match="'reason' is missing"):
            pickier.ask_json_sync(questions[0], lambda obj: None if 'reason' in obj else "'reason' is missing")
        assert len(server.requests) == 8  # a cached reply this validator rejects is asked again (and re-asked)

def test_the_key_travels_only_in_the_authorization_header_and_is_never_shown():
    with ChatServer(lambda request, call: Reply.error(401, f'Incorrect API key provided: {KEY}.')) as server:
        judge = judge_for(server)
        with pytest.raises(JudgeError) as caught: judge.ask_json_sync(QUESTION)
    [request] = server.requests
    assert request.headers['authorization'] == f'Bearer {KEY}'
    assert not [name for name, value in request.headers.items() if KEY in value and name != 'authorization']
    assert KEY not in json.dumps(request.body) and KEY not in request.path
    shown = [repr(judge), str(judge), str(caught.value), repr(caught.value), str(judge.usage), repr(vars(judge)),
             ''.join(traceback.format_exception(caught.value))]
    assert not [text for text in shown if KEY in text]
    assert 'HTTP 401' in str(caught.value) and '***' in str(caught.value)

def test_a_missing_key_is_an_error_naming_the_variable_unless_the_server_is_local(monkeypatch):
    monkeypatch.delenv('OPENAI_API_KEY')
    with pytest.raises(ValueError, match='set the environment variable OPENAI_API_KEY'): OpenAIJudge()
    with ChatServer(lambda request, call: Reply.json({'verdict': 'yes'})) as server:
        judge_for(server).ask_json_sync(QUESTION)
    assert server.requests[0].headers['authorization'] == 'Bearer EMPTY'

def test_azure_calls_the_deployment_url_with_the_api_version(monkeypatch):
    monkeypatch.setenv('AZURE_OPENAI_API_KEY', 'azure-key-123')
    with ChatServer(lambda request, call: Reply.json({'verdict': 'no'})) as server:
        judge = OpenAIJudge('my-gpt4o-deployment', azure_endpoint=server.root, api_version='2024-06-01', backoff=0.05)
        assert judge.ask_json_sync(QUESTION, verdict_problem) == {'verdict': 'no'}
    [request] = server.requests
    assert request.path == '/openai/deployments/my-gpt4o-deployment/chat/completions'
    assert request.query == {'api-version': '2024-06-01'}
    assert request.headers['api-key'] == 'azure-key-123' and KEY not in json.dumps(request.headers)

@pytest.fixture(scope='module')
def tiny_chat(tmp_path_factory): return tiny_chat_model(tmp_path_factory.mktemp('judge')/'tiny-chat')

def test_local_judge_runs_a_real_model_and_reports_its_noise(tiny_chat, tmp_path):
    judge = LocalJudge(tiny_chat, device='cpu', max_new_tokens=8, cache_path=tmp_path/'cache.sqlite')
    with pytest.raises(JudgeError) as first: judge.ask_json_sync(QUESTION, verdict_problem)
    assert 'still unusable after a re-ask: the reply' in str(first.value)
    assert (judge.usage.calls, judge.usage.failures, judge.usage.cached) == (2, 1, 0)
    assert judge.usage.prompt_tokens > 0 and 0 < judge.usage.completion_tokens <= 16
    with pytest.raises(JudgeError) as second: judge.ask_json_sync(QUESTION, verdict_problem)
    assert str(second.value) == str(first.value)  # greedy: the same noise again
    assert (judge.usage.calls, judge.usage.failures, judge.usage.cached, len(judge.cache)) == (4, 2, 0, 0)  # invalid: never cached

def test_local_judge_needs_a_chat_template(tiny_chat, tmp_path):
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(tiny_chat)
    tokenizer.chat_template = None
    tokenizer.save_pretrained(tmp_path)
    (tmp_path/'chat_template.jinja').unlink(missing_ok=True)
    with pytest.raises(ValueError, match='has no chat template'): LocalJudge(tmp_path, device='cpu')

def test_a_malformed_response_is_retried_and_announced(capsys):
    with ChatServer(in_order(Reply.malformed(), Reply.malformed('{"choices": []}'), Reply.json({'verdict': 'yes'}))) as server:
        judge = judge_for(server)
        assert judge.ask_json_sync(QUESTION, verdict_problem) == {'verdict': 'yes'}
    assert (len(server.requests), judge.usage.calls, judge.usage.retries, judge.usage.failures) == (3, 1, 2, 0)
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 2 and said[0].startswith(f'judge-model at {server.url}: attempt 1 of 7 failed (a malformed response: not JSON'), said
    assert 'no message in its first choice' in said[1] and 'retrying in' in said[1], said

def test_a_response_that_stays_malformed_fails_with_an_excerpt():
    with ChatServer(lambda request, call: Reply.malformed('<html>502 Bad Gateway</html>')) as server:
        judge = judge_for(server, max_retries=2)
        with pytest.raises(JudgeError, match=r"failed after 3 attempts: a malformed response: not JSON \(Expecting value, column 1\): '<html>502 Bad Gateway</html>'"):
            judge.ask_json_sync(QUESTION)
    assert (len(server.requests), judge.usage.failures) == (3, 1)

def test_open_ended_evaluate_finishes_with_the_judges_failures_listed(tmp_path):
    "One sample's judge keeps sending garbage: the others are scored, and the report names the sample and the reason."
    from tarsier_nb.metrics import evaluate_predictions
    from tarsier_nb.records import write_jsonl
    records = [{'idx': i, 'dataset': 'MSVD-QA', 'text': {'prompt': f'<video>\nQuestion {i}?', 'question': f'Question {i}?', 'response': 'a cat'},
                'vid': f'v{i}', 'sample_id': f'MSVD-QA/{i}', 'prediction': 'garbled' if i == 2 else 'a cat'} for i in range(4)]
    path = write_jsonl(tmp_path/'msvd-qa.jsonl', records)
    def respond(request, call):
        if 'garbled' in request['messages'][-1]['content']: return Reply.malformed()
        return Reply.json({'pred': 'yes', 'score': 5})
    with ChatServer(respond) as server:
        result = evaluate_predictions(path, group='oe_qa', judge=judge_for(server, max_retries=1), out_dir=tmp_path/'eval', progress=False)
    assert result['scores'] == {'accuracy': 100.0, 'average_score': 5.0}
    [failed] = result['failures']
    assert (failed['idx'], failed['kind']) == (2, 'invalid_judgement') and 'failed after 2 attempts: a malformed response' in failed['reason']
    assert (tmp_path/'eval'/'msvd-qa.json').is_file() and 'garbled' not in failed['reason']

def test_a_key_given_as_the_variable_name_is_refused_and_not_echoed():
    with pytest.raises(ValueError) as refused: OpenAIJudge('judge-model', api_key_env=KEY)
    assert KEY not in str(refused.value) and 'name of an environment variable' in str(refused.value)
