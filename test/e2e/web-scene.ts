import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { apiCall, openPage, signUpViaApi, type Tab } from './browser.js';

/** A workspace made over the API: an organization with a teammate, a project with a document and its chat. */
export interface Scene {
  owner: Awaited<ReturnType<typeof signUpViaApi>>;
  teammate: Awaited<ReturnType<typeof signUpViaApi>>;
  orgId: string;
  projectId: string;
  documentId: string;
  conversationId: string;
}

export async function buildScene(baseURL: string, name: string): Promise<Scene> {
  const [owner, teammate] = await Promise.all([signUpViaApi(baseURL, name), signUpViaApi(baseURL, 'Bea Teammate')]);
  const call = <T>(path: string, body: unknown) => apiCall<T & { id: string }>(baseURL, owner.accessToken, 'POST', path, body);
  const org = await call('/api/organizations', { name: 'Northwind Studio' });
  await inviteAndAccept(httpClient(baseURL), owner, org.id, teammate, 'member');
  const project = await call(`/api/organizations/${org.id}/projects`, { name: 'Spring Campaign' });
  const document = await call('/api/documents', { projectId: project.id, title: 'Launch brief' });
  const conversation = await call('/api/conversations', { type: 'project', projectId: project.id, name: 'Spring Campaign' });
  await call(`/api/conversations/${conversation.id}/messages`, {
    content: 'Kick-off at ten, bring the moodboards.',
    clientId: randomUUID(),
  });
  return { owner, teammate, orgId: org.id, projectId: project.id, documentId: document.id, conversationId: conversation.id };
}

export const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } satisfies BrowserContextOptions;
export const desktop = { viewport: { width: 1280, height: 800 } } satisfies BrowserContextOptions;

/** A fresh profile with the given device and colour scheme. */
export async function openDeviceTab(browser: Browser, baseURL: string, options: BrowserContextOptions): Promise<Tab> {
  const context = await browser.newContext({ baseURL, ...options });
  context.setDefaultTimeout(20_000);
  const { page, errors } = await openPage(context);
  return { context, page, errors };
}
