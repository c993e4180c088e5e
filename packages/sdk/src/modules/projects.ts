import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { insertUnder, requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { createProjectInput, listProjectsInput, updateProjectInput } from '../schemas/projects.ts';
import type { Project, TrashEntry } from '../types.ts';
import { deletePermanently, moveToTrash, restoreFromTrash } from './trash.ts';

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

  async function get(projectId: string): Promise<Project> {
    const id = parseInput(idSchema, projectId);
    return oneRow(supabase.from('projects').select(PROJECT_COLUMNS).eq('id', id).maybeSingle(), 'Project');
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
    get,

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
     * Moves a project, with its tasks and their comments, to the trash (`projects.delete`;
     * admins): restorable for 30 days with {@link restore}. Answers the trash entry.
     *
     * @example
     * ```ts
     * await gw.projects.delete(projectId);
     * ```
     */
    delete(projectId: string): Promise<TrashEntry> {
      return moveToTrash(ctx, 'project', projectId);
    },

    /**
     * Brings a project back from the trash with the tasks and comments that went with it
     * (`projects.delete`). It counts against the plan again (`plan_limit_reached`).
     *
     * @example
     * ```ts
     * const project = await gw.projects.restore(projectId);
     * ```
     */
    async restore(projectId: string): Promise<Project> {
      await restoreFromTrash(ctx, 'project', projectId);
      return get(projectId);
    },

    /**
     * Deletes a project for good, in the trash or not, with everything in it (`trash.purge`; admins).
     *
     * @example
     * ```ts
     * await gw.projects.deletePermanently(projectId);
     * ```
     */
    deletePermanently(projectId: string): Promise<void> {
      return deletePermanently(ctx, 'project', projectId);
    },
  };
}
