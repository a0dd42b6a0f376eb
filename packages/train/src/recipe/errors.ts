import type { z } from 'zod';
import { closestName } from '@fr/core';
import { describeAlternatives, fieldNamesFor, schemaAt } from './schema-walk.js';

/** A recipe that cannot run: one line per problem, each naming the field (and the file). */
export class RecipeError extends Error {
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`${source}: invalid recipe:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RecipeError';
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/** zod's issues as pointed lines: the field path, what it accepts, what it got, the closest known name. */
export function describeIssues(schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    const where = path.length > 0 ? path.join('.') : '(root)';
    if (issue.code === 'unrecognized_keys') {
      const lookup = schemaAt(schema, path, input);
      const known = 'node' in lookup && lookup.node ? fieldNamesFor(lookup.node, valueAt(input, issue.path)) : [];
      for (const key of issue.keys) {
        const close = closestName(key, known);
        lines.push(`${[...path, key].join('.')}: unknown field${close ? ` (did you mean "${[...path, close].join('.')}"?)` : ''}; allowed here: ${known.join(', ')}`);
      }
      continue;
    }
    const got = valueAt(input, issue.path);
    const shown = got === undefined ? ' (missing)' : ` (got ${JSON.stringify(got)})`;
    if (issue.code === 'invalid_union' && !('discriminator' in issue)) {
      const lookup = schemaAt(schema, path, input);
      const expected = 'node' in lookup && lookup.node ? describeAlternatives(lookup.node) : 'another form';
      lines.push(`${where}: expected ${expected}${shown}`);
      continue;
    }
    lines.push(`${where}: ${issue.message}${shown}`);
  }
  return lines;
}
