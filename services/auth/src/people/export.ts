import { Readable } from 'node:stream';
import { type Caller, requestService } from '@flux/server-kit';
import { AppError, type CollabExport, type MessagingExport, type ServiceName } from '@flux/shared';
import { ZipFile } from 'yazl';
import { findUserById } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import * as repo from './repository.js';

/** One of the other services' `/internal/*` answers about the user; any failure, a 404 included, stops the export with a 503. */
async function internal(ctx: AppContext, service: Exclude<ServiceName, 'auth'>, path: string, timeoutMs = 30_000): Promise<Response> {
  const base = service === 'messaging' ? ctx.config.messagingUrl : ctx.config.collabUrl;
  return requestService(service, base, ctx.serviceTokens, path, { timeoutMs, notFound: 'unavailable' });
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
/** A name safe inside the archive: no folders, no control characters, not too long. */
const safeName = (name: string) => name.replaceAll(/[/\\\p{Cc}]/gu, '_').slice(0, 120) || 'untitled';

/**
 * `GET /api/auth/export`: one zip of everything the caller owns, streamed as it is built. It collects
 * what it can up front (the profile here, messages from messaging, documents from collab) so an
 * outage is a clean 503 before any byte is sent; the files' bytes then stream from messaging one at
 * a time, never all held in memory. Nothing is stored: an export is personal data, and a kept
 * archive would need its own expiry and erasure.
 */
export async function exportData(ctx: AppContext, caller: Caller, meta: RequestMeta): Promise<{ filename: string; stream: Readable }> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  const [messaging, collab] = await Promise.all([
    internal(ctx, 'messaging', `/internal/users/${user.id}/export`).then((r) => r.json() as Promise<MessagingExport>),
    internal(ctx, 'collab', `/internal/users/${user.id}/documents`).then((r) => r.json() as Promise<CollabExport>),
  ]);
  const organizations = await repo.organizationsOf(ctx.db, user.id);
  const avatar = await repo.findAvatar(ctx.db, user.id);

  const zip = new ZipFile();
  zip.addBuffer(
    json({
      id: user.id,
      name: user.name,
      email: user.email,
      emailVerified: user.email_verified_at !== null,
      createdAt: user.created_at.toISOString(),
      organizations: organizations.map((o) => ({ id: o.id, name: o.name, role: o.role })),
    }),
    'account.json',
  );
  if (avatar) zip.addBuffer(avatar.image, 'avatar.webp');
  zip.addBuffer(json(messaging.messages), 'messages.json');
  zip.addBuffer(json(collab.documents.map(({ text: _text, ...document }) => document)), 'documents.json');
  for (const document of collab.documents)
    zip.addBuffer(Buffer.from(document.text), `documents/${safeName(document.title)}-${document.id}.txt`);
  zip.addBuffer(json(messaging.files), 'files.json');
  for (const file of messaging.files)
    zip.addReadStreamLazy(`files/${file.id}-${safeName(file.name)}`, { size: file.size }, (done) => {
      internal(ctx, 'messaging', `/internal/users/${user.id}/files/${file.id}`, 120_000).then(
        (response) => done(null, Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)),
        // yazl reads no stream when told an error; an empty one satisfies its callback type.
        (err: unknown) => done(err, Readable.from([])),
      );
    });
  zip.end();
  await recordSecurityEvent(ctx, ctx.db, {
    type: 'data_exported',
    userId: user.id,
    meta,
    metadata: { messages: messaging.messages.length, documents: collab.documents.length, files: messaging.files.length },
  });
  const stream = zip.outputStream as Readable;
  stream.on('error', (err) => ctx.log.warn({ err, userId: user.id }, 'data export stopped while streaming'));
  return { filename: `fluxstudio-export-${new Date().toISOString().slice(0, 10)}.zip`, stream };
}
