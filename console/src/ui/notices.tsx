// Success notices ("Switched to MERCHANT Successfully!", "Invitation sent …"),
// shown in the shell in a polite live region until dismissed or replaced.
import { useSyncExternalStore } from 'react';
import { Alert } from '@mantine/core';

let current: string | null = null;
const listeners = new Set<() => void>();

export function notify(message: string | null): void {
  current = message;
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function NoticeArea() {
  const message = useSyncExternalStore(subscribe, () => current);
  return (
    <div role="status" aria-live="polite">
      {message && (
        <Alert color="green" variant="light" withCloseButton closeButtonLabel="Dismiss notice" onClose={() => notify(null)} mb="md">
          {message}
        </Alert>
      )}
    </div>
  );
}
