import { Badge } from '@mantine/core';
import type { User } from '../../api/types';

const colors: Record<User['status'], string> = { ACTIVE: 'green.8', INVITED: 'blue.8', DISABLED: 'orange.9', SOFT_DEL: 'gray.7' };

export function StatusBadge({ user }: { user: Pick<User, 'status' | 'lockedUntil'> }) {
  const locked = user.lockedUntil !== null && new Date(user.lockedUntil) > new Date();
  return (
    <>
      <Badge color={colors[user.status]} variant="filled">
        {user.status === 'SOFT_DEL' ? 'SOFT DELETED' : user.status}
      </Badge>
      {locked && (
        <Badge color="red.8" variant="filled" ml={4}>
          LOCKED
        </Badge>
      )}
    </>
  );
}
