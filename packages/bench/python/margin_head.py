"""PyTorch yardstick for `fr-bench bench --suite margin-head`: forward + backward of the margin head
alone — cosine of the embeddings to the class centres, ArcFace (exact th/mm, s 64, m 0.5),
cross-entropy — with the gradient w.r.t. the embeddings and the centres, no optimiser step.
`--sample-rate 1` is the full FC; below 1 it is insightface's Partial FC v2 (`PartialFC_V2.sample`:
the batch's classes plus uniformly drawn others, num_sample = int(rate * C), index sorted, labels
remapped; the sampled rows are gathered with index_select, so W's gradient is dense (C, d) with
only those rows non-zero).

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 packages/bench/python/margin_head.py --classes 100000 --sample-rate 0.1 --steps 10
"""
import argparse
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import fr_bench_common as common  # noqa: E402


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--classes", type=int, default=10000)
    p.add_argument("--dim", type=int, default=512)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--sample-rate", type=float, default=1.0, help="1 = full FC; <1 = Partial FC v2")
    common.add_common_args(p, default_steps=10, default_warmup=1)
    return common.parse_known(p, argv)


def build(args, torch):
    import torch.nn.functional as F

    device = torch.device(args.device)
    g = torch.Generator().manual_seed(args.seed)
    centres = (torch.randn(args.classes, args.dim, generator=g) * 0.01).to(device).requires_grad_()
    emb = torch.randn(args.batch, args.dim, generator=g).to(device).requires_grad_()
    labels = torch.randint(0, args.classes, (args.batch,), generator=g).to(device)
    num_sample = int(args.sample_rate * args.classes)
    partial = num_sample < args.classes

    def sample():
        with torch.no_grad():
            positive = torch.unique(labels, sorted=True)
            if num_sample - positive.size(0) >= 0:
                perm = torch.rand(size=[args.classes], device=device)
                perm[positive] = 2.0
                index = torch.topk(perm, k=num_sample)[1].sort()[0]
            else:
                index = positive
            return index, torch.searchsorted(index, labels)

    def step():
        emb.grad = None
        centres.grad = None
        if partial:
            index, targets = sample()
            weight = centres[index]
        else:
            weight, targets = centres, labels
        cosine = F.linear(F.normalize(emb), F.normalize(weight)).clamp(-1, 1)
        loss = F.cross_entropy(common.arcface_logits(torch, cosine, targets), targets)
        loss.backward()
        return loss.item()

    return step, num_sample


def main(argv=None):
    args = parse(argv)
    threads = common.set_threads(args.threads)
    torch = common.init_torch(threads, args.seed)
    step, num_sample = build(args, torch)
    config = {"classes": args.classes, "dim": args.dim, "batchSize": args.batch, "sampleRate": args.sample_rate}
    ready = {"config": config, "numSample": num_sample, **common.torch_facts(torch, threads, args.device)}
    result = common.warm_up_then_serve_or_time(step, args, torch, ready, args.batch)
    if result is None:
        return
    kind = "full FC" if num_sample >= args.classes else f"Partial FC {args.sample_rate} ({num_sample} centres)"
    print(f"margin head, {args.classes} classes x {args.dim}, batch {args.batch}, {kind}, "
          f"torch {torch.__version__} {args.device} {threads} thread(s)")
    print(f"{args.steps} steps after {args.warmup} warm-up: median {result['medianSeconds'] * 1000:.1f} ms/step")


if __name__ == "__main__":
    main()
