import type { AppDeps } from '../../app.js';
import { findApp } from '../../db/repositories/apps.js';
import { notFound } from '../../errors.js';

/** Loads the app an admin route addresses, or answers 404. */
export async function requireApp(deps: AppDeps, appId: string) {
  const app = await findApp(deps.db, appId);
  if (!app) throw notFound('App');
  return app;
}
