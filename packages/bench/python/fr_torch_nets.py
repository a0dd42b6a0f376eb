"""PyTorch twins of the @fr backbones, shared by the benchmark yardstick scripts in this folder and
by packages/backbones/test/fixtures/make_torch_reference.py (which checks that our tfjs networks
reproduce these modules' outputs after the name/layout mapping).

Written from spec §1.7 (IResNet, arcface_torch `iresnet.py`), insightface's MobileFaceNet (scale 1,
paper layout) and §1.8/§3.1 (face ViT with the TransFace SE gate): NCHW, PyTorch padding and
flatten order, module names and state-dict keys those of arcface_torch (what @fr's
`torchStateDictLayout` maps onto; packages/interop/scripts/make_fixtures.py --arcface-torch DIR
checks the keys and shapes against an arcface_torch checkout).

Besides the modules: `build_backbone(net, ...)` with the same option names as
`createBackbone(name, {inputSize, widthMultiplier, embeddingSize})`, and `forward_macs(model, size)`,
which counts the multiply-accumulates of Conv2d and Linear layers from their shapes (forward hooks).

Debian's torch: /usr/bin/python3 (python3-torch 1.13, CPU; install libopenblas0-pthread too).
"""
import json
import struct
from pathlib import Path

import torch
import torch.nn as nn

IRESNET_LAYERS = {
    "iresnet18": (2, 2, 2, 2),
    "iresnet34": (3, 4, 6, 3),
    "iresnet50": (3, 4, 14, 3),
    "iresnet100": (3, 13, 30, 3),
    "iresnet200": (6, 26, 60, 6),
}


def bn2d(c, eps=1e-5):
    return nn.BatchNorm2d(c, eps=eps)


# ---------------------------------------------------------------- IResNet (§1.7)
class IBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.bn1 = bn2d(inp)
        self.conv1 = nn.Conv2d(inp, planes, 3, 1, 1, bias=False)
        self.bn2 = bn2d(planes)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = bn2d(planes)
        self.downsample = None
        if stride != 1 or inp != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), bn2d(planes))

    def forward(self, x):
        y = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return y + (x if self.downsample is None else self.downsample(x))


class IResNet(nn.Module):
    def __init__(self, layers, width, size, emb):
        super().__init__()
        planes = [max(1, round(c * width)) for c in (64, 128, 256, 512)]
        self.conv1 = nn.Conv2d(3, planes[0], 3, 1, 1, bias=False)
        self.bn1 = bn2d(planes[0])
        self.prelu = nn.PReLU(planes[0])
        inp = planes[0]
        for i, n in enumerate(layers):
            blocks = []
            for j in range(n):
                blocks.append(IBlock(inp, planes[i], 2 if j == 0 else 1))
                inp = planes[i]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        side = size
        for _ in range(4):
            side = (side + 2 - 3) // 2 + 1
        self.bn2 = bn2d(planes[3])
        self.fc = nn.Linear(planes[3] * side * side, emb)
        self.features = nn.BatchNorm1d(emb, eps=1e-5)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.features(self.fc(torch.flatten(self.bn2(x), 1))), {}


# ---------------------------------------------------------------- MobileFaceNet
# Module structure and names of arcface_torch's `mobilefacenet.py` (every conv/BN/PReLU inside a
# `layers` Sequential), so the state-dict keys are arcface_torch's: at width 1 this is its
# `MobileFaceNet(scale=1)`; `width` scales every channel count (expansions, conv_sep, GDC too).
class ConvBlock(nn.Module):
    def __init__(self, i, o, k, s=1, p=0, groups=1):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(i, o, k, s, p, groups=groups, bias=False), bn2d(o), nn.PReLU(o))

    def forward(self, x):
        return self.layers(x)


class LinearBlock(nn.Module):
    def __init__(self, i, o, k, s=1, p=0, groups=1):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(i, o, k, s, p, groups=groups, bias=False), bn2d(o))

    def forward(self, x):
        return self.layers(x)


class DepthWise(nn.Module):
    """Inverted residual: 1x1 expand to `e` (+BN+PReLU), depthwise 3x3 stride s, 1x1 project (+BN)."""

    def __init__(self, i, o, e, s, residual):
        super().__init__()
        self.residual = residual
        self.layers = nn.Sequential(ConvBlock(i, e, 1), ConvBlock(e, e, 3, s, 1, groups=e), LinearBlock(e, o, 1))

    def forward(self, x):
        y = self.layers(x)
        return x + y if self.residual else y


class Residual(nn.Module):
    def __init__(self, c, n, e):
        super().__init__()
        self.layers = nn.Sequential(*[DepthWise(c, c, e, 1, True) for _ in range(n)])

    def forward(self, x):
        return self.layers(x)


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class GDC(nn.Module):
    def __init__(self, c, side, emb):
        super().__init__()
        self.layers = nn.Sequential(LinearBlock(c, c, side, groups=c), Flatten(), nn.Linear(c, emb, bias=False), nn.BatchNorm1d(emb))

    def forward(self, x):
        return self.layers(x)


class MobileFaceNet(nn.Module):
    def __init__(self, width, size, emb, blocks=(1, 4, 6, 2)):
        super().__init__()
        c = lambda n: max(1, round(n * width))  # noqa: E731
        self.layers = nn.ModuleList([
            ConvBlock(3, c(64), 3, 2, 1),
            ConvBlock(c(64), c(64), 3, 1, 1, groups=c(64)) if blocks[0] == 1 else Residual(c(64), blocks[0], c(128)),
            DepthWise(c(64), c(64), c(128), 2, False),
            Residual(c(64), blocks[1], c(128)),
            DepthWise(c(64), c(128), c(256), 2, False),
            Residual(c(128), blocks[2], c(256)),
            DepthWise(c(128), c(128), c(512), 2, False),
            Residual(c(128), blocks[3], c(256)),
        ])
        self.conv_sep = ConvBlock(c(128), c(512), 1)
        side = size
        for _ in range(4):
            side = (side + 2 - 3) // 2 + 1
        self.features = GDC(c(512), side, emb)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.features(self.conv_sep(x)), {}


# ---------------------------------------------------------------- ViT + SE (§1.8, §3.1)
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attn = ((qkv[0] @ qkv[1].transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ qkv[2]).transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(torch.clamp(self.fc1(x), 0, 6))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, size, patch, dim, depth, heads, emb, se):
        super().__init__()
        self.grid = size // patch
        n = self.grid * self.grid
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, dim, patch, patch)
        self.pos_embed = nn.Parameter(torch.randn(1, n, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.feature = nn.Sequential(nn.Linear(n * dim, dim, bias=False), nn.BatchNorm1d(dim, eps=2e-5),
                                     nn.Linear(dim, emb, bias=False), nn.BatchNorm1d(emb, eps=2e-5))
        self.mask_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.senet = nn.Sequential(nn.Linear(n * dim, n, bias=False), nn.ReLU(), nn.Linear(n, n, bias=False), nn.Sigmoid()) if se else None
        self.n, self.dim = n, dim

    def forward(self, x):
        b = x.shape[0]
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        aux = {}
        if self.senet is not None:
            g = self.senet(x.reshape(b, self.n * self.dim))
            aux["patchWeights"] = g.softmax(dim=1)
            x = g.reshape(b, self.n, 1) * x
        aux["tokens"] = x
        aux["patchStd"] = torch.std(x, dim=2)
        return self.feature(x.reshape(b, self.n * self.dim)), aux


def randomise(model):
    """Non-trivial affine parameters and statistics, so that every parameter and buffer matters
    (fixtures compare outputs: a BN left at identity statistics would hide a mis-mapped tensor)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.copy_(1 + 0.2 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))
                m.running_mean.copy_(0.1 * torch.randn_like(m.running_mean))
                m.running_var.copy_(0.5 + torch.rand_like(m.running_var))
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1 + 0.2 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))
            elif isinstance(m, nn.PReLU):
                m.weight.copy_(0.1 + 0.3 * torch.rand_like(m.weight))


def build_backbone(net, input_size=112, width=1.0, embedding=512):
    """The network `createBackbone(net, {inputSize, widthMultiplier, embeddingSize})` builds in @fr
    (IResNet's `features` BN γ frozen at 1, as arcface_torch and @fr do)."""
    if net in IRESNET_LAYERS:
        model = IResNet(IRESNET_LAYERS[net], width, input_size, embedding)
        with torch.no_grad():
            model.features.weight.fill_(1.0)
        model.features.weight.requires_grad = False
        return model
    if net == "mobilefacenet":
        return MobileFaceNet(width, input_size, embedding)
    raise ValueError(f"unknown net {net!r}: expected one of {sorted(IRESNET_LAYERS) + ['mobilefacenet']}")


SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "F64": torch.float64, "I64": torch.int64}


def load_safetensors(path):
    """A .safetensors file as a state dict (the `safetensors` package is not in Debian; the format
    is an 8-byte little-endian header length, a JSON header and the raw little-endian bytes)."""
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[key] = torch.frombuffer(bytearray(data[begin:end]), dtype=SAFETENSORS_DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def forward_macs(model, input_size, batch=1):
    """Multiply-accumulates of one forward pass per image: Conv2d (groups included) and Linear,
    from the layer shapes (BN, PReLU, additions and pooling are not counted)."""
    total = [0]

    def conv_hook(m, _inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        total[0] += out.numel() * k * (m.in_channels // m.groups)

    def linear_hook(m, _inp, out):
        total[0] += out.numel() * m.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(batch, 3, input_size, input_size))
    model.train(was_training)
    for h in handles:
        h.remove()
    return total[0] // batch
