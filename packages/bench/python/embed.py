"""PyTorch yardstick for `fr-bench bench --suite embed`: embedding throughput, i.e. the backbone's
forward pass in evaluation mode under `torch.no_grad()` on a fixed random batch — the same network
as ours (`fr_torch_nets.build_backbone`) and, with `--weights`, the same weights (a .safetensors
written by @fr/interop, loaded with `load_state_dict(strict=True)`).

The ready message carries the embeddings of a probe batch whose pixels are integer arithmetic
(`probe_batch`), so `fr-bench` can check that torch, onnxruntime and @fr compute the same function
before comparing their speeds.

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 packages/bench/python/embed.py --net mobilefacenet --input-size 112 --batch 16 --steps 10
"""
import argparse
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import fr_bench_common as common  # noqa: E402

PROBE_IMAGES = 2


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--net", default="mobilefacenet")
    p.add_argument("--input-size", type=int, default=112)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--embedding", type=int, default=512)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--weights", help=".safetensors state dict to load (strict)")
    common.add_common_args(p, default_steps=10, default_warmup=1)
    return common.parse_known(p, argv)


def probe_batch(torch, size):
    """NCHW pixels (i·7919 mod 255)/127.5 − 1 over the flat index: exact in any language."""
    n = PROBE_IMAGES * 3 * size * size
    index = torch.arange(n, dtype=torch.int64)
    return ((index * 7919) % 255).to(torch.float32).div(127.5).sub(1).reshape(PROBE_IMAGES, 3, size, size)


def main(argv=None):
    args = parse(argv)
    threads = common.set_threads(args.threads)
    torch = common.init_torch(threads, args.seed)
    from fr_torch_nets import build_backbone, load_safetensors

    model = build_backbone(args.net, args.input_size, args.width, args.embedding).to(args.device)
    if args.weights:
        model.load_state_dict(load_safetensors(args.weights), strict=True)
    model.eval()
    x = torch.rand(args.batch, 3, args.input_size, args.input_size).mul(2).sub(1).to(args.device)
    with torch.no_grad():
        probe = model(probe_batch(torch, args.input_size).to(args.device))[0].cpu()

    def step():
        with torch.no_grad():
            return model(x)[0]

    config = {"net": args.net, "inputSize": args.input_size, "widthMultiplier": args.width, "embeddingSize": args.embedding, "batchSize": args.batch}
    ready = {"config": config, "probe": probe.flatten().tolist(), "weights": bool(args.weights), **common.torch_facts(torch, threads, args.device)}
    result = common.warm_up_then_serve_or_time(step, args, torch, ready, args.batch)
    if result is None:
        return
    print(f"{args.net} forward (eval, no_grad), {args.input_size}x{args.input_size}, batch {args.batch}, "
          f"torch {torch.__version__} {args.device} {threads} thread(s)")
    print(f"{args.steps} steps after {args.warmup} warm-up: median {result['medianSeconds'] * 1000:.1f} ms/batch, "
          f"{result['itemsPerSecond']:.1f} img/s")


if __name__ == "__main__":
    main()
