import * as z from 'zod/mini';
import {
  cursor,
  exactlyOneOf,
  id,
  isoDate,
  pageLimit,
  requiredText,
  somethingToUpdate,
  taskPriority,
  taskStatus,
  text,
  trimmedText,
} from './fields.ts';

const title = requiredText(500);
const description = text(50000);
const optionalAssignee = z.optional(z.nullable(id));
const optionalDueDate = z.optional(z.nullable(isoDate));

export const createTaskInput = z.object({
  project_id: id,
  title,
  description: z.optional(description),
  status: z.optional(taskStatus),
  priority: z.optional(taskPriority),
  assignee_id: optionalAssignee,
  due_date: optionalDueDate,
  label_ids: z.optional(z.array(id).check(z.maxLength(50))),
});

export const updateTaskInput = z
  .object({
    title: z.optional(title),
    description: z.optional(description),
    status: z.optional(taskStatus),
    priority: z.optional(taskPriority),
    assignee_id: optionalAssignee,
    due_date: optionalDueDate,
  })
  .check(somethingToUpdate);

export const moveTaskInput = z.optional(
  z.object({
    status: z.optional(taskStatus),
    after_task_id: z.optional(id),
    before_task_id: z.optional(id),
  }),
);

export const listTasksInput = z.optional(
  z.object({
    workspace_id: z.optional(id),
    project_id: z.optional(id),
    status: z.optional(z.union([taskStatus, z.array(taskStatus).check(z.minLength(1))])),
    /** `null` lists unassigned tasks. */
    assignee_id: optionalAssignee,
    label_id: z.optional(id),
    /** Exclusive: tasks due strictly before this date. */
    due_before: z.optional(isoDate),
    search: z.optional(trimmedText(1, 200)),
    order: z.optional(z.enum(['position', 'newest'])),
    limit: pageLimit,
    cursor,
  }),
);

/** `ENG-42`: a project key, a hyphen, a task number. */
export const taskKey = z
  .string()
  .check(
    z.trim(),
    z.regex(/^[A-Za-z][A-Za-z0-9]{1,9}-[1-9][0-9]{0,9}$/, { error: 'must be a task key like ENG-42' }),
  );

export const searchTasksInput = z.object({
  workspace_id: id,
  query: trimmedText(1, 200),
  limit: pageLimit,
});

const commentBody = requiredText(10000);
export const addCommentInput = z.object({ task_id: id, body: commentBody });
export const editCommentInput = commentBody;
export const pageInput = z.optional(z.object({ limit: pageLimit, cursor }));

export const listActivityInput = z
  .object({ workspace_id: z.optional(id), task_id: z.optional(id), limit: pageLimit, cursor })
  .check(exactlyOneOf('workspace_id', 'task_id'));

export const subscribeTasksInput = z
  .object({ project_id: z.optional(id), workspace_id: z.optional(id) })
  .check(exactlyOneOf('project_id', 'workspace_id'));
