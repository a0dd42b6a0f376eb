"""Writes the committed fixtures of @fr/interop (packages/interop/test/fixtures/) with the real
third-party tools: PyTorch twins of the @fr backbones (packages/bench/python/fr_torch_nets.py,
arcface_torch's module names and state-dict keys) with random weights and statistics, saved with
`torch.save` (.pth), as `.safetensors` (written here: the format is an 8-byte little-endian header
length, a JSON header and the raw little-endian bytes; the `safetensors` package is not in
Debian), and exported with `torch.onnx.export` (opset 17, dynamic batch) — plus the torch
embeddings of fixed inputs, which every round-trip test compares against.

    /usr/bin/python3 packages/interop/scripts/make_fixtures.py [--out DIR] [--arcface-torch DIR]

Debian's python3-torch (1.13, CPU). Deterministic: re-running rewrites identical files.
`--arcface-torch DIR` (a checkout's `recognition/arcface_torch`) first checks that the twins'
state-dict keys and shapes equal arcface_torch's own `iresnet18`, `MobileFaceNet(scale=1)` and
`VisionTransformer` (timm is replaced by a parameter-free stand-in if it is not installed).

Files (all small: widths 1/32 and 1/16, inputs 16-27 px; about 0.65 MB in all):
  iresnet.{pth,safetensors,onnx}        iresnet18 layout, width 1/32, BN folded into conv by the exporter
  mobilefacenet.{pth,safetensors,onnx}  width 1/16, blocks (1, 2, 3, 1), BN folded by the exporter
  mobilefacenet-unfolded.onnx           same weights, BN kept (TrainingMode.PRESERVE), PReLU written
                                        as relu(x) - a*relu(-x) (another exported form of PReLU)
  iresnet-torch2onnx.onnx               the iresnet weights with every PReLU slope at torch's initial
                                        0.25, exported as arcface_torch's torch2onnx.py does (opset 11,
                                        batch fixed at 1): equal slopes are stored once and reach
                                        each PRelu through an Identity node
  transface.{pth,safetensors}           ViT (dim 8, depth 2) + TransFace SE gate
  transface-float16.pth                 the same weights in float16 (a dtype mismatch)
  malicious.pth                         torch.save of a dict holding an object whose __reduce__ is
                                        os.system("touch fr-interop-pwned"): torch.load runs it
  reference.json                        per model: @fr architecture + options, inputs, embeddings
"""
import argparse
import base64
import json
import os
import struct
import sys
import types
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ next to the shared module
sys.path.insert(0, str(HERE.parents[1] / "bench" / "python"))
from fr_torch_nets import IResNet, MobileFaceNet, ViT, randomise  # noqa: E402

OPSET = 17
MARKER = "fr-interop-pwned"

# name → (@fr architecture, createBackbone options, torch twin factory)
MODELS = {
    "iresnet": ("iresnet18", {"inputSize": 16, "widthMultiplier": 0.03125, "embeddingSize": 16},
                lambda: IResNet([2, 2, 2, 2], 0.03125, 16, 16)),
    "mobilefacenet": ("mobilefacenet", {"inputSize": 16, "widthMultiplier": 0.0625, "embeddingSize": 16, "blocks": [1, 2, 3, 1]},
                      lambda: MobileFaceNet(0.0625, 16, 16, (1, 2, 3, 1))),
    "transface": ("transface_s", {"inputSize": 27, "patchSize": 9, "dim": 8, "depth": 2, "heads": 2, "embeddingSize": 8,
                                  "maskRatio": 0, "dropPathRate": 0},
                  lambda: ViT(27, 9, 8, 2, 2, 8, True)),
}
ONNX_MODELS = ("iresnet", "mobilefacenet")


def b64(t):
    return base64.b64encode(t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()).decode()


def entry(t):
    return {"shape": list(t.shape), "data": b64(t)}


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(state, path):
    """The safetensors layout: u64 LE header size, JSON header (padded with spaces to 8 bytes),
    then every tensor's raw little-endian bytes, in header order."""
    header, chunks, offset = {}, [], 0
    for key, t in state.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()  # x86: little-endian
        header[key] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


class EmbeddingOnly(nn.Module):
    """The twins return (embedding, aux); ONNX models return the embedding only."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)[0]


class DecomposedPReLU(nn.Module):
    """PReLU written as relu(x) - a*relu(-x): exported as Relu/Neg/Mul/Sub instead of PRelu."""

    def __init__(self, prelu):
        super().__init__()
        self.weight = nn.Parameter(prelu.weight.detach().clone())

    def forward(self, x):
        return F.relu(x) - self.weight.view(1, -1, 1, 1) * F.relu(-x)


def decompose_prelus(module):
    for name, child in module.named_children():
        if isinstance(child, nn.PReLU):
            setattr(module, name, DecomposedPReLU(child))
        else:
            decompose_prelus(child)


def export_onnx(model, size, path, keep_bn=False):
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(
        EmbeddingOnly(model).eval(), x, str(path), opset_version=OPSET, input_names=["data"], output_names=["embedding"],
        dynamic_axes={"data": {0: "batch"}, "embedding": {0: "batch"}},
        # EVAL folds each BN that follows a conv into the conv (arcface_torch's torch2onnx.py does);
        # PRESERVE on an eval-mode model keeps them as BatchNormalization nodes.
        training=torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL,
    )


def export_like_torch2onnx(model, size, path):
    """arcface_torch's torch2onnx.py call: default opset 11, a fixed [1, 3, S, S] input, no output name."""
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(EmbeddingOnly(model).eval(), x, str(path), input_names=["data"], keep_initializers_as_inputs=False,
                      verbose=False, opset_version=11)


def reset_prelu_slopes(module):
    for m in module.modules():
        if isinstance(m, nn.PReLU):
            nn.init.constant_(m.weight, 0.25)


class Malicious:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


def check_against_arcface_torch(root):
    """The twins' state-dict keys and shapes are arcface_torch's own."""
    sys.path.insert(0, str(root))
    try:
        import timm  # noqa: F401
    except ImportError:
        layers = types.ModuleType("timm.models.layers")

        class DropPath(nn.Module):  # parameter-free: only the names and shapes are compared
            def __init__(self, *_args, **_kwargs):
                super().__init__()

        layers.DropPath, layers.to_2tuple, layers.trunc_normal_ = DropPath, (lambda v: v if isinstance(v, tuple) else (v, v)), nn.init.trunc_normal_
        sys.modules.update({"timm": types.ModuleType("timm"), "timm.models": types.ModuleType("timm.models"), "timm.models.layers": layers})
    from backbones.iresnet import iresnet18  # noqa: E402
    from backbones.mobilefacenet import MobileFaceNet as ArcfaceMobileFaceNet  # noqa: E402
    from backbones.vit import VisionTransformer  # noqa: E402

    pairs = {
        "iresnet18": (iresnet18(), IResNet([2, 2, 2, 2], 1.0, 112, 512)),
        "mbf scale 1": (ArcfaceMobileFaceNet(num_features=512, scale=1), MobileFaceNet(1.0, 112, 512)),
        "vit": (VisionTransformer(img_size=112, patch_size=9, num_classes=512, embed_dim=256, depth=2, num_heads=8, norm_layer="ln"),
                ViT(112, 9, 256, 2, 8, 512, False)),
    }
    for name, (theirs, ours) in pairs.items():
        a = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        b = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
        if a != b:
            raise SystemExit(f"{name}: the twin differs from arcface_torch: only theirs {sorted(set(a) - set(b))[:5]}, "
                             f"only ours {sorted(set(b) - set(a))[:5]}, shapes {[k for k in a if k in b and a[k] != b[k]][:5]}")
        print(f"arcface_torch check: {name}: {len(a)} keys, same names and shapes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(HERE.parent / "test" / "fixtures"))
    parser.add_argument("--arcface-torch", help="arcface_torch folder to check the twins' state-dict keys against")
    args = parser.parse_args()
    if args.arcface_torch:
        check_against_arcface_torch(Path(args.arcface_torch).resolve())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(20240611)
    torch.set_num_threads(1)

    reference = {"generator": "make_fixtures.py", "torch": torch.__version__, "opset": OPSET, "models": {}}
    built = {}
    for name, (architecture, options, make) in MODELS.items():
        model = built[name] = make()
        randomise(model)
        model.eval()
        state = model.state_dict()
        torch.save(state, out / f"{name}.pth")
        save_safetensors(state, out / f"{name}.safetensors")
        size = options["inputSize"]
        x = torch.rand(2, 3, size, size) * 2 - 1  # NCHW in [-1, 1]
        with torch.no_grad():
            embedding = model(x)[0]
        files = [f"{name}.pth", f"{name}.safetensors"]
        if name in ONNX_MODELS:
            export_onnx(model, size, out / f"{name}.onnx")
            files.append(f"{name}.onnx")
        if name == "transface":
            torch.save({k: (v.half() if v.is_floating_point() else v) for k, v in state.items()}, out / f"{name}-float16.pth")
        if name == "mobilefacenet":
            decomposed = make()
            decomposed.load_state_dict(state)
            decompose_prelus(decomposed)
            export_onnx(decomposed.eval(), size, out / f"{name}-unfolded.onnx", keep_bn=True)
            files.append(f"{name}-unfolded.onnx")
        reference["models"][name] = {
            "architecture": architecture, "options": options, "files": files,
            "input": entry(x), "embedding": entry(embedding),
        }

    # Last, so the files above keep their random draws.
    architecture, options, make = MODELS["iresnet"]
    fresh = make()
    fresh.load_state_dict(built["iresnet"].state_dict())
    reset_prelu_slopes(fresh)
    fresh.eval()
    size = options["inputSize"]
    export_like_torch2onnx(fresh, size, out / "iresnet-torch2onnx.onnx")
    x = torch.rand(2, 3, size, size) * 2 - 1
    with torch.no_grad():
        embedding = fresh(x)[0]
    reference["models"]["iresnet-torch2onnx"] = {
        "architecture": architecture, "options": options, "files": ["iresnet-torch2onnx.onnx"],
        "input": entry(x), "embedding": entry(embedding),
    }

    torch.save({"conv1.weight": torch.zeros(1), "payload": Malicious()}, out / "malicious.pth")
    with open(out / "reference.json", "w") as f:
        json.dump(reference, f, indent=1)
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"wrote {out}: {', '.join(sorted(p.name for p in out.iterdir()))} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
