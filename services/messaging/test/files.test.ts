import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, FileInfo } from '@flux/shared';
import { httpClient } from '../../../test/support/http.js';
import { messagingFactories } from './factories.js';
import {
  client,
  people,
  send,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
  type TestUser,
} from './helpers.js';

// The smallest valid PNG (1×1), so the type can only come from the bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Uploads through the typed client (multipart); name the answer you expect (`ErrorBody` for a refusal). */
async function upload<T = FileInfo>(url: string, user: TestUser | undefined, body: Blob, name: string, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new File([body], name, { type }));
  return httpClient(url, { token: user?.accessToken }).request<T>('POST', '/api/files', { form });
}

// Downloads stay on fetch: the tests read the raw bytes and the download headers.
const download = (url: string, user: TestUser, path: string) =>
  fetch(url + path, { headers: { authorization: `Bearer ${user.accessToken}` } });

describe('files', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  let fixtures: ReturnType<typeof messagingFactories>;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth, { MAX_FILE_SIZE: String(64 * 1024), USER_QUOTA_BYTES: String(100 * 1024) });
    fixtures = messagingFactories(server.config.databaseUrl);
  });
  afterAll(async () => {
    await fixtures?.close();
    await server?.close();
    await auth?.close();
  });

  it('uploads, sniffs the type from the bytes and sanitises the name', async () => {
    const ada = await people(auth).user('Ada');
    // Claims to be HTML with a path in its name; is a PNG.
    const answer = await upload(server.url, ada, new Blob([PNG]), '../../etc/evil<script>.html', 'text/html');
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(String),
      name: 'evil_script_.html',
      size: PNG.length,
      mimeType: 'image/png',
      url: `/api/files/${answer.body.id}`,
    });

    const text = await upload(server.url, ada, new Blob(['héllo, plain text']), 'notes.txt', 'image/png');
    expect(text.body.mimeType).toBe('text/plain; charset=utf-8');
    const binary = await upload(server.url, ada, new Blob([Buffer.from([0, 1, 2, 3, 255])]), 'blob.bin');
    expect(binary.body.mimeType).toBe('application/octet-stream');

    const got = await download(server.url, ada, answer.body.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="evil_script_.html"; filename*=UTF-8''evil_script_.html`);
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('lets only the uploader and members of a conversation it is attached to download it', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    const file = (await upload(server.url, ada, new Blob(['shared secret']), 'secret.txt')).body;
    expect((await download(server.url, bob, file.url)).status).toBe(404);

    const chat = await fixtures.conversation('direct', ada, [bob]);
    // Attaching someone else's file is refused.
    const stolen = await client(server.url, bob).post<ErrorBody>(`/api/conversations/${chat.id}/messages`, {
      content: 'mine now',
      clientId: randomUUID(),
      attachments: [file.id],
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.details).toMatchObject({ field: 'attachments' });

    const message = await send(server.url, ada, chat.id, 'see attached', { attachments: [file.id] });
    expect(message.attachments).toEqual([file]);
    const asBob = await download(server.url, bob, file.url);
    expect(asBob.status).toBe(200);
    expect(await asBob.text()).toBe('shared secret');
    const asEve = await download(server.url, eve, file.url);
    expect(asEve.status).toBe(404);
    expect(((await asEve.json()) as ErrorBody).error.code).toBe('not_found');

    // Once the message is deleted, the attachment no longer opens the file to the conversation.
    await client(server.url, ada).delete(`/api/messages/${message.id}`);
    expect((await download(server.url, bob, file.url)).status).toBe(404);
    expect((await download(server.url, ada, file.url)).status).toBe(200);
  });

  it('refuses oversize files with 413 and keeps nothing of them', async () => {
    const ada = await people(auth).user('Ada');
    const stored = () =>
      readdirSync(server.config.filesDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name);
    const before = stored();
    const big = await upload<ErrorBody>(server.url, ada, new Blob([Buffer.alloc(64 * 1024 + 1, 1)]), 'big.bin');
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(stored().sort()).toEqual(before.sort());
  });

  it('enforces the per-user quota; deleting a file frees its share', async () => {
    const [ada, eve] = await users(auth, 'Ada', 'Eve');
    const chunk = new Blob([Buffer.alloc(40 * 1024, 7)]);
    const a = await upload(server.url, ada, chunk, 'a.bin');
    expect(a.status).toBe(201);
    expect((await upload(server.url, ada, chunk, 'b.bin')).status).toBe(201);
    const over = await upload<ErrorBody>(server.url, ada, chunk, 'c.bin');
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('quota_exceeded');
    // Someone else still has room.
    expect((await upload(server.url, eve, chunk, 'a.bin')).status).toBe(201);

    expect((await client(server.url, eve).delete(`/api/files/${a.body.id}`)).status).toBe(404);
    expect((await client(server.url, ada).delete(`/api/files/${a.body.id}`)).status).toBe(204);
    expect((await download(server.url, ada, a.body.url)).status).toBe(404);
    expect((await upload(server.url, ada, chunk, 'c.bin')).status).toBe(201);
  });

  it('answers bad uploads with the envelope', async () => {
    const ada = await people(auth).user('Ada');
    expect((await upload(server.url, undefined, new Blob(['x']), 'x.txt')).status).toBe(401);
    const json = await client(server.url, ada).post<ErrorBody>('/api/files', { file: 'x' });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('unsupported_media_type');
    const form = new FormData();
    form.append('note', 'no file here');
    const noFile = await httpClient(server.url, { token: ada.accessToken }).request<ErrorBody>('POST', '/api/files', { form });
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.details).toMatchObject({ field: 'file' });
    // A multipart content type without its boundary (was a 500).
    const noBoundary = await httpClient(server.url, { token: ada.accessToken }).request<ErrorBody>('POST', '/api/files', {
      raw: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n--x--',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.body.error.code).toBe('bad_request');
    expect((await download(server.url, ada, `/api/files/${randomUUID()}`)).status).toBe(404);
    expect((await download(server.url, ada, '/api/files/nope')).status).toBe(400);
  });

  it('uploads into a document only after collab answers: a bad documentId is 400, collab unreachable 503, nothing kept', async () => {
    const ada = await people(auth).user('Ada');
    const offline = await startMessaging(auth, { COLLAB_URL: 'http://127.0.0.1:9' });
    try {
      const stored = () =>
        readdirSync(offline.config.filesDir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => e.name)
          .sort();
      const before = stored();
      const intoDocument = (documentId: string) => {
        const form = new FormData();
        form.append('documentId', documentId);
        form.append('file', new File([PNG], 'board.png', { type: 'image/png' }));
        return httpClient(offline.url, { token: ada.accessToken }).request<ErrorBody>('POST', '/api/files', { form });
      };
      const bad = await intoDocument('not-a-document');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toMatchObject({ field: 'documentId' });
      const unreachable = await intoDocument(randomUUID());
      expect(unreachable.status).toBe(503);
      expect(unreachable.body.error.code).toBe('service_unavailable');
      expect(unreachable.headers.get('retry-after')).toBe('5');
      expect(stored()).toEqual(before);
    } finally {
      await offline.close();
    }
  });
});
