// The messaging baselines: a bare Socket.IO server in its own process (as our messaging service
// is), no auth, no nginx. A client names its rooms in the handshake; `message:send` is emitted to
// the room and acknowledged, after a plain INSERT per message when started with a database: the
// floor of a persisted chat on this machine. Started by `startBareMessaging`.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';

interface Send {
  conversationId: string;
  content: string;
  clientId: string;
}
type Sql = ((strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>) & { unsafe(query: string): Promise<unknown> };

async function serve(databaseUrl: string | undefined): Promise<number> {
  let sql: Sql | undefined;
  if (databaseUrl) {
    // postgres.js, the driver the services use (a dependency of @flux/migrations, which bench has).
    const postgres = createRequire(import.meta.resolve('@flux/migrations'))('postgres') as (url: string, o: object) => Sql;
    sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
    await sql.unsafe(`create schema if not exists bench_bare;
      create table if not exists bench_bare.messages (
        id uuid primary key, conversation_id uuid not null, client_id text not null, content text not null,
        created_at timestamptz not null default now())`);
  }
  const http = createServer();
  const io = new Server(http, { path: '/socket.io/', transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    const rooms = (socket.handshake.auth as { rooms?: string[] }).rooms ?? [];
    void socket.join(rooms);
    socket.on('message:send', async (body: Send, ack: (answer: unknown) => void) => {
      const message = { id: randomUUID(), conversationId: body.conversationId, clientId: body.clientId, content: body.content };
      if (sql)
        await sql`insert into bench_bare.messages (id, conversation_id, client_id, content)
          values (${message.id}, ${message.conversationId}, ${message.clientId}, ${message.content})`;
      io.to(body.conversationId).emit('message:new', { ...message, createdAt: new Date().toISOString() });
      ack({ ok: true, message });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

if (process.env.FLUX_BARE_MESSAGING === '1') {
  const port = await serve(process.env.BARE_DATABASE_URL || undefined);
  process.send?.({ port });
  process.on('disconnect', () => process.exit(0));
}

/** Forks a bare server (persisting each message with `databaseUrl`); `stop()` ends it. */
export async function startBareMessaging(databaseUrl?: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, FLUX_BARE_MESSAGING: '1', BARE_DATABASE_URL: databaseUrl ?? '' },
    stdio: 'inherit',
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bare messaging server exited (${code})`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { url: `http://127.0.0.1:${port}`, child, stop };
}
