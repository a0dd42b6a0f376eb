"""PyTorch yardstick for `fr-bench bench --suite train-step`: the training step of a backbone +
full FC + ArcFace (exact th/mm, s 64, m 0.5) + cross-entropy + SGD (lr 0.1, momentum 0.9, weight
decay 5e-4, backbone gradient clipped at norm 5) — what @fr's trainer does in `trainStep` — on a
fixed random batch, in images per second.

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 packages/bench/python/train_step.py --net mobilefacenet --steps 10

The defaults per --net are the benchmark's (train-step.ts NET_DEFAULTS); the script prints the
configuration it ran so the two sides can be compared. See README.md in this folder.
"""
import argparse
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import fr_bench_common as common  # noqa: E402

# Keep in sync with packages/bench/src/benchmarks/train-step.ts (NET_DEFAULTS): the benchmark
# checks that the configuration this script reports equals its own.
NET_DEFAULTS = {
    "iresnet18": {"input_size": 56, "width": 0.25, "embedding": 512, "batch": 64},
    "mobilefacenet": {"input_size": 56, "width": 1.0, "embedding": 512, "batch": 32},
    "iresnet50": {"input_size": 112, "width": 1.0, "embedding": 512, "batch": 128},
}
DEFAULT_CLASSES = 1000


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--net", required=True, choices=sorted(NET_DEFAULTS) + ["iresnet34", "iresnet100"])
    p.add_argument("--input-size", type=int, default=None)
    p.add_argument("--width", type=float, default=None, help="width multiplier")
    p.add_argument("--embedding", type=int, default=None)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--classes", type=int, default=DEFAULT_CLASSES)
    common.add_common_args(p, default_steps=10, default_warmup=1)
    args = common.parse_known(p, argv)
    base = NET_DEFAULTS.get(args.net, NET_DEFAULTS["iresnet50"])
    for key in ("input_size", "width", "embedding", "batch"):
        if getattr(args, key) is None:
            setattr(args, key, base[key])
    return args


def build(args, torch):
    import torch.nn.functional as F
    from fr_torch_nets import build_backbone, forward_macs

    device = torch.device(args.device)
    model = build_backbone(args.net, args.input_size, args.width, args.embedding)
    macs = forward_macs(model, args.input_size)
    model = model.to(device).train()
    centres = torch.nn.Parameter(torch.randn(args.classes, args.embedding, device=device) * 0.01)
    backbone_params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD([*backbone_params, centres], lr=0.1, momentum=0.9, weight_decay=5e-4)
    g = torch.Generator().manual_seed(args.seed)
    x = (torch.rand(args.batch, 3, args.input_size, args.input_size, generator=g) * 2 - 1).to(device)
    y = torch.randint(0, args.classes, (args.batch,), generator=g).to(device)

    def step():
        opt.zero_grad(set_to_none=True)
        emb, _ = model(x)
        cosine = F.linear(F.normalize(emb), F.normalize(centres)).clamp(-1, 1)
        loss = F.cross_entropy(common.arcface_logits(torch, cosine, y), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(backbone_params, 5.0)
        opt.step()
        return loss.item()

    params = sum(p.numel() for p in model.parameters())
    return step, macs, params


def main(argv=None):
    args = parse(argv)
    threads = common.set_threads(args.threads)
    torch = common.init_torch(threads, args.seed)
    step, macs, params = build(args, torch)
    config = {"net": args.net, "inputSize": args.input_size, "widthMultiplier": args.width,
              "embeddingSize": args.embedding, "batchSize": args.batch, "classes": args.classes}
    ready = {"config": config, "forwardMacsPerImage": macs, "backboneParameters": params,
             **common.torch_facts(torch, threads, args.device)}
    result = common.warm_up_then_serve_or_time(step, args, torch, ready, args.batch)
    if result is None:
        return
    print(f"{args.net} {args.input_size}x{args.input_size} width {args.width} batch {args.batch}, "
          f"{args.classes} classes, torch {torch.__version__} {args.device} {threads} thread(s)")
    print(f"{args.steps} steps after {args.warmup} warm-up: median {result['medianSeconds']:.3f} s/step, "
          f"{result['itemsPerSecond']:.1f} images/s; forward {macs / 1e6:.1f} MMAC/image")


if __name__ == "__main__":
    main()
