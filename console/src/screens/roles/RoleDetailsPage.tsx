// A role: description, the complete permission matrix (every module of
// GET /v1/modules), the users holding it, and its actions (guide 7.5, 7.6).
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Anchor, Badge, Button, Group, List, Paper, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import { allows, levelOf } from '../../session/acl';
import { useMe } from '../../session/use-session';
import { useModules } from '../../data/lookups';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { ConfirmModal } from '../users/UserModals';

export default function RoleDetailsPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const me = useMe().data;
  const modules = useModules();
  const [confirm, setConfirm] = useState<'delete' | 'disable' | null>(null);
  const role = useQuery({ queryKey: ['roles', 'one', id], queryFn: () => unwrap(api.GET('/v1/roles/{id}', { params: { path: { id } } })) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['roles'] });

  const clone = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/roles/{id}/clone', { params: { path: { id } }, body: {} })),
    onSuccess: async (copy) => {
      await refresh();
      notify(`Created “${copy.name}”. Rename it and adjust its permissions with Edit Role.`);
      await navigate(`/roles/${copy.id}`);
    },
  });
  const toggle = useMutation({
    mutationFn: (enable: boolean) =>
      unwrap(enable ? api.POST('/v1/roles/{id}/enable', { params: { path: { id } }, body: {} }) : api.POST('/v1/roles/{id}/disable', { params: { path: { id } }, body: {} })),
    onSuccess: async (_r, enable) => {
      setConfirm(null);
      notify(enable ? 'The role is enabled; its holders have their access back.' : 'The role is disabled; its holders lost its access at once.');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/roles/{id}', { params: { path: { id } }, body: {} })),
    onSuccess: async () => {
      notify('The role is deleted.');
      queryClient.removeQueries({ queryKey: ['roles', 'one', id] });
      await refresh();
      await navigate('/roles');
    },
  });

  if (role.error) return <ErrorAlert error={role.error} />;
  if (!role.data || !me) return null;
  const r = role.data;
  const canWrite = allows(me.acl, 'roles', 'RW');
  const editable = canWrite && !r.system;

  return (
    <>
      <PageTitle
        actions={
          canWrite && (
            <>
              {editable && <Button onClick={() => void navigate(`/roles/${r.id}/edit`)}>Edit Role</Button>}
              <Button variant="default" loading={clone.isPending} onClick={() => clone.mutate()}>
                Clone
              </Button>
              {editable && r.activeUsersCount === 0 && (
                <Button color="red.9" variant="outline" onClick={() => setConfirm('delete')}>
                  Delete Role
                </Button>
              )}
            </>
          )
        }
      >
        {r.name}
      </PageTitle>
      <Anchor component={Link} to="/roles" size="sm">
        ← Back to roles
      </Anchor>
      <Stack mt="sm">
        <ErrorAlert error={clone.error ?? (confirm ? null : toggle.error)} />
        <Paper withBorder p="lg">
          <Stack gap="xs">
            <Text>{r.description || 'No description.'}</Text>
            <Text size="sm">
              Assignable to {r.scope} users · Active users: {r.activeUsersCount}
              {r.system ? ' · Built-in role (can be cloned, not edited or deleted)' : ''}
              {r.requireMfa ? ' · Requires 2FA' : ''}
            </Text>
            {editable ? (
              <Switch
                label="Is Enabled"
                checked={r.enabled}
                disabled={toggle.isPending}
                onChange={(e) => (e.currentTarget.checked ? toggle.mutate(true) : setConfirm('disable'))}
              />
            ) : (
              <Text size="sm">Is Enabled: {r.enabled ? 'yes' : 'no'}</Text>
            )}
          </Stack>
        </Paper>
        {editable && r.activeUsersCount > 0 && (
          <Alert variant="light" color="blue" title="Deleting this role">
            A role can be deleted only when no active user holds it. Reassign its {r.activeUsersCount} active user
            {r.activeUsersCount === 1 ? '' : 's'} to another role first (user details, Update Role); when the active users count is 0, Delete Role
            appears here.
          </Alert>
        )}
        <Title order={2} size="h3">
          Permissions
        </Title>
        <ErrorAlert error={modules.error} />
        <Table withTableBorder striped aria-label="Permission matrix" maw={520}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Module</Table.Th>
              <Table.Th>Level</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(modules.data ?? []).map((m) => {
              const level = levelOf(r.acl, m.name);
              return (
                <Table.Tr key={m.name}>
                  <Table.Td>{m.name}</Table.Td>
                  <Table.Td>
                    <Badge variant={level === 'NA' ? 'outline' : 'filled'} color={level === 'NA' ? 'gray.7' : level === 'CHECKER' ? 'grape.8' : 'blue.8'}>
                      {level}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        <Title order={2} size="h3">
          Users with this role
        </Title>
        {r.users.length === 0 ? (
          <Text>No user you can see holds this role.</Text>
        ) : (
          <List aria-label="Users with this role">
            {r.users.map((u) => (
              <List.Item key={u.id}>
                <Group gap="xs">
                  {allows(me.acl, 'users', 'R') ? (
                    <Anchor component={Link} to={`/users/${u.id}`}>
                      {u.email}
                    </Anchor>
                  ) : (
                    u.email
                  )}
                  <Text size="sm" c="gray.7">
                    {u.type} · {u.status}
                  </Text>
                </Group>
              </List.Item>
            ))}
          </List>
        )}
      </Stack>
      {confirm === 'delete' && (
        <ConfirmModal
          title="Delete Role"
          text={`Delete “${r.name}” permanently? This cannot be undone.`}
          confirm="Delete Role"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate()}
          onClose={() => setConfirm(null)}
        />
      )}
      {confirm === 'disable' && (
        <ConfirmModal
          title="Disable role"
          text={`Every holder of “${r.name}” loses its access at once, and it cannot be assigned until enabled again.`}
          confirm="Disable"
          pending={toggle.isPending}
          error={toggle.error}
          onConfirm={() => toggle.mutate(false)}
          onClose={() => setConfirm(null)}
        />
      )}
    </>
  );
}
