/**
 * The vocabulary of the access matrix: an operation says what it does and which rule
 * decides it; `casesOf` turns the rule into the people to try it as and what each must see.
 *
 * Built-in roles are tried as themselves, with expectations taken from the documented
 * permission sets. Every rule that names permissions is also tried with custom roles made
 * for it: one holding exactly what the rule asks for (must be allowed), and for each
 * permission the rule needs, one holding every grantable permission except that one (must
 * be denied; permissions implying it go too, as a role holding them holds it) — so each
 * listed permission is shown sufficient and necessary.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import type { Tenant, TestUser } from '../support/fixtures.ts';
import {
  BUILTIN_ROLES,
  type BuiltinRole,
  GRANTABLE,
  impliedBy,
  OWNER_ONLY,
  type Permission,
} from '../support/permission-catalogue.ts';

export const builtinActors = [
  'anon',
  'outsider',
  'viewer',
  'member',
  'admin',
  'owner',
  'service_role',
] as const;
export type BuiltinActor = (typeof builtinActors)[number];

/** Who runs one case: a built-in actor, or the probe user holding a custom role. */
export type Actor = { kind: 'builtin'; name: BuiltinActor } | { kind: 'custom'; permissions: Permission[] };

export interface Cell {
  client: SupabaseClient;
  tenant: Tenant;
  /** The person making the call (the probe user for custom roles); undefined for anon and the service role. */
  self: TestUser | undefined;
  actor: Actor;
  db: pg.Client;
  /** The service role's client, for setup that goes through an API (e.g. storing a file). */
  service: SupabaseClient;
}

export interface Outcome {
  allowed: boolean;
  status: number;
}

export type Rule =
  /**
   * Decided by workspace permissions: allowed when the role holds every permission of one
   * alternative. `about` narrows what the operation is about when the rest is needed only
   * because it gives a role holding those (nobody grants more than they hold).
   */
  | { kind: 'permission'; anyOf: Permission[][]; serviceRole: boolean; about?: readonly Permission[] }
  /** Open to every member of the workspace, whatever their role (custom roles without permissions too). */
  | { kind: 'membership'; except: BuiltinActor[]; serviceRole: boolean }
  /** Not a workspace permission (plans, profiles, one's own invitation …): exactly these actors. */
  | { kind: 'fixed'; allowed: readonly BuiltinActor[]; customRoles: boolean };

export const needs = (...permissions: Permission[]): Rule => ({
  kind: 'permission',
  anyOf: [permissions],
  serviceRole: true,
});
/** `permissions`, plus every permission of the role the operation gives. */
export const needsToGive = (permissions: Permission[], role: readonly Permission[]): Rule => ({
  kind: 'permission',
  anyOf: [[...new Set([...permissions, ...role])]],
  serviceRole: true,
  about: permissions,
});
export const needsAnyOf = (...anyOf: Permission[][]): Rule => ({
  kind: 'permission',
  anyOf,
  serviceRole: true,
});
export const members = (except: BuiltinActor[] = []): Rule => ({
  kind: 'membership',
  except,
  serviceRole: true,
});
export const only = (allowed: readonly BuiltinActor[], customRoles = false): Rule => ({
  kind: 'fixed',
  allowed,
  customRoles,
});
/** The same rule, but the service role is refused (RPCs that need a signed-in user). */
export function notForServiceRole(rule: Rule): Rule {
  if (rule.kind === 'fixed') return { ...rule, allowed: rule.allowed.filter((a) => a !== 'service_role') };
  return { ...rule, serviceRole: false };
}

export interface Operation {
  subject: string;
  op: string;
  rule: Rule;
  /** Needs a workspace of its own per case (the operation changes membership or deletes it). */
  fresh?: boolean;
  run: (cell: Cell) => Promise<Outcome>;
}

export interface Case {
  name: string;
  actor: Actor;
  allowed: boolean;
}

function satisfies(rule: Extract<Rule, { kind: 'permission' }>, held: readonly Permission[]): boolean {
  return rule.anyOf.some((set) => set.every((p) => held.includes(p)));
}

/** Sets holding one permission from each alternative: removing any of them must deny. */
function hittingSets(anyOf: Permission[][]): Permission[][] {
  return anyOf.reduce<Permission[][]>(
    (sets, alternative) => sets.flatMap((set) => alternative.map((p) => [...new Set([...set, p])])),
    [[]],
  );
}

const label = (permissions: readonly Permission[]) => `[${permissions.join(', ')}]`;

export function casesOf(rule: Rule): Case[] {
  const builtin = builtinActors.map((name): Case => {
    const actor: Actor = { kind: 'builtin', name };
    let allowed: boolean;
    if (rule.kind === 'fixed') allowed = rule.allowed.includes(name);
    else if (name === 'anon' || name === 'outsider') allowed = false;
    else if (name === 'service_role') allowed = rule.serviceRole;
    else if (rule.kind === 'membership') allowed = !rule.except.includes(name);
    else allowed = satisfies(rule, BUILTIN_ROLES[name as BuiltinRole]);
    return { name, actor, allowed };
  });

  const custom = (permissions: Permission[], name: string, allowed: boolean): Case => ({
    name: `custom role ${name}`,
    actor: { kind: 'custom', permissions },
    allowed,
  });
  if (rule.kind === 'fixed') {
    return [...builtin, custom([...GRANTABLE], 'with every grantable permission', rule.customRoles)];
  }
  if (rule.kind === 'membership') {
    return [...builtin, custom([], 'without permissions', true)];
  }
  const cases = [...builtin, custom([], 'without permissions', satisfies(rule, []))];
  for (const set of rule.anyOf) {
    if (set.some((p) => OWNER_ONLY.includes(p))) continue;
    cases.push(custom(set, label(set), true));
  }
  const grantableHitting = hittingSets(rule.anyOf).filter((set) => set.every((p) => !OWNER_ONLY.includes(p)));
  for (const set of grantableHitting) {
    const rest = GRANTABLE.filter((p) => !set.includes(p) && !impliedBy(p).some((q) => set.includes(q)));
    cases.push(custom(rest, `with every grantable permission but ${label(set)}`, false));
  }
  if (grantableHitting.length === 0) {
    // Only owner-only permissions decide: no custom role can do it.
    cases.push(custom([...GRANTABLE], 'with every grantable permission', satisfies(rule, GRANTABLE)));
  }
  return cases;
}

/** The permissions an operation's rule is about (not those of a role it gives). */
export function permissionsOf(rule: Rule): Permission[] {
  if (rule.kind !== 'permission') return [];
  return [...(rule.about ?? rule.anyOf.flat())];
}

interface Response {
  data: unknown;
  error: unknown;
  status: number;
}

/** Allowed when the call succeeded and touched (or returned) at least one row. */
export function touchedRows(res: Response): Outcome {
  const rows = Array.isArray(res.data) ? res.data.length : res.data ? 1 : 0;
  return { allowed: !res.error && rows > 0, status: res.status };
}

export function succeeded(res: Response): Outcome {
  return { allowed: !res.error, status: res.status };
}

export async function one<T>(db: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query(sql, params);
  return rows[0] as T;
}
