/**
 * The error hierarchy of the SDK. Every error the SDK throws is a {@link DefenderError}, except
 * an abort, which surfaces as the caller's `AbortSignal` reason.
 *
 * No message, property or `util.inspect()` output of these errors ever holds a secret, a private
 * key or a token: the SDK builds every message itself from response bodies and option names.
 *
 * @packageDocumentation
 */

/** Which quota a 429 reported: the call count, the tenant's CPU quota for hunting, or not known. */
export type QuotaKind = 'calls' | 'cpu' | 'unknown';

/** Options shared by every SDK error constructor. */
export interface DefenderErrorOptions {
  /** The underlying error, if any (never one that carries request headers). */
  cause?: unknown;
}

/** Base class of every error the SDK throws. */
export class DefenderError extends Error {
  override name = 'DefenderError';
  constructor(message: string, options?: DefenderErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** What the SDK knows about a failed HTTP response. */
export interface ApiErrorDetails extends DefenderErrorOptions {
  /** HTTP status of the response. */
  status: number;
  /** The service's error code (`error.code`, or the Entra `error` / AADSTS code), if any. */
  code?: string | undefined;
  /**
   * The service's id for this failure, to quote to Microsoft support: the Defender API's
   * `error.target`, Graph's `innerError.request-id`, or the `request-id` header.
   */
  requestId?: string | undefined;
  /** The `client-request-id` the SDK sent with the request. */
  clientRequestId?: string | undefined;
  /** How long the service asked the caller to wait before trying again, in milliseconds. */
  retryAfterMs?: number | undefined;
  /**
   * The parsed response body (JSON when it was JSON, else the text, cut to 2 KB), with the token
   * sent and anything like a token redacted from every string in it. An error body is read to its
   * first 64 KiB: a longer one is kept as text, marked `[truncated: …]`.
   */
  body?: unknown;
  /** The SDK operation that failed, e.g. `incidents.list`. */
  operation?: string | undefined;
}

/** An HTTP response that was not a success. Subclasses say what it means. */
export class ApiError extends DefenderError {
  override name = 'ApiError';
  /** HTTP status of the response. */
  readonly status: number;
  /** The service's error code, if any. */
  readonly code: string | undefined;
  /** The service's id for this failure (legacy `error.target`, Graph `request-id`). */
  readonly requestId: string | undefined;
  /** The `client-request-id` the SDK sent. */
  readonly clientRequestId: string | undefined;
  /** How long the service asked the caller to wait, in milliseconds, if it said. */
  readonly retryAfterMs: number | undefined;
  /** The parsed response body. */
  readonly body: unknown;
  /** The SDK operation that failed, e.g. `incidents.get`. */
  readonly operation: string | undefined;

  constructor(message: string, details: ApiErrorDetails) {
    super(message, details);
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.clientRequestId = details.clientRequestId;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body;
    this.operation = details.operation;
  }
}

/**
 * The API rejected the token (401), or Entra ID refused to issue one. `code` carries the
 * AADSTS code (e.g. `AADSTS7000215`) when Entra gave one.
 */
export class AuthenticationError extends ApiError {
  override name = 'AuthenticationError';
}

/** Details of a {@link PermissionError}. */
export interface PermissionErrorDetails extends ApiErrorDetails {
  /** The permissions of which the operation needs any one. */
  requiredPermissions: readonly string[];
  /** The roles the token holds (its `roles` claim). */
  grantedRoles: readonly string[];
  /** The resource application the permissions belong to, e.g. "Microsoft Threat Protection". */
  permissionApi: string;
}

/**
 * The token is valid but lacks a permission (403), or {@link DefenderClient.auth}'s
 * `requireRoles()` found a role missing before any call was made (then `status` is 403 and
 * `requestId` is undefined).
 */
export class PermissionError extends ApiError {
  override name = 'PermissionError';
  /** The permissions of which the operation needs any one. */
  readonly requiredPermissions: readonly string[];
  /** The roles the token holds. */
  readonly grantedRoles: readonly string[];
  /** The resource application the permissions belong to. */
  readonly permissionApi: string;
  constructor(message: string, details: PermissionErrorDetails) {
    super(message, details);
    this.requiredPermissions = details.requiredPermissions;
    this.grantedRoles = details.grantedRoles;
    this.permissionApi = details.permissionApi;
  }
}

/** The incident (or other resource) does not exist (404). */
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
}

/** Details of a {@link RateLimitError}. */
export interface RateLimitErrorDetails extends ApiErrorDetails {
  /** Which quota was exhausted. */
  quota: QuotaKind;
}

/**
 * A quota was exhausted (429) and the SDK could not wait it out: retries ran out, or the wait
 * would have exceeded the call's budget (`maxRetryWaitMs`).
 */
export class RateLimitError extends ApiError {
  override name = 'RateLimitError';
  /** Which quota was exhausted: call count, the tenant's hunting CPU quota, or unknown. */
  readonly quota: QuotaKind;
  constructor(message: string, details: RateLimitErrorDetails) {
    super(message, details);
    this.quota = details.quota;
  }
}

/** An advanced-hunting query was refused (400): syntax, semantics, or a result too large. */
export class QueryError extends ApiError {
  override name = 'QueryError';
}

/** The service failed (5xx) and retries, if allowed, did not help. */
export class ServerError extends ApiError {
  override name = 'ServerError';
}

/** One problem found in a response that does not match what the SDK relies on. */
export interface ValidationIssue {
  /** Path to the offending value, e.g. `value[3].alerts[0].incidentId`. */
  path: string;
  /** What was wrong. */
  message: string;
}

/** A response did not have the shape the SDK relies on. */
export class ResponseValidationError extends DefenderError {
  override name = 'ResponseValidationError';
  /** The SDK operation whose response was invalid. */
  readonly operation: string | undefined;
  /** Each problem, with its path in the response. */
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, details: { operation?: string; issues: readonly ValidationIssue[]; cause?: unknown }) {
    super(message, details);
    this.operation = details.operation;
    this.issues = details.issues;
  }
}

/** A call took longer than its timeout (`timeoutMs`). */
export class TimeoutError extends DefenderError {
  override name = 'TimeoutError';
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /** The SDK operation that timed out. */
  readonly operation: string | undefined;
  constructor(message: string, details: { timeoutMs: number; operation?: string; cause?: unknown }) {
    super(message, details);
    this.timeoutMs = details.timeoutMs;
    this.operation = details.operation;
  }
}

/** The connection failed (refused, reset, DNS) and retries, if allowed, did not help. */
export class ConnectionError extends DefenderError {
  override name = 'ConnectionError';
  /** The SDK operation whose connection failed. */
  readonly operation: string | undefined;
  constructor(message: string, details: { operation?: string; cause?: unknown } = {}) {
    super(message, details);
    this.operation = details.operation;
  }
}

/**
 * The configuration is unusable: a bad tenant id, an unreadable certificate, a Key Vault secret
 * that cannot be read. `option` names the option at fault.
 */
export class CredentialError extends DefenderError {
  override name = 'CredentialError';
  /** The option at fault, e.g. `credential.certificate.path`. */
  readonly option: string | undefined;
  constructor(message: string, details: { option?: string; cause?: unknown } = {}) {
    super(message, details);
    this.option = details.option;
  }
}

/**
 * An argument or option passed to the SDK is not valid: the message names the option and what
 * was expected. Nothing was sent.
 */
export class InvalidArgumentError extends DefenderError {
  override name = 'InvalidArgumentError';
  /** The option or argument at fault, e.g. `pageSize`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/**
 * The operation does not exist on the wire API this client uses: for example `alerts.get` and
 * `alerts.update` on `api: 'defender'`, whose API has no alerts endpoint. The message says which
 * API has it. Nothing was sent.
 */
export class UnsupportedOperationError extends DefenderError {
  override name = 'UnsupportedOperationError';
  /** The SDK operation, e.g. `alerts.update`. */
  readonly operation: string;
  /** The wire API the client uses, e.g. `defender`. */
  readonly api: string;
  constructor(message: string, details: { operation: string; api: string }) {
    super(message);
    this.operation = details.operation;
    this.api = details.api;
  }
}

/**
 * A checkpoint store could not be used: its file is corrupt, was written by something else, or
 * cannot be read or written. `key` names the checkpoint (when one is concerned) and `location` the
 * store (a file path for {@link FileCheckpointStore}). The store is never reset to recover: a
 * feed that lost its checkpoint would silently start again from its `start`.
 */
export class CheckpointError extends DefenderError {
  override name = 'CheckpointError';
  /** The checkpoint's name in the store, when one is concerned. */
  readonly key: string | undefined;
  /** Where the store keeps its state: a file path, or `undefined` for an in-memory store. */
  readonly location: string | undefined;
  constructor(message: string, details: { key?: string | undefined; location?: string | undefined; cause?: unknown } = {}) {
    super(message, details);
    this.key = details.key;
    this.location = details.location;
  }
}

/**
 * Another writer moved a checkpoint between this one's read and its write (the store's
 * compare-and-set refused the write). Nothing was committed by this writer: the other writer's
 * progress stands, and the batch this writer held is delivered again to whoever resumes.
 */
export class CheckpointConflictError extends CheckpointError {
  override name = 'CheckpointConflictError';
  /** The version this writer expected to replace (`undefined`: it expected no checkpoint). */
  readonly expectedVersion: number | undefined;
  constructor(message: string, details: { key: string; location?: string | undefined; expectedVersion: number | undefined }) {
    super(message, details);
    this.expectedVersion = details.expectedVersion;
  }
}

/**
 * A checkpoint store could not be reached (a Redis that is down, not connected, or did not answer
 * in time). It never falls back to another store: the read or write did not happen as far as the
 * caller can tell, and the feed does not report the checkpoint as advanced.
 */
export class CheckpointUnavailableError extends CheckpointError {
  override name = 'CheckpointUnavailableError';
}

/**
 * A worker no longer holds the lease it worked under: it expired, or another worker took it (a
 * later fence). The worker stops before committing anything; whoever holds the lease now
 * carries on. The lease's token is never part of the error.
 */
export class LeaseLostError extends DefenderError {
  override name = 'LeaseLostError';
  /** The lease's name in its store. */
  readonly key: string;
  /** The fencing number of the acquisition that was lost. */
  readonly fence: number;
  constructor(message: string, details: { key: string; fence: number; cause?: unknown }) {
    super(message, details);
    this.key = details.key;
    this.fence = details.fence;
  }
}

/** The device does not exist, or is not one the app may see (404 from a device call). */
export class DeviceNotFoundError extends NotFoundError {
  override name = 'DeviceNotFoundError';
  /** The device id (or name, for `devices.find`) that was asked for. */
  readonly deviceId: string;
  constructor(message: string, details: ApiErrorDetails & { deviceId: string }) {
    super(message, details);
    this.deviceId = details.deviceId;
  }
}

/**
 * The device cannot run the action: its OS or sensor version does not support it (400
 * `OsPlatformNotSupported` / `ClientVersionNotSupported`), e.g. selective isolation of a server.
 */
export class UnsupportedDeviceError extends ApiError {
  override name = 'UnsupportedDeviceError';
}

/** The tenant holds as many active indicators as it may (15,000, not raisable); `cap` says how many. */
export class IndicatorLimitError extends ApiError {
  override name = 'IndicatorLimitError';
  /** The tenant's cap on active indicators. */
  readonly cap: number;
  constructor(message: string, details: ApiErrorDetails & { cap: number }) {
    super(message, details);
    this.cap = details.cap;
  }
}

/**
 * A lease store could not be reached (a Redis that is down, not connected, or did not answer in
 * time): whether the lease is held is not known, so the worker must act as if it were not. The
 * lease's token is never part of the error.
 */
export class LeaseUnavailableError extends DefenderError {
  override name = 'LeaseUnavailableError';
  /** The lease's name in its store. */
  readonly key: string;
  constructor(message: string, details: { key: string; cause?: unknown }) {
    super(message, details);
    this.key = details.key;
  }
}
