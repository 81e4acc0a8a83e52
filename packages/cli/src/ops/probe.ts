import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { ApiError, call } from './http.js';

/**
 * The end-to-end probe, in the manner of Zulip's send-receive monitor: two dedicated accounts sign
 * in through nginx, one sends a message over Socket.IO that the other must receive, one edits a
 * shared document that the other must see. Each step is timed; any failure makes the probe fail.
 */

export interface ProbeAccount {
  id: string;
  email: string;
  password: string;
  name: string;
  /**
   * The `flux_device` cookie auth issued at this account's first sign-in, sent at every later one:
   * without it each run would be a new device (a security event, and a notice mail each hour).
   */
  device?: string;
}

/** What `setupProbe` creates once per server, kept in the probe file (mode 0600). */
export interface ProbeTarget {
  a: ProbeAccount;
  b: ProbeAccount;
  organizationId: string;
  projectId: string;
  documentId: string;
  conversationId: string;
  createdAt: string;
}

/** The probe file may hold several servers (development stack, staging through a tunnel …), keyed by URL. */
interface ProbeFile {
  version: 1;
  targets: Record<string, ProbeTarget | PendingTarget>;
}

/** Setup stopped while B's invitation waits to be accepted (production: no dev outbox). */
interface PendingTarget {
  pending: 'invitation';
  a: ProbeAccount;
  b: ProbeAccount;
  organizationId: string;
}

export const isReady = (t: ProbeTarget | PendingTarget | undefined): t is ProbeTarget => !!t && !('pending' in t);

const normaliseUrl = (url: string) => url.replace(/\/+$/, '');

function readProbeFile(file: string): ProbeFile {
  if (!existsSync(file)) return { version: 1, targets: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ProbeFile;
    if (parsed.version !== 1 || typeof parsed.targets !== 'object') throw new Error('unknown format');
    return parsed;
  } catch (err) {
    throw new Error(`${file} is not a probe file (${(err as Error).message}); move it away and run ./flux probe --setup`);
  }
}

export function loadProbeTarget(file: string, url: string): ProbeTarget | PendingTarget | undefined {
  return readProbeFile(file).targets[normaliseUrl(url)];
}

export function saveProbeTarget(file: string, url: string, target: ProbeTarget | PendingTarget): void {
  const content = readProbeFile(file);
  content.targets[normaliseUrl(url)] = target;
  mkdirSync(dirname(file), { recursive: true });
  // Passwords live here: written whole (rename) and readable by the owner only.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

export class SetupPendingError extends Error {}

export interface SetupOptions {
  /** Where the probe accounts are kept (.flux/probe.json). */
  file: string;
  emailA?: string;
  emailB?: string;
  /** The token from the invitation mail sent to account B, when the server has no dev outbox. */
  inviteToken?: string;
  log?: (line: string) => void;
  /** The URL the accounts are saved under, when setup goes through another gateway (deploy's private nginx). */
  saveAs?: string;
}

interface AuthAnswer {
  user: { id: string; email: string; name: string };
  accessToken: string;
}

const strongPassword = () => `probe-${randomBytes(18).toString('base64url')}`;

const DEVICE_COOKIE = 'flux_device';

/** The device id in a sign-in answer's Set-Cookie, if auth issued one. */
const deviceFrom = (headers: Headers): string | undefined =>
  headers
    .getSetCookie()
    .map((cookie) => new RegExp(`^${DEVICE_COOKIE}=([^;]+)`).exec(cookie)?.[1])
    .find((value) => value !== undefined);

async function signup(url: string, email: string, name: string): Promise<ProbeAccount> {
  const password = strongPassword();
  let device: string | undefined;
  const answer = await call<AuthAnswer>(url, 'POST', '/api/auth/signup', {
    body: { email, password, name },
    onHeaders: (headers) => {
      device = deviceFrom(headers);
    },
  });
  return { id: answer.user.id, email: answer.user.email, password, name, device };
}

/** Signs in as the account's known device; records the device id auth answers with on the account. */
async function signIn(url: string, account: ProbeAccount): Promise<string> {
  const answer = await call<AuthAnswer>(url, 'POST', '/api/auth/login', {
    body: { email: account.email, password: account.password },
    cookie: account.device && `${DEVICE_COOKIE}=${account.device}`,
    onHeaders: (headers) => {
      account.device = deviceFrom(headers) ?? account.device;
    },
  });
  return answer.accessToken;
}

/** The newest invitation link sent to `email` in the development outbox, or undefined when the server has none. */
async function invitationTokenFromOutbox(url: string, email: string): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    let mails: { items: { subject: string; text: string }[] };
    try {
      mails = await call(url, 'GET', `/api/auth/dev/outbox?to=${encodeURIComponent(email)}`);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return undefined; // production: no outbox
      throw err;
    }
    for (const mail of mails.items) {
      const token = /invit/i.test(mail.subject) ? /[?&]token=([^\s&]+)/.exec(mail.text)?.[1] : undefined;
      if (token) return decodeURIComponent(token);
    }
    await new Promise((r) => setTimeout(r, 200)); // the mail is sent in the background
  }
  return undefined;
}

/**
 * Creates the two probe accounts, an organization both belong to, a project with a document and a
 * direct conversation between them. Resumable: a setup that waits for the invitation continues
 * from the saved accounts.
 */
export async function setupProbe(url: string, options: SetupOptions): Promise<ProbeTarget> {
  const log = options.log ?? (() => {});
  const previous = loadProbeTarget(options.file, options.saveAs ?? url);
  let a: ProbeAccount;
  let b: ProbeAccount;
  let organizationId: string;
  let tokenA: string;
  let tokenB: string;
  if (previous && !isReady(previous)) {
    log(`continuing the setup of ${previous.a.email} and ${previous.b.email}`);
    ({ a, b, organizationId } = previous);
    [tokenA, tokenB] = await Promise.all([signIn(url, a), signIn(url, b)]);
  } else {
    const tag = randomUUID().slice(0, 8);
    log('creating probe accounts A and B');
    a = await signup(url, options.emailA ?? `flux-probe-a-${tag}@probe.invalid`, 'Flux probe A');
    b = await signup(url, options.emailB ?? `flux-probe-b-${tag}@probe.invalid`, 'Flux probe B');
    [tokenA, tokenB] = await Promise.all([signIn(url, a), signIn(url, b)]);
    const org = await call<{ id: string }>(url, 'POST', '/api/organizations', { token: tokenA, body: { name: `Flux probe ${tag}` } });
    organizationId = org.id;
    log(`adding B to organization ${organizationId}`);
    const added = await call<{ status: string }>(url, 'POST', `/api/organizations/${organizationId}/members`, {
      token: tokenA,
      body: { email: b.email, role: 'member' },
    });
    if (added.status !== 'added') {
      const token = options.inviteToken ?? (await invitationTokenFromOutbox(url, b.email));
      if (!token) {
        saveProbeTarget(options.file, options.saveAs ?? url, { pending: 'invitation', a, b, organizationId });
        throw new SetupPendingError(
          `B was invited by mail to ${b.email}; open that mail and run ./flux probe --setup --invite-token <token from its link>`,
        );
      }
      await call(url, 'POST', '/api/invitations/accept', { token: tokenB, body: { token } });
    }
  }
  if (previous && !isReady(previous)) {
    if (!options.inviteToken)
      throw new SetupPendingError(`still waiting for B's invitation: run ./flux probe --setup --invite-token <token>`);
    await call(url, 'POST', '/api/invitations/accept', { token: tokenB, body: { token: options.inviteToken } });
  }
  log('creating the probe project, document and conversation');
  const project = await call<{ id: string }>(url, 'POST', `/api/organizations/${organizationId}/projects`, {
    token: tokenA,
    body: { name: 'Probe' },
  });
  const document = await call<{ id: string }>(url, 'POST', '/api/documents', {
    token: tokenA,
    body: { projectId: project.id, title: 'Probe' },
  });
  const conversation = await call<{ id: string }>(url, 'POST', '/api/conversations', {
    token: tokenA,
    body: { type: 'direct', memberIds: [b.id] },
  });
  // B must reach the document through its membership, or the collab step could never pass.
  await call(url, 'GET', `/api/documents/${document.id}`, { token: tokenB });
  const target: ProbeTarget = {
    a,
    b,
    organizationId,
    projectId: project.id,
    documentId: document.id,
    conversationId: conversation.id,
    createdAt: new Date().toISOString(),
  };
  saveProbeTarget(options.file, options.saveAs ?? url, target);
  await Promise.all([tokenA, tokenB].map((token) => call(url, 'POST', '/api/auth/logout', { token }).catch(() => {})));
  log(`probe accounts saved in ${options.file}`);
  return target;
}

export interface ProbeStep {
  name: string;
  ok: boolean;
  /** Wall time of the step; 0 when skipped. */
  ms: number;
  skipped?: boolean;
  error?: string;
}

export interface ProbeReport {
  ok: boolean;
  url: string;
  at: string;
  totalMs: number;
  steps: ProbeStep[];
}

export interface ProbeOptions {
  /** Per step. */
  timeoutMs?: number;
  /** Called as each step ends (progress lines). */
  onStep?: (step: ProbeStep) => void;
  /** Called when sign-in gave an account a device id it did not have (save the target, so the next run reuses it). */
  onDevices?: (target: ProbeTarget) => void;
}

function within<T>(ms: number, what: string, work: Promise<T>, onTimeout?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms${onTimeout ? ` (${onTimeout()})` : ''}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const HEALTH_PATHS = ['/api/auth/health', '/api/messages/health', '/collab/health'];

/** Runs every step in order through `url` (nginx); a failed step skips the ones that need it. */
export async function runProbe(url: string, target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeReport> {
  const base = normaliseUrl(url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const steps: ProbeStep[] = [];
  const started = performance.now();
  const sockets: Socket[] = [];
  const providers: WebsocketProvider[] = [];
  const tokens: string[] = [];
  let failed = false;

  const step = async (name: string, work: () => Promise<void>) => {
    if (failed) {
      const skipped = { name, ok: false, ms: 0, skipped: true };
      steps.push(skipped);
      options.onStep?.(skipped);
      return;
    }
    const t0 = performance.now();
    let result: ProbeStep;
    try {
      await work();
      result = { name, ok: true, ms: Math.round(performance.now() - t0) };
    } catch (err) {
      failed = true;
      result = { name, ok: false, ms: Math.round(performance.now() - t0), error: (err as Error).message };
    }
    steps.push(result);
    options.onStep?.(result);
  };

  let tokenA = '';
  let tokenB = '';
  try {
    await step('health', async () => {
      const bad: string[] = [];
      await Promise.all(
        HEALTH_PATHS.map(async (path) => {
          try {
            await call(base, 'GET', path, { timeoutMs });
          } catch (err) {
            bad.push((err as Error).message);
          }
        }),
      );
      if (bad.length > 0) throw new Error(bad.join('; '));
    });

    await step('sign-in', async () => {
      const known = [target.a.device, target.b.device];
      try {
        [tokenA, tokenB] = await Promise.all([
          within(timeoutMs, 'A was not signed in', signIn(base, target.a)),
          within(timeoutMs, 'B was not signed in', signIn(base, target.b)),
        ]);
        tokens.push(tokenA, tokenB);
        if (target.a.device !== known[0] || target.b.device !== known[1]) options.onDevices?.(target);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'invalid_credentials')
          throw new Error(
            `${err.message} — the probe accounts are unknown to this server (database reset or restored?); run ./flux probe --setup`,
          );
        throw err;
      }
    });

    let socketA: Socket | undefined;
    let socketB: Socket | undefined;
    await step('socket.io connect', async () => {
      const connect = (token: string) => {
        const socket = io(base, {
          path: '/socket.io/',
          transports: ['websocket'],
          auth: { token },
          forceNew: true,
          reconnection: false,
          timeout: timeoutMs,
        });
        sockets.push(socket);
        return new Promise<Socket>((resolve, reject) => {
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', (err) => reject(new Error(`Socket.IO connect_error: ${err.message}`)));
        });
      };
      [socketA, socketB] = await within(timeoutMs, 'Socket.IO did not connect', Promise.all([connect(tokenA), connect(tokenB)]));
    });

    await step('message send → receive', async () => {
      const clientId = `probe-${randomUUID()}`;
      const content = `flux probe ${new Date().toISOString()}`;
      const received = new Promise<void>((resolve) => {
        socketB?.on('message:new', (message: { clientId?: string; conversationId?: string }) => {
          if (message.clientId === clientId && message.conversationId === target.conversationId) resolve();
        });
      });
      const ack = new Promise<void>((resolve, reject) => {
        socketA?.emit(
          'message:send',
          { conversationId: target.conversationId, content, clientId },
          (answer: { ok: boolean; error?: { code: string; message: string } }) =>
            answer.ok ? resolve() : reject(new Error(`message:send refused: ${answer.error?.code} ${answer.error?.message}`)),
        );
      });
      await within(timeoutMs, 'message:send was not acknowledged', ack);
      await within(timeoutMs, 'B did not receive the message', received);
    });

    let docA: Y.Doc | undefined;
    let docB: Y.Doc | undefined;
    await step('collab sync', async () => {
      const closes: string[] = [];
      const open = (token: string) => {
        const doc = new Y.Doc();
        const provider = new WebsocketProvider(`${base.replace(/^http/, 'ws')}/collab`, target.documentId, doc, {
          // ws stands in for the browser WebSocket that y-websocket is typed against.
          WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
          disableBc: true,
          params: { token },
        });
        provider.on('connection-close', (event) => {
          if (event) closes.push(`${event.code}${event.reason ? ` ${event.reason}` : ''}`);
        });
        providers.push(provider);
        return new Promise<Y.Doc>((resolve) => {
          const done = (synced: boolean) => synced && resolve(doc);
          if (provider.synced) resolve(doc);
          provider.on('sync', done);
        });
      };
      [docA, docB] = await within(timeoutMs, 'the collab providers did not sync', Promise.all([open(tokenA), open(tokenB)]), () =>
        closes.length > 0 ? `socket closed with ${[...new Set(closes)].join(', ')}` : 'no close code',
      );
    });

    await step('collab edit → seen', async () => {
      const marker = `flux probe ${randomUUID()}`;
      const textB = docB?.getText('probe');
      const seen = new Promise<void>((resolve) => {
        const check = () => textB?.toString() === marker && resolve();
        textB?.observe(check);
      });
      const textA = docA?.getText('probe');
      // Replace, so the probe document stays one line however often it runs.
      docA?.transact(() => {
        textA?.delete(0, textA.length);
        textA?.insert(0, marker);
      });
      await within(timeoutMs, "B did not see A's edit", seen);
    });
  } finally {
    for (const provider of providers) {
      provider.destroy();
      // The awareness' 3 s interval lives until its document is destroyed; it would keep the CLI alive.
      provider.doc.destroy();
    }
    for (const socket of sockets) socket.disconnect();
    // Each run signs in afresh; sign out so probe sessions do not pile up.
    await Promise.all(tokens.map((token) => call(base, 'POST', '/api/auth/logout', { token, timeoutMs }).catch(() => {})));
  }
  return {
    ok: steps.every((s) => s.ok),
    url: base,
    at: new Date().toISOString(),
    totalMs: Math.round(performance.now() - started),
    steps,
  };
}

export function formatStep(step: ProbeStep): string {
  const status = step.skipped ? 'skip' : step.ok ? 'ok' : 'FAIL';
  const ms = step.skipped ? '' : `${step.ms} ms`;
  return `  ${status.padEnd(5)} ${step.name.padEnd(24)} ${ms.padStart(8)}${step.error ? `  ${step.error}` : ''}`;
}
