import { Center, Paper, Stack, Title } from '@mantine/core';

/** The centred card of the pages reached before a session exists. */
export function AuthCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Center component="main" mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={440} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
