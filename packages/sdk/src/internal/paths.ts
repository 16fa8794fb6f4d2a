import { ValidationError } from '../errors.js';

// The base URL already ends in `/api`; the contract's public paths start with it.
const API_PREFIX = '/api/';

/**
 * Turns a contract route path such as `/api/v1/end-users/:externalUserId` into the relative path
 * `v1/end-users/user%20123`, encoding every parameter so a value like `a/b c` stays one segment.
 */
export function buildPath(template: string, params: Record<string, string> = {}): string {
  if (!template.startsWith(API_PREFIX)) {
    throw new Error(`Route ${template} is not part of the public API`);
  }
  return template.slice(API_PREFIX.length).replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name} for ${template}`);
    // URL parsing folds `.` and `..` segments (even percent-encoded) into the path, so
    // `/end-users/..` would silently address another route. No encoding can carry them.
    if (value === '.' || value === '..') {
      throw new ValidationError([{ field: name, message: `"${value}" cannot be used in a URL path` }]);
    }
    return encodeURIComponent(value);
  });
}
