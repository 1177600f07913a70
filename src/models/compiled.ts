/**
 * The fast yes/no check of a zod schema, for the response validation that runs on every item of
 * every page. Each schema is compiled once, on its first check (`z.compile`: generated code, a
 * few times faster than zod's interpreter), and cached; the issue list of a value that fails is
 * still zod's own `safeParse` of the schema as written, so the errors stay exactly as they were.
 *
 * The pattern for a wire schema: `if (passes(schema, raw)) <use raw>; else <report
 * schema.safeParse(raw).error.issues>`.
 *
 * @packageDocumentation
 */
import * as z from 'zod';

/** Each schema's compiled clone; weak, so that a schema built on demand is not kept alive. */
const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/** The compiled clone of `schema` (built on first use; zod hands back the schema itself if it cannot compile it). */
function compiledOf(schema: z.ZodType): z.ZodType {
  let compiled = compiledSchemas.get(schema);
  if (compiled === undefined) {
    compiled = z.compile(schema);
    compiledSchemas.set(schema, compiled);
  }
  return compiled;
}

/**
 * Whether `value` passes `schema`, as `schema.safeParse(value).success` would say, without
 * building zod's output (the wire schemas have no transforms: a value that passes is used as it is).
 */
export function passes(schema: z.ZodType, value: unknown): boolean {
  return compiledOf(schema).validate(value);
}
