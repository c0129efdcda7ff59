// Which requests a fault rule or a barrier applies to: a method (or any) and either a route
// pattern (exactly as registered, prefix included) or a regular expression on the path.

export interface RouteSelector {
  /** HTTP method, upper case; any method when absent. */
  method?: string | undefined;
  /** Route pattern, e.g. `/twilio-trunking/v1/Trunks` or `/retell/get-phone-number/:number`. */
  route?: string | undefined;
  /** Regular expression source, tested against the path without its query. */
  path?: string | undefined;
}

export interface RequestFacts {
  method: string;
  route: string | undefined;
  path: string;
}

export function selectorError(selector: RouteSelector): string | undefined {
  if (selector.route === undefined && selector.path === undefined) {
    return '"route" or "path" is required';
  }
  if (selector.path !== undefined) {
    try {
      new RegExp(selector.path);
    } catch {
      return '"path" must be a valid regular expression';
    }
  }
  return undefined;
}

export function matchesSelector(selector: RouteSelector, facts: RequestFacts): boolean {
  if (selector.method !== undefined && selector.method.toUpperCase() !== facts.method) return false;
  if (selector.route !== undefined && selector.route !== facts.route) return false;
  if (selector.path !== undefined && !new RegExp(selector.path).test(facts.path)) return false;
  return true;
}

/** `GET /twilio-api/…?x=1` → `/twilio-api/…`. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
