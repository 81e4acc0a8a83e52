// A bare fastify server in its own process answering every GET with one JSON body held in memory:
// the rest_read baseline (what serving the same bytes costs with no auth, query or serialisation).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';

if (process.env.FLUX_BARE_FASTIFY === '1') {
  const app = Fastify();
  let body = '';
  app.get('/*', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  process.on('message', (message: { body: string }) => {
    body = message.body;
    process.send?.('set');
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: Number(new URL(address).port) });
  process.on('disconnect', () => process.exit(0));
}

/** Forks the server, hands it `body` and resolves with its process and port. */
export async function startBareFastify(body: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, FLUX_BARE_FASTIFY: '1' }, stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bare fastify exited (${code})`)));
  });
  const set = new Promise((resolve) => child.once('message', resolve));
  child.send({ body });
  await set;
  return { child, port };
}
