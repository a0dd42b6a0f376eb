"""The machine's measured peak for `fr-bench bench`: float32 GEMM (torch.mm → OpenBLAS sgemm on
Debian's torch) and, for reference, a oneDNN 3x3 convolution, in GFLOP/s, best of several calls.

    /usr/bin/python3 packages/bench/python/peak.py --threads 2
"""
import argparse
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import fr_bench_common as common  # noqa: E402


def best_gflops(fn, flop, reps, torch, device):
    fn()
    common.sync(torch, device)
    best = float("inf")
    for _ in range(reps):
        common.sync(torch, device)
        t0 = time.perf_counter()
        fn()
        common.sync(torch, device)
        best = min(best, time.perf_counter() - t0)
    return flop / best / 1e9


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--size", type=int, default=1024, help="sgemm n (n x n times n x n)")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--no-conv", action="store_true")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--cuda-check", action="store_true", help="only print whether torch.cuda.is_available()")
    args = p.parse_args(argv)
    threads = common.set_threads(args.threads)
    torch = common.init_torch(threads, 0)
    if args.cuda_check:
        import json
        print(json.dumps({"cuda": bool(torch.cuda.is_available())}))
        return
    dev = torch.device(args.device)
    n = args.size
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    out = {"sgemm": {"n": n, "gflops": best_gflops(lambda: torch.mm(a, b), 2 * n ** 3, args.reps, torch, args.device)},
           **common.torch_facts(torch, threads, args.device)}
    if not args.no_conv:
        x = torch.randn(32, 64, 56, 56, device=dev)
        w = torch.randn(64, 64, 3, 3, device=dev)
        flop = 2 * 32 * 56 * 56 * 64 * 64 * 9
        with torch.no_grad():
            gf = best_gflops(lambda: torch.nn.functional.conv2d(x, w, padding=1), flop, max(3, args.reps // 3), torch, args.device)
        out["conv3x3"] = {"shape": "[32,64,56,56] 64->64", "gflops": gf}
    if args.json:
        import json
        print(json.dumps(out))
        return
    print(f"torch {torch.__version__} {args.device} {threads} thread(s): sgemm {n}: {out['sgemm']['gflops']:.1f} GFLOP/s"
          + (f", conv3x3 64->64 fwd: {out['conv3x3']['gflops']:.1f} GFLOP/s" if "conv3x3" in out else ""))


if __name__ == "__main__":
    main()
