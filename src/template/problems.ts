import { formatPath, type Locator, type TemplateProblem } from './source.js';

/** A problem found in a value, with its path as keys; located and formatted once all checks ran. */
export interface PathProblem {
  path: Array<string | number>;
  message: string;
}

/** Beyond this many, problems are summarised: a hostile template must not yield a million-line answer. */
export const maxProblems = 100;

/** Formats problems for people, adding line and column where the locator knows them. */
export function locateProblems(problems: readonly PathProblem[], locate: Locator): TemplateProblem[] {
  const shown = problems.slice(0, maxProblems).map((p) => ({ path: formatPath(p.path), message: p.message, ...locate(p.path) }));
  if (problems.length > maxProblems) {
    shown.push({ path: '(root)', message: `${problems.length - maxProblems} more problems not shown; fix the ones above first` });
  }
  return shown;
}
