/** The workflows a Weft worker registers. */
export { runMapBatch } from './map-batch.js';
export { runTemplate } from './run-template.js';
