import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('healthz', routes.healthz, async ({ deps }) => ({
  status: 'ok' as const,
  version: deps.version,
}));
