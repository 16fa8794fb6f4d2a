import { checkPostContent, routes } from '@mypostshare/contract';
import { findEndUser } from '../../db/repositories/end-users.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { platformsNotConnected, requireSchedulable } from '../../publishing/posts.js';

/**
 * `POST /v1/posts/validate`: a dry run. Every platform's rule violations (errors) and advice
 * (warnings), including a missing connection; nothing is stored or sent.
 */
export default defineRoute('validatePost', routes.validatePost, async ({ body, auth, deps }) => {
  if (body.scheduleAt !== undefined) requireSchedulable(deps, body.scheduleAt);
  const endUser = await findEndUser(deps.db, auth.appId, body.externalUserId);
  if (!endUser) throw notFound('End user');
  const notConnected = new Set(await platformsNotConnected(deps.db, endUser.id, body.platforms));
  const platforms = checkPostContent(body).map((check) => ({
    ...check,
    errors: notConnected.has(check.platform)
      ? [
          { rule: 'not_connected', message: 'The end user has no live connection for this platform' },
          ...check.errors,
        ]
      : check.errors,
  }));
  return { valid: platforms.every((check) => check.errors.length === 0), platforms };
});
