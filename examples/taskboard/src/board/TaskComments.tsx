/** A task's comments, oldest first, and a new one for those who may write. */
import type { Comment } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function TaskComments({ taskId }: { taskId: string }) {
  const { gw, can } = useWorkspace();
  const [comments, setComments] = useState<Comment[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.comments.list(taskId, { limit: 100 }).then(
      (page) => setComments(page.items),
      (error: unknown) => setProblem(describeError(error)),
    );
  }, [gw, taskId]);
  useEffect(load, [load]);
  const add = useAction(async (body: string) => {
    await gw.comments.add({ task_id: taskId, body });
    load();
  });
  return (
    <section className="panel" aria-label="Comments">
      <h3>Comments</h3>
      <Alert problem={problem} />
      {comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ol className="comments">
        {comments.map((comment) => (
          <li key={comment.id}>
            <strong>{comment.author?.display_name || 'Someone'}</strong>{' '}
            <time className="muted" dateTime={comment.created_at}>
              {new Date(comment.created_at).toLocaleString()}
            </time>
            <p>{comment.body}</p>
          </li>
        ))}
      </ol>
      {can('comments.create') ? (
        <form
          aria-label="Add a comment"
          noValidate
          onSubmit={(event) => {
            const form = event.currentTarget;
            add.onSubmit((data) => [String(data.get('body') ?? '')])(event);
            form.reset();
          }}
        >
          <div className="field">
            <label htmlFor="comment-body">Comment</label>
            <textarea
              id="comment-body"
              name="body"
              rows={2}
              aria-invalid={add.fields.body ? true : undefined}
              aria-describedby={add.fields.body ? 'comment-body-error' : undefined}
            />
            {add.fields.body ? (
              <p className="field-error" id="comment-body-error">
                {add.fields.body.join(', ')}
              </p>
            ) : null}
          </div>
          <Alert problem={add.fields.body ? null : add.problem} />
          <button type="submit" disabled={add.busy}>
            Comment
          </button>
        </form>
      ) : null}
    </section>
  );
}
