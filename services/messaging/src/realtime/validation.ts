import { isUuid } from '@flux/server-kit';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry } from '@sinclair/typebox';

// TypeBox knows no string formats by itself (fastify's ajv does): teach it the ones our schemas use.
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', isUuid);

export interface Invalid {
  field: string;
  message: string;
}

/** A compiled check for socket payloads: the value, or where it went wrong. */
export function compile<S extends TSchema>(schema: S): (value: unknown) => { ok: true; value: Static<S> } | { ok: false; error: Invalid } {
  const check: TypeCheck<S> = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return { ok: true, value };
    const first = check.Errors(value).First();
    return {
      ok: false,
      error: { field: first?.path.replace(/^\//, '').replaceAll('/', '.') || '(root)', message: first?.message ?? 'is invalid' },
    };
  };
}
