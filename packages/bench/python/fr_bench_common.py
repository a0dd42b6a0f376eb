"""Shared plumbing of the PyTorch yardstick scripts (train_step.py, margin_head.py, peak.py).

Threads: OpenBLAS reads OPENBLAS_NUM_THREADS when the library is loaded (it ignores
torch.set_num_threads), so `set_threads` must run before `import torch`: the scripts parse their
arguments first, then call it, then import torch. OMP_NUM_THREADS is set to the same count, and
OMP_WAIT_POLICY to PASSIVE unless it is set already: on a machine shared with other jobs, OpenMP
threads that spin at barriers (the default) made 2-thread torch steps up to 5x slower than 1 thread
here; on an idle machine PASSIVE costs a few per cent at most. Export OMP_WAIT_POLICY=ACTIVE to
measure the default.

Serve mode (`--serve`, used by `fr-bench bench` to alternate its own measurements with torch's in
one run without paying torch's start-up each time): the script builds everything once, prints
`{"ready": {...}}` as one JSON line, then answers one JSON line per command read from stdin:
`{"cmd": "run", "steps": N}` → `{"times": [seconds per step…]}`; `{"cmd": "profile", "steps": N}` →
`{"ops": [{"name", "calls", "ms"}…], "stepMs": …}` (torch.profiler's self CPU time per op, per step, over
N steps); `{"cmd": "quit"}` (or EOF) ends.
"""
import json
import math
import os
import statistics
import sys
import time


def add_common_args(parser, default_steps=10, default_warmup=1):
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads for torch and OpenBLAS (default: $OPENBLAS_NUM_THREADS, else 2)")
    parser.add_argument("--steps", type=int, default=default_steps, help="timed steps (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=default_warmup, help="untimed steps first")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="cuda needs a CUDA build of torch")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the text summary")
    parser.add_argument("--serve", action="store_true", help="answer run commands on stdin (see fr_bench_common.py)")
    parser.add_argument("--seed", type=int, default=0)


def parse_known(parser, argv=None):
    """Parses the script's arguments; the TypeScript side's own flags (--suite, --only,
    --backend …) may be passed along unchanged: they are noted on stderr and ignored."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print(f"note: ignoring {' '.join(unknown)}", file=sys.stderr)
    return args


def set_threads(requested):
    """Sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before torch is imported; returns the count."""
    env = os.environ.get("OPENBLAS_NUM_THREADS")
    threads = requested if requested is not None else int(env) if env else 2
    if env and int(env) != threads:
        print(f"note: OPENBLAS_NUM_THREADS={env} overridden by --threads {threads}", file=sys.stderr)
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return threads


def init_torch(threads, seed):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return torch


def sync(torch, device):
    if device == "cuda":
        torch.cuda.synchronize()


def time_steps(step, n, torch, device):
    """Wall seconds of each of `n` calls of `step()` (synchronised on CUDA)."""
    times = []
    for _ in range(n):
        sync(torch, device)
        t0 = time.perf_counter()
        step()
        sync(torch, device)
        times.append(time.perf_counter() - t0)
    return times


def profile_steps(step, n, torch):
    """torch.profiler over `n` steps: every op's self CPU time (ms per step) and calls per step,
    largest first, and the wall time of a step."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        wall = time.perf_counter() - t0
    ops = [{"name": e.key, "calls": e.count / n, "ms": e.self_cpu_time_total / 1000 / n}
           for e in prof.key_averages() if e.self_cpu_time_total > 0]
    ops.sort(key=lambda o: -o["ms"])
    return {"ops": ops, "stepMs": 1000 * wall / n}


def serve(step, torch, device, ready):
    """The stdin/stdout command loop of `--serve`."""
    print(json.dumps({"ready": ready}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        if cmd.get("cmd") == "quit":
            break
        if cmd.get("cmd") == "run":
            times = time_steps(step, int(cmd.get("steps", 1)), torch, device)
            print(json.dumps({"times": times}), flush=True)
        elif cmd.get("cmd") == "profile":
            print(json.dumps(profile_steps(step, int(cmd.get("steps", 1)), torch)), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {cmd!r}"}), flush=True)


def peak_rss_bytes():
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def summarise(times, per_step_items):
    med = statistics.median(times)
    return {
        "times": times,
        "medianSeconds": med,
        "meanSeconds": sum(times) / len(times),
        "itemsPerSecond": per_step_items / med,
        "peakRssBytes": peak_rss_bytes(),
    }


def warm_up_then_serve_or_time(step, args, torch, ready, per_step_items):
    """Runs `args.warmup` steps, then either the `--serve` loop, or `args.steps` timed steps printed
    as JSON with `--json`. Returns the result for a human-readable summary, or None when done."""
    time_steps(step, args.warmup, torch, args.device)
    if args.serve:
        serve(step, torch, args.device, ready)
        return None
    times = time_steps(step, args.steps, torch, args.device)
    result = {**ready, "steps": args.steps, "warmup": args.warmup, **summarise(times, per_step_items)}
    if args.json:
        print(json.dumps(result))
        return None
    return result


def torch_facts(torch, threads, device):
    facts = {"torch": torch.__version__, "threads": threads, "device": device,
             "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
             "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY")}
    if device == "cuda":
        facts["gpu"] = torch.cuda.get_device_name(0)
    return facts


def arcface_logits(torch, cosine, labels, s=64.0, m=0.5):
    """insightface's classic th/mm ArcFace (the @fr default, gradient 'exact')."""
    cos_m, sin_m = math.cos(m), math.sin(m)
    th, mm = math.cos(math.pi - m), math.sin(math.pi - m) * m
    idx = torch.arange(cosine.shape[0], device=cosine.device)
    cos_y = cosine[idx, labels]
    sin_y = torch.sqrt((1.0 - cos_y * cos_y).clamp(0, 1))
    phi = cos_y * cos_m - sin_y * sin_m
    target = torch.where(cos_y > th, phi, cos_y - mm)
    logits = cosine.clone()
    logits[idx, labels] = target
    return logits * s
