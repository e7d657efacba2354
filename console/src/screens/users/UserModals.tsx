// The dialogs of the user details screen: confirmations, update email, update
// role, and the hard delete with a typed confirmation.
import { useState } from 'react';
import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { queryClient } from '../../api/query-client';
import type { Role, User } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notices';

export function ConfirmModal(props: {
  title: string;
  text: string;
  confirm: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened onClose={props.onClose} title={props.title}>
      <Stack>
        <Text>{props.text}</Text>
        <ErrorAlert error={props.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button loading={props.pending} onClick={props.onConfirm}>
            {props.confirm}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const refreshUsers = () => queryClient.invalidateQueries({ queryKey: ['users'] });

export function UpdateEmailModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [email, setEmail] = useState('');
  const update = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/users/{id}/email', { params: { path: { id: user.id } }, body: { email: email.trim() } })),
    onSuccess: async () => {
      notify(`A verification link was sent to ${email.trim()}. The change takes effect when it is followed.`);
      await refreshUsers();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Update Email">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate();
        }}
      >
        <Stack>
          <Text size="sm">The new address receives a verification link; the change takes effect when it is followed.</Text>
          <TextInput label="New email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} data-autofocus />
          <ErrorAlert error={update.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Update Email
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function UpdateRoleModal({ user, roles, onClose }: { user: User; roles: Role[]; onClose: () => void }) {
  const [roleId, setRoleId] = useState<string | null>(user.roleId);
  const update = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/users/{id}/role', { params: { path: { id: user.id } }, body: { roleId: roleId ?? '' } })),
    onSuccess: async () => {
      notify('The role is updated. The user’s permissions changed at once.');
      await refreshUsers();
      onClose();
    },
  });
  const choices = roles.filter((r) => r.scope === user.type && (r.enabled || r.id === user.roleId));
  return (
    <Modal opened onClose={onClose} title="Update Role">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate();
        }}
      >
        <Stack>
          <Select label="Role" searchable data={choices.map((r) => ({ value: r.id, label: r.name }))} value={roleId} onChange={setRoleId} allowDeselect={false} />
          <ErrorAlert error={update.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending} disabled={!roleId}>
              Update Role
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function HardDeleteModal({ user, onClose, onDeleted }: { user: User; onClose: () => void; onDeleted: () => Promise<void> }) {
  const [typed, setTyped] = useState('');
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/users/{id}', { params: { path: { id: user.id } }, body: {} })),
    onSuccess: onDeleted,
  });
  return (
    <Modal opened onClose={onClose} title="Delete User">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim() === user.email) remove.mutate();
        }}
      >
        <Stack>
          <Text>
            This permanently removes <strong>{user.email}</strong>. It cannot be undone. To keep the account restorable, use Soft Delete instead.
          </Text>
          <TextInput label="Type the user’s email to confirm" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} data-autofocus />
          <ErrorAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red.9" loading={remove.isPending} disabled={typed.trim() !== user.email}>
              Delete User
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
