import { routes } from '@mypostshare/contract';
import { loadPostView } from '../../db/repositories/posts.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

/** `GET /v1/posts/:id`: the request with its per-platform delivery results. */
export default defineRoute('getPost', routes.getPost, async ({ params, auth, deps }) => {
  const post = await loadPostView(deps.db, auth.appId, params.id);
  if (!post) throw notFound('Post');
  return post;
});
