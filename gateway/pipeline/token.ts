// Step 2, token: the caller's verified access-token claims
// (tokens/token-verifier.ts). Any fault of the token is one 401, saying no
// more than that. Synchronous when the token was verified before (the hot
// path); a promise only when a key must be fetched.
import { bearerToken, type GatewayClaims, type TokenVerifier } from '../tokens/token-verifier.ts';
import { Refusal } from './refusal.ts';

const noToken = new Refusal(401, 'UNAUTHENTICATED', 'a bearer access token is required');
const badToken = new Refusal(401, 'UNAUTHENTICATED', 'invalid or expired token');
const refuseBadToken = () => badToken;

export function verifyToken(tokens: TokenVerifier, authorization: string | undefined): GatewayClaims | Refusal | Promise<GatewayClaims | Refusal> {
  const token = bearerToken(authorization);
  if (token === null) return noToken;
  try {
    const verified = tokens.verify(token);
    return verified instanceof Promise ? verified.catch(refuseBadToken) : verified;
  } catch {
    return badToken;
  }
}
