/**
 * What the transport needs to know of the call it sends, and of the wire API's error bodies:
 * given by the wire API modules (`apis/`), read by the transport. Types only.
 *
 * @packageDocumentation
 */
import type { QuotaFamily } from './pacer.js';

/** What the transport needs to know about the operation it sends. */
export interface OperationSpec {
  /** The public name, e.g. `incidents.list`. */
  name: string;
  /** The quota family the call counts against. */
  family: QuotaFamily;
  /** Permissions of which the call needs any one. */
  requiredRoles: readonly string[];
  /** The resource app those permissions belong to. */
  permissionApi: string;
  /** Whether the request may be sent again when its outcome is unknown (GET, hunting POST). */
  idempotent: boolean;
  /** Whether a 400 means the query was refused (advanced hunting). */
  isQuery?: boolean;
  /**
   * At most this many resends after a 5xx, below `maxRetries` (hunting: each resend may spend
   * the tenant's CPU quota again). Default: `maxRetries`.
   */
  maxServerErrorRetries?: number;
  /**
   * The largest successful body read into memory, in bytes; past it the call fails with
   * `ResponseValidationError`. Default: 64 MiB (`PAGE_MAX_RESPONSE_BYTES`). The client option
   * `maxResponseBytes` replaces it. A streamed body has no cap.
   */
  maxResponseBytes?: number;
}

/** What an API's error body says, read by the wire API module that knows its shape. */
export interface ParsedErrorBody {
  /** The service's error code (`BadRequest`, `TooManyRequests`, …). */
  code?: string | undefined;
  /** The service's message. */
  message?: string | undefined;
  /** The service's id of the request, for support cases. */
  requestId?: string | undefined;
}

/** Reads a wire API's error body (parsed JSON, or text) and response headers. */
export type ErrorBodyReader = (body: unknown, headers: Headers) => ParsedErrorBody;
