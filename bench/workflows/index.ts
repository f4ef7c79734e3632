/**
 * The bench's workflow bundle: the hand-written baselines beside every workflow a Weft worker registers, so one
 * worker on one task queue runs both sides.
 */
export * from '../../src/workflows/index.js';
export { chainByHand, fanOutByHand, orderDigestByHand } from './hand-written.js';
