import type { Platform } from '@mypostshare/contract';
import type { AppDeps } from '../app.js';
import { resolveEndpoints } from '../providers/endpoints.js';

/**
 * The origins a hosted form may lead to. A form's POST that answers with a redirect to the
 * provider is governed by CSP form-action, so the provider's authorize origin must be listed.
 */
export function formTargetsFor(deps: AppDeps, platform: Platform, sandbox: boolean): string[] {
  if (sandbox) return [];
  return [new URL(resolveEndpoints(deps.config, platform).authorizeUrl).origin];
}
