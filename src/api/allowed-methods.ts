import { TrieRouter } from 'hono/router/trie-router';

/** A route as Hono lists it (`app.routes`). */
interface ListedRoute {
  method: string;
  path: string;
}

/**
 * The methods an app serves at a path, for the `Allow` header of a 405: a request to a known path with a method
 * it does not serve is not a missing resource. Built from the app's routes once they are all registered; HEAD is
 * served wherever GET is (Hono answers it with the GET handler). Middleware (`ALL`) serves no method of its own.
 */
export function allowedMethods(routes: readonly ListedRoute[]): (path: string) => string[] {
  const router = new TrieRouter<string>();
  const methods = new Set<string>();
  for (const { method, path } of routes) {
    if (method === 'ALL') continue;
    router.add(method, path, method);
    methods.add(method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return (path) => [...methods].filter((method) => router.match(method === 'HEAD' ? 'GET' : method, path)[0].length > 0).sort();
}
