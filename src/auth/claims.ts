import type { ContextType } from '../roles/role.entity.ts';

/** Claims of an access token (docs/http.md#tokens). `typ` keeps MFA tokens out of API calls. */
export interface AccessClaims {
  iss: string;
  aud: string;
  sub: string;
  tid: string;
  ctx_type: ContextType;
  ctx_id: string;
  sid: string;
  jti: string;
  typ: 'access';
  iat: number;
  exp: number;
}

/** A login waiting for its second factor: usable only on the /auth/login/totp and /auth/mfa/* routes. */
export interface MfaClaims {
  iss: string;
  aud: string;
  sub: string;
  tid: string;
  jti: string;
  typ: 'mfa';
  /**
   * `login` after a password check; `setup` when TOTP enrolment is required
   * first; `password` when the password has expired and must be renewed.
   */
  purpose: 'login' | 'setup' | 'password';
  iat: number;
  exp: number;
}
