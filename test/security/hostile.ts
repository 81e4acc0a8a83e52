import fc from 'fast-check';

/** The seed every fuzz property runs with (FUZZ_SEED to replay another); fast-check prints it with any counterexample. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_128);

/** Strings an attacker tries: SQL and template injection, path traversal, NUL, markup, number look-alikes. */
export const injectionStrings = [
  "' OR 1=1 --",
  '"; DROP TABLE auth.users; --',
  '{{7*7}}',
  ['$', '{7*7}'].join(''), // a template-literal injection, kept out of this file's own string syntax
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '-1e308',
  '9'.repeat(400),
  '\uD800',
  '\uFFFF\uFFFE',
  ' ',
  '',
];

const hugeNumbers = [1e308, -1e308, -0, 1e30, Number.MAX_SAFE_INTEGER + 2, -1, 0.5, 2 ** 63];

/** `depth` arrays inside one another: JSON parsers and validators that recurse meet their stack here. */
export const nested = (depth: number): unknown => {
  let value: unknown = 'deep';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value };
  return value;
};

/** Objects whose keys try to reach Object.prototype. */
export const pollution = (): unknown => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');

/** Text with a NUL inside: JSON carries it, PostgreSQL cannot store it. */
export const nulText: fc.Arbitrary<string> = fc.string({ maxLength: 8 }).map((text) => `${text}\u0000${text}`);

/** Any hostile JSON value: wrong types, oversized and odd strings, huge numbers, deep nesting, prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...injectionStrings),
  nulText,
  fc.constantFrom(...hugeNumbers),
  fc.constantFrom(true, false, null, [], {}),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 10_000, max: 300_000 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 20, max: 3_000 }).map(nested),
  fc.constant(null).map(pollution),
  fc.anything({ maxDepth: 2, maxKeys: 4 }),
);

/** Raw request bodies no JSON encoder produces: invalid UTF-8, truncated or absurdly deep JSON, prototype keys. */
export const hostileRawBodies: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])), // {"a":"<bad bytes>"}
  fc.constant(Buffer.from([0xed, 0xa0, 0x80])), // an encoded surrogate half
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 1_000, max: 200_000 }).map((depth) => Buffer.from('['.repeat(depth))),
  fc.integer({ min: 1_000, max: 50_000 }).map((depth) => Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
  fc.constant(Buffer.from('{"__proto__":{"polluted":true}}')),
  fc.constant(Buffer.from('{"constructor":{"prototype":{"polluted":true}}}')),
  fc.constant(Buffer.from('{"name":')),
  fc.constant(Buffer.from('{"seq":1e999999}')),
);

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) becomes the invalid UTF-8 `%ED%A0%80`. */
export const encode = (text: string): string =>
  text
    .split(/([\uD800-\uDFFF])/)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');

/** Hostile text for a path segment or a query value, sent percent-encoded or raw (bad escapes included). */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...injectionStrings).map(encode),
  // Numbers a parser may turn into Infinity, NaN, -0 or another base.
  fc.constantFrom('1e400', '-1e400', '9'.repeat(400), 'NaN', 'Infinity', '-0', '0x10', '1e-400', '1.5', '-1', ''),
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%C0%AF', '..%2F..%2F', '%2e%2e', '%00'),
  fc.integer({ min: 1_000, max: 20_000 }).map((length) => 'a'.repeat(length)),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encode),
);

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

/**
 * Values a JSON schema accepts (most of the time: fast-check keeps to the bounds, a pattern through
 * `stringMatching`), so the fuzz reaches the handlers past validation, not only the validator.
 */
export function fromSchema(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.constant(undefined);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(fromSchema));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern), { maxLength: schema.maxLength ?? 50 });
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 60, 300) });
    }
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e9), max: Math.min(schema.maximum ?? 1e6, 1e9) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      if (schema.patternProperties) {
        const [pattern, value] = Object.entries(schema.patternProperties)[0] ?? ['.*', {}];
        return fc.dictionary(fc.stringMatching(new RegExp(pattern), { maxLength: 40 }), fromSchema(value), { maxKeys: 3 });
      }
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fromSchema(value)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
    }
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

/** A body for a route: schema-shaped, schema-shaped with one field hostile, or hostile altogether. */
export function bodies(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const keys = Object.keys(schema?.properties ?? {});
  const oneFieldHostile =
    keys.length === 0
      ? hostileValue
      : fc
          .tuple(fromSchema(schema), fc.constantFrom(...keys), hostileValue)
          .map(([valid, key, bad]) => ({ ...(valid as object), [key]: bad }));
  return fc.oneof(fromSchema(schema), oneFieldHostile, hostileValue);
}

/** `{ ok: false, error: { code, message } }`, or the contract's HTTP error body `{ error: { code, message } }`. */
export const isErrorBody = (body: unknown): boolean => {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
};
