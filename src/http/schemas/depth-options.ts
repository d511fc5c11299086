/** Import and sync options for the depth of what an item carries (issue 12): history, attachments, field map. */
import { Type } from 'typebox';
import { MAPPED_FIELDS } from '../../connectors/item-depth.js';

const FieldRef = Type.String({ minLength: 1, maxLength: 256, description: 'a custom field id (customfield_10016, u_severity) or its display name (Story Points), case-insensitive' });

export const FieldMapSchema = Type.Object(
  Object.fromEntries(MAPPED_FIELDS.map((f) => [f, Type.Optional(FieldRef)])) as Record<(typeof MAPPED_FIELDS)[number], ReturnType<typeof Type.Optional<typeof FieldRef>>>,
  { additionalProperties: false, description: 'which custom field fills each normalized field; a field left out takes the source\'s standard one' },
);

export const DepthOptions = {
  include_history: Type.Optional(Type.Boolean({ default: true, description: 'read each item\'s field history' })),
  download_attachments: Type.Optional(Type.Boolean({ default: false, description: 'download attachment content into the blob store (size and hash checked)' })),
  field_map: Type.Optional(FieldMapSchema),
};
