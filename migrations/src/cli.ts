import { dropDatabase, migrate } from './migrate.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux';
const log = (message: string) => console.log(`    ${message}`);
try {
  if (process.argv.includes('--reset')) await dropDatabase(url, log);
  const applied = await migrate(url, { createDatabase: process.argv.includes('--create-database'), log });
  log(applied.length ? `${applied.length} migrations applied` : 'migrations up to date');
} catch (err) {
  console.error(
    `migrations failed: ${err instanceof Error ? err.message : String(err)}\nCheck DATABASE_URL (${url.replace(/:[^:@/]*@/, ':***@')}) and that PostgreSQL is running.`,
  );
  process.exit(1);
}
