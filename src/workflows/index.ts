/** The workflows a Weft worker registers. */
export { runTemplate } from './run-template.js';
