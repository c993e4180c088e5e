import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { insertUnder, requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { createProjectInput, listProjectsInput, updateProjectInput } from '../schemas/projects.ts';
import type { Project } from '../types.ts';

const PROJECT_COLUMNS =
  'id, workspace_id, name, key, description, archived, created_by, created_at, updated_at';

export type ProjectsApi = ReturnType<typeof createProjectsApi>;

/** Projects group tasks and give them their key prefix (`ENG` in `ENG-42`). */
export function createProjectsApi(ctx: SdkContext) {
  const { supabase } = ctx;

  async function setArchived(projectId: string, archived: boolean): Promise<Project> {
    const id = parseInput(idSchema, projectId);
    const updated = await rows(
      supabase.from('projects').update({ archived }).eq('id', id).select(PROJECT_COLUMNS).maybeSingle(),
    );
    return requireRow(ctx, updated, 'projects', { id }, 'project');
  }

  return {
    /**
     * Creates a project (admins). The key is upper-cased; active projects count against the plan
     * (`plan_limit_reached`), and a key is unique per workspace (`conflict`).
     *
     * @example
     * ```ts
     * const eng = await gw.projects.create({ workspace_id, name: 'Engineering', key: 'ENG' });
     * ```
     */
    async create(input: {
      workspace_id: string;
      name: string;
      key: string;
      description?: string;
    }): Promise<Project> {
      const values = parseInput(createProjectInput, input);
      const workspace = { table: 'workspaces', match: { id: values.workspace_id }, what: 'workspace' };
      return insertUnder(ctx, workspace, () =>
        oneRow(supabase.from('projects').insert(values).select(PROJECT_COLUMNS).single(), 'Project'),
      );
    },

    /**
     * Projects of a workspace by name; archived ones only when asked for.
     *
     * @example
     * ```ts
     * const projects = await gw.projects.list(workspaceId, { include_archived: true });
     * ```
     */
    async list(workspaceId: string, options?: { include_archived?: boolean }): Promise<Project[]> {
      const id = parseInput(idSchema, workspaceId);
      const { include_archived } = parseInput(listProjectsInput, options) ?? {};
      let query = supabase.from('projects').select(PROJECT_COLUMNS).eq('workspace_id', id);
      if (!include_archived) query = query.eq('archived', false);
      return rows(query.order('name').order('id'));
    },

    /**
     * One project by id.
     *
     * @example
     * ```ts
     * const project = await gw.projects.get(projectId);
     * ```
     */
    async get(projectId: string): Promise<Project> {
      const id = parseInput(idSchema, projectId);
      return oneRow(supabase.from('projects').select(PROJECT_COLUMNS).eq('id', id).maybeSingle(), 'Project');
    },

    /**
     * Renames a project, changes its key (its tasks' keys follow) or description (admins).
     *
     * @example
     * ```ts
     * await gw.projects.update(projectId, { name: 'Platform', key: 'PLT' });
     * ```
     */
    async update(
      projectId: string,
      patch: { name?: string; key?: string; description?: string },
    ): Promise<Project> {
      const id = parseInput(idSchema, projectId);
      const values = parseInput(updateProjectInput, patch);
      const updated = await rows(
        supabase.from('projects').update(values).eq('id', id).select(PROJECT_COLUMNS).maybeSingle(),
      );
      return requireRow(ctx, updated, 'projects', { id }, 'project');
    },

    /**
     * Archives a project: it stops counting against the plan and takes no new tasks.
     *
     * @example
     * ```ts
     * await gw.projects.archive(projectId);
     * ```
     */
    archive(projectId: string): Promise<Project> {
      return setArchived(projectId, true);
    },

    /**
     * Brings an archived project back (counts against the plan again).
     *
     * @example
     * ```ts
     * await gw.projects.unarchive(projectId);
     * ```
     */
    unarchive(projectId: string): Promise<Project> {
      return setArchived(projectId, false);
    },

    /**
     * Deletes a project with its tasks (admins).
     *
     * @example
     * ```ts
     * await gw.projects.delete(projectId);
     * ```
     */
    async delete(projectId: string): Promise<void> {
      const id = parseInput(idSchema, projectId);
      const deleted = await rows(supabase.from('projects').delete().eq('id', id).select('id').maybeSingle());
      await requireRow(ctx, deleted, 'projects', { id }, 'project');
    },
  };
}
