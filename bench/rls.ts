/**
 * What RLS costs on the board query. Builds 1,000 workspaces (4 members each, 2 projects,
 * 5 labels) and 100,000 tasks, then times the typical member query — one project's open
 * tasks with assignee and labels, 50 rows — as that member and as the service role
 * (which bypasses RLS), side by side in one run:
 *
 *   sql   a hand-written equivalent of the statement PostgREST builds (lateral embeds),
 *         sent over pg after the same per-request `set local role` + `request.jwt.claims`
 *         PostgREST issues; timed round trip of the prepared statement alone
 *   rest  the same through the gateway and PostgREST with supabase-js (HTTP included)
 *   http  the same request with plain fetch, through the gateway and straight to PostgREST,
 *         to show where the REST time goes
 *
 * 2% of the tasks are in the trash; every variant asks for live tasks (the member's RLS would hide
 * the trash anyway, the service role bypasses RLS and must filter).
 * Then the API-key persona: the same board request with a workspace API key (PostgREST's
 * pre-request hook looks the key up and sets the principal) beside the member's, target ≤ 1.2×.
 *
 * Then the permission check alone (has_permission and its set form, which every policy
 * evaluates once per statement), timed inside the database, next to the role check it replaced.
 *
 *   npx tsx bench/rls.ts [iterations=400] [--plans]
 */

import { mintUserToken, startTestStack } from '@groundwork/local-stack/testing';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';

const iterations = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 400);
const warmup = 50;
const workdir = new URL('..', import.meta.url).pathname;

const WORKSPACES = 1_000;

/** Bulk data in set-based SQL. Triggers are off (replica mode) so numbers, positions and
 *  workspace ids are written directly; every constraint-relevant value is consistent by construction. */
const buildData = `
set session_replication_role = replica;

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
  format('bench-%s-%s@example.test', w, r), '', now(), '{}', '{}', now(), now()
from generate_series(1, ${WORKSPACES}) as w, unnest(array['owner', 'admin', 'member', 'viewer']) as r;

insert into public.profiles (id, display_name)
select id, split_part(email, '@', 1) from auth.users where email like 'bench-%';

insert into public.workspaces (id, name, slug, plan)
select gen_random_uuid(), format('Bench %s', w), format('bench-%s', w), 'pro'
from generate_series(1, ${WORKSPACES}) as w;

insert into public.workspace_members (workspace_id, user_id, role, role_id)
select ws.id, u.id, r.builtin, r.id
from public.workspaces ws
join auth.users u on u.email like format('bench-%s-%%@example.test', split_part(ws.slug, '-', 2))
join public.roles r on r.builtin::text = split_part(split_part(u.email, '@', 1), '-', 3);

-- A typical user belongs to a few workspaces: every member also views the next two.
insert into public.workspace_members (workspace_id, user_id, role, role_id)
select ws.id, u.id, 'viewer', (select id from public.roles where builtin = 'viewer')
from auth.users u
cross join generate_series(1, 2) as step
join public.workspaces ws
  on ws.slug = format('bench-%s', (split_part(u.email, '-', 2)::int + step - 1) % ${WORKSPACES} + 1)
where u.email like 'bench-%-member@example.test';

insert into public.projects (id, workspace_id, name, key, next_task_number)
select gen_random_uuid(), ws.id, p.name, p.key, p.tasks + 1
from public.workspaces ws
-- 100 tasks per workspace: 80 in the first project, 20 in the second.
cross join (values ('Engineering', 'ENG', 80), ('Design', 'DES', 20)) as p (name, key, tasks)
where ws.slug like 'bench-%';

insert into public.labels (id, workspace_id, name, color)
select gen_random_uuid(), ws.id, l.name, '#6b7280'
from public.workspaces ws
cross join unnest(array['bug', 'feature', 'chore', 'design', 'urgent']) as l (name)
where ws.slug like 'bench-%';

insert into public.tasks (id, workspace_id, project_id, number, title, description, status, priority,
  assignee_id, position)
select gen_random_uuid(), p.workspace_id, p.id, n,
  format('Task %s of %s', n, p.key),
  'Generated for the RLS benchmark.',
  (array['todo', 'todo', 'todo', 'in_progress', 'in_progress', 'in_progress', 'in_progress',
         'done', 'done', 'canceled'])[n % 10 + 1]::public.task_status,
  (array['none', 'low', 'medium', 'high', 'urgent'])[n % 5 + 1]::public.task_priority,
  (select m.user_id from public.workspace_members m
    where m.workspace_id = p.workspace_id and m.role <> 'viewer'
    order by m.user_id offset n % 3 limit 1),
  n * 1024
from public.projects p
cross join lateral generate_series(1, p.next_task_number - 1) as n
where p.workspace_id in (select id from public.workspaces where slug like 'bench-%');

-- One or two labels per task.
insert into public.task_labels (task_id, workspace_id, label_id)
select t.id, t.workspace_id, l.id
from public.tasks t
join lateral (
  select id from public.labels l
  where l.workspace_id = t.workspace_id
  order by l.name offset t.number % 5 limit 1 + t.number % 2
) l on true
where t.workspace_id in (select id from public.workspaces where slug like 'bench-%');

-- 2% of the tasks are in the trash: the member's RLS hides them (a restrictive policy), the
-- service role filters them out itself.
update public.tasks set deleted_at = now() - interval '1 day'
where number % 50 = 0 and workspace_id in (select id from public.workspaces where slug like 'bench-%');

set session_replication_role = origin;
analyze;
`;

/** The board query, written like PostgREST 12 builds it for the REST request below. */
const boardSql = `
select t.id, t.number, t.title, t.status, t.priority, t.position, t.due_date,
  row_to_json(assignee.*) as assignee,
  coalesce(labels.labels, '[]') as labels
from public.tasks t
left join lateral (
  select p.id, p.display_name, p.avatar_path from public.profiles p where p.id = t.assignee_id
) assignee on true
left join lateral (
  select json_agg(l) as labels
  from (
    select lb.id, lb.name, lb.color
    from public.labels lb
    join public.task_labels tl on tl.label_id = lb.id
    where tl.task_id = t.id
  ) l
) labels on true
where t.project_id = $1 and t.status = any ($2::public.task_status[]) and t.deleted_at is null
order by t.position
limit 50`;

const boardSelect =
  'id,number,title,status,priority,position,due_date,assignee:profiles(id,display_name,avatar_path),labels(id,name,color)';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function format(ms: number): string {
  return `${ms.toFixed(2)} ms`;
}

await using stack = await startTestStack({ workdir, services: [] });
// Connections are cut when the stack stops; the failure worth reporting is the one before.
const ignoreShutdown = () => {};
const admin = new pg.Client({ connectionString: stack.status.DB_URL });
admin.on('error', ignoreShutdown);
await admin.connect();

let started = performance.now();
await admin.query(buildData);
const counts = (
  await admin.query(
    `select (select count(*) from public.workspaces)::int as workspaces, (select count(*) from public.tasks)::int as tasks,
            (select count(*) from public.task_labels)::int as task_labels, (select count(*) from public.workspace_members)::int as members`,
  )
).rows[0];
console.log(
  `built ${counts.workspaces} workspaces, ${counts.members} memberships, ${counts.tasks} tasks, ` +
    `${counts.task_labels} task labels in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const target = (
  await admin.query(
    `select u.id as user_id, u.email, p.id as project_id
     from auth.users u
     join public.workspaces ws on ws.slug = 'bench-500'
     join public.projects p on p.workspace_id = ws.id and p.key = 'ENG'
     where u.email = 'bench-500-member@example.test'`,
  )
).rows[0] as { user_id: string; email: string; project_id: string };
const openStatuses = ['todo', 'in_progress'];

// --- SQL: PostgREST's per-request identity switch, then the prepared board query ---
const sqlClient = new pg.Client({ connectionString: stack.status.DB_URL });
sqlClient.on('error', ignoreShutdown);
await sqlClient.connect();
const claimsOf = {
  member: JSON.stringify({ sub: target.user_id, email: target.email, role: 'authenticated' }),
  service: JSON.stringify({ role: 'service_role' }),
};

async function timeSql(who: 'member' | 'service'): Promise<{ ms: number; rows: number }> {
  await sqlClient.query('begin');
  await sqlClient.query(`set local role ${who === 'member' ? 'authenticated' : 'service_role'}`);
  await sqlClient.query(`select set_config('request.jwt.claims', $1, true)`, [claimsOf[who]]);
  const begun = performance.now();
  const result = await sqlClient.query({
    name: 'board',
    text: boardSql,
    values: [target.project_id, openStatuses],
  });
  const ms = performance.now() - begun;
  await sqlClient.query('commit');
  return { ms, rows: result.rowCount ?? 0 };
}

// --- REST: supabase-js through the gateway and PostgREST ---
// Node 20 has no global WebSocket; supabase-js builds a Realtime client even when unused.
const restOptions = {
  auth: { persistSession: false, autoRefreshToken: false },
  realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
};
const memberToken = await mintUserToken(stack.keys, { id: target.user_id, email: target.email });
const restClients = {
  member: createClient(stack.apiUrl, stack.keys.anonKey, {
    ...restOptions,
    global: { headers: { Authorization: `Bearer ${memberToken}` } },
  }),
  service: createClient(stack.apiUrl, stack.keys.serviceRoleKey, restOptions),
};

async function timeRest(who: 'member' | 'service'): Promise<{ ms: number; rows: number }> {
  const begun = performance.now();
  const { data, error } = await restClients[who]
    .from('tasks')
    .select(boardSelect)
    .eq('project_id', target.project_id)
    .in('status', openStatuses)
    .is('deleted_at', null)
    .order('position')
    .limit(50);
  const ms = performance.now() - begun;
  if (error) throw new Error(`${who} REST query failed: ${error.message}`);
  return { ms, rows: data.length };
}

// --- HTTP: plain fetch of the same request, via the gateway and straight to PostgREST ---
const boardQuery = new URLSearchParams({
  select: boardSelect.replace(/\s+/g, ''),
  project_id: `eq.${target.project_id}`,
  status: `in.(${openStatuses.join(',')})`,
  deleted_at: 'is.null',
  order: 'position',
  limit: '50',
}).toString();
const bearer = { member: memberToken, service: stack.keys.serviceRoleKey };

function timeHttp(base: string, withApiKey: boolean) {
  return async (who: 'member' | 'service'): Promise<{ ms: number; rows: number }> => {
    const begun = performance.now();
    const response = await fetch(`${base}/tasks?${boardQuery}`, {
      headers: {
        authorization: `Bearer ${bearer[who]}`,
        ...(withApiKey ? { apikey: stack.keys.anonKey } : {}),
      },
    });
    const rows = (await response.json()) as unknown[];
    const ms = performance.now() - begun;
    if (!response.ok) throw new Error(`${who} HTTP query failed: ${JSON.stringify(rows)}`);
    return { ms, rows: rows.length };
  };
}

async function measure(
  label: string,
  run: (who: 'member' | 'service') => Promise<{ ms: number; rows: number }>,
): Promise<void> {
  const samples = { member: [] as number[], service: [] as number[] };
  const rows = { member: 0, service: 0 };
  for (let i = 0; i < warmup + iterations; i++) {
    // Alternate who goes first so drift (caches, CPU) hits both sides alike.
    const order: ('member' | 'service')[] = i % 2 === 0 ? ['member', 'service'] : ['service', 'member'];
    for (const who of order) {
      const { ms, rows: n } = await run(who);
      rows[who] = n;
      if (i >= warmup) samples[who].push(ms);
    }
  }
  const m50 = percentile(samples.member, 50);
  const s50 = percentile(samples.service, 50);
  console.log(
    `${label.padEnd(5)} member      p50 ${format(m50).padStart(9)}  p95 ${format(percentile(samples.member, 95)).padStart(9)}  (${rows.member} rows)`,
  );
  console.log(
    `${''.padEnd(5)} service     p50 ${format(s50).padStart(9)}  p95 ${format(percentile(samples.service, 95)).padStart(9)}  (${rows.service} rows)`,
  );
  console.log(`${''.padEnd(5)} member/service at p50: ${(m50 / s50).toFixed(2)}× (target ≤ 1.5×)`);
}

/** Microseconds per evaluation of `expression` as the member, timed by the database itself. */
async function microsecondsPerCall(expression: string, calls: number): Promise<number> {
  const loop = (body: string) => `
    do $$
    declare started timestamptz;
    begin
      started := clock_timestamp();
      for i in 1..${calls} loop perform ${body}; end loop;
      perform set_config('bench.elapsed_us',
        (extract(epoch from clock_timestamp() - started) * 1e6)::text, true);
    end $$`;
  await sqlClient.query('begin');
  await sqlClient.query('set local role authenticated');
  await sqlClient.query(`select set_config('request.jwt.claims', $1, true)`, [claimsOf.member]);
  const elapsed = async (body: string) => {
    await sqlClient.query(loop(body));
    const { rows } = await sqlClient.query(`select current_setting('bench.elapsed_us')::float8 as us`);
    return (rows[0] as { us: number }).us;
  };
  await elapsed(expression); // warm the plan caches
  const overhead = await elapsed('1');
  const total = await elapsed(expression);
  await sqlClient.query('commit');
  return (total - overhead) / calls;
}

// The planner's view, for the record (full plans with --plans).
for (const who of ['member', 'service'] as const) {
  await sqlClient.query('begin');
  await sqlClient.query(`set local role ${who === 'member' ? 'authenticated' : 'service_role'}`);
  await sqlClient.query(`select set_config('request.jwt.claims', $1, true)`, [claimsOf[who]]);
  const plan = await sqlClient.query(`explain (analyze, buffers, costs off) ${boardSql}`, [
    target.project_id,
    openStatuses,
  ]);
  await sqlClient.query('commit');
  const lines = plan.rows.map((r) => r['QUERY PLAN'] as string);
  if (process.argv.includes('--plans')) console.log(`\n${who} plan:\n${lines.join('\n')}`);
  else console.log(`${who} plan (explain analyze): ${lines.find((l) => l.startsWith('Execution Time'))}`);
}

started = performance.now();
console.log(`\n${iterations} iterations each after ${warmup} warm-up, one project's open tasks, 50 rows:`);
await measure('sql', timeSql);
await measure('rest', timeRest);
console.log('plain fetch, gateway → PostgREST:');
await measure('http', timeHttp(`${stack.apiUrl}/rest/v1`, true));
console.log('plain fetch, PostgREST directly:');
await measure('http', timeHttp(stack.postgrest.url, false));

const calls = 20_000;
const workspaceId = (
  await admin.query(`select workspace_id from public.projects where id = $1`, [target.project_id])
).rows[0].workspace_id as string;
console.log(
  `\npermission check as the member, inside the database (${calls} calls each, loop overhead subtracted):`,
);
for (const [label, expression] of [
  ["permitted_workspace_ids('tasks.read')", "private.permitted_workspace_ids('tasks.read')"],
  ["has_permission(workspace, 'tasks.update')", `private.has_permission('${workspaceId}', 'tasks.update')`],
  [
    "role check it replaced: current_user_workspace_ids('member')",
    "private.current_user_workspace_ids('member')",
  ],
] as const) {
  console.log(
    `  ${label.padEnd(62)} ${(await microsecondsPerCall(expression, calls)).toFixed(2).padStart(6)} µs`,
  );
}
console.log('  (a policy evaluates the first once per statement, as an initPlan; RPCs call the second)');

// --- The API-key persona: the same board request made with a workspace API key ---
// A key of the member's workspace holding what the board reads (the member's read permissions),
// stored as create_api_key stores it; the plan's per-minute budget is lifted so the run measures
// the lookup, not the limit (GETs count too, through the dblink session).
const benchKey = `gw_${'0'.repeat(12)}_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
await admin.query(`update public.plans set api_requests_per_minute = 1000000 where id = 'pro'`);
await admin.query(
  `insert into private.api_keys (workspace_id, name, prefix, secret_hash, permissions)
   values ($1, 'Bench', $2, sha256(convert_to($3, 'UTF8')),
     '{activity.read,attachments.read,comments.read,labels.read,projects.read,tasks.read}')`,
  [workspaceId, benchKey.slice(0, 15), benchKey],
);
const keyClient = createClient(stack.apiUrl, stack.keys.publishableKey, {
  ...restOptions,
  global: { headers: { 'Groundwork-Api-Key': benchKey } },
});
const keyHeaders = JSON.stringify({ 'groundwork-api-key': benchKey });

type Run = () => Promise<{ ms: number; rows: number }>;

async function compare(label: string, runs: { member: Run; api_key: Run }): Promise<void> {
  const samples = { member: [] as number[], api_key: [] as number[] };
  const rows = { member: 0, api_key: 0 };
  for (let i = 0; i < warmup + iterations; i++) {
    const order: ('member' | 'api_key')[] = i % 2 === 0 ? ['member', 'api_key'] : ['api_key', 'member'];
    for (const who of order) {
      const { ms, rows: n } = await runs[who]();
      rows[who] = n;
      if (i >= warmup) samples[who].push(ms);
    }
  }
  const m50 = percentile(samples.member, 50);
  const k50 = percentile(samples.api_key, 50);
  for (const who of ['member', 'api_key'] as const) {
    console.log(
      `${(who === 'member' ? label : '').padEnd(5)} ${who.padEnd(11)} p50 ${format(percentile(samples[who], 50)).padStart(9)}  p95 ${format(percentile(samples[who], 95)).padStart(9)}  (${rows[who]} rows)`,
    );
  }
  console.log(`${''.padEnd(5)} api_key/member at p50: ${(k50 / m50).toFixed(2)}× (target ≤ 1.2×)`);
}

/**
 * A GET as PostgREST runs it now that the pre-request hook is configured: the role and the
 * headers (and, for the member, the claims from the verified JWT), then the hook — which returns
 * at once without the key header — then the query. The hook and the query are timed.
 */
function timeSqlWithHook(who: 'member' | 'api_key') {
  return async (): Promise<{ ms: number; rows: number }> => {
    // Read-only, as PostgREST runs a GET: the hook counts the key through its dblink session.
    await sqlClient.query('begin transaction read only');
    await sqlClient.query(`set local role ${who === 'member' ? 'authenticated' : 'anon'}`);
    if (who === 'member') {
      await sqlClient.query(`select set_config('request.jwt.claims', $1, true)`, [claimsOf.member]);
    }
    await sqlClient.query(`select set_config('request.headers', $1, true)`, [
      who === 'member' ? '{}' : keyHeaders,
    ]);
    const begun = performance.now();
    await sqlClient.query({ name: 'pre-request', text: 'select private.api_key_pre_request()' });
    const result = await sqlClient.query({
      name: 'board',
      text: boardSql,
      values: [target.project_id, openStatuses],
    });
    const ms = performance.now() - begun;
    await sqlClient.query('commit');
    return { ms, rows: result.rowCount ?? 0 };
  };
}

/** The key's request as PostgREST runs it: anon with the headers, the pre-request hook, the query. */
async function timeSqlWithKey(): Promise<{ ms: number; rows: number }> {
  await sqlClient.query('begin');
  await sqlClient.query('set local role anon');
  await sqlClient.query(`select set_config('request.headers', $1, true)`, [keyHeaders]);
  const begun = performance.now();
  await sqlClient.query({ name: 'pre-request', text: 'select private.api_key_pre_request()' });
  const result = await sqlClient.query({
    name: 'board',
    text: boardSql,
    values: [target.project_id, openStatuses],
  });
  const ms = performance.now() - begun;
  await sqlClient.query('commit');
  return { ms, rows: result.rowCount ?? 0 };
}

async function timeRestWithKey(): Promise<{ ms: number; rows: number }> {
  const begun = performance.now();
  const { data, error } = await keyClient
    .from('tasks')
    .select(boardSelect)
    .eq('project_id', target.project_id)
    .in('status', openStatuses)
    .order('position')
    .limit(50);
  const ms = performance.now() - begun;
  if (error) throw new Error(`API key REST query failed: ${error.message}`);
  return { ms, rows: data.length };
}

console.log(
  `\nthe same board request with a workspace API key (${iterations} iterations each after ${warmup} warm-up):`,
);
console.log('sql, the query alone for the member; the hook and the query for the key:');
await compare('sql', { member: () => timeSql('member'), api_key: timeSqlWithKey });
console.log('sql, the hook and the query for both, read-only as PostgREST runs a GET with the hook set:');
await compare('sql', { member: timeSqlWithHook('member'), api_key: timeSqlWithHook('api_key') });
await compare('rest', { member: () => timeRest('member'), api_key: timeRestWithKey });

await sqlClient.end();
await admin.end();
