"`tarsier-nb run` through the installed command: each experiment notebook executes headless with papermill into its run folder."
import json
from conftest import run_cli, needs_annotations
from tarsier_nb.records import read_jsonl

def executed_outputs(notebook):
    "Every stream output of an executed notebook, joined."
    cells = json.loads(notebook.read_text())['cells']
    return ''.join(''.join(o.get('text', '')) for c in cells for o in c.get('outputs', []) if o.get('output_type') == 'stream')

def test_train_stage1_then_stage2(tmp_path):
    "The training notebook: stage 1 from the tiny random model, then stage 2 from stage 1, in one run folder."
    first = run_cli('run', 'train', '--runs', tmp_path, '-p', 'clips', '8', '-p', 'max_steps', '6')
    assert first.returncode == 0, first.stderr[-2000:]
    assert (tmp_path/'train'/'stage1'/'final'/'config.json').is_file()
    again = run_cli('run', 'train', '--runs', tmp_path, '-p', 'stage', '2')  # the name is taken: refused, stage 1 kept
    assert again.returncode == 2 and "holds a run with other parameters" in again.stderr and (tmp_path/'train'/'stage1'/'final').is_dir()
    second = run_cli('run', 'train', '--runs', tmp_path, '--name', 'train-stage2', '-p', 'stage', '2',
                     '-p', 'stage1_model', tmp_path/'train'/'stage1'/'final', '-p', 'clips', '8', '-p', 'max_steps', '6')
    assert second.returncode == 0, second.stderr[-2000:]
    assert str(tmp_path/'train'/'stage1'/'final') in (tmp_path/'train-stage2'/'train_stage2.yaml').read_text()
    assert 'final checkpoint' in executed_outputs(tmp_path/'train-stage2'/'train.ipynb')

def test_predict_then_autodq(tmp_path):
    "Benchmark inference and scoring on a small synthetic world, then AutoDQ of its descriptions with the lexical judge."
    done = run_cli('run', 'predict', '--runs', tmp_path, '-p', 'limit', '3', '-p', 'max_new_tokens', '12')
    assert done.returncode == 0, done.stderr[-2000:]
    predictions = tmp_path/'predict'/'predictions'
    assert {p.name for p in predictions.glob('*.jsonl')} == {'synth-dream.jsonl', 'synth-mc.jsonl', 'synth-oe.jsonl', 'synth-caption.jsonl'}
    assert (tmp_path/'predict'/'eval'/'synth-mc.json').is_file() and (tmp_path/'predict'/'eval'/'summary.md').is_file()
    assert 'open-ended QA needs a judge' in executed_outputs(tmp_path/'predict'/'predict.ipynb')
    scored = run_cli('run', 'autodq', '--runs', tmp_path, '-p', 'predictions', predictions/'synth-dream.jsonl')
    assert scored.returncode == 0, scored.stderr[-2000:]
    report = json.loads((tmp_path/'autodq'/'autodq'/'autodq.json').read_text())
    predicted = read_jsonl(predictions/'synth-dream.jsonl')
    assert (report['overall']['count'], report['failed']) == (len(predicted), []), report
    assert set(report['by_source']) == {r['dataset'] for r in predicted} and 0 <= report['overall']['f1'] <= 1

def test_failed_run_keeps_its_notebook(tmp_path):
    done = run_cli('run', 'autodq', '--runs', tmp_path, '-p', 'predictions', tmp_path/'missing.jsonl')
    assert done.returncode == 1
    assert 'missing.jsonl' in done.stderr and 'autodq.ipynb' in done.stderr, done.stderr[-1000:]
    assert (tmp_path/'autodq'/'autodq.ipynb').is_file()

@needs_annotations
def test_figures_into_a_folder(tmp_path):
    done = run_cli('run', 'figures', '--runs', tmp_path, '-p', 'figures_dir', tmp_path/'figures')
    assert done.returncode == 0, done.stderr[-2000:]
    assert {'dream1k_statistics.csv', 'dream1k_results.png', 'benchmark_results.png'} <= {p.name for p in (tmp_path/'figures').iterdir()}

def test_relative_paths_are_the_callers(tmp_path):
    "A relative path given with -p is read where the command runs, not in the run folder the notebook runs in."
    from tarsier_nb.synth import make_scene, write_clip
    write_clip(make_scene(3, world='simple'), tmp_path/'mine.mp4')
    done = run_cli('run', 'quick_start', '-p', 'video', 'mine.mp4', '-p', 'max_new_tokens', '4',
                   '-p', 'prompt', 'Who moves: the star? #1', cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads((tmp_path/'runs'/'quick_start'/'answer.json').read_text())
    assert answer['video'] == str(tmp_path/'mine.mp4') and answer['prompt'] == 'Who moves: the star? #1', answer
    assert json.loads((tmp_path/'runs'/'quick_start'/'parameters.json').read_text())['command'].startswith("tarsier-nb run quick_start")
