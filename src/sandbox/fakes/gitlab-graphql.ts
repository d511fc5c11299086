/**
 * POST /api/graphql of the GitLab fake: the subset of GitLab's schema an importer of issues and
 * their notes asks for, with GitLab's limits. Built from:
 * - https://docs.gitlab.com/api/graphql/ (endpoint, token auth as for REST, 401
 *   `{"errors":[{"message":"Invalid token"}]}`; limits: max page size 100, max complexity 250 for
 *   authenticated requests, 30 s timeout)
 * - https://docs.gitlab.com/api/graphql/reference/ (Query.project(fullPath), Project.issues with
 *   first/after/sort/state/updatedAfter, Issue, Note, UserCore, Label, PageInfo; ids are Global IDs
 *   `gid://gitlab/Issue/123`, iids strings, enums IssueSort CREATED_ASC…, IssueType ISSUE|INCIDENT…)
 * - gitlabhq app/graphql/types/base_field.rb and app/graphql/resolvers/base_resolver.rb for how the
 *   complexity is scored: every field 1; a field with a resolver instead scores its children + 1
 *   (+1 with `sort`); a connection with a resolver then adds 1 % of that per item it may return
 *   (min(first, 100)), nothing when looked up by iid(s). Over the limit the whole query is refused:
 *   `Query has complexity of N, which exceeds max complexity of 250`.
 * - graphql-ruby's static validation messages for fields and arguments the schema lacks
 *   (`Field 'x' doesn't exist on type 'Issue'`, `Field 'issues' doesn't accept argument 'x'`),
 *   answered with HTTP 200 and no `data`, as GitLab does.
 */
import { GraphQLSyntaxError, parseDocument, type Field, type Value } from './graphql-parse.js';
import type { FakeIssue, GitLabProject } from './gitlab-data.js';

export const MAX_COMPLEXITY = 250;
const MAX_PAGE_SIZE = 100;

export interface GraphQLError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLAnswer {
  body: { data?: unknown; errors?: GraphQLError[] };
  /** what the request read, for the request log: the issue page's `after` and whose notes it returned */
  read: { after: string | null; notesOf: number[] } | null;
}

type Args = Record<string, unknown>;
type Obj = Record<string, unknown>;

interface ConnectionOf {
  items: Obj[];
  /** the keyset position of an item, encoded into its cursor */
  key(item: Obj): Record<string, unknown>;
  /** true when `item` comes after the position `key` */
  after(item: Obj, key: Record<string, unknown>): boolean;
}

interface FieldDef {
  /** the type of the value; scalars are named by their GraphQL scalar */
  type: string;
  args?: readonly string[];
  /** scored by a resolver (base_resolver.rb) rather than the flat 1 of a plain field */
  resolver?: boolean;
  connection?: boolean;
  get(parent: Obj, args: Args): unknown;
}

const gid = (kind: string, id: unknown): string => `gid://gitlab/${kind}/${String(id)}`;
const scalar = (type: string, get: (o: Obj) => unknown): FieldDef => ({ type, get: (o) => get(o) });
/** GitLab's Time: ISO 8601 in whole seconds. A value that is no time (the demo's broken issues) goes out as it is. */
const isoSeconds = (v: unknown): string | null => {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
};
const PAGE_INFO = 'PageInfo';

const byId: ConnectionOf['key'] = (item) => ({ id: String(item.id) });
const afterId: ConnectionOf['after'] = (item, key) => Number(item.id) > Number(key.id);
const listConnection = (items: Obj[]): ConnectionOf => ({ items, key: byId, after: afterId });

/** The part of GitLab's schema the fake serves, type → field → definition. */
/**
 * `communityEdition`: the schema of a GitLab CE server, without the Premium fields of Issue
 * (ee/app/graphql/ee/types/issue_type.rb: weight, healthStatus, iteration, …).
 */
function schema(project: GitLabProject, visible: boolean, communityEdition: boolean): Record<string, Record<string, FieldDef>> {
  const premium: Record<string, FieldDef> = communityEdition ? {} : {
    weight: scalar('Int', (i) => i.weight ?? null),
    // HealthStatus enum: onTrack, needsAttention, atRisk
    healthStatus: scalar('HealthStatus', (i) => (typeof i.health_status === 'string' ? i.health_status.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) : null)),
    iteration: { type: 'Iteration', get: (i) => i.iteration ?? null },
  };
  const user: Record<string, FieldDef> = {
    id: scalar('ID', (u) => gid('User', u.id)),
    username: scalar('String', (u) => u.username),
    name: scalar('String', (u) => u.name),
    publicEmail: scalar('String', (u) => u.email ?? null),
    webUrl: scalar('String', (u) => u.web_url),
  };
  const connection = (node: string): Record<string, FieldDef> => ({
    pageInfo: { type: PAGE_INFO, get: (c) => c.pageInfo },
    nodes: { type: node, get: (c) => c.nodes },
  });
  return {
    Query: {
      project: {
        type: 'Project', args: ['fullPath'], resolver: true,
        get: (_q, a) => (visible && a.fullPath === project.path ? { project } : null),
      },
    },
    Project: {
      id: scalar('ID', () => gid('Project', project.id)),
      fullPath: scalar('ID', () => project.path),
      issues: {
        type: 'IssueConnection', resolver: true, connection: true,
        args: ['first', 'after', 'last', 'before', 'sort', 'state', 'updatedAfter', 'updatedBefore', 'createdAfter', 'createdBefore', 'iid', 'iids'],
        get: (_p, a) => issues(project, a),
      },
    },
    IssueConnection: connection('Issue'),
    NoteConnection: connection('Note'),
    LabelConnection: connection('Label'),
    UserCoreConnection: connection('UserCore'),
    PageInfo: {
      hasNextPage: scalar('Boolean', (p) => p.hasNextPage),
      hasPreviousPage: scalar('Boolean', (p) => p.hasPreviousPage),
      startCursor: scalar('String', (p) => p.startCursor),
      endCursor: scalar('String', (p) => p.endCursor),
    },
    Issue: {
      id: scalar('ID', (i) => gid('Issue', i.id)),
      iid: scalar('String', (i) => String(i.iid)),
      title: scalar('String', (i) => i.title),
      description: scalar('String', (i) => i.description ?? null),
      state: scalar('IssueState', (i) => i.state),
      createdAt: scalar('Time', (i) => isoSeconds(i.created_at)),
      updatedAt: scalar('Time', (i) => isoSeconds(i.updated_at)),
      closedAt: scalar('Time', (i) => isoSeconds(i.closed_at)),
      webUrl: scalar('String', (i) => i.web_url),
      type: scalar('IssueType', (i) => String(i.issue_type ?? 'issue').toUpperCase()),
      severity: scalar('IssuableSeverity', (i) => i.severity ?? 'UNKNOWN'),
      confidential: scalar('Boolean', (i) => i.confidential === true),
      userNotesCount: scalar('Int', (i) => i.user_notes_count),
      // Issue.dueDate and Milestone.dueDate are Time in the reference, sent as midnight UTC
      dueDate: scalar('Time', (i) => (typeof i.due_date === 'string' ? `${i.due_date}T00:00:00Z` : null)),
      timeEstimate: scalar('Int', (i) => (i.time_stats as Obj | undefined)?.time_estimate ?? 0),
      totalTimeSpent: scalar('Int', (i) => (i.time_stats as Obj | undefined)?.total_time_spent ?? 0),
      milestone: { type: 'Milestone', get: (i) => i.milestone ?? null },
      ...premium,
      author: { type: 'UserCore', get: (i) => i.author ?? null },
      labels: {
        type: 'LabelConnection', resolver: true, connection: true, args: ['first', 'after', 'last', 'before'],
        get: (i) => listConnection(((i.labels as string[]) ?? []).map((title, n) => ({ id: n + 1, title }))),
      },
      // IssueType: `field :assignees, Types::UserType.connection_type` without a resolver
      assignees: {
        type: 'UserCoreConnection', connection: true, args: ['first', 'after', 'last', 'before'],
        get: (i) => listConnection((i.assignees as Obj[]) ?? []),
      },
      notes: {
        type: 'NoteConnection', resolver: true, connection: true, args: ['first', 'after', 'last', 'before'],
        // Noteable#notes: oldest first (created_at, id), system notes included
        get: (i) => listConnection(project.notes.get(Number(i.iid)) ?? []),
      },
    },
    Note: {
      id: scalar('ID', (n) => gid('Note', n.id)),
      body: scalar('String', (n) => n.body),
      system: scalar('Boolean', (n) => n.system === true),
      internal: scalar('Boolean', (n) => n.internal === true),
      confidential: scalar('Boolean', (n) => n.confidential === true),
      createdAt: scalar('Time', (n) => isoSeconds(n.created_at)),
      updatedAt: scalar('Time', (n) => isoSeconds(n.updated_at)),
      author: { type: 'UserCore', get: (n) => n.author ?? null },
    },
    Milestone: {
      id: scalar('ID', (m) => gid('Milestone', m.id)),
      title: scalar('String', (m) => m.title),
      dueDate: scalar('Time', (m) => (typeof m.due_date === 'string' ? `${m.due_date}T00:00:00Z` : null)),
    },
    Iteration: {
      id: scalar('ID', (it) => gid('Iteration', it.id)),
      title: scalar('String', (it) => it.title ?? null),
      startDate: scalar('Time', (it) => (typeof it.start_date === 'string' ? `${it.start_date}T00:00:00Z` : null)),
      dueDate: scalar('Time', (it) => (typeof it.due_date === 'string' ? `${it.due_date}T00:00:00Z` : null)),
    },
    Label: { id: scalar('ID', (l) => gid('ProjectLabel', l.id)), title: scalar('String', (l) => l.title) },
    UserCore: user,
  };
}

const SORTS: Record<string, [keyof FakeIssue, 1 | -1]> = {
  CREATED_ASC: ['created_at', 1], CREATED_DESC: ['created_at', -1], UPDATED_ASC: ['updated_at', 1], UPDATED_DESC: ['updated_at', -1],
};

function issues(project: GitLabProject, a: Args): ConnectionOf {
  const sort = String(a.sort ?? 'CREATED_DESC');
  const [field, dir] = SORTS[sort] ?? ['created_at', -1];
  const time = (v: unknown): number | null => (typeof v === 'string' ? Date.parse(v) : null);
  const [ua, ub, ca, cb] = [time(a.updatedAfter), time(a.updatedBefore), time(a.createdAfter), time(a.createdBefore)];
  const iids = a.iids ? (a.iids as string[]).map(Number) : a.iid ? [Number(a.iid)] : null;
  const rows = project.issues.filter((i: FakeIssue) =>
    (!a.state || a.state === 'all' || i.state === a.state) &&
    (ua === null || Date.parse(i.updated_at) >= ua) && (ub === null || Date.parse(i.updated_at) <= ub) &&
    (ca === null || Date.parse(i.created_at) >= ca) && (cb === null || Date.parse(i.created_at) <= cb) &&
    (iids === null || iids.includes(i.iid)));
  const cmp = (x: Obj, kx: string, kid: number): number => (String(x[field]) === kx ? Number(x.id) - kid : (String(x[field]) < kx ? -1 : 1)) * dir;
  rows.sort((x, y) => cmp(x, String(y[field]), Number(y.id)));
  return {
    items: rows,
    key: (i) => ({ [field]: i[field], id: String(i.id) }),
    after: (i, k) => cmp(i, String(k[field]), Number(k.id)) > 0,
  };
}

class QueryError extends Error {
  constructor(readonly error: GraphQLError) {
    super(error.message);
  }
}

const encodeCursor = (key: Record<string, unknown>): string => Buffer.from(JSON.stringify(key)).toString('base64');
function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new QueryError({ message: 'Please provide a valid cursor', extensions: { code: 'invalidCursor' } });
}

/** Answers one GraphQL request body for `project`; `visible` false: a caller who may not see it (anonymous). */
export function answerGraphQL(project: GitLabProject, raw: string, o: { maxComplexity: number; visible: boolean; communityEdition?: boolean }): GraphQLAnswer {
  const maxComplexity = o.maxComplexity;
  let request: { query?: unknown; variables?: unknown };
  try {
    request = JSON.parse(raw) as typeof request;
  } catch {
    return { body: { errors: [{ message: 'Unexpected end of document' }] }, read: null };
  }
  if (typeof request?.query !== 'string') return { body: { errors: [{ message: 'No query string was present' }] }, read: null };
  const variables = (request.variables && typeof request.variables === 'object' ? request.variables : {}) as Record<string, unknown>;
  const types = schema(project, o.visible, o.communityEdition === true);
  try {
    const op = parseDocument(request.query);
    const resolved = (v: Value): unknown => {
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map(resolved);
      if ('var' in v) return variables[v.var] ?? (op.variables[v.var] === undefined ? undefined : resolved(op.variables[v.var]!));
      if ('enum' in v) return v.enum;
      return Object.fromEntries(Object.entries(v.obj).map(([k, x]) => [k, resolved(x)]));
    };
    const argsOf = (f: Field): Args => Object.fromEntries(Object.entries(f.args).map(([k, v]) => [k, resolved(v)]).filter(([, v]) => v !== undefined));
    const complexity = validate(types, 'Query', op.selections, argsOf, ['query']);
    if (complexity > maxComplexity) {
      return { body: { errors: [{ message: `Query has complexity of ${complexity}, which exceeds max complexity of ${maxComplexity}` }] }, read: null };
    }
    const read = { after: null as string | null, notesOf: [] as number[] };
    const data = execute(types, 'Query', {}, op.selections, argsOf, read);
    return { body: { data }, read };
  } catch (err) {
    if (err instanceof GraphQLSyntaxError) return { body: { errors: [{ message: err.message, locations: [{ line: err.line, column: err.column }] }] }, read: null };
    if (err instanceof QueryError) return { body: { errors: [err.error] }, read: null };
    throw err;
  }
}

/** Static validation (fields and arguments exist) and the complexity score of a selection set. */
function validate(types: Record<string, Record<string, FieldDef>>, type: string, selections: Field[], argsOf: (f: Field) => Args, path: string[]): number {
  let total = 0;
  for (const f of selections) {
    const def = types[type]?.[f.name];
    const here = [...path, f.alias ?? f.name];
    const at = { locations: [{ line: f.line, column: f.column }], path: here };
    if (!def) {
      throw new QueryError({ message: `Field '${f.name}' doesn't exist on type '${type}'`, ...at, extensions: { code: 'undefinedField', typeName: type, fieldName: f.name } });
    }
    for (const arg of Object.keys(f.args)) {
      if (!def.args?.includes(arg)) {
        throw new QueryError({ message: `Field '${f.name}' doesn't accept argument '${arg}'`, ...at, extensions: { code: 'argumentNotAccepted', name: f.name, typeName: 'Field', argumentName: arg } });
      }
    }
    const composite = types[def.type] !== undefined;
    if (composite && f.selections.length === 0) {
      throw new QueryError({ message: `Field must have selections (field '${f.name}' returns ${def.type} but has no selections. Did you mean '${f.name} { ... }'?)`, ...at, extensions: { code: 'selectionMismatch', nodeName: `field '${f.name}'`, typeName: def.type } });
    }
    if (!composite && f.selections.length > 0) {
      throw new QueryError({ message: `Selections can't be made on scalars (field '${f.name}' returns ${def.type} but has selections [${f.selections.map((s) => s.name).join(', ')}])`, ...at, extensions: { code: 'selectionMismatch', nodeName: `field '${f.name}'`, typeName: def.type } });
    }
    const args = argsOf(f);
    if (def.connection && args.first !== undefined && (!Number.isInteger(args.first) || (args.first as number) < 0)) {
      throw new QueryError({ message: `Argument 'first' on Field '${f.name}' has an invalid value (${JSON.stringify(args.first)}). Expected type 'Int'.`, ...at, extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: 'first' } });
    }
    const child = composite ? validate(types, def.type, f.selections, argsOf, here) : 0;
    total += score(def, args, child);
  }
  return total;
}

/** base_field.rb: a plain field is 1 + its children; a resolver's field as below. */
function score(def: FieldDef, args: Args, child: number): number {
  if (!def.resolver) return 1 + child;
  let c = child + 1 + (args.sort !== undefined ? 1 : 0);
  if (def.connection && args.iid === undefined && args.iids === undefined) {
    const limit = Math.min(...[args.first, args.last, MAX_PAGE_SIZE].filter((n): n is number => typeof n === 'number'));
    c += c * limit * 0.01;
  }
  return Math.floor(c);
}

function execute(
  types: Record<string, Record<string, FieldDef>>, type: string, parent: Obj, selections: Field[], argsOf: (f: Field) => Args,
  read: { after: string | null; notesOf: number[] },
): Obj {
  const out: Obj = {};
  for (const f of selections) {
    const def = types[type]![f.name]!;
    const args = argsOf(f);
    let value = def.get(parent, args);
    if (def.connection) value = page(value as ConnectionOf, args);
    if (type === 'Project' && f.name === 'issues') read.after = (args.after as string | undefined) ?? null;
    if (type === 'Issue' && f.name === 'notes') read.notesOf.push(Number(parent.iid));
    const nodeType = def.type;
    const render = (v: unknown): unknown =>
      v === null || v === undefined ? null : types[nodeType] ? execute(types, nodeType, v as Obj, f.selections, argsOf, read) : v;
    out[f.alias ?? f.name] = Array.isArray(value) ? value.map(render) : render(value);
  }
  return out;
}

/** One page of a connection: `first` (max 100, GitLab caps larger values) after `after`. */
function page(c: ConnectionOf, args: Args): Obj {
  const first = Math.min(typeof args.first === 'number' ? args.first : MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const after = typeof args.after === 'string' ? decodeCursor(args.after) : null;
  const start = after ? c.items.findIndex((i) => c.after(i, after)) : 0;
  const rest = start < 0 ? [] : c.items.slice(start);
  const nodes = rest.slice(0, first);
  const cursor = (i: Obj | undefined): string | null => (i ? encodeCursor(c.key(i)) : null);
  return {
    nodes: nodes.map((n) => ({ ...n })),
    pageInfo: { hasNextPage: rest.length > first, hasPreviousPage: after !== null && start > 0, startCursor: cursor(nodes[0]), endCursor: cursor(nodes.at(-1)) },
  };
}

