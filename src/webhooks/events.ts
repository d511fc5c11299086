/**
 * What a verified delivery names, per vendor: the item's reference for the source's single-item
 * endpoint, whether the vendor says it was deleted, and the delivery id. Nothing else is taken from
 * the payload: the item itself is read from the source (CONTRACT §12). Deliveries of other kinds
 * (GitHub's ping, a merge request, a comment on something that is not an issue) or about another
 * repository, project or table than the sync's are ignored.
 *
 * Event names and fields:
 * - GitHub (docs.github.com/webhooks/webhook-events-and-payloads): `X-GitHub-Event` `issues` /
 *   `issue_comment`, `issue.number`, `repository.full_name`, action `deleted`; delivery `X-GitHub-Delivery`.
 * - GitLab (docs.gitlab.com/user/project/integrations/webhook_events): `object_kind` `issue`
 *   (`object_attributes.iid`) or `note` on an Issue (`issue.iid`), `project.id` / `path_with_namespace`;
 *   delivery `Idempotency-Key` (the same on every retry, GitLab 17.x), else `X-Gitlab-Event-UUID`.
 * - Jira (developer.atlassian.com/cloud/jira/platform/webhooks): `webhookEvent` `jira:issue_created|updated|deleted`,
 *   `comment_created|updated|deleted`, `issue.id` / `issue.key`; delivery `X-Atlassian-Webhook-Identifier`.
 * - ServiceNow (our business rule, README): `{sys_id, table, action: insert|update|delete, delivery_id}`.
 * A delivery without an id is identified by its body's SHA-256: the same body twice is the same delivery.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../errors.js';
import type { SourceType } from '../connectors/connector.js';
import type { ItemMatch } from '../store/deletions.js';

export type WebhookEvent =
  | { kind: 'item'; ref: string; deleted: boolean; deliveryId: string | null }
  | { kind: 'ignore'; reason: string };

type Json = Record<string, unknown>;
interface Where { source_type: SourceType; config: Record<string, unknown> }

const NUMBER = /^[1-9]\d{0,9}$/;
const JIRA_ID = /^[1-9]\d{0,17}$/;
const JIRA_KEY = /^[A-Za-z][A-Za-z0-9_]{0,254}-[1-9]\d{0,17}$/;
const SYS_ID = /^[0-9a-f]{32}$/;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const header = (h: IncomingHttpHeaders, name: string): string | null => {
  const v = h[name];
  return typeof v === 'string' && v !== '' ? v : null;
};
const ignore = (reason: string): WebhookEvent => ({ kind: 'ignore', reason });
const numberRef = (v: unknown): string | null => (typeof v === 'number' || typeof v === 'string') && NUMBER.test(String(v)) ? String(v) : null;

function github(w: Where, h: IncomingHttpHeaders, body: Json): WebhookEvent {
  const event = header(h, 'x-github-event');
  if (event !== 'issues' && event !== 'issue_comment') return ignore(`GitHub event ${event ?? '(none)'} is not about issues`);
  const repo = obj(body.repository).full_name;
  const mine = `${String(w.config.owner)}/${String(w.config.repo)}`;
  if (typeof repo !== 'string' || repo.toLowerCase() !== mine.toLowerCase()) return ignore('another repository than the sync\'s');
  const ref = numberRef(obj(body.issue).number);
  if (!ref) return ignore('no issue number');
  return { kind: 'item', ref, deleted: event === 'issues' && body.action === 'deleted', deliveryId: header(h, 'x-github-delivery') };
}

function gitlab(w: Where, h: IncomingHttpHeaders, body: Json): WebhookEvent {
  const project = obj(body.project);
  const wanted = String(w.config.project_id).trim();
  const same = String(project.id) === wanted || (typeof project.path_with_namespace === 'string' && project.path_with_namespace.toLowerCase() === wanted.toLowerCase());
  if (!same) return ignore('another project than the sync\'s');
  const attrs = obj(body.object_attributes);
  let iid: unknown;
  if (body.object_kind === 'issue') iid = attrs.iid;
  else if (body.object_kind === 'note' && attrs.noteable_type === 'Issue') iid = obj(body.issue).iid;
  else return ignore(`GitLab ${String(body.object_kind ?? 'event')} is not about issues`);
  const ref = numberRef(iid);
  if (!ref) return ignore('no issue iid');
  const deliveryId = header(h, 'idempotency-key') ?? header(h, 'x-gitlab-event-uuid');
  return { kind: 'item', ref, deleted: body.object_kind === 'issue' && attrs.action === 'delete', deliveryId };
}

const JIRA_EVENTS = /^(?:jira:issue_(?:created|updated|deleted)|comment_(?:created|updated|deleted))$/;

function jira(w: Where, h: IncomingHttpHeaders, body: Json): WebhookEvent {
  const event = typeof body.webhookEvent === 'string' ? body.webhookEvent : '';
  if (!JIRA_EVENTS.test(event)) return ignore(`Jira event ${event || '(none)'} is not about issues`);
  const issue = obj(body.issue);
  const project = obj(obj(issue.fields).project).key;
  const key = w.config.project_key;
  if (typeof key === 'string' && typeof project === 'string' && project.toUpperCase() !== key.toUpperCase()) return ignore('another project than the sync\'s');
  // The id, not the key: a key changes when the issue moves.
  const ref = typeof issue.id === 'string' && JIRA_ID.test(issue.id) ? issue.id : typeof issue.key === 'string' && JIRA_KEY.test(issue.key) ? issue.key : null;
  if (!ref) return ignore('no issue id or key');
  return { kind: 'item', ref, deleted: event === 'jira:issue_deleted', deliveryId: header(h, 'x-atlassian-webhook-identifier') };
}

/** Our own business rule sends this shape: a mistake in it is the admin's to see, so it is a 422, not ignored. */
function servicenow(w: Where, h: IncomingHttpHeaders, body: Json): WebhookEvent {
  const bad = (path: string, message: string) => new AppError('VALIDATION_ERROR', 'the ServiceNow webhook payload is not {sys_id, table, action, delivery_id}', [{ path, message }]);
  if (typeof body.sys_id !== 'string' || !SYS_ID.test(body.sys_id)) throw bad('/sys_id', 'must be a sys_id (32 hexadecimal digits)');
  if (typeof body.table !== 'string' || body.table === '') throw bad('/table', 'must be the table name');
  if (!['insert', 'update', 'delete'].includes(String(body.action))) throw bad('/action', 'must be insert, update or delete');
  if (body.delivery_id !== undefined && (typeof body.delivery_id !== 'string' || body.delivery_id === '' || body.delivery_id.length > 200)) {
    throw bad('/delivery_id', 'must be a string of 1 to 200 characters');
  }
  const table = typeof w.config.table === 'string' && w.config.table !== '' ? w.config.table : 'incident';
  if (body.table !== table) return ignore('another table than the sync\'s');
  const deliveryId = (body.delivery_id as string | undefined) ?? header(h, 'idempotency-key');
  return { kind: 'item', ref: body.sys_id, deleted: body.action === 'delete', deliveryId };
}

const READERS: Record<SourceType, (w: Where, h: IncomingHttpHeaders, body: Json) => WebhookEvent> = { github, gitlab, jira, servicenow };

export function readEvent(w: Where, headers: IncomingHttpHeaders, body: unknown): WebhookEvent {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ignore('the payload is not a JSON object');
  return READERS[w.source_type](w, headers, body as Json);
}

/** The stored item a reference names, for marking it deleted. */
export function storedMatch(w: Where, ref: string): ItemMatch {
  switch (w.source_type) {
    case 'github':
      return { project: `${String(w.config.owner)}/${String(w.config.repo)}`, key: `#${ref}` };
    case 'gitlab':
      return { project: String(w.config.project_id).trim(), key: `#${ref}` };
    case 'jira':
      return JIRA_ID.test(ref) ? { externalId: ref } : { project: ref.slice(0, ref.lastIndexOf('-')).toUpperCase(), key: ref.toUpperCase() };
    case 'servicenow':
      return { externalId: ref };
  }
}
