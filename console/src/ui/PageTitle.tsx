import { Group, Title } from '@mantine/core';

/** The screen's h1, with its main actions on the right. */
export function PageTitle({ children, actions }: { children: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <Group justify="space-between" mb="md">
      <Title order={1} size="h2">
        {children}
      </Title>
      {actions && <Group>{actions}</Group>}
    </Group>
  );
}
