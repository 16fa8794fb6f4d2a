import { MyPostShareError } from './errors.js';

/** Fetches the page a `Link: <...>; rel="next"` header announced, given that link's query. @internal */
export type PageLoader<Item> = (query: URLSearchParams) => Promise<Page<Item>>;

/**
 * The query of the `rel="next"` target of a `Link` header, or undefined when there is none.
 *
 * Only the query is kept: the next page is requested from the client's own base URL with it, so a
 * proxy or a misconfigured public URL can never make the SDK send the key to another host.
 * @internal
 */
export function nextPageQuery(link: string | null, baseUrl: string): URLSearchParams | undefined {
  if (!link) return undefined;
  for (const match of link.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const [, target = '', attributes = ''] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(attributes);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!relations.includes('next')) continue;
    try {
      return new URL(target, `${baseUrl}/`).searchParams;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * One page of a list. Its items are in `data`; `nextPage()` fetches the one after it, and
 * iterating the page with `for await` yields its items and those of every page after it.
 *
 * @example
 * ```ts
 * let page = await client.posts.list({ limit: 100 });
 * console.log(page.data.length);
 * while (page.hasNextPage()) {
 *   page = await page.nextPage();
 *   console.log(page.data.length);
 * }
 * ```
 */
export class Page<Item> implements AsyncIterable<Item> {
  /** The items of this page, in the order the API returned them (newest first). */
  readonly data: Item[];
  /**
   * The opaque cursor of the next page, from the `Link` header; undefined on the last page.
   * Pass it as `cursor` to the same list call to resume later.
   */
  readonly nextCursor: string | undefined;
  readonly #next: URLSearchParams | undefined;
  readonly #load: PageLoader<Item>;

  /** @internal Pages come from list calls such as `client.posts.list()`. */
  constructor(data: Item[], next: URLSearchParams | undefined, load: PageLoader<Item>) {
    this.data = data;
    this.#next = next;
    this.#load = load;
    this.nextCursor = next?.get('cursor') ?? undefined;
  }

  /**
   * Whether the API announced a page after this one.
   *
   * @example
   * ```ts
   * const page = await client.posts.list();
   * if (page.hasNextPage()) console.log('more posts to load');
   * ```
   */
  hasNextPage(): boolean {
    return this.#next !== undefined;
  }

  /**
   * Fetches the page after this one, with the same filters and the same request options.
   * Rejects with a `MyPostShareError` on the last page: check {@link Page.hasNextPage} first.
   *
   * @example
   * ```ts
   * const first = await client.posts.list({ status: 'published', limit: 20 });
   * if (first.hasNextPage()) {
   *   const second = await first.nextPage();
   *   console.log(second.data);
   * }
   * ```
   */
  async nextPage(): Promise<Page<Item>> {
    if (!this.#next) throw new MyPostShareError('This is the last page: there is no next page to fetch');
    return this.#load(this.#next);
  }

  /**
   * Yields this page and every page after it, fetching each only when the previous one is done.
   *
   * @example
   * ```ts
   * for await (const page of (await client.posts.list({ limit: 200 })).iterPages()) {
   *   await archive(page.data);
   * }
   * ```
   */
  async *iterPages(): AsyncGenerator<Page<Item>, void, undefined> {
    let page: Page<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.nextPage();
      yield page;
    }
  }

  /**
   * Yields the items of this page, then those of every page after it.
   *
   * @example
   * ```ts
   * const page = await client.posts.list();
   * for await (const post of page) console.log(post.id);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

/**
 * What a list call returns: await it for the first {@link Page}, or iterate it with `for await`
 * for every item of every page (the SDK follows the `Link: <...>; rel="next"` headers).
 * Nothing is sent until it is awaited or iterated.
 *
 * @example
 * ```ts
 * // The first page only:
 * const page = await client.posts.list({ externalUserId: 'user_123' });
 * console.log(page.data, page.hasNextPage());
 *
 * // Every post, page after page:
 * for await (const post of client.posts.list({ externalUserId: 'user_123' })) {
 *   console.log(post.id, post.status);
 * }
 * ```
 */
export class PagePromise<Item> implements PromiseLike<Page<Item>>, AsyncIterable<Item> {
  readonly #fetchFirst: () => Promise<Page<Item>>;
  #first: Promise<Page<Item>> | undefined;

  /** @internal List calls such as `client.posts.list()` create these. */
  constructor(fetchFirst: () => Promise<Page<Item>>) {
    this.#fetchFirst = fetchFirst;
  }

  /**
   * `'PagePromise'`, for `Object.prototype.toString` and debuggers.
   *
   * @example
   * ```ts
   * String(client.posts.list()); // '[object PagePromise]'
   * ```
   */
  get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }

  #page(): Promise<Page<Item>> {
    this.#first ??= this.#fetchFirst();
    return this.#first;
  }

  /**
   * Resolves with the first page (what `await` does).
   *
   * @example
   * ```ts
   * client.posts.list().then((page) => console.log(page.data.length));
   * ```
   */
  // biome-ignore lint/suspicious/noThenProperty: being awaitable is the point of this class
  then<Result = Page<Item>, Rejected = never>(
    onfulfilled?: ((page: Page<Item>) => Result | PromiseLike<Result>) | null,
    onrejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Result | Rejected> {
    return this.#page().then(onfulfilled, onrejected);
  }

  /**
   * Handles a failure to fetch the first page.
   *
   * @example
   * ```ts
   * const page = await client.posts.list().catch(() => undefined);
   * ```
   */
  catch<Rejected = never>(
    onrejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Page<Item> | Rejected> {
    return this.#page().catch(onrejected);
  }

  /**
   * Runs `onfinally` once the first page is fetched or failed.
   *
   * @example
   * ```ts
   * await client.posts.list().finally(() => spinner.stop());
   * ```
   */
  finally(onfinally?: (() => void) | null): Promise<Page<Item>> {
    return this.#page().finally(onfinally);
  }

  /**
   * Yields every item of every page, fetching the next page only when the previous one is used up.
   *
   * @example
   * ```ts
   * for await (const post of client.posts.list({ status: 'failed' })) {
   *   await client.posts.retry(post.id);
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    yield* await this.#page();
  }
}

/**
 * Builds a list call's {@link PagePromise}: `fetch` sends one page's request (the first with the
 * caller's filters, the next ones with the query of the `Link` header) and returns its items and
 * headers.
 * @internal
 */
export function paginate<Item>(
  baseUrl: string,
  fetch: (rawQuery: URLSearchParams | undefined) => Promise<{ data: Item[]; headers: Headers }>,
): PagePromise<Item> {
  const load = async (rawQuery: URLSearchParams | undefined): Promise<Page<Item>> => {
    const { data, headers } = await fetch(rawQuery);
    if (!Array.isArray(data)) {
      throw new MyPostShareError('The API answered a list call with something other than an array');
    }
    const next = nextPageQuery(headers.get('link'), baseUrl);
    // A server that announces the page it just served would make iteration endless.
    if (next && rawQuery && next.toString() === rawQuery.toString()) {
      throw new MyPostShareError('The API announced the page it just returned as the next one');
    }
    return new Page(data, next, load);
  };
  return new PagePromise(() => load(undefined));
}
