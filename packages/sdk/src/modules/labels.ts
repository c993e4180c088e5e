import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { insertUnder, requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { createLabelInput, updateLabelInput } from '../schemas/projects.ts';
import type { Label } from '../types.ts';

export const LABEL_COLUMNS = 'id, workspace_id, name, color, created_at';

export type LabelsApi = ReturnType<typeof createLabelsApi>;

/** Workspace-wide labels for tasks. Names are unique per workspace, ignoring case. */
export function createLabelsApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Creates a label (members). A name already used in the workspace throws `conflict`.
     *
     * @example
     * ```ts
     * const bug = await gw.labels.create({ workspace_id, name: 'bug', color: '#ef4444' });
     * ```
     */
    async create(input: { workspace_id: string; name: string; color?: string }): Promise<Label> {
      const values = parseInput(createLabelInput, input);
      const workspace = { table: 'workspaces', match: { id: values.workspace_id }, what: 'workspace' };
      return insertUnder(ctx, workspace, () =>
        oneRow(supabase.from('labels').insert(values).select(LABEL_COLUMNS).single(), 'Label'),
      );
    },

    /**
     * Labels of a workspace by name.
     *
     * @example
     * ```ts
     * const labels = await gw.labels.list(workspaceId);
     * ```
     */
    async list(workspaceId: string): Promise<Label[]> {
      const id = parseInput(idSchema, workspaceId);
      return rows(
        supabase.from('labels').select(LABEL_COLUMNS).eq('workspace_id', id).order('name').order('id'),
      );
    },

    /**
     * Renames or recolours a label (members).
     *
     * @example
     * ```ts
     * await gw.labels.update(labelId, { color: '#f97316' });
     * ```
     */
    async update(labelId: string, patch: { name?: string; color?: string }): Promise<Label> {
      const id = parseInput(idSchema, labelId);
      const values = parseInput(updateLabelInput, patch);
      const updated = await rows(
        supabase.from('labels').update(values).eq('id', id).select(LABEL_COLUMNS).maybeSingle(),
      );
      return requireRow(ctx, updated, 'labels', { id }, 'label');
    },

    /**
     * Deletes a label; it disappears from every task that had it (members).
     *
     * @example
     * ```ts
     * await gw.labels.delete(labelId);
     * ```
     */
    async delete(labelId: string): Promise<void> {
      const id = parseInput(idSchema, labelId);
      const deleted = await rows(supabase.from('labels').delete().eq('id', id).select('id').maybeSingle());
      await requireRow(ctx, deleted, 'labels', { id }, 'label');
    },
  };
}
