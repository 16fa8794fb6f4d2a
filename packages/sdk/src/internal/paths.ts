import { ValidationError } from '../errors.js';

/**
 * Turns a contract route path such as `/api/v1/end-users/:externalUserId` into a path relative to
 * the client's base URL (`v1/end-users/user%20123` under the `/api/` prefix), encoding every
 * parameter so a value like `a/b c` stays one segment.
 */
export function buildPath(template: string, prefix: string, params: Record<string, unknown> = {}): string {
  if (!template.startsWith(prefix)) {
    throw new Error(`Route ${template} is not under ${prefix}`);
  }
  return template.slice(prefix.length).replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) {
      throw new Error(`Missing path parameter ${name} for ${template}`);
    }
    const text = String(value);
    // URL parsing folds `.` and `..` segments (even percent-encoded) into the path, so
    // `/end-users/..` would silently address another route. No encoding can carry them.
    if (text === '.' || text === '..') {
      throw new ValidationError([{ field: name, message: `"${text}" cannot be used in a URL path` }]);
    }
    return encodeURIComponent(text);
  });
}

/** A validated query object as search parameters; `undefined` values are left out. */
export function toSearchParams(query: Record<string, unknown>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.set(name, String(value));
  }
  return search;
}
