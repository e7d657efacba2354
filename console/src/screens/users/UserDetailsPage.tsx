// A user's details with every action of docs/http.md, each offered only when the
// caller's effective ACL, the context and the user's status allow it.
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionIcon, Anchor, Button, Code, Group, Menu, Paper, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import type { Me, User } from '../../api/types';
import { allows } from '../../session/acl';
import { managesMerchantAccess } from '../../session/navigation';
import { useMe } from '../../session/use-session';
import { useRoles } from '../../data/lookups';
import { Detail } from '../../ui/Detail';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';
import { PageTitle } from '../../ui/PageTitle';
import { StatusBadge } from './StatusBadge';
import { ConfirmModal, HardDeleteModal, UpdateEmailModal, UpdateRoleModal } from './UserModals';
import { MerchantAccessModal } from './MerchantAccessModal';

type Lifecycle = 'enable' | 'disable' | 'soft-delete' | 'restore' | 'unlock' | 'revoke-sessions' | 'reset-mfa' | 'resend-invitation';

const done: Record<Lifecycle, string> = {
  enable: 'The user is enabled.',
  disable: 'The user is disabled and every session ended.',
  'soft-delete': 'The user is soft deleted. You can restore them later.',
  restore: 'The user is restored.',
  unlock: 'The user is unlocked.',
  'revoke-sessions': 'Every session of the user has ended.',
  'reset-mfa': 'Two-factor authentication is reset. The user enrols again at the next login.',
  'resend-invitation': 'A new invitation was sent. The previous link no longer works.',
};

function lifecycleCall(id: string, action: Lifecycle) {
  const params = { params: { path: { id } }, body: {} };
  switch (action) {
    case 'enable':
      return api.POST('/v1/users/{id}/enable', params);
    case 'disable':
      return api.POST('/v1/users/{id}/disable', params);
    case 'soft-delete':
      return api.POST('/v1/users/{id}/soft-delete', params);
    case 'restore':
      return api.POST('/v1/users/{id}/restore', params);
    case 'unlock':
      return api.POST('/v1/users/{id}/unlock', params);
    case 'revoke-sessions':
      return api.POST('/v1/users/{id}/revoke-sessions', params);
    case 'reset-mfa':
      return api.POST('/v1/users/{id}/reset-mfa', params);
    case 'resend-invitation':
      return api.POST('/v1/users/{id}/resend-invitation', params);
  }
}

export default function UserDetailsPage() {
  const { id = '' } = useParams();
  const me = useMe().data;
  const user = useQuery({ queryKey: ['users', 'one', id], queryFn: () => unwrap(api.GET('/v1/users/{id}', { params: { path: { id } } })) });
  if (user.error) return <ErrorAlert error={user.error} />;
  if (!me || !user.data) return null;
  return <UserDetails me={me} user={user.data} />;
}

type Dialog = 'email' | 'role' | 'access' | 'delete' | Lifecycle | null;

function UserDetails({ me, user }: { me: Me; user: User }) {
  const navigate = useNavigate();
  const roles = useRoles();
  const [dialog, setDialog] = useState<Dialog>(null);
  const self = user.id === me.user.id;
  const canWrite = allows(me.acl, 'users', 'RW');
  const canHardDelete = allows(me.acl, 'user_hard_delete', 'RW');
  const canAccess = managesMerchantAccess(me) && user.type !== 'MERCHANT' && !self;
  const locked = user.lockedUntil !== null && new Date(user.lockedUntil) > new Date();
  const role = roles.data?.find((r) => r.id === user.roleId);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const lifecycle = useMutation({
    mutationFn: (action: Lifecycle) => unwrap(lifecycleCall(user.id, action)).then(() => action),
    onSuccess: async (action) => {
      setDialog(null);
      notify(done[action]);
      await refresh();
    },
  });
  const confirmable = (action: Lifecycle, label: string, text: string) =>
    dialog === action && (
      <ConfirmModal
        title={label}
        text={text}
        confirm={label}
        pending={lifecycle.isPending}
        error={lifecycle.error}
        onConfirm={() => lifecycle.mutate(action)}
        onClose={() => {
          lifecycle.reset();
          setDialog(null);
        }}
      />
    );

  return (
    <>
      <PageTitle
        actions={
          (canWrite || canHardDelete) && (
            <Menu position="bottom-end">
              <Menu.Target>
                <ActionIcon variant="default" size="lg" aria-label="More actions">
                  ︙
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                {canWrite && (
                  <Menu.Item disabled={user.status !== 'ACTIVE'} onClick={() => setDialog('email')}>
                    Update Email
                  </Menu.Item>
                )}
                {canHardDelete && !self && (
                  <Menu.Item color="red.9" onClick={() => setDialog('delete')}>
                    Delete User
                  </Menu.Item>
                )}
              </Menu.Dropdown>
            </Menu>
          )
        }
      >
        {user.email}
      </PageTitle>
      <Anchor component={Link} to="/users" size="sm">
        ← Back to users
      </Anchor>
      <Paper withBorder p="lg" mt="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Detail label="Status">
            <StatusBadge user={user} />
          </Detail>
          <Detail label="Type">{user.type}</Detail>
          <Detail label="Role">{role?.name ?? user.roleId}</Detail>
          <Detail label="Two-factor authentication">{user.mfaEnrolled ? 'Enrolled' : 'Not enrolled'}</Detail>
          {user.resellerId && <Detail label="Reseller">{user.resellerId}</Detail>}
          {user.merchantId && <Detail label="Merchant">{user.merchantId}</Detail>}
          {user.type !== 'MERCHANT' && (
            <Detail label="Merchant access">
              {user.merchantsAccess.length === 0 ? `All merchants of the ${user.type === 'TENANT' ? 'tenant' : 'reseller'}` : user.merchantsAccess.join(', ')}
            </Detail>
          )}
          <Detail label="Product IDs">{user.productIds.length ? user.productIds.join(', ') : 'No restriction'}</Detail>
          <Detail label="Gateway Reference IDs">{user.gatewayRefIds.length ? user.gatewayRefIds.join(', ') : 'No restriction'}</Detail>
          <Detail label="Created">{new Date(user.createdAt).toLocaleString()}</Detail>
          <Detail label="User ID">
            <Code>{user.id}</Code>
          </Detail>
        </SimpleGrid>
      </Paper>

      {canWrite && !self && (
        <Stack mt="lg" gap="sm">
          {(user.status === 'ACTIVE' || user.status === 'DISABLED') && (
            <Switch
              label="Enabled"
              checked={user.status === 'ACTIVE'}
              disabled={lifecycle.isPending}
              onChange={(e) => lifecycle.mutate(e.currentTarget.checked ? 'enable' : 'disable')}
            />
          )}
          <Group>
            {user.status !== 'SOFT_DEL' && <Button onClick={() => setDialog('role')}>Update Role</Button>}
            {canAccess && user.status !== 'SOFT_DEL' && <Button onClick={() => setDialog('access')}>Update Merchant Access</Button>}
            {user.status === 'INVITED' && (
              <Button variant="default" onClick={() => setDialog('resend-invitation')}>
                Resend Invitation
              </Button>
            )}
            {locked && (
              <Button variant="default" onClick={() => setDialog('unlock')}>
                Unlock
              </Button>
            )}
            {user.status === 'ACTIVE' && (
              <Button variant="default" onClick={() => setDialog('revoke-sessions')}>
                Revoke Sessions
              </Button>
            )}
            {user.mfaEnrolled && user.status !== 'SOFT_DEL' && (
              <Button variant="default" onClick={() => setDialog('reset-mfa')}>
                Reset 2FA
              </Button>
            )}
            {user.status === 'SOFT_DEL' ? (
              <Button variant="default" onClick={() => setDialog('restore')}>
                Restore
              </Button>
            ) : (
              <Button color="red.9" variant="outline" onClick={() => setDialog('soft-delete')}>
                Soft Delete
              </Button>
            )}
          </Group>
          {dialog === null && <ErrorAlert error={lifecycle.error} />}
        </Stack>
      )}
      {self && <Text mt="lg" c="gray.7">This is your own account: your role, status and merchant access are changed by another administrator.</Text>}

      {confirmable('soft-delete', 'Soft Delete', 'The user can no longer log in and every session ends. You can restore the user later.')}
      {confirmable('restore', 'Restore', 'The user returns to their previous status.')}
      {confirmable('unlock', 'Unlock', 'The user can try to log in again at once.')}
      {confirmable('revoke-sessions', 'Revoke Sessions', 'Every access and refresh token of this user stops working at once, on every gateway.')}
      {confirmable('reset-mfa', 'Reset 2FA', 'The user’s authenticator and recovery codes are removed; they set up 2FA again at the next login.')}
      {confirmable('resend-invitation', 'Resend Invitation', 'A new setup link is mailed; the previous one stops working.')}
      {dialog === 'email' && <UpdateEmailModal user={user} onClose={() => setDialog(null)} />}
      {dialog === 'role' && <UpdateRoleModal user={user} roles={roles.data ?? []} onClose={() => setDialog(null)} />}
      {dialog === 'access' && <MerchantAccessModal user={user} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && (
        <HardDeleteModal
          user={user}
          onClose={() => setDialog(null)}
          onDeleted={async () => {
            notify(`${user.email} was permanently deleted.`);
            queryClient.removeQueries({ queryKey: ['users', 'one', user.id] });
            await navigate('/users');
          }}
        />
      )}
    </>
  );
}
