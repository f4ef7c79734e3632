import { z } from 'zod';
import { refuseNul } from '../../db/storable.js';
import { maxRunIdLength } from '../../workflows/definitions.js';

/** Roles in a run's room: owners steer, approvers decide approvals, viewers watch and talk. */
export const roleSchema = z.enum(['owner', 'approver', 'viewer']);

/** Who a client is in a room, as it claims when joining. */
export const participantSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
  role: roleSchema,
}).strict();

/** What a room records. */
export const roomEntryKindSchema = z.enum(['joined', 'left', 'message', 'decision', 'handoff']);

/** One entry of a room's record, in the order the room saw them (`id`). */
export const roomEntrySchema = z.object({
  id: z.number().int(),
  runId: z.string(),
  kind: roomEntryKindSchema,
  participant: participantSchema,
  at: z.string(),
  data: z.unknown().optional(),
});

/**
 * What a client sends to take part in a room (besides subscribe/unsubscribe/ping). A room records what it is sent,
 * so text the store cannot hold is refused as a bad message rather than failing the write.
 */
export const roomMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), runId: z.string().min(1).max(maxRunIdLength), participant: participantSchema }).strict(),
  z.object({ type: z.literal('leave'), runId: z.string().min(1).max(maxRunIdLength) }).strict(),
  z.object({ type: z.literal('say'), runId: z.string().min(1).max(maxRunIdLength), text: z.string().min(1).max(10_000) }).strict(),
  z.object({
    type: z.literal('decide'), runId: z.string().min(1).max(maxRunIdLength), nodeId: z.string().min(1).max(64),
    decision: z.enum(['approve', 'reject']), comment: z.string().max(10_000).optional(), data: z.unknown().optional(),
  }).strict(),
  z.object({
    type: z.literal('handoff'), runId: z.string().min(1).max(maxRunIdLength), to: z.string().min(1).max(100),
    reason: z.string().max(10_000).optional(), context: z.unknown().optional(),
  }).strict(),
]).superRefine(refuseNul);

export type Role = z.infer<typeof roleSchema>;
export type Participant = z.infer<typeof participantSchema>;
export type RoomEntryKind = z.infer<typeof roomEntryKindSchema>;
export type RoomEntry = z.infer<typeof roomEntrySchema>;
export type RoomMessage = z.infer<typeof roomMessageSchema>;
