// The dashboard frame: navigation allowed by the effective ACL, the entity
// switcher in the top-right corner, the account menu, and the current screen.
import { NavLink as RouterNavLink, Outlet, useNavigate } from 'react-router';
import { AppShell, Burger, Button, Center, Group, Loader, Menu, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { logout } from '../../session/session';
import { useMe } from '../../session/use-session';
import { sectionsFor } from '../../session/navigation';
import { queryClient } from '../../api/query-client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { NoticeArea, notify } from '../../ui/notices';
import { EntitySwitcher } from './EntitySwitcher';

export default function Shell() {
  const me = useMe();
  const navigate = useNavigate();
  const [opened, { toggle, close }] = useDisclosure();

  const signOut = async () => {
    await logout();
    queryClient.clear();
    notify(null);
    void navigate('/login', { replace: true });
  };

  if (me.error) return <ErrorAlert error={me.error} />;
  if (!me.data) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const sections = sectionsFor(me.data);

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} component="span">
              User Management
            </Text>
          </Group>
          <Group wrap="nowrap">
            <EntitySwitcher me={me.data} />
            <Menu position="bottom-end">
              <Menu.Target>
                <Button variant="default" aria-label={`Account ${me.data.user.email}`}>
                  {me.data.user.email}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me.data.role.name}</Menu.Label>
                <Menu.Item onClick={() => void navigate('/settings')}>My settings</Menu.Item>
                <Menu.Item onClick={() => void signOut()}>Log out</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {sections.map((s) => (
          <NavLink key={s.path} component={RouterNavLink} to={s.path} label={s.label} onClick={close} variant="filled" />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <NoticeArea />
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

