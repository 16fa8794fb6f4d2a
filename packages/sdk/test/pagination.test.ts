import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { InternalServerError, MyPostShareError, NotFoundError, Page, PagePromise } from '../src/index.js';
import { nextPageQuery } from '../src/pagination.js';
import { BASE_URL, errorBody, makeAdmin, makeClient, mockApi, ORIGIN, url } from './mock-api.js';

const { server, requests } = mockApi();

const item = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  mode: 'immediate',
  status: 'published',
  externalUserId: 'user_123',
  platforms: ['linkedin'],
  createdAt: `2026-03-2${9 - n}T08:00:00.000Z`,
});

// The server announces the next page with its public URL, which may differ from the SDK's base
// URL (a proxy, another host name): the SDK must keep using its own base URL and key.
const PUBLIC = 'https://public.example.com/api';
const link = (query: string) => `<${PUBLIC}/v1/posts?${query}>; rel="next"`;

/** Three pages of two, two and one posts, chained by `Link` headers carrying the filters and a cursor. */
function threePages() {
  server.use(
    http.get(url('/v1/posts'), ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      if (cursor === null) {
        return HttpResponse.json([item(1), item(2)], {
          headers: { link: link('status=published&limit=2&cursor=c2') },
        });
      }
      if (cursor === 'c2') {
        return HttpResponse.json([item(3), item(4)], {
          headers: { link: link('status=published&limit=2&cursor=c3') },
        });
      }
      if (cursor === 'c3') return HttpResponse.json([item(5)]);
      return HttpResponse.json(errorBody('validation_error', 'bad cursor'), { status: 400 });
    }),
  );
}

describe('a list call awaited', () => {
  it('is the first page, with hasNextPage and nextCursor', async () => {
    threePages();
    const page = await makeClient().posts.list({ status: 'published', limit: 2 });
    expect(page).toBeInstanceOf(Page);
    expect(page.data).toEqual([item(1), item(2)]);
    expect(page.hasNextPage()).toBe(true);
    expect(page.nextCursor).toBe('c2');
    expect(requests.map((request) => request.url)).toEqual([url('/v1/posts?limit=2&status=published')]);
  });

  it('fetches the next pages with nextPage(), from the Link query against its own base URL', async () => {
    threePages();
    const first = await makeClient().posts.list({ status: 'published', limit: 2 });
    const second = await first.nextPage();
    expect(second.data).toEqual([item(3), item(4)]);
    const third = await second.nextPage();
    expect(third.data).toEqual([item(5)]);
    expect(third.hasNextPage()).toBe(false);
    expect(third.nextCursor).toBeUndefined();
    expect(requests.map((request) => request.url)).toEqual([
      url('/v1/posts?limit=2&status=published'),
      // The next pages use the Link's query as the server wrote it, on the SDK's own base URL.
      url('/v1/posts?status=published&limit=2&cursor=c2'),
      url('/v1/posts?status=published&limit=2&cursor=c3'),
    ]);
    expect(requests.every((request) => request.url.startsWith(BASE_URL))).toBe(true);
    expect(new Set(requests.map((request) => request.headers.get('authorization'))).size).toBe(1);
  });

  it('rejects nextPage() on the last page', async () => {
    server.use(http.get(url('/v1/posts'), () => HttpResponse.json([item(1)])));
    const page = await makeClient().posts.list();
    expect(page.hasNextPage()).toBe(false);
    await expect(page.nextPage()).rejects.toBeInstanceOf(MyPostShareError);
    expect(requests).toHaveLength(1);
  });

  it('also works with then/catch/finally', async () => {
    threePages();
    const list = makeClient().posts.list();
    expect(list).toBeInstanceOf(PagePromise);
    expect(String(list)).toBe('[object PagePromise]');
    let finished = false;
    const size = await list
      .then((page) => page.data.length)
      .finally(() => {
        finished = true;
      });
    expect(size).toBe(2);
    expect(finished).toBe(true);
  });
});

describe('a list call iterated', () => {
  it('yields every item of every page, following Link across three pages', async () => {
    threePages();
    const ids: string[] = [];
    for await (const post of makeClient().posts.list({ status: 'published', limit: 2 })) ids.push(post.id);
    expect(ids).toEqual([1, 2, 3, 4, 5].map((n) => item(n).id));
    expect(requests).toHaveLength(3);
  });

  it('fetches a page only when the previous one is used up', async () => {
    threePages();
    for await (const post of makeClient().posts.list({ limit: 2 })) {
      expect(post.id).toBe(item(1).id);
      break;
    }
    expect(requests).toHaveLength(1);
  });

  it('sends nothing until it is awaited or iterated', async () => {
    threePages();
    const list = makeClient().posts.list();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests).toHaveLength(0);
    await list;
    expect(requests).toHaveLength(1);
  });

  it('iterates from a page, and page by page with iterPages()', async () => {
    threePages();
    const first = await makeClient().posts.list({ limit: 2 });
    const sizes: number[] = [];
    for await (const page of first.iterPages()) sizes.push(page.data.length);
    expect(sizes).toEqual([2, 2, 1]);
    const ids: string[] = [];
    for await (const post of first) ids.push(post.id);
    expect(ids).toHaveLength(5);
  });

  it('rejects the iteration when a later page fails, with the per-call options applied', async () => {
    server.use(
      http.get(url('/v1/posts'), ({ request }) =>
        new URL(request.url).searchParams.has('cursor')
          ? HttpResponse.json(errorBody('internal_error', 'Oops'), { status: 500 })
          : HttpResponse.json([item(1)], { headers: { link: link('cursor=c2') } }),
      ),
    );
    const seen: string[] = [];
    const iterate = async () => {
      for await (const post of makeClient().posts.list({}, { maxRetries: 0 })) seen.push(post.id);
    };
    await expect(iterate()).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toEqual([item(1).id]);
    // maxRetries: 0 held for the second page too: one attempt each.
    expect(requests).toHaveLength(2);
  });

  it('rejects when the server announces the page it just served', async () => {
    server.use(
      http.get(url('/v1/posts'), () =>
        HttpResponse.json([item(1)], { headers: { link: link('cursor=same') } }),
      ),
    );
    const first = await makeClient().posts.list();
    const second = first.nextPage();
    await expect(second).rejects.toThrow(/announced the page it just returned/);
  });

  it('surfaces a first-page error to await and to for-await alike', async () => {
    server.use(
      http.get(url('/v1/posts'), () => HttpResponse.json(errorBody('not_found', 'Nope'), { status: 404 })),
    );
    await expect(makeClient().posts.list()).rejects.toBeInstanceOf(NotFoundError);
    const iterate = async () => {
      for await (const _post of makeClient().posts.list()) {
        // never reached
      }
    };
    await expect(iterate()).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('admin lists paginate the same way', () => {
  it('follows Link across the pages of admin.apps.list()', async () => {
    const app = (n: number) => ({
      id: `00000000-0000-4000-8000-00000000000${n}`,
      name: `App ${n}`,
      sandbox: false,
      createdAt: '2026-03-21T08:00:00.000Z',
      updatedAt: '2026-03-21T08:00:00.000Z',
    });
    server.use(
      http.get(`${ORIGIN}/admin/v1/apps`, ({ request }) =>
        new URL(request.url).searchParams.get('cursor') === 'n2'
          ? HttpResponse.json([app(3)])
          : HttpResponse.json([app(1), app(2)], {
              headers: { link: '<http://localhost:8787/admin/v1/apps?limit=2&cursor=n2>; rel="next"' },
            }),
      ),
    );
    const names: string[] = [];
    for await (const entry of makeAdmin().apps.list({ limit: 2 })) names.push(entry.name);
    expect(names).toEqual(['App 1', 'App 2', 'App 3']);
    expect(requests.map((request) => request.url)).toEqual([
      `${ORIGIN}/admin/v1/apps?limit=2`,
      `${ORIGIN}/admin/v1/apps?limit=2&cursor=n2`,
    ]);
  });
});

describe('reading the Link header', () => {
  it.each([
    ['a quoted rel', '<https://x.test/api/v1/posts?cursor=a>; rel="next"', 'cursor=a'],
    ['an unquoted rel', '<https://x.test/api/v1/posts?cursor=a>; rel=next', 'cursor=a'],
    [
      'several links',
      '<https://x.test/p?cursor=p>; rel="prev", <https://x.test/n?cursor=n>; rel="next"',
      'cursor=n',
    ],
    ['several relations in one', '<https://x.test/n?cursor=n>; rel="last next"', 'cursor=n'],
    ['a relative target', '</api/v1/posts?limit=5&cursor=r>; rel="next"', 'limit=5&cursor=r'],
    ['extra parameters', '<https://x.test/n?cursor=n>; title="more"; rel="next"', 'cursor=n'],
  ])('finds the next page in %s', (_name, header, query) => {
    expect(nextPageQuery(header, BASE_URL)?.toString()).toBe(query);
  });

  it.each([
    ['no header', null],
    ['only a prev link', '<https://x.test/p?cursor=p>; rel="prev"'],
    ['garbage', 'not a link header'],
  ])('finds no next page with %s', (_name, header) => {
    expect(nextPageQuery(header, BASE_URL)).toBeUndefined();
  });
});
