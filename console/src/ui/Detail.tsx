import type { ReactNode } from 'react';
import { Text } from '@mantine/core';

/** One labelled value of a details screen (user, reseller, merchant). */
export function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="sm" c="gray.7">
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}
