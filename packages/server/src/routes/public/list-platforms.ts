import { platformLimitsList, routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';

/** `GET /v1/platforms`: each platform's limits and capabilities, from the same rules validation uses. */
export default defineRoute('listPlatforms', routes.listPlatforms, async () => platformLimitsList());
