export { VisionTransformer, FeatureHead, VIT_PRESETS, vitArchitectures, dropPathSchedule, type ViTConfig, type ViTFields, type ViTOptions } from './vit.js';
export { MultiHeadSelfAttention, type AttentionOptions } from './attention.js';
export { Mlp } from './mlp.js';
export { TransformerBlock, type TransformerBlockOptions } from './block.js';
export { PatchEmbed } from './patch-embed.js';
export { SePatchGate } from './se-gate.js';
export { planTokenMasking, selectionMatrix, droppedMask, keepTokens, restoreTokens, type TokenMaskPlan } from './token-masking.js';
