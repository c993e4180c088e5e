import type pg from 'pg';
import type { RelationMessage } from './pgoutput-decoder.ts';

/** What routing a change needs to know about its table, looked up once per Relation message. */
export interface RelationInfo {
  schema: string;
  table: string;
  columns: { name: string; type: string }[];
  columnTypes: Record<string, string>;
  /** Primary key columns; with REPLICA IDENTITY FULL every column is "key" in pgoutput, so we ask the catalog. */
  primaryKey: string[];
  rlsEnabled: boolean;
}

/**
 * Table metadata keyed by the Relation message object: Postgres sends a new Relation
 * message after DDL, so a new object means fresh metadata.
 */
export class RelationCatalog {
  private readonly byRelation = new WeakMap<RelationMessage, Promise<RelationInfo>>();
  private readonly typeNames = new Map<number, string>();
  private readonly privileges = new Map<string, Promise<boolean>>();
  private bypassRoles: Promise<Set<string>> | undefined;

  constructor(private readonly db: pg.Pool) {}

  describe(relation: RelationMessage): Promise<RelationInfo> {
    let info = this.byRelation.get(relation);
    if (!info) {
      info = this.load(relation);
      this.byRelation.set(relation, info);
      // New table shape: privileges may have changed too.
      this.privileges.clear();
      info.catch(() => this.byRelation.delete(relation));
    }
    return info;
  }

  private async load(relation: RelationMessage): Promise<RelationInfo> {
    const missing = relation.columns
      .map((column) => column.typeOid)
      .filter((oid) => !this.typeNames.has(oid));
    if (missing.length > 0) {
      const types = await this.db.query<{ oid: number; typname: string }>(
        'select oid::int, typname from pg_catalog.pg_type where oid = any($1::oid[])',
        [missing],
      );
      for (const row of types.rows) this.typeNames.set(row.oid, row.typname);
    }
    const table = await this.db.query<{ relrowsecurity: boolean; pk: string[] | null }>(
      `select c.relrowsecurity,
              (select array_agg(a.attname::text order by k.ord)
                 from pg_catalog.pg_index i
                 cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
                 join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                where i.indrelid = c.oid and i.indisprimary) as pk
         from pg_catalog.pg_class c
         join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relname = $2`,
      [relation.schema, relation.table],
    );
    const row = table.rows[0];
    const columns = relation.columns.map((column) => ({
      name: column.name,
      type: this.typeNames.get(column.typeOid) ?? 'text',
    }));
    return {
      schema: relation.schema,
      table: relation.table,
      columns,
      columnTypes: Object.fromEntries(columns.map((column) => [column.name, column.type])),
      primaryKey: row?.pk ?? relation.columns.filter((column) => column.isKey).map((column) => column.name),
      rlsEnabled: row?.relrowsecurity ?? false,
    };
  }

  /** Roles that see every row (superusers and BYPASSRLS, e.g. service_role): no RLS query needed. */
  async bypassesRls(role: string): Promise<boolean> {
    this.bypassRoles ??= this.db
      .query<{ rolname: string }>('select rolname from pg_catalog.pg_roles where rolsuper or rolbypassrls')
      .then((result) => new Set(result.rows.map((row) => row.rolname)));
    return (await this.bypassRoles).has(role);
  }

  /** Whether `role` may select from the table at all; subscribers without it get nothing. */
  canSelect(role: string, info: RelationInfo): Promise<boolean> {
    const key = `${role}\u0000${info.schema}\u0000${info.table}`;
    let allowed = this.privileges.get(key);
    if (!allowed) {
      allowed = this.db
        .query<{ allowed: boolean }>(
          `select pg_catalog.has_table_privilege($1, format('%I.%I', $2::text, $3::text), 'select') as allowed`,
          [role, info.schema, info.table],
        )
        .then((result) => result.rows[0]?.allowed === true)
        .catch(() => false);
      this.privileges.set(key, allowed);
    }
    return allowed;
  }
}
