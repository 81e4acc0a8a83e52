import type { OutboxMail } from '@flux/shared';
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { insertOutboxMail, listOutboxMail } from './repository.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer when SMTP_URL is set; otherwise (never in production) the dev outbox table. */
export function createMailer(config: Config, db: Kysely<Database>): Mailer {
  if (config.smtpUrl) {
    const transport: Transporter = nodemailer.createTransport(config.smtpUrl);
    return {
      send: async (mail) => {
        await transport.sendMail({ from: config.mailFrom, ...mail });
      },
      close: () => transport.close(),
    };
  }
  if (config.production) throw new Error('SMTP_URL is required in production');
  return {
    send: async (mail) => {
      await insertOutboxMail(db, { recipient: mail.to, subject: mail.subject, body: mail.text });
    },
    close: () => {},
  };
}

export async function readOutbox(db: Kysely<Database>, to: string): Promise<OutboxMail[]> {
  const rows = await listOutboxMail(db, to.trim().toLowerCase());
  return rows.map((row) => ({ to: row.recipient, subject: row.subject, text: row.body, createdAt: row.created_at.toISOString() }));
}
