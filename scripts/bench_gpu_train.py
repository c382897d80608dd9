"""Tarsier-7B-shaped training and generation on one GPU, with random weights (no download needed).

Measures, side by side in one run on the same card: a stage-2 training step (vision tower frozen, bf16, SDPA,
activation checkpointing) with the projector and the whole LLM training (AdamW) against LoRA on the LLM, as step
time and peak memory; greedy generation throughput at batch 1 and batch 8; and the project's own `train` on the
tiny model in bf16 on the GPU (loss falls, the final checkpoint loads). Prints a table and writes JSON.

    python scripts/bench_gpu_train.py --out gpu_bench.json          # needs CUDA
    python scripts/bench_gpu_train.py --small --device cpu          # the same code on toy sizes, to check it runs
"""
import argparse, json, tempfile, time
from pathlib import Path

import torch

from tarsier_nb.model import TarsierConfig, TarsierForConditionalGeneration, tiny_tarsier
from tarsier_nb.inference import load
from tarsier_nb.processor import tokens_per_frame

SEVEN_B = dict(vision=dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                           image_size=336, patch_size=14, projection_dim=768),
               text=dict(model_type='llama', hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                         num_attention_heads=32, num_key_value_heads=32, vocab_size=32064, max_position_embeddings=8192))
SMALL = dict(vision=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                         image_size=56, patch_size=14, projection_dim=64),
             text=dict(model_type='llama', hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=4, vocab_size=32064, max_position_embeddings=8192))


def build(shape, device, dtype):
    "A randomly initialised Tarsier of the given shape, built on `device`."
    config = TarsierConfig(vision_config=shape['vision'], text_config=shape['text'], vocab_size=32064, pad_token_id=32001,
                           image_token_index=32000, image_newline_idx=32002, image_new_idx=32003)
    with torch.device(device):
        model = TarsierForConditionalGeneration._from_config(config, attn_implementation='sdpa', dtype=dtype)
    return model


def batch(model, n_frames, batch_size, text_tokens, answer_tokens, device, dtype):
    "Inputs like the processor's: `n_frames` frames' worth of image tokens, a prompt and an answer with labels."
    vision = model.config.vision_config
    per_frame = tokens_per_frame(vision.image_size, vision.patch_size)
    prompt = torch.randint(100, 30000, (batch_size, text_tokens))
    answer = torch.randint(100, 30000, (batch_size, answer_tokens))
    images = torch.full((batch_size, n_frames * per_frame), model.config.image_token_index)
    input_ids = torch.cat([prompt[:, :4], images, prompt[:, 4:], answer], 1).to(device)
    labels = torch.full_like(input_ids, -100); labels[:, -answer_tokens:] = input_ids[:, -answer_tokens:]
    pixel_values = torch.randn(batch_size * n_frames, 3, vision.image_size, vision.image_size, device=device, dtype=dtype)
    return dict(input_ids=input_ids, labels=labels, attention_mask=torch.ones_like(input_ids), pixel_values=pixel_values)


def sync(device):
    if device == 'cuda': torch.cuda.synchronize()


def train_steps(model, inputs, device, steps=3):
    "Seconds per optimizer step (after one warm-up step) and peak memory in GiB."
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-5, fused=device == 'cuda')
    model.train()
    if device == 'cuda': torch.cuda.reset_peak_memory_stats()
    times = []
    for step in range(steps + 1):
        sync(device); start = time.perf_counter()
        loss = model(**inputs).loss
        loss.backward(); optimizer.step(); optimizer.zero_grad(set_to_none=True)
        sync(device); times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == 'cuda' else float('nan')
    del optimizer
    return dict(step_s=round(sum(times[1:]) / steps, 3), peak_gib=round(peak, 1), loss=round(loss.item(), 3),
                trainable_b=round(sum(p.numel() for p in params) / 1e9, 3))


def generation(model, inputs, device, new_tokens=64):
    "Greedy generation: new tokens per second at this batch size."
    model.eval()
    prompt = {k: v for k, v in inputs.items() if k != 'labels'}
    with torch.no_grad():
        model.generate(**prompt, max_new_tokens=4, min_new_tokens=4, do_sample=False, use_cache=True)  # warm-up
        sync(device); start = time.perf_counter()
        out = model.generate(**prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False, use_cache=True)
        sync(device); seconds = time.perf_counter() - start
    made = (out.shape[1] - prompt['input_ids'].shape[1]) * out.shape[0]
    return dict(batch=out.shape[0], new_tokens=made, seconds=round(seconds, 2), tokens_per_s=round(made / seconds, 1))


def tiny_train(device):
    "The project's `train` on the tiny model in bf16 on `device`: the loss falls and `final` loads."
    from tarsier_nb.synth import generate_world
    from tarsier_nb.train import TrainConfig, train
    work = Path(tempfile.mkdtemp())
    world = generate_world(work/'world', n=16, seed=0, format='frames', progress=False, world='simple')
    (work/'mix.yaml').write_text(f"- {{name: d, path: {world/'dream.jsonl'}, task: description, weight: 1, frames: [4, 4]}}\n")
    config = TrainConfig(model=str(tiny_tarsier(work/'tiny')), output_dir=str(work/'run'), mixture=str(work/'mix.yaml'),
                         freeze_vision=False, precision='bf16' if device == 'cuda' else 'fp32', attn_implementation='sdpa',
                         learning_rate=3e-3, max_steps=40, per_device_batch_size=8, logging_steps=1, save_steps=1000,
                         gradient_checkpointing=True)
    final = train(config)
    losses = [h['loss'] for h in json.loads((work/'run/log_history.json').read_text()) if 'loss' in h]
    loaded, _ = load(final, device=device)
    return dict(first_loss=round(losses[0], 3), last_loss=round(sum(losses[-5:]) / 5, 3), final_dtype=str(loaded.dtype),
                final_device=str(loaded.device))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cuda')
    parser.add_argument('--small', action='store_true', help='toy sizes: check that the script runs')
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--out', default=None, help='write the results here as JSON')
    args = parser.parse_args()
    if args.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit('no CUDA device: use --device cpu --small')
    dtype = torch.bfloat16 if args.device == 'cuda' else torch.float32
    shape = SMALL if args.small else SEVEN_B
    results = dict(device=torch.cuda.get_device_name() if args.device == 'cuda' else 'cpu', torch=torch.__version__,
                   shape='small' if args.small else 'Tarsier-7B (CLIP ViT-L/14-336 + LLaMA-7B)', frames=args.frames)
    model = build(shape, args.device, dtype)
    model.vision_tower.requires_grad_(False)
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={'use_reentrant': False})
    inputs = batch(model, args.frames, 1, 128, 256, args.device, dtype)
    results['sequence_tokens'] = inputs['input_ids'].shape[1]
    results['full_finetune'] = train_steps(model, inputs, args.device)
    print('full fine-tuning (projector + LLM):', results['full_finetune'], flush=True)
    model.zero_grad(set_to_none=True)
    if args.device == 'cuda': torch.cuda.empty_cache()
    from peft import LoraConfig, get_peft_model
    lora = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=r'language_model\..*\.(q_proj|k_proj|v_proj|o_proj)',
                                            modules_to_save=['multi_modal_projector']))
    results['lora'] = train_steps(lora, inputs, args.device)
    print('LoRA r=16 on q/k/v/o (+ projector):', results['lora'], flush=True)
    model = lora.unload()
    model.gradient_checkpointing_disable()  # generation wants its KV cache, which checkpointing turns off
    if args.device == 'cuda': torch.cuda.empty_cache()
    for batch_size in (1, 8):
        results[f'generate_batch{batch_size}'] = generation(model, batch(model, args.frames, batch_size, 128, 1, args.device, dtype), args.device)
        print(f'generation, batch {batch_size}:', results[f'generate_batch{batch_size}'], flush=True)
    del model
    if args.device == 'cuda': torch.cuda.empty_cache()
    results['tiny_train'] = tiny_train(args.device)
    print('tarsier_nb.train on the tiny model:', results['tiny_train'], flush=True)
    full, adapters = results['full_finetune'], results['lora']
    print(f"\nLoRA against full fine-tuning: {full['peak_gib'] / adapters['peak_gib']:.2f}x less peak memory, "
          f"{full['step_s'] / adapters['step_s']:.2f}x the step speed")
    if args.out: Path(args.out).write_text(json.dumps(results, indent=1) + '\n')


if __name__ == '__main__': main()
