/** GET /api/imports/{job_id}/callback response (CONTRACT §8). */
import { Type } from 'typebox';
import { Nullable, StringEnum } from './common.js';

export const CallbackStateSchema = Type.Object(
  {
    status: StringEnum(['pending', 'delivered', 'failed'] as const, {
      description: 'pending: the job has not ended, or the receiver has not taken the callback yet; failed: given up after the retry horizon',
    }),
    attempts: Type.Integer({ minimum: 0, description: 'delivery attempts made so far' }),
    last_attempt_at: Nullable('string', { format: 'date-time' }),
    last_error: Nullable('string', { description: 'why the last attempt failed; null once delivered' }),
  },
  { additionalProperties: false, description: 'the completion callback of the job' },
);
