// Replaced at build time would be nicer, but reading package.json at run time breaks when bundled;
// keep this in step with packages/server/package.json (a test checks it).
export const VERSION = '0.1.0';
