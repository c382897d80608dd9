"`tarsier-nb autodq` end to end: the installed command, a real loopback chat server as the judge, synthetic DREAM records."
import json, os
import pytest
from chat_server import ChatServer
from judge_scripts import autodq_script
from conftest import run_cli
from tarsier_nb.records import read_jsonl
from tarsier_nb.synth import generate_world

@pytest.fixture(scope='module')
def predictions(tmp_path_factory):
    world = generate_world(tmp_path_factory.mktemp('world'), n=6, seed=2, format='frames', progress=False)
    records = read_jsonl(world/'dream.jsonl')
    for record, other in zip(records, records[1:] + records[:1]):  # half right, half another clip's description
        record['prediction'] = record['text']['response'] if record['idx'] % 2 else other['text']['response']
    path = world/'predictions.jsonl'
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))
    return path, records

def autodq(path, server, out, **env):
    return run_cli('autodq', path, '--judge-model', 'lexical', '--base-url', server.url, '--concurrency', 4, '--out', out,
                   env={**os.environ, **env})

def test_report_then_a_rerun_from_the_cache_makes_no_call(predictions, tmp_path):
    path, records = predictions
    read_report = lambda: json.loads((tmp_path/'autodq.json').read_text())
    with ChatServer(autodq_script()) as server:
        first = autodq(path, server, tmp_path, OPENAI_API_KEY='sk-test-secret-42')
        report, calls = read_report(), len(server.requests)
        again = autodq(path, server, tmp_path, OPENAI_API_KEY='sk-test-secret-42')
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert report['overall']['count'] == len(records) and report['failed'] == []
    assert report['usage']['calls'] == calls == 3*len(records)  # reference events ship with DREAM: 1 extraction + 2 verdict lists
    assert len((tmp_path/'eval_infos.jsonl').read_text().splitlines()) == len(records)
    assert (tmp_path/'autodq.png').stat().st_size > 0 and 'OVERALL' in first.stdout
    assert read_report()['usage']['calls'] == 0 and len(server.requests) == calls  # the rerun asked nothing
    assert read_report()['overall'] == report['overall']
    assert all('sk-test-secret-42' not in out for out in (first.stdout, first.stderr, again.stdout, again.stderr))
    assert server.requests[0].headers['authorization'] == 'Bearer sk-test-secret-42'

def test_a_sample_the_judge_cannot_score_is_listed_with_its_reason(predictions, tmp_path):
    path, records = predictions
    broken = {records[2]['text']['response'].lower()}  # no other record predicts this description
    with ChatServer(autodq_script(broken=broken)) as server:
        result = autodq(path, server, tmp_path)
    assert result.returncode == 1
    report = json.loads((tmp_path/'autodq.json').read_text())
    assert [f['idx'] for f in report['failed']] == [records[2]['idx']]
    assert 'verdicts' in report['failed'][0]['error'] and report['overall']['count'] == len(records) - 1
    assert 'failed samples: 1' in result.stdout

def test_malformed_predictions_name_the_file_and_line(tmp_path):
    bad = tmp_path/'predictions.jsonl'
    bad.write_text('{"idx": 1}\n{not json\n')
    result = run_cli('autodq', bad, '--base-url', 'http://127.0.0.1:9/v1')
    assert result.returncode == 2 and f'{bad}, line 2: not valid JSON' in result.stderr
