import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows, storageData } from '../query-result.ts';
import { failMissingRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { signedUrlInput, uploadAttachmentInput } from '../schemas/files.ts';
import type { Attachment } from '../types.ts';
import { putWithProgress, type UploadProgress } from '../upload-progress.ts';

const BUCKET = 'attachments';
const ATTACHMENT_COLUMNS =
  'id, workspace_id, task_id, object_id, object_path, file_name, size_bytes, mime_type, uploaded_by, created_at, updated_at';

export type AttachmentsApi = ReturnType<typeof createAttachmentsApi>;

/**
 * Files on tasks, in the private `attachments` bucket at `<workspace_id>/<task_id>/<file>`.
 * The database keeps an `attachments` row in step with each stored object.
 */
export function createAttachmentsApi(ctx: SdkContext) {
  const { supabase } = ctx;

  async function find(attachmentId: string): Promise<Attachment> {
    const id = parseInput(idSchema, attachmentId);
    return oneRow(
      supabase.from('attachments').select(ATTACHMENT_COLUMNS).eq('id', id).maybeSingle(),
      'Attachment',
    );
  }

  return {
    /**
     * Uploads a file to a task (members). A file of the same name on the task is a `conflict`
     * unless `upsert` is set; going over the plan's storage is `plan_limit_reached`.
     * With `on_progress`, the file goes to a signed upload URL (signing checks the same rights)
     * and progress is reported as bytes leave — in browsers; other runtimes report it at the end.
     *
     * @example
     * ```ts
     * const attachment = await gw.attachments.upload({ task_id, file: input.files[0], file_name: 'spec.pdf' });
     * await gw.attachments.upload({
     *   task_id, file, file_name: file.name,
     *   on_progress: ({ loaded, total }) => (bar.value = loaded / total),
     * });
     * ```
     */
    async upload(input: {
      task_id: string;
      file: Blob | ArrayBuffer | ArrayBufferView;
      file_name: string;
      content_type?: string;
      upsert?: boolean;
      on_progress?: (progress: UploadProgress) => void;
    }): Promise<Attachment> {
      const { task_id, file, file_name, content_type, upsert, on_progress } = parseInput(
        uploadAttachmentInput,
        input,
      );
      // The path starts with the task's workspace; reading it also turns unknown tasks into not_found.
      const task = await oneRow(
        supabase.from('tasks').select('workspace_id').eq('id', task_id).maybeSingle(),
        'Task',
      );
      const path = `${task.workspace_id}/${task_id}/${file_name}`;
      if (on_progress) {
        const { signedUrl } = await storageData(
          supabase.storage.from(BUCKET).createSignedUploadUrl(path, { upsert: upsert ?? false }),
        );
        await putWithProgress(signedUrl, file, {
          contentType: content_type ?? (file instanceof Blob && file.type ? file.type : undefined),
          upsert: upsert ?? false,
          onProgress: on_progress as (progress: UploadProgress) => void,
        });
      } else {
        await storageData(
          supabase.storage.from(BUCKET).upload(path, file, {
            upsert: upsert ?? false,
            ...(content_type ? { contentType: content_type } : {}),
          }),
        );
      }
      return oneRow(
        supabase.from('attachments').select(ATTACHMENT_COLUMNS).eq('object_path', path).maybeSingle(),
        'Attachment',
      );
    },

    /**
     * A task's attachments, oldest first.
     *
     * @example
     * ```ts
     * const files = await gw.attachments.list(taskId);
     * ```
     */
    async list(taskId: string): Promise<Attachment[]> {
      const task_id = parseInput(idSchema, taskId);
      return rows(
        supabase
          .from('attachments')
          .select(ATTACHMENT_COLUMNS)
          .eq('task_id', task_id)
          .order('created_at')
          .order('id'),
      );
    },

    /**
     * A time-limited download link (default one hour) for an attachment.
     *
     * @example
     * ```ts
     * const url = await gw.attachments.getSignedUrl(attachmentId, { expires_in: 300 });
     * ```
     */
    async getSignedUrl(attachmentId: string, options?: { expires_in?: number }): Promise<string> {
      const { expires_in = 3600 } = parseInput(signedUrlInput, options) ?? {};
      const attachment = await find(attachmentId);
      const { signedUrl } = await storageData(
        supabase.storage.from(BUCKET).createSignedUrl(attachment.object_path, expires_in),
      );
      return signedUrl;
    },

    /**
     * Downloads an attachment's content.
     *
     * @example
     * ```ts
     * const blob = await gw.attachments.download(attachmentId);
     * ```
     */
    async download(attachmentId: string): Promise<Blob> {
      const attachment = await find(attachmentId);
      return storageData(supabase.storage.from(BUCKET).download(attachment.object_path));
    },

    /**
     * Deletes an attachment (its uploader, or an admin).
     *
     * @example
     * ```ts
     * await gw.attachments.delete(attachmentId);
     * ```
     */
    async delete(attachmentId: string): Promise<void> {
      const attachment = await find(attachmentId);
      const removed = await storageData(supabase.storage.from(BUCKET).remove([attachment.object_path]));
      // Storage answers a delete that RLS filtered out with an empty list, not an error.
      if (removed.length === 0) await failMissingRow(ctx, 'attachments', { id: attachment.id }, 'attachment');
    },
  };
}
