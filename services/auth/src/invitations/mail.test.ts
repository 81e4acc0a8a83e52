import { describe, expect, it } from 'vitest';
import { invitationMail, mailSafeName } from './mail.js';

describe('invitation mail', () => {
  it('bounds, flattens and defangs the names an inviter chose', () => {
    expect(mailSafeName('Acme  Design\r\nBcc: victim@example.com', 'x')).toBe('Acme Design Bcc: victim@example[.]com');
    expect(mailSafeName('Visit https://evil.example/claim now', 'x')).toBe('Visit https[:]//evil[.]example/claim now');
    expect(mailSafeName('a\u202Egnp.exe', 'x')).toBe('a gnp[.]exe');
    expect([...mailSafeName('x'.repeat(500), 'x')]).toHaveLength(60);
    expect(mailSafeName('\u200B\u0007 ', 'A teammate')).toBe('A teammate');
    expect(mailSafeName('J. Smith & Co.', 'x')).toBe('J. Smith & Co.');
  });

  it('carries our link, the role and the expiry, and no raw link from the names', () => {
    const mail = invitationMail({
      to: 'new@acme.test',
      inviterName: 'Mallory\nClick http://evil.test',
      organizationName: 'www.evil.test',
      role: 'admin',
      link: 'https://flux.example/invite?token=abc_DEF-123',
      ttlSeconds: 7 * 86_400,
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toMatch(/invited you/);
    expect(mail.text).toMatch(/invit[^\s]*token=abc_DEF-123/i);
    expect(mail.text).toContain('as admin');
    expect(mail.text).toContain('expires in 7 days');
    expect(mail.text).not.toContain('http://evil.test');
    expect(mail.text).not.toContain('www.evil.test');
    expect(mail.text.match(/https?:\/\//g)).toHaveLength(1);
  });
});
