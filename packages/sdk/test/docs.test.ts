import fs from 'node:fs';
import { type RouteDefinition, routes } from '@mypostshare/contract';
import { describe, expect, it } from 'vitest';

// docs/api.md maps every endpoint to its SDK method: a route added to the contract must get a row.
const doc = fs.readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

/** The endpoint rows of the tables: method, path (without backticks), description, SDK, CLI. */
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  )
  .filter(([method]) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(method ?? ''))
  .map(([method = '', path = '', what = '', sdk = '', cli = '']) => ({
    endpoint: `${method} ${path.replace(/`/g, '')}`,
    what,
    sdk,
    cli,
  }));

const endpoint = (route: RouteDefinition) => `${route.method.toUpperCase()} ${route.path}`;

describe('docs/api.md', () => {
  it.each(Object.entries(routes))('has a row for %s with its SDK method', (_operationId, definition) => {
    const row = rows.find((candidate) => candidate.endpoint === endpoint(definition));
    expect(row, endpoint(definition)).toBeDefined();
    expect(row?.sdk).toMatch(/^`(client|admin)\.[a-zA-Z.]+\(/);
    expect(row?.cli).toMatch(/^(—|`mypostshare [a-z -]+`)$/);
  });

  it('lists no endpoint the contract does not have, and each once', () => {
    const known = Object.values(routes).map(endpoint);
    expect(rows.map((row) => row.endpoint).sort()).toEqual([...known].sort());
  });
});
