/** One spelling per mailbox: trimmed and lower-cased (the database enforces the same rule). */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
