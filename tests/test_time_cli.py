"The time tasks through the installed command: synthetic time benchmarks predicted time-aware and scored; TimeChat's own result files scored as its scripts score them."
import json, random
import pytest
from conftest import run_cli, needs_annotations, ANNOTATIONS
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.synth import generate_world
from tarsier_nb.records import read_jsonl

TIMECHAT = ANNOTATIONS/'timechat'

@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('time')
    generate_world(root/'world', n=4, seed=2, format='mp4', progress=False, world='simple')
    tiny_tarsier(root/'tiny')
    return root

@pytest.mark.parametrize('benchmark,headline', [('synth-grounding', 'R@1 IoU=0.5'), ('synth-dense', 'SODA_c'), ('synth-highlights', 'HL-mAP')])
def test_synthetic_time_benchmarks_predict_time_aware_and_evaluate(setup, tmp_path, benchmark, headline):
    result = run_cli('predict', '--benchmark', benchmark, '--model', setup/'tiny', '--annotations', setup/'world', '--out', tmp_path,
                     '--frames', 3, '--batch-size', 4, '--max-new-tokens', 8, '--timestamps')
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_jsonl(tmp_path/f'{benchmark}.jsonl')
    assert records and all('prediction' in r for r in records)
    assert json.loads((tmp_path/f'{benchmark}.settings.json').read_text())['timestamps'] is True  # recorded: a rerun without it is refused
    again = run_cli('predict', '--benchmark', benchmark, '--model', setup/'tiny', '--annotations', setup/'world', '--out', tmp_path,
                    '--frames', 3, '--batch-size', 4, '--max-new-tokens', 8)
    assert again.returncode == 2 and "other settings {'timestamps': (True, None)}" in again.stderr, again.stderr[-1000:]
    evaluated = run_cli('evaluate', tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    report = json.loads((tmp_path/'eval'/f'{benchmark}.json').read_text())
    assert headline in report['scores'] and report['counts']['records'] == len(records)
    assert (tmp_path/'eval'/f'{benchmark}.timechat.json').is_file()  # TimeChat's result file of the same predictions

def grounding_results(annotations, seed=0):
    "A TimeChat grounding result file for every Charades-STA query: true spans moved, some swapped, some empty, some beyond the video."
    rng, results = random.Random(seed), {}
    for a in annotations:
        start, end = a['timestamp']
        roll = rng.random()
        spans = ([] if roll < 0.1 else [[round(end + rng.uniform(-2, 2), 1), round(start + rng.uniform(-2, 2), 1)]] if roll < 0.15
                 else [[round(start + rng.uniform(-4, 4), 1), round(end + rng.uniform(-4, 4), 1)], [0.0, 5.0]])
        results[str(a['id'])] = {'timestamp': spans, 'query': a['caption'], 'vid': a['image_id']}
    return results

def highlight_results(lines, seed=0):
    "A TimeChat highlight result file for 9 queries in 10: noisy saliency per 2-second clip, moved windows with scores."
    rng, results = random.Random(seed), []
    for line in lines:
        if rng.random() < 0.1: continue
        saliency = [round(rng.random(), 2) for _ in range(int(line['duration'] / 2))]
        for clip, scores in zip(line['relevant_clip_ids'], line['saliency_scores']): saliency[clip] = round(sum(scores) / 3 + rng.uniform(-1.5, 1.5), 2)
        windows = [[max(0, s + rng.randint(-6, 6)), e + rng.randint(-6, 6), round(rng.random(), 3)] for s, e in line['relevant_windows']]
        windows.append([rng.randint(0, 100), rng.randint(100, 150), round(rng.random(), 3)])
        results.append({'qid': line['qid'], 'query': line['query'], 'vid': line['vid'], 'pred_saliency_scores': saliency, 'pred_relevant_windows': windows})
    return results

def dense_results(annotations, seed=0, n_videos=40):
    "A TimeChat dense-captioning result file for the first videos: true segments moved, captions reworded, one event made up."
    rng, results = random.Random(seed), {}
    for a in annotations[:n_videos]:
        segments, captions = a['segments'], a['pure_cap'].split('. ')
        events = [{'timestamp': [s + rng.randint(-5, 5), e + rng.randint(-5, 5)], 'caption': ' '.join(c.split()[::-1] if rng.random() < 0.3 else c.split())}
                  for (s, e), c in zip(segments, captions) if rng.random() < 0.8]
        results[a['image_id']] = events + [{'timestamp': [0, 10], 'caption': 'a person talks to the camera.'}]
    return results

# what TimeChat's scripts print for these files (metrics/tvg/eval_tvg.py, metrics/vhd/eval_vhd.py, metrics/dvc/eval_dvc.py), run unchanged
TIMECHAT_PRINTS = {
    'charades-sta': {"R@1 IoU=0.3": 74.35483870967742, "R@1 IoU=0.5": 57.553763440860216, "R@1 IoU=0.7": 25.349462365591396},
    'qvhighlights': {"brief/MR-full-R1@0.5": 86.34, "brief/MR-full-R1@0.7": 65.25, "brief/MR-full-mAP": 40.9, "brief/MR-full-mAP@0.5": 66.3, "brief/MR-full-mAP@0.75": 41.58, "brief/MR-long-mAP": 60.1, "brief/MR-middle-mAP": 35.21, "brief/MR-short-mAP": 7.24, "brief/HL-min-Fair-mAP": 93.72, "brief/HL-min-Fair-Hit1": 100.0, "brief/HL-min-Good-mAP": 81.59, "brief/HL-min-Good-Hit1": 99.58, "brief/HL-min-VeryGood-mAP": 51.74, "brief/HL-min-VeryGood-Hit1": 90.09},
    'youcook2': {"Para_CIDER": 273.0, "Para_METEOR": 39.1, "CIDER": 34.0, "METEOR": 3.9, "F1_Score": 4.3, "SODA_c": 3.7, "Precision@0.5": 6.0, "Recall@0.5": 5.6, "Precision_Mean": 4.5, "Recall_Mean": 4.2}}

@needs_annotations
@pytest.mark.parametrize('benchmark,annotation,make', [('charades-sta', 'Charades-STA-test.json', lambda: grounding_results(json.loads((TIMECHAT/'Charades-STA-test.json').read_text())['annotations'])),
                                                      ('qvhighlights', 'QVHighlights-val.jsonl', lambda: highlight_results(read_jsonl(TIMECHAT/'QVHighlights-val.jsonl'))),
                                                      ('youcook2', 'YouCook2-val.json', lambda: dense_results(json.loads((TIMECHAT/'YouCook2-val.json').read_text())['annotations']))])
def test_timechat_result_files_score_as_timechat_scores_them(tmp_path, benchmark, annotation, make):
    result_file = tmp_path/'any name.json'
    result_file.write_text(json.dumps(make()))
    result = run_cli('evaluate', result_file, '--benchmark', benchmark, '--annotations', ANNOTATIONS, '--out', tmp_path/'eval')
    assert result.returncode == 0, result.stderr[-2000:]
    numbers = json.loads((tmp_path/'eval'/f'{benchmark}.json').read_text())['timechat']
    for key, printed in TIMECHAT_PRINTS[benchmark].items():
        value = numbers
        for part in key.split('/'): value = value[part]
        if benchmark == 'youcook2': value = round(value * 100, 1)  # eval_dvc.py prints ×100, one decimal
        assert value == printed, (key, value, printed)
    assert TIMECHAT_PRINTS[benchmark]

def test_a_timechat_file_needs_its_benchmark_and_annotations(tmp_path):
    result_file = tmp_path/'results.json'
    result_file.write_text('{}')
    result = run_cli('evaluate', result_file)
    assert result.returncode == 2 and 'a .json file is read as a TimeChat result file' in result.stderr, result.stderr[-1000:]
