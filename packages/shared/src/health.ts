import { Type, type Static } from '@sinclair/typebox';

export const CheckState = Type.Union([Type.Literal('ok'), Type.Literal('error')]);

export const HealthBody = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    service: Type.String(),
    uptime: Type.Number(),
    checks: Type.Object({ db: CheckState, redis: CheckState }),
    connections: Type.Optional(Type.Integer()),
    activeRooms: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type HealthBody = Static<typeof HealthBody>;
