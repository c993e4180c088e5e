/**
 * A task's files: upload with a progress bar (the SDK reports bytes as they leave), and a
 * preview through a short-lived signed URL — images inline, anything else as a link.
 */
import type { Attachment, UploadProgress } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function TaskAttachments({ taskId }: { taskId: string }) {
  const { gw, can } = useWorkspace();
  const [files, setFiles] = useState<Attachment[]>([]);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [preview, setPreview] = useState<{ id: string; url: string; image: boolean } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.attachments.list(taskId).then(setFiles, (error: unknown) => setProblem(describeError(error)));
  }, [gw, taskId]);
  useEffect(load, [load]);

  async function upload(file: File) {
    setProblem(null);
    setProgress({ loaded: 0, total: file.size });
    try {
      await gw.attachments.upload({
        task_id: taskId,
        file,
        file_name: file.name,
        ...(file.type ? { content_type: file.type } : {}),
        on_progress: setProgress,
      });
      load();
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setProgress(null);
    }
  }
  async function show(file: Attachment) {
    setProblem(null);
    try {
      const url = await gw.attachments.getSignedUrl(file.id, { expires_in: 300 });
      setPreview({ id: file.id, url, image: (file.mime_type ?? '').startsWith('image/') });
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <section className="panel" aria-label="Attachments">
      <h3>Attachments</h3>
      {files.length === 0 ? <p className="muted">No files yet.</p> : null}
      <ul className="cards" aria-label="Files">
        {files.map((file) => (
          <li key={file.id} className="row spread wrap">
            <span>
              <span>{file.file_name}</span> <span className="muted">{sizeText(file.size_bytes)}</span>
            </span>
            <button type="button" className="secondary" onClick={() => void show(file)}>
              Preview {file.file_name}
            </button>
            {preview?.id === file.id ? (
              preview.image ? (
                <img className="preview" src={preview.url} alt={`Preview of ${file.file_name}`} />
              ) : (
                <a href={preview.url} target="_blank" rel="noreferrer">
                  Open {file.file_name}
                </a>
              )
            ) : null}
          </li>
        ))}
      </ul>
      {can('attachments.create') ? (
        <div className="field">
          <label htmlFor="attachment-file">Attach a file</label>
          <input
            id="attachment-file"
            type="file"
            disabled={progress !== null}
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (file) void upload(file);
            }}
          />
        </div>
      ) : null}
      {progress ? (
        <label className="row">
          Uploading…
          <progress aria-label="Upload progress" max={progress.total || 1} value={progress.loaded} />
        </label>
      ) : null}
      <Alert problem={problem} />
    </section>
  );
}
