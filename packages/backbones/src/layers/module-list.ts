import { Module } from '@fr/core';

/**
 * An ordered list of sub-modules registered under `0`, `1`, … (PyTorch `nn.ModuleList` /
 * `nn.Sequential` naming, so parameter names mirror the reference implementations).
 */
export class ModuleList<M extends Module> extends Module {
  readonly items: readonly M[];

  constructor(items: readonly M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i];
    if (!m) throw new Error(`ModuleList index ${i} out of range (length ${this.items.length})`);
    return m;
  }
}
