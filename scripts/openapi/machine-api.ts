/**
 * The OpenAPI 3.1 description of the machine API (docs/api-keys.md): the tables and RPCs a
 * workspace API key calls through /rest/v1, generated from the database's own catalogue —
 * columns, types, enums, which commands the API role is granted, RPC arguments — so it cannot
 * drift from the migrations. `npm run gen:openapi` writes docs/api-keys.openapi.json;
 * tests/data/openapi.test.ts regenerates it from the migrated schema and compares.
 */
import type pg from 'pg';

/** The tables a key reads and writes (all hold workspace rows; RLS decides per permission). */
export const MACHINE_TABLES = [
  'workspaces',
  'workspace_members',
  'roles',
  'profiles',
  'projects',
  'tasks',
  'labels',
  'task_labels',
  'comments',
  'activity',
  'attachments',
  'audit_log',
] as const;

/** The RPCs a key calls. */
export const MACHINE_RPCS = [
  'current_api_key',
  'move_task',
  'has_permission',
  'my_permissions',
  'workspace_usage',
] as const;

type Schema = Record<string, unknown>;

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  has_default: boolean;
  description: string | null;
}

async function enumValues(db: pg.ClientBase): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ name: string; values: string[] }>(
    `select t.typname as name, array_agg(e.enumlabel order by e.enumsortorder) as values
     from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = 'public' group by t.typname`,
  );
  return new Map(rows.map((r) => [r.name, r.values]));
}

function typeSchema(udt: string, enums: Map<string, string[]>): Schema {
  if (udt.startsWith('_')) return { type: 'array', items: typeSchema(udt.slice(1), enums) };
  const values = enums.get(udt);
  if (values) return { type: 'string', enum: values };
  switch (udt) {
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'text':
    case 'varchar':
    case 'citext':
    case 'bpchar':
      return { type: 'string' };
    case 'int2':
    case 'int4':
      return { type: 'integer', format: 'int32' };
    case 'int8':
      return { type: 'integer', format: 'int64' };
    case 'float4':
    case 'float8':
    case 'numeric':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'timestamptz':
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'inet':
      return { type: 'string' };
    case 'json':
    case 'jsonb':
      return {};
    case 'tsvector':
      return { type: 'string' };
    default:
      return { type: 'string', description: `Postgres ${udt}` };
  }
}

const nullable = (schema: Schema): Schema =>
  typeof schema.type === 'string' ? { ...schema, type: [schema.type, 'null'] } : schema;

const errorResponse = (description: string, headers?: Schema): Schema => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const commonResponses = {
  '401': { $ref: '#/components/responses/KeyRefused' },
  '429': { $ref: '#/components/responses/RateLimited' },
};

export async function machineOpenApi(db: pg.ClientBase): Promise<Schema> {
  const enums = await enumValues(db);
  const { rows: columns } = await db.query<ColumnRow>(
    `select c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable,
       (c.column_default is not null or c.is_identity = 'YES' or c.is_generated = 'ALWAYS') as has_default,
       col_description(format('public.%I', c.table_name)::regclass, c.ordinal_position::int) as description
     from information_schema.columns c
     where c.table_schema = 'public' and c.table_name = any ($1)
       and has_column_privilege('authenticated', format('public.%I', c.table_name), c.column_name, 'SELECT')
     order by c.table_name, c.ordinal_position`,
    [MACHINE_TABLES],
  );
  const { rows: grants } = await db.query<{
    table_name: string;
    description: string | null;
    privileges: string[];
  }>(
    `select t.relname as table_name, obj_description(t.oid, 'pg_class') as description,
       array(select p from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) as p
             where has_table_privilege('authenticated', t.oid, p)
                or (p in ('INSERT', 'UPDATE') and has_any_column_privilege('authenticated', t.oid, p))) as privileges
     from pg_class t join pg_namespace n on n.oid = t.relnamespace
     where n.nspname = 'public' and t.relname = any ($1)`,
    [MACHINE_TABLES],
  );
  const { rows: rpcs } = await db.query<{
    name: string;
    description: string | null;
    args: { name: string; type: string; has_default: boolean }[];
    returns: string;
    returns_set: boolean;
  }>(
    `select p.proname as name, obj_description(p.oid, 'pg_proc') as description, p.proretset as returns_set,
       (select t.typname from pg_type t where t.oid = p.prorettype) as returns,
       coalesce((select json_agg(json_build_object('name', a.name, 'type', (select typname from pg_type where oid = a.type),
                  'has_default', a.ord > p.pronargs - p.pronargdefaults) order by a.ord)
         from unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) with ordinality as a (name, type, ord)), '[]') as args
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = any ($1)
     order by p.proname`,
    [MACHINE_RPCS],
  );

  const schemas: Record<string, Schema> = {
    Error: {
      type: 'object',
      description:
        'PostgREST error body; `message` is the stable code (docs/data-model.md, docs/api-keys.md).',
      properties: {
        code: { type: 'string', description: 'SQLSTATE (PTxyz answers status xyz)' },
        message: { type: 'string', description: 'Stable snake_case code, e.g. api_key_revoked' },
        details: { type: ['string', 'null'] },
        hint: { type: ['string', 'null'] },
      },
      required: ['code', 'message'],
    },
  };
  const paths: Record<string, Schema> = {};
  for (const table of MACHINE_TABLES) {
    const own = columns.filter((c) => c.table_name === table);
    const privileges = grants.find((g) => g.table_name === table);
    if (!privileges || own.length === 0) continue;
    const name = table.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    schemas[name] = {
      type: 'object',
      ...(privileges.description ? { description: privileges.description } : {}),
      properties: Object.fromEntries(
        own.map((c) => {
          const base = typeSchema(c.udt_name, enums);
          const schema = c.is_nullable === 'YES' ? nullable(base) : base;
          return [c.column_name, c.description ? { ...schema, description: c.description } : schema];
        }),
      ),
      required: own.filter((c) => c.is_nullable === 'NO').map((c) => c.column_name),
    };
    const ref = { $ref: `#/components/schemas/${name}` };
    const operations: Record<string, Schema> = {};
    const filters = { $ref: '#/components/parameters/select' };
    if (privileges.privileges.includes('SELECT')) {
      operations.get = {
        operationId: `list_${table}`,
        summary: `Rows of ${table} the key may read (RLS)`,
        parameters: [
          filters,
          { $ref: '#/components/parameters/order' },
          { $ref: '#/components/parameters/limit' },
        ],
        responses: {
          '200': {
            description: 'The rows',
            content: { 'application/json': { schema: { type: 'array', items: ref } } },
          },
          ...commonResponses,
        },
      };
    }
    if (privileges.privileges.includes('INSERT')) {
      operations.post = {
        operationId: `create_${table}`,
        summary: `Insert into ${table} (RLS: the key's permission)`,
        requestBody: { content: { 'application/json': { schema: ref } } },
        responses: {
          '201': { description: 'Created' },
          '403': errorResponse('Refused by RLS (42501)'),
          ...commonResponses,
        },
      };
    }
    if (privileges.privileges.includes('UPDATE')) {
      operations.patch = {
        operationId: `update_${table}`,
        summary: `Update rows of ${table} matched by the filters (rows the key may not change are not matched)`,
        requestBody: { content: { 'application/json': { schema: ref } } },
        responses: { '204': { description: 'Updated (possibly nothing)' }, ...commonResponses },
      };
    }
    if (privileges.privileges.includes('DELETE')) {
      operations.delete = {
        operationId: `delete_${table}`,
        summary: `Delete rows of ${table} matched by the filters`,
        responses: { '204': { description: 'Deleted (possibly nothing)' }, ...commonResponses },
      };
    }
    paths[`/${table}`] = operations;
  }
  for (const rpc of rpcs) {
    const properties = Object.fromEntries(rpc.args.map((a) => [a.name, typeSchema(a.type, enums)]));
    const returns = rpc.returns === 'void' ? {} : typeSchema(rpc.returns, enums);
    paths[`/rpc/${rpc.name}`] = {
      post: {
        operationId: rpc.name,
        ...(rpc.description ? { summary: rpc.description } : {}),
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties,
                required: rpc.args.filter((a) => !a.has_default).map((a) => a.name),
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The result',
            content: {
              'application/json': { schema: rpc.returns_set ? { type: 'array', items: returns } : returns },
            },
          },
          '4XX': errorResponse('A stable error code in `message`'),
          ...commonResponses,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Groundwork machine API',
      version: '1',
      description:
        'What a workspace API key calls under /rest/v1 (PostgREST). Send the publishable key as `apikey` and the workspace API key as `Groundwork-Api-Key`. Generated from the database by `npm run gen:openapi`; see docs/api-keys.md.',
    },
    servers: [{ url: '{apiUrl}/rest/v1', variables: { apiUrl: { default: 'http://127.0.0.1:54321' } } }],
    security: [{ publishableKey: [], workspaceApiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        publishableKey: { type: 'apiKey', in: 'header', name: 'apikey' },
        workspaceApiKey: { type: 'apiKey', in: 'header', name: 'Groundwork-Api-Key' },
      },
      parameters: {
        select: {
          name: 'select',
          in: 'query',
          schema: { type: 'string' },
          description: 'Columns and embeds (PostgREST)',
        },
        order: { name: 'order', in: 'query', schema: { type: 'string' } },
        limit: { name: 'limit', in: 'query', schema: { type: 'integer' } },
      },
      responses: {
        KeyRefused: errorResponse(
          'api_key_invalid, api_key_revoked or api_key_expired (or forbidden from an RPC)',
        ),
        RateLimited: errorResponse("api_key_rate_limited: past the plan's requests per minute", {
          'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the next minute' },
        }),
      },
      schemas,
    },
  };
}
