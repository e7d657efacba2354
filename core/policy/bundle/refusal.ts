// Why a bundle was not activated. Each reason is a label of the refusal
// counter in /metrics and appears in the status report's errors, so an
// operator can tell a bundle server that is down (`download`) from a bundle
// that is not the security team's (`verification`), one that is not a
// policy (`load`) and one that loads but answers a known input wrongly
// (`health`). In every case the last good bundle keeps deciding.
export type RefusalReason = 'download' | 'verification' | 'load' | 'health';

export const refusalReasons: readonly RefusalReason[] = ['download', 'verification', 'load', 'health'];

export class BundleRefused extends Error {
  override name = 'BundleRefused';

  constructor(readonly reason: RefusalReason, message: string) {
    super(message);
  }
}
