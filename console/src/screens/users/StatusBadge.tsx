import { Badge } from '@mantine/core';
import type { User } from '../../api/types';

// Dark shades: white badge text keeps a 4.5:1 contrast (WCAG AA).
const colors: Record<User['status'], string> = { ACTIVE: 'teal.9', INVITED: 'blue.9', DISABLED: '#8a3b00', SOFT_DEL: 'gray.7' };

export function StatusBadge({ user }: { user: Pick<User, 'status' | 'lockedUntil'> }) {
  const locked = user.lockedUntil !== null && new Date(user.lockedUntil) > new Date();
  return (
    <>
      <Badge color={colors[user.status]} variant="filled">
        {user.status === 'SOFT_DEL' ? 'SOFT DELETED' : user.status}
      </Badge>
      {locked && (
        <Badge color="red.9" variant="filled" ml={4}>
          LOCKED
        </Badge>
      )}
    </>
  );
}
