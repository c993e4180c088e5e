import { z } from 'zod';
import { cursor, id, isoDate, pageLimit, requiredText, taskPriority, taskStatus } from './fields.ts';

const title = requiredText(500);
const description = z.string().max(50000);

export const createTaskInput = z.object({
  project_id: id,
  title,
  description: description.optional(),
  status: taskStatus.optional(),
  priority: taskPriority.optional(),
  assignee_id: id.nullable().optional(),
  due_date: isoDate.nullable().optional(),
  label_ids: z.array(id).max(50).optional(),
});

export const updateTaskInput = z
  .object({
    title: title.optional(),
    description: description.optional(),
    status: taskStatus.optional(),
    priority: taskPriority.optional(),
    assignee_id: id.nullable().optional(),
    due_date: isoDate.nullable().optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'nothing to update',
  });

export const moveTaskInput = z
  .object({
    status: taskStatus.optional(),
    after_task_id: id.optional(),
    before_task_id: id.optional(),
  })
  .optional();

export const listTasksInput = z
  .object({
    workspace_id: id.optional(),
    project_id: id.optional(),
    status: z.union([taskStatus, z.array(taskStatus).min(1)]).optional(),
    /** `null` lists unassigned tasks. */
    assignee_id: id.nullable().optional(),
    label_id: id.optional(),
    /** Exclusive: tasks due strictly before this date. */
    due_before: isoDate.optional(),
    search: z.string().trim().min(1).max(200).optional(),
    order: z.enum(['position', 'newest']).optional(),
    limit: pageLimit,
    cursor,
  })
  .optional();

/** `ENG-42`: a project key, a hyphen, a task number. */
export const taskKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9]{1,9}-[1-9][0-9]{0,9}$/, { error: 'must be a task key like ENG-42' });

export const searchTasksInput = z.object({
  workspace_id: id,
  query: z.string().trim().min(1).max(200),
  limit: pageLimit,
});

const commentBody = requiredText(10000);
export const addCommentInput = z.object({ task_id: id, body: commentBody });
export const editCommentInput = commentBody;
export const pageInput = z.object({ limit: pageLimit, cursor }).optional();

export const listActivityInput = z
  .object({ workspace_id: id.optional(), task_id: id.optional(), limit: pageLimit, cursor })
  .refine((input) => Boolean(input.workspace_id) !== Boolean(input.task_id), {
    error: 'give exactly one of workspace_id or task_id',
  });

export const subscribeTasksInput = z
  .object({ project_id: id.optional(), workspace_id: id.optional() })
  .refine((input) => Boolean(input.project_id) !== Boolean(input.workspace_id), {
    error: 'give exactly one of project_id or workspace_id',
  });
