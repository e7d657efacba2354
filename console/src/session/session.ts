// The session of this tab. The access token lives in this module only (memory):
// never localStorage or sessionStorage. The refresh token is an HttpOnly cookie
// scoped to /v1/auth that scripts cannot read; POST /v1/auth/refresh with `{}`
// rotates it and answers a new access token, so a reload restores the session.
export type ContextType = 'TENANT' | 'RESELLER' | 'MERCHANT';
export interface SessionContext {
  type: ContextType;
  id: string;
}
export interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
  context: SessionContext;
}

type State = { status: 'restoring' } | { status: 'anonymous' } | { status: 'authenticated'; context: SessionContext };

let accessToken: string | null = null;
let state: State = { status: 'restoring' };
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

function publish(next: State): void {
  state = next;
  for (const listener of listeners) listener();
}

export const sessionStore = {
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: (): State => state,
};

export const currentAccessToken = (): string | null => accessToken;

/** Keeps the tokens of a login, a switch or a refresh (the refresh token itself stays in its cookie). */
export function startSession(answer: TokenAnswer): void {
  accessToken = answer.accessToken;
  clearTimeout(refreshTimer);
  // Refresh a minute before expiry (or at 80 % of a short lifetime).
  const lead = Math.min(60, answer.expiresIn * 0.2);
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(5, answer.expiresIn - lead) * 1000);
  publish({ status: 'authenticated', context: answer.context });
}

export function endSession(): void {
  accessToken = null;
  clearTimeout(refreshTimer);
  publish({ status: 'anonymous' });
}

/** One refresh at a time; true when a new access token was obtained. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/v1/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (!response.ok) {
        endSession();
        return false;
      }
      startSession((await response.json()) as TokenAnswer);
      return true;
    } catch {
      endSession();
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function logout(): Promise<void> {
  try {
    await fetch('/v1/auth/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      body: '{}',
    });
  } finally {
    endSession();
  }
}
