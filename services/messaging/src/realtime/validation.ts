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

type Checker<S extends TSchema> = (value: unknown) => { ok: true; value: Static<S> } | { ok: false; error: Invalid };

// One compiled check per schema for the whole process: compiling generates and evaluates source
// code, and per socket (four events) that held ~6 KB of heap, more once each check had run.
const compiled = new WeakMap<TSchema, Checker<TSchema>>();

/** A compiled check for socket payloads: the value, or where it went wrong. Compiled once per schema. */
export function compile<S extends TSchema>(schema: S): Checker<S> {
  let checker = compiled.get(schema);
  if (!checker) {
    checker = compileNow(schema);
    compiled.set(schema, checker);
  }
  return checker as Checker<S>;
}

function compileNow<S extends TSchema>(schema: S): Checker<S> {
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
