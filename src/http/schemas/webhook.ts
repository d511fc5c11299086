/** POST /api/webhooks/{sync_id} (CONTRACT §12): the receipt a vendor gets with the 202. */
import { Type } from 'typebox';
import { StringEnum } from './common.js';

export const WebhookReceipt = Type.Object(
  {
    status: StringEnum(['queued', 'duplicate', 'ignored'] as const, {
      description: 'queued: the item will be read from the source and stored; duplicate: this delivery id was taken already; ignored: not about an item of this sync, or the sync is paused',
    }),
    reason: Type.Optional(Type.String({ description: 'why it was ignored' })),
  },
  { additionalProperties: false, description: 'accepted' },
);
