"""Loads a state dict written by @fr/interop into the PyTorch twin with `load_state_dict(strict=True)`
and prints the twin's embeddings of the fixture input (JSON on stdout). Used by the round-trip
tests (test/torch-load.test.ts) when Debian's python3-torch is installed:

    /usr/bin/python3 packages/interop/scripts/check_torch_load.py MODEL FILE [MODEL FILE ...]

(one line of JSON per pair; several pairs share one start of torch). MODEL is a key of make_fixtures.MODELS (iresnet, mobilefacenet, transface); FILE a .pth (read
with `torch.load(weights_only=True)`: only tensor-rebuild globals are allowed) or a .safetensors
(fr_torch_nets.load_safetensors: the format is an 8-byte header length, a JSON header and raw
little-endian bytes).
"""
import base64
import json
import sys
from pathlib import Path

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import MODELS  # noqa: E402
from fr_torch_nets import load_safetensors  # noqa: E402  (make_fixtures put packages/bench/python on the path)


def check(name, path):
    state = load_safetensors(path) if path.endswith(".safetensors") else torch.load(path, weights_only=True)
    _, _, make = MODELS[name]
    model = make()
    model.load_state_dict(state, strict=True)
    model.eval()
    reference = json.loads((Path(__file__).resolve().parents[1] / "test" / "fixtures" / "reference.json").read_text())["models"][name]
    x = torch.frombuffer(bytearray(base64.b64decode(reference["input"]["data"])), dtype=torch.float32).reshape(reference["input"]["shape"])
    with torch.no_grad():
        embedding = model(x)[0]
    return {"model": name, "file": path, "keys": len(state), "embedding": embedding.flatten().tolist()}


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2:
        raise SystemExit(__doc__)
    for name, path in zip(args[::2], args[1::2]):
        print(json.dumps(check(name, path)))


if __name__ == "__main__":
    main()
