/**
 * The Standard Schema interface (https://standardschema.dev, v1), which zod (3.24+ and 4),
 * valibot and arktype implement: `rowSchema` takes any of them, so rows are typed by the
 * caller's own schema library and copy. Copied here as the spec recommends, so that no package
 * is needed for the types.
 *
 * @packageDocumentation
 */

/** A schema of any library that implements Standard Schema v1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

/** The types and values of {@link StandardSchemaV1}. */
export declare namespace StandardSchemaV1 {
  /** The properties every Standard Schema has. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the spec: 1. */
    readonly version: 1;
    /** The library that made the schema (`zod`, `valibot`, `arktype`). */
    readonly vendor: string;
    /** Validates a value: its output, or the issues. A promise for an asynchronous schema. */
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** The schema's input and output types, for inference only. */
    readonly types?: Types<Input, Output> | undefined;
  }
  /** A validation's outcome. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  /** A valid value, as the schema outputs it. */
  export interface SuccessResult<Output> {
    /** The output value. */
    readonly value: Output;
    /** No issues. */
    readonly issues?: undefined;
  }
  /** An invalid value's issues. */
  export interface FailureResult {
    /** What is wrong, and where. */
    readonly issues: ReadonlyArray<Issue>;
  }
  /** One problem. */
  export interface Issue {
    /** What is wrong. */
    readonly message: string;
    /** Where: keys, or `{ key }` segments. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  /** A segment of an issue's path. */
  export interface PathSegment {
    /** The key. */
    readonly key: PropertyKey;
  }
  /** The input and output types of a schema. */
  export interface Types<Input = unknown, Output = Input> {
    /** The input type. */
    readonly input: Input;
    /** The output type. */
    readonly output: Output;
  }
  /** The output type of a Standard Schema. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}
