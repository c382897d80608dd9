"`tarsier-nb train` through the installed command: the loss falls, the final checkpoint round-trips, a rerun resumes."
import json, signal, subprocess, sys
import torch, yaml
from safetensors.torch import load_file
from conftest import run_cli, ROOT
from tarsier_nb.model import tiny_tarsier
from tarsier_nb.tarsier2 import tiny_tarsier2
from tarsier_nb.inference import load
from tarsier_nb.synth import generate_world

KILL_MID_CHECKPOINT = """
import os, signal, sys
from transformers import Trainer
from tarsier_nb.cli import main
write_optimizer = Trainer._save_optimizer_and_scheduler
def killed_at_step_24(self, output_dir):
    if self.state.global_step == 24: os.kill(os.getpid(), signal.SIGKILL)  # after the weights, before the optimizer state
    return write_optimizer(self, output_dir)
Trainer._save_optimizer_and_scheduler = killed_at_step_24
main(sys.argv[1:])
"""

def test_train_then_resume_then_load(tmp_path):
    world = generate_world(tmp_path/'world', n=8, seed=1, format='frames', progress=False)
    mixture = tmp_path/'mixture.yaml'
    mixture.write_text(yaml.safe_dump([{'name': 'mc', 'path': str(world/'mc_qa.jsonl'), 'task': 'mc_qa', 'weight': 1.0, 'frames': [2, 2]},
                                       {'name': 'caption', 'path': str(world/'caption.jsonl'), 'task': 'caption', 'weight': 1.0, 'frames': [2, 2]}]))
    tiny_tarsier(tmp_path/'tiny')
    def train_args(output_dir):
        overrides = [f'model={tmp_path/"tiny"}', f'output_dir={output_dir}', f'mixture={mixture}', 'max_steps=24',
                     'save_steps=12', 'eval_steps=100', 'logging_steps=1', 'per_device_batch_size=2']
        return ['train', ROOT/'configs'/'train'/'tiny_stage1.yaml', *[x for o in overrides for x in ('--override', o)]]
    first = run_cli(*train_args(tmp_path/'run'))
    assert first.returncode == 0, first.stderr[-2000:]
    losses = [e['loss'] for e in json.loads((tmp_path/'run'/'log_history.json').read_text()) if 'loss' in e]
    assert sum(losses[-5:])/5 < sum(losses[:5])/5  # it learns
    model, processor = load(tmp_path/'run'/'final')  # official layout, strict: no missing or unexpected keys
    assert type(model).__name__ == 'TarsierForConditionalGeneration'
    # a run killed with SIGKILL while it writes its step-24 checkpoint (the weights written, the optimizer state not),
    # started again with the same command: it passes over the cut checkpoint, goes on from checkpoint-12 and ends with,
    # bit for bit, the weights of the run that was never stopped
    killer = tmp_path/'killed_mid_checkpoint.py'
    killer.write_text(KILL_MID_CHECKPOINT)
    killed = subprocess.run([sys.executable, killer, *map(str, train_args(tmp_path/'killed'))], capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
    cut = tmp_path/'killed'/'checkpoint-24'
    assert (cut/'model.safetensors').is_file() and not (cut/'optimizer.pt').exists() and not (cut/'trainer_state.json').exists()
    resumed = run_cli(*train_args(tmp_path/'killed'))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert 'passing over checkpoint-24' in resumed.stderr and f"resuming from {tmp_path/'killed'/'checkpoint-12'}" in resumed.stderr, resumed.stderr[-2000:]
    state = json.loads((tmp_path/'killed'/'checkpoint-24'/'trainer_state.json').read_text())
    assert state['global_step'] == 24 and [e['step'] for e in state['log_history'] if 'loss' in e] == list(range(1, 25))
    whole, again = load_file(tmp_path/'run'/'final'/'model.safetensors'), load_file(tmp_path/'killed'/'final'/'model.safetensors')
    assert whole.keys() == again.keys() and all(torch.equal(whole[k], again[k]) for k in whole)

def test_tarsier2_trains_from_and_into_its_release_layout(tmp_path):
    world = generate_world(tmp_path/'world', n=8, seed=1, format='frames', progress=False)
    mixture = tmp_path/'mixture.yaml'
    mixture.write_text(yaml.safe_dump([{'name': 'mc', 'path': str(world/'mc_qa.jsonl'), 'task': 'mc_qa', 'weight': 1.0, 'frames': [2, 4]}]))
    tiny_tarsier2(tmp_path/'tiny2')
    overrides = [f'model={tmp_path/"tiny2"}', f'output_dir={tmp_path/"run"}', f'mixture={mixture}', 'max_steps=8', 'save_steps=4',
                 'eval_steps=100', 'per_device_batch_size=2', 'lora={r: 4, alpha: 8, dropout: 0.0, target_modules: [q_proj, v_proj]}']
    result = run_cli('train', ROOT/'configs'/'train'/'tiny_stage2.yaml', *[x for o in overrides for x in ('--override', o)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((tmp_path/'run'/'final'/'config.json').read_text())['model_type'] == 'llava'
    model, processor = load(tmp_path/'run'/'final')
    assert type(model).__name__ == 'Tarsier2ForConditionalGeneration'

def test_proof_command_end_to_end(tmp_path):
    "`tarsier-nb proof` at toy size: both stages, LoRA, scoring with and without frames, for one seed: the results and the curves."
    results = tmp_path/'results'/'proof.json'
    done = run_cli('proof', tmp_path/'proof', '--steps', '20', '--lora-steps', '6', '--train-clips', '12',
                   '--held-out-clips', '4', '--seeds', '3', '--results', results)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'mc_accuracy' in done.stdout and 'learning_curves.png' in done.stdout
    summary, seed = json.loads(results.read_text()), json.loads((results.parent/'proof_seed3.json').read_text())
    for key in ('mc_accuracy', 'event_recall', 'blank_mc_accuracy', 'blank_event_recall', 'train_minutes', 'lora_loss_drop'):
        assert summary['mean'][key] == seed[key], key
    assert summary['seeds'] == [3] and seed['seed'] == 3 and seed['steps'] == dict(stage1=10, stage2=10, lora=6)
    assert summary['command'].startswith('tarsier-nb proof ') and '--seeds 3' in seed['command'] and seed['clips'] == 4
    assert results.with_suffix('.png').stat().st_size > 0 and (tmp_path/'proof'/'learning_curves.png').is_file()
    assert summary == json.loads((tmp_path/'proof'/'training_proof.json').read_text())
    assert seed == json.loads((tmp_path/'proof'/'seed3'/'training_proof.json').read_text())
