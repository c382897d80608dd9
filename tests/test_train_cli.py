"`tarsier-nb train` through the installed command: the loss falls, the final checkpoint round-trips, a rerun resumes."
import json
import yaml
from conftest import run_cli, ROOT
from tarsier_nb.model import tiny_tarsier, load
from tarsier_nb.synth import generate_world

def test_train_then_resume_then_load(tmp_path):
    world = generate_world(tmp_path/'world', n=8, seed=1, format='frames', progress=False)
    mixture = tmp_path/'mixture.yaml'
    mixture.write_text(yaml.safe_dump([{'name': 'mc', 'path': str(world/'mc_qa.jsonl'), 'task': 'mc_qa', 'weight': 1.0, 'frames': [2, 2]},
                                       {'name': 'caption', 'path': str(world/'caption.jsonl'), 'task': 'caption', 'weight': 1.0, 'frames': [2, 2]}]))
    tiny_tarsier(tmp_path/'tiny')
    overrides = [f'model={tmp_path/"tiny"}', f'output_dir={tmp_path/"run"}', f'mixture={mixture}', 'max_steps=24',
                 'save_steps=12', 'eval_steps=100', 'logging_steps=1', 'per_device_batch_size=2']
    args = ['train', ROOT/'configs'/'train'/'tiny_stage1.yaml', *[x for o in overrides for x in ('--override', o)]]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    losses = [e['loss'] for e in json.loads((tmp_path/'run'/'log_history.json').read_text()) if 'loss' in e]
    assert sum(losses[-5:])/5 < sum(losses[:5])/5  # it learns
    model, processor = load(tmp_path/'run'/'final')  # official layout, strict: no missing or unexpected keys
    assert type(model).__name__ == 'TarsierForConditionalGeneration'
    longer = run_cli(*args, '--override', 'max_steps=30')  # the same run, 6 steps longer: resumes from checkpoint-24
    assert longer.returncode == 0, longer.stderr[-2000:]
    assert 'checkpoint-24' in longer.stderr + longer.stdout
