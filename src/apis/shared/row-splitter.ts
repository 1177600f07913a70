/**
 * Splits a JSON object, as its bytes arrive, into its top-level members and the elements of one
 * array member (a hunting result's rows), each handed to `JSON.parse` as soon as its last byte
 * has arrived.
 *
 * The scanner reads bytes, not decoded text: in UTF-8 every byte of a multi-byte character is
 * ≥ 0x80, so the bytes it looks for (quotes, backslashes, braces, brackets, commas, colons) are
 * never part of one. It tracks only strings, escapes and nesting depth; `JSON.parse` checks
 * everything else, one value at a time. What is held between chunks is the value being read
 * (at most `maxValueBytes`), never the values before it.
 *
 * @packageDocumentation
 */
import { Buffer, isAscii } from 'node:buffer';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LEFT_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RIGHT_BRACKET = 0x5d;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;

/** Where the scanner is in the document. */
const enum At {
  BeforeRoot,
  KeyOrEnd,
  Key,
  InKey,
  Colon,
  Value,
  InValue,
  AfterValue,
  ElementOrEnd,
  Element,
  InElement,
  AfterElement,
  AfterRoot,
}

/** The kind of value being scanned. */
const enum Kind {
  Container,
  String,
  Literal,
}

/** Why a body is not a JSON object (`not-object`: its first non-space byte is not `{`). */
export type SplitFault = 'not-object' | 'invalid' | 'truncated' | 'too-large';

/** A body the splitter cannot read; `fault` says why. */
export class SplitError extends Error {
  /** Why the body was refused. */
  readonly fault: SplitFault;

  constructor(fault: SplitFault, message: string) {
    super(message);
    this.name = 'SplitError';
    this.fault = fault;
  }
}

/** What a {@link RowSplitter} reports, in body order. */
export interface RowSplitterHandler {
  /** A top-level member, other than the rows array, with its value parsed. */
  member(key: string, value: unknown): void;
  /** The rows array begins (`key` as sent). */
  rowsStart(key: string): void;
  /** One element of the rows array, parsed. */
  row(value: unknown): void;
}

/** How a {@link RowSplitter} reads. */
export interface RowSplitterOptions {
  /** Whether a top-level member (its key as sent) holds the rows. Its value, if an array, is split. */
  isRowsKey(key: string): boolean;
  /** The longest value (a row, or a top-level member) held while its bytes arrive. */
  maxValueBytes: number;
}

/** Whether `byte` is JSON whitespace. */
function isSpace(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB;
}

/** Whether `byte` can be part of a number, `true`, `false` or `null` (`JSON.parse` checks which). */
function isLiteralByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || byte === 0x2d || byte === 0x2b || byte === 0x2e;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SplitError('invalid', 'expected JSON, got invalid JSON');
  }
}

/** Splits one body; feed it with {@link write}, then call {@link end}. Throws {@link SplitError}. */
export class RowSplitter {
  readonly #handler: RowSplitterHandler;
  readonly #options: RowSplitterOptions;
  #at: At = At.BeforeRoot;
  #key = '';

  // The value being scanned.
  #kind: Kind = Kind.Literal;
  #depth = 0;
  #inString = false;
  /** The chunk ended right after a backslash inside a string: the next byte is escaped. */
  #escaped = false;

  /** Where the held value starts in the current chunk (0 when its start came in earlier chunks). */
  #start = 0;
  /** The current chunk as text when it is all ASCII (byte offsets are then character offsets). */
  #asciiText: string | undefined;
  /** The value's bytes from earlier chunks. */
  #held: Buffer[] = [];
  #heldBytes = 0;

  constructor(handler: RowSplitterHandler, options: RowSplitterOptions) {
    this.#handler = handler;
    this.#options = options;
  }

  /** Reads the next chunk of the body: reports every value it completes. */
  write(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const end = buf.length;
    let pos = 0;
    this.#start = 0;
    // One decoding per chunk instead of one per row (most results are ASCII).
    this.#asciiText = isAscii(buf) ? buf.toString('latin1', 0, end) : undefined;
    while (pos < end) {
      switch (this.#at) {
        case At.InElement: {
          const after = this.#scan(buf, pos, end);
          if (after < 0) {
            pos = end;
            break;
          }
          this.#handler.row(parse(this.#take(buf, after)));
          pos = after;
          this.#at = At.AfterElement;
          break;
        }
        case At.AfterElement: {
          const byte = buf[pos++]!;
          if (byte === COMMA) this.#at = At.Element;
          else if (byte === RIGHT_BRACKET) this.#at = At.AfterValue;
          else if (!isSpace(byte)) throw this.#invalid();
          break;
        }
        case At.Element:
        case At.ElementOrEnd: {
          const byte = buf[pos]!;
          if (isSpace(byte)) pos++;
          else if (byte === RIGHT_BRACKET && this.#at === At.ElementOrEnd) {
            pos++;
            this.#at = At.AfterValue;
          } else {
            pos = this.#begin(buf, pos);
            this.#at = At.InElement;
          }
          break;
        }
        default:
          pos = this.#envelope(buf, pos, end);
      }
    }
    if (this.#at === At.InElement || this.#at === At.InValue || this.#at === At.InKey) this.#hold(buf);
  }

  /** The body ended: throws unless it was one whole JSON object. */
  end(): void {
    if (this.#at === At.AfterRoot) return;
    if (this.#at === At.BeforeRoot) throw new SplitError('not-object', 'the body is empty');
    throw new SplitError('truncated', 'the body ended before the JSON document did (truncated)');
  }

  /** One step through the envelope (the root object around the rows); returns the next position. */
  #envelope(buf: Buffer, pos: number, end: number): number {
    const at = this.#at;
    if (at === At.InKey || at === At.InValue) {
      const after = this.#scan(buf, pos, end);
      if (after < 0) return end;
      const value = parse(this.#take(buf, after));
      if (at === At.InKey) {
        this.#key = value as string;
        this.#at = At.Colon;
      } else {
        this.#handler.member(this.#key, value);
        this.#at = At.AfterValue;
      }
      return after;
    }
    const byte = buf[pos]!;
    if (isSpace(byte)) return pos + 1;
    switch (at) {
      case At.BeforeRoot:
        if (byte !== LEFT_BRACE) throw new SplitError('not-object', 'expected a JSON object');
        this.#at = At.KeyOrEnd;
        return pos + 1;
      case At.KeyOrEnd:
      case At.Key:
        if (byte === RIGHT_BRACE && at === At.KeyOrEnd) {
          this.#at = At.AfterRoot;
          return pos + 1;
        }
        if (byte !== QUOTE) throw this.#invalid();
        this.#at = At.InKey;
        return this.#begin(buf, pos);
      case At.Colon:
        if (byte !== COLON) throw this.#invalid();
        this.#at = At.Value;
        return pos + 1;
      case At.Value:
        if (byte === LEFT_BRACKET && this.#options.isRowsKey(this.#key)) {
          this.#handler.rowsStart(this.#key);
          this.#at = At.ElementOrEnd;
          return pos + 1;
        }
        this.#at = At.InValue;
        return this.#begin(buf, pos);
      case At.AfterValue:
        if (byte === COMMA) this.#at = At.Key;
        else if (byte === RIGHT_BRACE) this.#at = At.AfterRoot;
        else throw this.#invalid();
        return pos + 1;
      default:
        throw this.#invalid();
    }
  }

  /** A value starts at `pos`: notes its kind and start; returns the position after its first byte. */
  #begin(buf: Buffer, pos: number): number {
    const byte = buf[pos]!;
    this.#start = pos;
    if (byte === LEFT_BRACE || byte === LEFT_BRACKET) {
      this.#kind = Kind.Container;
      this.#depth = 1;
      this.#inString = false;
    } else if (byte === QUOTE) {
      this.#kind = Kind.String;
      this.#inString = true;
    } else if (isLiteralByte(byte)) {
      this.#kind = Kind.Literal;
    } else {
      throw this.#invalid();
    }
    return pos + 1;
  }

  /**
   * Scans the value under way from `pos`: returns the position just after its last byte, or −1
   * when the chunk ends first (the state is kept for the next chunk).
   */
  #scan(buf: Buffer, pos: number, end: number): number {
    if (this.#kind === Kind.Literal) {
      while (pos < end && isLiteralByte(buf[pos]!)) pos++;
      return pos < end ? pos : -1;
    }
    let inString = this.#inString;
    let depth = this.#depth;
    if (this.#escaped) {
      this.#escaped = false;
      pos++;
    }
    while (pos < end) {
      if (inString) {
        // To the next quote (memchr); it closes the string unless an odd run of backslashes precedes it.
        const quote = buf.indexOf(QUOTE, pos);
        const stop = quote < 0 ? end : quote;
        let backslash = stop - 1;
        while (backslash >= pos && buf[backslash] === BACKSLASH) backslash--;
        const escaped = (stop - 1 - backslash) % 2 === 1;
        if (quote < 0) {
          this.#escaped = escaped;
          pos = end;
          break;
        }
        pos = quote + 1;
        if (escaped) continue;
        inString = false;
        if (this.#kind === Kind.String) return pos;
        continue;
      }
      const byte = buf[pos++]!;
      if (byte === QUOTE) inString = true;
      else if (byte === LEFT_BRACE || byte === LEFT_BRACKET) depth++;
      else if ((byte === RIGHT_BRACE || byte === RIGHT_BRACKET) && --depth === 0) return pos;
    }
    this.#inString = inString;
    this.#depth = depth;
    return -1;
  }

  /** The text of the value that ends at `end` in `buf` (its start may be held from earlier chunks). */
  #take(buf: Buffer, end: number): string {
    if (this.#held.length === 0) return this.#asciiText?.slice(this.#start, end) ?? buf.toString('utf8', this.#start, end);
    this.#held.push(buf.subarray(0, end));
    const bytes = Buffer.concat(this.#held, this.#heldBytes + end);
    this.#held = [];
    this.#heldBytes = 0;
    return bytes.toString('utf8');
  }

  /** The chunk ended inside a value: keeps its bytes so far, within the cap. */
  #hold(buf: Buffer): void {
    const part = buf.subarray(this.#start);
    this.#heldBytes += part.length;
    if (this.#heldBytes > this.#options.maxValueBytes) {
      this.#held = [];
      throw new SplitError('too-large', `a value is longer than ${this.#options.maxValueBytes} bytes`);
    }
    this.#held.push(part);
  }

  #invalid(): SplitError {
    return new SplitError('invalid', 'expected JSON, got invalid JSON');
  }
}
