// An API refusal as the console shows it: the stable code from the body and a
// sentence for people (never the raw JSON). One map, code -> sentence.
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly body: Record<string, unknown>,
  ) {
    super(code);
    this.name = 'ApiProblem';
  }
}

const sentences: Record<string, string> = {
  VALIDATION_FAILED: 'Some of the values entered are not valid. Check the fields and try again.',
  UNAUTHENTICATED: 'Your session has ended. Please log in again.',
  INVALID_CREDENTIALS: 'The email or password is not correct.',
  TOTP_INVALID: 'The authentication code is not correct. Check your authenticator app and try again.',
  TOTP_REPLAYED: 'This authentication code has already been used. Wait for the next code and try again.',
  REFRESH_REUSED: 'Your session was ended for your safety. Please log in again.',
  FORBIDDEN: 'You do not have permission to do this.',
  INSUFFICIENT_PERMISSION: 'You do not have permission to do this.',
  PRIVILEGE_ESCALATION: 'You cannot grant a permission level higher than your own.',
  SELF_MODIFICATION: 'You cannot change your own role, status or merchant access. Ask another administrator.',
  MERCHANT_OUT_OF_SCOPE: 'One or more of the selected merchants are outside your scope.',
  MERCHANT_ACCESS_DENIED: 'You do not have access to this merchant.',
  USER_DISABLED: 'This account is disabled.',
  CONTEXT_FORBIDDEN: 'You cannot switch to this entity.',
  SOD_VIOLATION: 'This would break a separation-of-duties rule.',
  NOT_FOUND: 'This item was not found. It may have been deleted, or it is outside your scope.',
  USER_NOT_FOUND: 'This user was not found.',
  ROUTE_NOT_FOUND: 'This page or action does not exist.',
  CONFLICT: 'This was changed by someone else or already exists. Reload and try again.',
  ROLE_HAS_ACTIVE_USERS: 'This role still has active users. Reassign them to another role first, then delete it.',
  USER_NOT_ACTIVE: 'This can only be done for an active user.',
  MERCHANT_ACCESS_UNCHANGED: 'The merchant access is the same as before. Add or remove a merchant first.',
  INVITATION_EXPIRED: 'This link has expired or has already been used. Ask your administrator to send a new invitation.',
  VERIFICATION_EXPIRED: 'This verification link has expired or has already been used.',
  PASSWORD_POLICY: 'The password does not meet the password policy.',
  PASSWORD_EXPIRED: 'Your password has expired. Set a new one.',
  ACCOUNT_LOCKED: 'This account is locked after too many failed attempts.',
  RATE_LIMITED: 'Too many attempts. Wait a moment and try again.',
  PRODUCT_RESTRICTED: 'This user may not use this product.',
  GATEWAY_RESTRICTED: 'This user may not use this gateway.',
  MAKER_NOT_PERMITTED: 'The person who made this request may no longer do it.',
  APPROVAL_NOT_PENDING: 'This request has already been decided.',
  APPROVAL_EXPIRED: 'This request has expired.',
  PAYLOAD_TOO_LARGE: 'What was sent is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request could not be understood.',
  UNAVAILABLE: 'The service is temporarily unavailable. Try again in a moment.',
  INTERNAL: 'Something went wrong on our side. Try again in a moment.',
  NETWORK: 'The server could not be reached. Check your connection and try again.',
};

const ruleNames: Record<string, string> = {
  minLength: 'it is too short',
  maxLength: 'it is too long',
  blocklist: 'it is a commonly used password',
  contextual: 'it contains your email address',
  requireUpper: 'it needs an upper-case letter',
  requireLower: 'it needs a lower-case letter',
  requireDigit: 'it needs a digit',
  requireSymbol: 'it needs a symbol',
  history: 'it was used recently',
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** One sentence for any error the console meets. */
export function sentenceFor(error: unknown): string {
  if (!(error instanceof ApiProblem)) {
    return error instanceof TypeError ? (sentences.NETWORK ?? '') : 'Something went wrong. Try again.';
  }
  const base = sentences[error.code] ?? `The request was refused (${error.code.toLowerCase().replaceAll('_', ' ')}).`;
  const b = error.body;
  if (error.code === 'ACCOUNT_LOCKED' && typeof b.lockedUntil === 'string') {
    return `${base} Try again after ${new Date(b.lockedUntil).toLocaleTimeString()}, or ask an administrator to unlock it.`;
  }
  if (error.code === 'SOD_VIOLATION' && strings(b.pairs).length > 0) {
    return `${base} The role holds both sides of: ${strings(b.pairs).join(', ')}.`;
  }
  if (error.code === 'PRIVILEGE_ESCALATION' && strings(b.modules).length > 0) {
    return `${base} Modules: ${strings(b.modules).join(', ')}.`;
  }
  if (error.code === 'PASSWORD_POLICY' && strings(b.rules).length > 0) {
    return `The password does not meet the password policy: ${strings(b.rules).map((r) => ruleNames[r] ?? r).join('; ')}.`;
  }
  if (error.code === 'MERCHANT_OUT_OF_SCOPE' && strings(b.merchants).length > 0) {
    return `${base} Merchants: ${strings(b.merchants).join(', ')}.`;
  }
  return base;
}
