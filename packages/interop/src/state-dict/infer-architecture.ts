import { IRESNET_LAYERS, VIT_PRESETS, iresnetFinalSize, mobilefacenetFinalSize } from '@fr/backbones';

/** What a file's tensor names and shapes say about the network that wrote it. */
export interface InferredArchitecture {
  /** @fr registry name, e.g. `iresnet50`. */
  readonly architecture: string;
  /** `createBackbone` options that rebuild it. */
  readonly options: Record<string, unknown>;
}

type Shapes = ReadonlyMap<string, readonly number[]>;

/** Distinct integer indices `i` of keys `<prefix>.<i>.…`. */
function countChildren(shapes: Shapes, prefix: string): number {
  const seen = new Set<number>();
  for (const key of shapes.keys()) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const next = key.slice(prefix.length + 1).split('.')[0] as string;
    if (/^\d+$/.test(next)) seen.add(Number(next));
  }
  return seen.size;
}

/**
 * The input side of a net whose four stride-2 stages end at `side`: 16·side, the largest that
 * does (every side from 16·(side−1)+1 to 16·side ends there); 112 ↔ 7 is arcface_torch's.
 */
function inputSizeFor(side: number, finalSize: (input: number) => number): number {
  const size = 16 * side;
  if (finalSize(size) !== side) throw new Error(`no input size gives a ${side}×${side} final feature map`);
  return size;
}

function dim(shapes: Shapes, key: string, axis: number): number {
  return (shapes.get(key) as readonly number[])[axis] as number;
}

function iresnet(shapes: Shapes): InferredArchitecture {
  const layers = [1, 2, 3, 4].map((i) => countChildren(shapes, `layer${i}`));
  const stem = dim(shapes, 'conv1.weight', 0);
  const last = dim(shapes, 'bn2.weight', 0);
  const fcIn = dim(shapes, 'fc.weight', 1);
  const side = Math.round(Math.sqrt(fcIn / last));
  if (side * side * last !== fcIn) throw new Error(`fc.weight's ${fcIn} inputs are not ${last} channels × a square feature map`);
  const preset = Object.entries(IRESNET_LAYERS).find(([, l]) => l.every((n, i) => n === layers[i]))?.[0];
  return {
    architecture: preset ?? 'iresnet50',
    options: {
      ...(preset ? {} : { layers }),
      widthMultiplier: stem / 64,
      inputSize: inputSizeFor(side, iresnetFinalSize),
      embeddingSize: dim(shapes, 'fc.weight', 0),
    },
  };
}

function mobilefacenet(shapes: Shapes): InferredArchitecture {
  const stem = dim(shapes, 'layers.0.layers.0.weight', 0);
  const second = shapes.get('layers.1.layers.0.weight');
  let first: number;
  if (second && second.length === 4 && second[2] === 3) {
    // A single 3×3 ConvBlock: depthwise in the scale-1 layout; arcface_torch's default `mbf`
    // (scale 2) groups it 64 ways, which @fr's MobileFaceNet does not have.
    if (second[1] !== 1) {
      throw new Error(`layers.1 is a grouped conv with ${second[1]} channels per group (insightface's "mbf" at scale 2): @fr's mobilefacenet is the scale-1 (paper) layout, where it is depthwise`);
    }
    first = 1;
  } else first = countChildren(shapes, 'layers.1.layers');
  const blocks = [first, ...[3, 5, 7].map((i) => countChildren(shapes, `layers.${i}.layers`))];
  const side = dim(shapes, 'features.layers.0.layers.0.weight', 2);
  return {
    architecture: 'mobilefacenet',
    options: {
      blocks,
      widthMultiplier: stem / 64,
      inputSize: inputSizeFor(side, mobilefacenetFinalSize),
      embeddingSize: dim(shapes, 'features.layers.2.weight', 0),
    },
  };
}

function vit(shapes: Shapes): InferredArchitecture {
  const width = dim(shapes, 'patch_embed.proj.weight', 0);
  const patchSize = dim(shapes, 'patch_embed.proj.weight', 2);
  const tokens = dim(shapes, 'pos_embed', 1);
  const grid = Math.round(Math.sqrt(tokens));
  if (grid * grid !== tokens) throw new Error(`pos_embed has ${tokens} tokens, not a square grid`);
  const depth = countChildren(shapes, 'blocks');
  const seGate = shapes.has('senet.0.weight');
  // Heads are not in the weights; every arcface_torch / TransFace preset uses 8.
  const heads = width % 8 === 0 ? 8 : 1;
  const preset = Object.entries(VIT_PRESETS).find(([, p]) => p.dim === width && p.depth === depth && (p.seGate ?? false) === seGate)?.[0];
  return {
    architecture: preset ?? (seGate ? 'transface_s' : 'vit_s'),
    options: {
      ...(preset ? {} : { dim: width, depth }),
      patchSize,
      heads,
      mlpRatio: dim(shapes, 'blocks.0.mlp.fc1.weight', 0) / width,
      inputSize: Math.floor(112 / patchSize) === grid ? 112 : grid * patchSize,
      embeddingSize: dim(shapes, 'feature.2.weight', 0),
    },
  };
}

const FAMILIES: readonly { name: string; keys: readonly string[]; infer: (s: Shapes) => InferredArchitecture }[] = [
  { name: 'IResNet', keys: ['conv1.weight', 'layer1.0.bn1.weight', 'bn2.weight', 'fc.weight', 'features.running_var'], infer: iresnet },
  { name: 'MobileFaceNet', keys: ['layers.0.layers.0.weight', 'conv_sep.layers.0.weight', 'features.layers.0.layers.0.weight', 'features.layers.2.weight'], infer: mobilefacenet },
  { name: 'ViT', keys: ['patch_embed.proj.weight', 'pos_embed', 'blocks.0.attn.qkv.weight', 'blocks.0.mlp.fc1.weight', 'feature.2.weight'], infer: vit },
];

/**
 * The @fr architecture and options of an arcface_torch-style state dict, from its key names and
 * shapes: IResNet (blocks per stage, width, input size from `fc`), MobileFaceNet (scale-1 layout;
 * blocks, width, input size from the GDC kernel), ViT / TransFace (width, depth, patch, SE gate;
 * 8 heads, as every arcface_torch preset). Throws, naming the families tried, when none fits.
 *
 * @example
 * ```ts
 * inferArchitecture(new Map([['conv1.weight', [64, 3, 3, 3]], …])); // { architecture: 'iresnet50', options: { inputSize: 112, … } }
 * ```
 */
export function inferArchitecture(shapes: Shapes, source = 'the state dict'): InferredArchitecture {
  for (const family of FAMILIES) {
    if (!family.keys.every((k) => shapes.has(k))) continue;
    try {
      return family.infer(shapes);
    } catch (error) {
      throw new Error(`${source} looks like ${family.name} but: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const sample = [...shapes.keys()].slice(0, 6).join(', ');
  throw new Error(`cannot tell the architecture of ${source} (keys ${sample}, …): it has the keys of none of ${FAMILIES.map((f) => `${f.name} (${f.keys.slice(0, 2).join(', ')}, …)`).join('; ')}. Pass the architecture and options explicitly`);
}
