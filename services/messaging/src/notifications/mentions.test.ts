import { describe, expect, it } from 'vitest';
import { findMentions } from './mentions.js';

const ada = { userId: 'a', name: 'Ada Lovelace', email: 'ada.l@example.com' };
const bob = { userId: 'b', name: 'Bob', email: 'bob@example.com' };
const members = [ada, bob];

describe('findMentions', () => {
  it('matches full names, first names and email handles, case-insensitively', () => {
    expect(findMentions('hi @Ada Lovelace', members)).toEqual(['a']);
    expect(findMentions('hi @ada, and @BOB!', members)).toEqual(['a', 'b']);
    expect(findMentions('ping @ada.l', members)).toEqual(['a']);
  });

  it('ignores partial words, emails and text without @', () => {
    expect(findMentions('hi @adam and @bobby', members)).toEqual([]);
    expect(findMentions('write to me@ada.com', members)).toEqual([]);
    expect(findMentions('ada and bob', members)).toEqual([]);
  });

  it('mentions everyone with @all, @channel or @everyone, but not with an email or a longer word', () => {
    expect(findMentions('heads up @channel', members)).toEqual(['a', 'b']);
    expect(findMentions('@ALL: release today', members)).toEqual(['a', 'b']);
    expect(findMentions('@everyone!', members)).toEqual(['a', 'b']);
    expect(findMentions('mail team@all.example or @allison', members)).toEqual([]);
  });

  it('names only (no @all) with everyone: false, for members who muted the conversation', () => {
    expect(findMentions('heads up @channel', members, { everyone: false })).toEqual([]);
    expect(findMentions('@all and @bob', members, { everyone: false })).toEqual(['b']);
  });

  it('treats names with regex characters literally', () => {
    expect(findMentions('@c++ fan', [{ userId: 'c', name: 'c++', email: 'c@x.io' }])).toEqual(['c']);
    expect(findMentions('@cxx', [{ userId: 'c', name: 'c.+', email: 'q@x.io' }])).toEqual([]);
  });
});
