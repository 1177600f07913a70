import { createHash } from 'node:crypto';
import { checkOptionsObject } from './checks.js';
import { InvalidArgumentError, ResponseValidationError } from './errors.js';

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
export type PageFetcher<T, C> = (cursor: C | undefined) => Promise<{
  items: T[];
  next: C | undefined;
  /**
   * The ids of every item the service sent on the page, when the SDK filtered some out itself
   * (the Defender API cannot filter on severity): a repeat of the service's page is then still
   * seen as one, though no item of it is left to compare.
   */
  sentIds?: readonly string[];
}>;

/** Encodes a cursor, and the listing it belongs to, as an opaque continuation token. */
function encodeToken(cursor: unknown, listing: string): string {
  return Buffer.from(JSON.stringify({ v: 1, l: listing, c: cursor }), 'utf8').toString('base64url');
}

function decodeToken<C>(token: unknown, isCursor: (value: unknown) => value is C, listing: string): C {
  let decoded: { v?: unknown; l?: unknown; c?: unknown } | undefined;
  if (typeof token === 'string') {
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof decoded;
    } catch {
      decoded = undefined;
    }
  }
  if (decoded?.v === 1 && typeof decoded.l === 'string') {
    if (decoded.l === listing && isCursor(decoded.c)) return decoded.c;
    if (decoded.l !== listing) {
      throw new InvalidArgumentError(
        'continuationToken',
        'continuationToken belongs to another listing (another list, API or options): resume with the same call and options that produced it.',
      );
    }
  }
  throw new InvalidArgumentError(
    'continuationToken',
    'continuationToken is not one this SDK issued: pass the continuationToken of a page returned by byPage().',
  );
}

/**
 * A short fingerprint of a listing: the list, the API and the options (dates as ISO strings,
 * the signal left out). A continuation token only resumes the listing it came from.
 */
export function listingKey(list: string, api: string, options: object): string {
  const canonical = JSON.stringify(
    Object.entries(options)
      .filter(([key, value]) => key !== 'signal' && value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
  );
  return `${list}:${api}:${createHash('sha256').update(canonical).digest('base64url').slice(0, 16)}`;
}


/** What {@link pagedList} needs to list one kind of item. */
export interface PagedListSource<T, C> {
  /** Fetches one page given the decoded cursor (undefined for the first page). */
  fetchPage: PageFetcher<T, C>;
  /** Whether a decoded token holds a cursor of this listing's shape. */
  isCursor: (value: unknown) => value is C;
  /** An item's id, to drop items seen on an earlier page. */
  idOf: (item: T) => string;
  /** The public operation, for errors (`incidents.list`). */
  operation: string;
  /** {@link listingKey} of this listing: tokens of other listings are refused. */
  listing: string;
}

/**
 * Builds a {@link PagedList} from a page source. Items seen on an earlier page of the same
 * iteration are dropped (offset paging shifts when incidents arrive while you read). A next
 * page the service already gave in this iteration (a next-link loop), or a page of items all
 * seen already that is not the last (a service ignoring the offset), ends it with a
 * `ResponseValidationError` rather than listing forever. Memory: the ids of the items and the
 * continuation tokens of the pages of the current iteration, nothing more.
 */
export function pagedList<T, C>(source: PagedListSource<T, C>): PagedList<T> {
  const { fetchPage, isCursor, idOf, operation, listing } = source;
  async function* pages(cursor: C | undefined): AsyncIterableIterator<Page<T>> {
    const seen = new Set<string>();
    const sent = new Set<string>();
    const visited = new Set<string>();
    for (;;) {
      const { items, next, sentIds } = await fetchPage(cursor);
      const fresh = items.filter((item) => {
        const id = idOf(item);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      const continuationToken = next === undefined ? undefined : encodeToken(next, listing);
      if (continuationToken !== undefined && visited.has(continuationToken)) {
        throw new ResponseValidationError(
          `${operation}: the service pointed to a page it had already returned (a next-page loop); stopped after ${seen.size} item(s).`,
          { operation, issues: [{ path: 'next page link', message: 'points to a page already returned in this listing' }] },
        );
      }
      // A full repeat with more to come is a service ignoring the offset: it would page forever.
      // (A page can legitimately repeat a few items, when incidents arrive between pages.)
      const sentAgain = sentIds !== undefined && sentIds.length > 0 && sentIds.every((id) => sent.has(id));
      for (const id of sentIds ?? []) sent.add(id);
      if (next !== undefined && ((items.length > 0 && fresh.length === 0) || sentAgain)) {
        throw new ResponseValidationError(
          `${operation}: the service returned a page whose ${sentIds?.length ?? items.length} item(s) it had all returned already, and pointed to yet another page (a page-offset loop); stopped after ${seen.size} item(s).`,
          { operation, issues: [{ path: 'page', message: 'every item was already returned in this listing' }] },
        );
      }
      if (continuationToken !== undefined) visited.add(continuationToken);
      yield { items: fresh, continuationToken };
      if (next === undefined) return;
      cursor = next;
    }
  }
  return {
    byPage(options?: ByPageOptions) {
      checkOptionsObject(options, ['continuationToken'], `${operation}().byPage`);
      const token = options?.continuationToken;
      return pages(token === undefined ? undefined : decodeToken(token, isCursor, listing));
    },
    async *[Symbol.asyncIterator]() {
      for await (const page of pages(undefined)) yield* page.items;
    },
    async toArray(options?: ToArrayOptions) {
      checkOptionsObject(options, ['limit'], `${operation}().toArray`);
      const limit = options?.limit;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw new InvalidArgumentError('limit', `limit must be a positive integer; got ${String(limit)}.`);
      }
      const out: T[] = [];
      for await (const page of pages(undefined)) {
        for (const item of page.items) {
          out.push(item);
          if (limit !== undefined && out.length >= limit) return out;
        }
      }
      return out;
    },
  };
}
