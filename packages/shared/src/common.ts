import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export type IdParams = Static<typeof IdParams>;

/** A list answer: `{items, nextCursor}` (contract §3). */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const Services = { auth: 3001, messaging: 3004, collab: 4000 } as const;
export type ServiceName = keyof typeof Services;

/** The response schema of a 204: `response: { 204: NoContent }`, answered with `reply.code(204).send()`. */
export const NoContent = Type.Null();
