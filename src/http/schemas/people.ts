/** The people directory (issue 12): GET /api/people, GET /api/people/{id}, PUT /api/people/{id}/links. */
import { Type, type Static } from 'typebox';
import { Cursor, LIMITS, Limit, Nullable, StringEnum } from './common.js';
import { SourceTypeSchema } from './job.js';

/** Accounts one PUT may list: a person is a handful of accounts; a longer list is a mistake. */
export const MAX_LINKED_ACCOUNTS = 100;

const AccountRefProperties = {
  source_type: SourceTypeSchema,
  source_instance: Type.String({ minLength: 1, maxLength: 512, format: 'text', description: 'as on the items: host of base_url, with :port when not the default' }),
  external_id: Type.String({ minLength: 1, maxLength: 1024, format: 'text', description: 'the source account, as in an item\'s assignee.external_id' }),
};

const PersonAccountSchema = Type.Object(
  {
    ...AccountRefProperties,
    name: Nullable('string'),
    email: Nullable('string'),
    email_verified: Type.Boolean({ description: 'the source vouched for the email when last shown' }),
    linked_by: StringEnum(['email', 'manual', 'none'] as const, {
      description: 'email: joined by a verified email; manual: set by PUT /api/people/{id}/links (imports never change it); none: no verified email, a person of its own',
    }),
    first_seen_at: Type.String({ format: 'date-time' }),
    last_seen_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const PersonSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenant_id: Nullable('string'),
    display_name: Nullable('string'),
    primary_email: Nullable('string'),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time', description: 'when its accounts last changed by hand' }),
    accounts: Type.Array(PersonAccountSchema, { description: 'the source accounts that are this human' }),
  },
  { additionalProperties: false, title: 'Person' },
);

export const PersonIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const PeopleListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, format: 'text', description: 'case-insensitive substring of a name or email of the person or one of its accounts' })),
    source_type: Type.Optional(SourceTypeSchema),
    tenant_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, format: 'text' })),
    limit: Limit(LIMITS.items.max, LIMITS.items.def),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type PeopleListQuery = Static<typeof PeopleListQuery>;

export const PeopleListResponse = Type.Object(
  { people: Type.Array(PersonSchema), next_cursor: Nullable('string') },
  { additionalProperties: false, description: 'persons by display name; next_cursor null on the last page' },
);

export const PersonLinksBody = Type.Object(
  {
    accounts: Type.Array(Type.Object(AccountRefProperties, { additionalProperties: false }), {
      minItems: 1,
      maxItems: MAX_LINKED_ACCOUNTS,
      description: 'the complete set of the person\'s accounts: listed accounts move here from other persons; its accounts not listed become persons of their own. All are then linked "manual".',
    }),
  },
  { additionalProperties: false },
);
export type PersonLinksBody = Static<typeof PersonLinksBody>;
