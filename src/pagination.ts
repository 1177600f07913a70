import { InvalidArgumentError } from './errors.js';

/** One page of a list. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /**
   * Pass to `byPage({ continuationToken })` to resume after this page; `undefined` on the last
   * page. Opaque: its format may change between releases.
   */
  continuationToken: string | undefined;
}

/** Options of {@link PagedList.byPage}. */
export interface ByPageOptions {
  /** Resume where an earlier page's `continuationToken` left off. */
  continuationToken?: string;
}

/** Options of {@link PagedList.toArray}. */
export interface ToArrayOptions {
  /** Stop after this many items (a positive integer). Without it, every item is read. */
  limit?: number;
}

/**
 * A list result: iterate it with `for await` to get every item across pages, call `byPage()`
 * for page-at-a-time access with continuation tokens, or `toArray()` to collect. Nothing is
 * requested until you start iterating.
 */
export interface PagedList<T> extends AsyncIterable<T> {
  /** Iterates page by page. */
  byPage(options?: ByPageOptions): AsyncIterableIterator<Page<T>>;
  /** Collects the items into an array, up to `limit`. */
  toArray(options?: ToArrayOptions): Promise<T[]>;
}

/** Fetches one page given the decoded cursor (undefined for the first page). */
export type PageFetcher<T, C> = (cursor: C | undefined) => Promise<{ items: T[]; next: C | undefined }>;

/** Encodes a cursor as an opaque continuation token. */
function encodeToken(cursor: unknown): string {
  return Buffer.from(JSON.stringify({ v: 1, c: cursor }), 'utf8').toString('base64url');
}

function decodeToken<C>(token: string, isCursor: (value: unknown) => value is C): C {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; c?: unknown };
    if (decoded.v === 1 && isCursor(decoded.c)) return decoded.c;
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError(
    'continuationToken',
    'continuationToken is not one this SDK issued: pass the continuationToken of a page returned by byPage().',
  );
}

/**
 * Builds a {@link PagedList} from a page fetcher. Items seen on an earlier page of the same
 * iteration are dropped (offset paging shifts when incidents arrive while you read).
 */
export function pagedList<T, C>(
  fetchPage: PageFetcher<T, C>,
  isCursor: (value: unknown) => value is C,
  idOf: (item: T) => string,
): PagedList<T> {
  async function* pages(options: ByPageOptions = {}): AsyncIterableIterator<Page<T>> {
    let cursor: C | undefined =
      options.continuationToken === undefined ? undefined : decodeToken(options.continuationToken, isCursor);
    const seen = new Set<string>();
    for (;;) {
      const { items, next } = await fetchPage(cursor);
      const fresh = items.filter((item) => {
        const id = idOf(item);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      const continuationToken = next === undefined ? undefined : encodeToken(next);
      yield { items: fresh, continuationToken };
      if (next === undefined) return;
      cursor = next;
    }
  }
  return {
    byPage: pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page.items;
    },
    async toArray(options: ToArrayOptions = {}) {
      const { limit } = options;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw new InvalidArgumentError('limit', `limit must be a positive integer; got ${String(limit)}.`);
      }
      const out: T[] = [];
      for await (const page of pages()) {
        for (const item of page.items) {
          out.push(item);
          if (limit !== undefined && out.length >= limit) return out;
        }
      }
      return out;
    },
  };
}
