import { migrate } from '@flux/migrations';
import { createDatabase } from '@flux/server-kit';

type Sql = ReturnType<typeof createDatabase>['sql'];

/**
 * A stand-in read replica: a second, migrated database on the same server (`<name>_replica`).
 * Tests copy rows into it and then change them, so an answer shows which database served it.
 */
export class FakeReplica {
  readonly url: string;
  readonly sql: Sql;
  private readonly primary: Sql;
  private readonly close: () => Promise<void>;

  private constructor(primaryUrl: string) {
    const url = new URL(primaryUrl);
    url.pathname = `${url.pathname}_replica`;
    this.url = url.toString();
    this.sql = createDatabase(this.url, 2).sql;
    const primary = createDatabase(primaryUrl, 2);
    this.primary = primary.sql;
    this.close = async () => {
      await Promise.all([this.sql.end(), primary.sql.end()]);
    };
  }

  static async create(primaryUrl: string): Promise<FakeReplica> {
    const replica = new FakeReplica(primaryUrl);
    await migrate(replica.url, { createDatabase: true });
    return replica;
  }

  /** Copies the primary's rows of `table` (schema-qualified) matching `column = value`; generated columns are left to the replica. */
  async copy(table: string, column: string, value: string, { generated = [] as string[] } = {}): Promise<number> {
    const rows = await this.primary.unsafe(`select * from ${table} where ${column} = $1`, [value]);
    if (rows.length === 0) return 0;
    const columns = Object.keys(rows[0] ?? {}).filter((name) => !generated.includes(name));
    const list = columns.map((name) => `"${name}"`).join(', ');
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    for (const row of rows)
      await this.sql.unsafe(
        `insert into ${table} (${list}) values (${placeholders}) on conflict do nothing`,
        columns.map((name) => row[name]),
      );
    return rows.length;
  }

  end(): Promise<void> {
    return this.close();
  }
}
