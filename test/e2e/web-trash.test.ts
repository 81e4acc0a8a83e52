import { mkdirSync } from 'node:fs';
import type { Page as BrowserPage, Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { invitationTokens } from '../support/invitations.js';
import { launchBrowser, openTab, signUpInBrowser } from './browser.js';
import { startStack, type Stack } from './stack.js';

const SHOTS = '/tmp/shots/workspace';
const shot = async (page: BrowserPage, name: string) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
};

/** Workspace housekeeping as a person does it: rename and trash a document, restore it; rename, archive and restore a project; invitations; delete the organization. */
describe('web: trash, projects and organization deletion', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renames a document, moves it to the trash and restores it; renames, archives and restores a project; resends and revokes an invitation; deletes the organization after its name is typed', async () => {
    const { page, context, errors } = await openTab(browser, stack.url);
    page.on('dialog', (dialog) => void dialog.accept());
    await signUpInBrowser(page, 'Wren Owner');
    await page.getByLabel('Organization name').fill('Wren Studio');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Wren Studio', level: 1 }).waitFor();
    await page.getByLabel('New project name').fill('Autumn Lookbook');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Autumn Lookbook', level: 1 }).waitFor();
    const projectUrl = page.url();

    // A document, renamed from its header.
    await page.getByLabel('New document title').fill('Shot list');
    await page.getByRole('button', { name: 'Create document' }).click();
    await page.getByRole('heading', { name: 'Shot list', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Document title').fill('Final shot list');
    await page.getByRole('form', { name: 'Rename document' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Final shot list', level: 1 }).waitFor();
    const documentUrl = page.url();
    await shot(page, '01-document-header');

    // Move to trash: the project's trash lists it; the document itself is gone.
    await page.getByRole('button', { name: 'Move to trash' }).click();
    await page.getByRole('heading', { name: 'Trash', level: 1 }).waitFor();
    const trash = page.getByRole('list', { name: 'Deleted documents' });
    await trash.getByText('Final shot list').waitFor();
    await trash.getByText(/deleted for good in 30 days/).waitFor();
    await shot(page, '02-project-trash');
    await page.goto(projectUrl);
    await page.getByRole('heading', { name: 'Autumn Lookbook', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Documents', exact: true }).getByText('No documents yet').waitFor();
    await page.goto(documentUrl);
    await page.getByText('This document does not exist or you have no access.').waitFor();

    // Restore from the trash: it opens again, and the trash is empty.
    await page.goto(projectUrl);
    await page.getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('button', { name: 'Restore Final shot list' }).click();
    await page.getByRole('heading', { name: 'Final shot list', level: 1 }).waitFor();
    await page.getByTestId('connection').getByText('Live').waitFor();
    // Another one goes to the trash and is deleted for good from there.
    await page.goto(projectUrl);
    await page.getByLabel('New document title').fill('Scratch notes');
    await page.getByRole('button', { name: 'Create document' }).click();
    await page.getByRole('heading', { name: 'Scratch notes', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Move to trash' }).click();
    await page.getByRole('button', { name: 'Delete Scratch notes forever' }).click();
    await page.getByText('The trash is empty').waitFor();

    // The project: renamed, archived (out of the sidebar, listed apart on the organization page), restored.
    const sidebarProjects = page.getByRole('navigation', { name: 'Workspace' }).getByRole('region', { name: 'Projects' });
    await page.goto(projectUrl);
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Project name').fill('Winter Lookbook');
    await page.getByRole('form', { name: 'Rename project' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Winter Lookbook', level: 1 }).waitFor();
    await sidebarProjects.getByRole('link', { name: 'Winter Lookbook' }).waitFor();
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.getByText('This project is archived').waitFor();
    await expect.poll(() => sidebarProjects.getByRole('link', { name: 'Winter Lookbook' }).count()).toBe(0);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Members & settings' }).click();
    await page.getByRole('list', { name: 'Archived projects' }).getByRole('link', { name: 'Winter Lookbook' }).waitFor();
    await shot(page, '03-archived-project');
    await page.getByRole('list', { name: 'Archived projects' }).getByRole('link', { name: 'Winter Lookbook' }).click();
    await page.getByRole('button', { name: 'Restore project' }).click();
    await sidebarProjects.getByRole('link', { name: 'Winter Lookbook' }).waitFor();
    await expect.poll(() => page.getByText('This project is archived').count()).toBe(0);

    // Invitations in the members panel: resend (a second mail with a new link), revoke.
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Members & settings' }).click();
    const invitee = `pending-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(invitee);
    await page.getByRole('button', { name: 'Invite' }).click();
    const pending = page.getByRole('list', { name: 'Pending invitations' });
    await pending.getByText(invitee).waitFor();
    const first = await eventually(async () => (await invitationTokens(httpClient(stack.url), invitee))[0], {
      what: 'the invitation mail',
    });
    await page.getByRole('button', { name: `Resend the invitation to ${invitee}` }).click();
    await page.getByText(`A new link was sent to ${invitee}.`).waitFor();
    const tokens = await eventually(
      async () => {
        const all = await invitationTokens(httpClient(stack.url), invitee);
        return all.length === 2 && all;
      },
      { what: 'the resent invitation mail' },
    );
    expect(tokens[0]).not.toBe(first);
    await page.getByRole('button', { name: `Revoke the invitation to ${invitee}` }).click();
    await page.getByText(`The invitation to ${invitee} was revoked.`).waitFor();
    await expect.poll(() => pending.getByText(invitee).count()).toBe(0);

    // Deleting the organization: the button waits for the exact name.
    const confirm = page.getByLabel('Type Wren Studio to confirm');
    const remove = page.getByRole('button', { name: 'Delete organization' });
    await confirm.fill('wren studio');
    expect(await remove.isDisabled()).toBe(true);
    await confirm.fill('Wren Studio');
    await remove.scrollIntoViewIfNeeded();
    await shot(page, '04-delete-organization');
    await remove.click();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    await page.goto(projectUrl);
    await page.getByText('This project does not exist or you have no access.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
