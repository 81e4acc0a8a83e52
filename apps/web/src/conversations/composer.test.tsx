// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiContext } from '../api/api-context.js';
import { ApiClient } from '../api/client.js';
import { Composer } from './composer.js';
import type { ConversationMember } from './types.js';

const member = (userId: string, name: string): ConversationMember => ({
  userId,
  name,
  email: `${name.split(' ')[0]!.toLowerCase()}@example.com`,
  role: 'member',
  lastReadSeq: 0,
  joinedAt: '2026-01-01T00:00:00Z',
});

function setup(draftKey?: string) {
  const onSend = vi.fn();
  const onTyping = vi.fn();
  const api = new ApiClient((async () => new Response(null, { status: 500 })) as typeof fetch, null);
  render(
    <ApiContext value={api}>
      <Composer
        label="Message"
        members={[member('u2', 'Bea Curie'), member('u3', 'Ben Stone')]}
        onSend={onSend}
        onTyping={onTyping}
        draftKey={draftKey}
      />
    </ApiContext>,
  );
  const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
  const type = (value: string) => fireEvent.change(box, { target: { value, selectionStart: value.length } });
  return { onSend, onTyping, box, type };
}

afterEach(cleanup);

describe('Composer', () => {
  it('sends on Enter, trimmed, and clears the box', () => {
    const { onSend, box, type } = setup();
    type('  hello there  ');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('hello there', []);
    expect(box.value).toBe('');
  });

  it('keeps Shift+Enter for a new line and never sends an empty message', () => {
    const { onSend, box, type } = setup();
    type('first line');
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    type('   ');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('suggests people after @ and picks one with the keyboard instead of sending', () => {
    const { onSend, box, type } = setup();
    type('thanks @b');
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['Bea Curie', 'Ben Stone']);
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(screen.getByRole('option', { selected: true }).textContent).toBe('Ben Stone');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(box.value).toBe('thanks @Ben ');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('tells the conversation when typing starts and stops', () => {
    const { onTyping, box, type } = setup();
    type('h');
    type('hi');
    expect(onTyping.mock.calls).toEqual([[true]]);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onTyping.mock.calls).toEqual([[true], [false]]);
  });

  it('keeps the unsent text as a draft across a remount (a reload) and forgets it once sent', () => {
    localStorage.clear();
    const first = setup('flux.draft:u1:c1');
    first.type('half **written**');
    expect(localStorage.getItem('flux.draft:u1:c1')).toBe('half **written**');
    cleanup();
    const second = setup('flux.draft:u1:c1');
    expect(second.box.value).toBe('half **written**');
    fireEvent.keyDown(second.box, { key: 'Enter' });
    expect(second.onSend).toHaveBeenCalledWith('half **written**', []);
    expect(localStorage.getItem('flux.draft:u1:c1')).toBeNull();
    cleanup();
    // Another conversation has its own (empty) draft.
    expect(setup('flux.draft:u1:c2').box.value).toBe('');
  });
});
