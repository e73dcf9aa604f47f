/** Turns a zod failure into the one-line `file: field.path: expected …` errors users get. */
import type { z } from 'zod';
import { inputError, type PerfcellError } from '../errors.js';

type Issue = z.core.$ZodIssue;

export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** For a union (profiles), report the branch that came closest rather than every branch. */
function innermost(issue: Issue): Issue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
    const first = best[0];
    if (first) return innermost({ ...first, path: [...issue.path, ...first.path] } as Issue);
  }
  return issue;
}

function describe(issue: Issue, input: unknown): string {
  const got = valueAt(input, issue.path);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see docs/load-model.md)`;
    case 'invalid_type':
      return `expected ${issue.expected}, got ${shown}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${String(issue.minimum)} item(s)`
        : `expected a number ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${shown}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}, got ${shown}`;
    default:
      return `expected ${issue.message.replace(/^Invalid input: /, '')}, got ${shown}`;
  }
}

export function zodToError(file: string, error: z.ZodError, input: unknown): PerfcellError {
  const issue = innermost(error.issues[0] as Issue);
  const extra = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return inputError(file, fieldPath(issue.path), describe(issue, input) + extra);
}
