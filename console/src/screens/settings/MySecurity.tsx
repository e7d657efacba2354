import { useState } from 'react';
import { Alert, Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Me } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';

export function MyPassword() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/password', { body: { currentPassword, newPassword } })),
    onSuccess: () => {
      setCurrent('');
      setNew('');
      setConfirm('');
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setMismatch(newPassword !== confirm);
        if (newPassword === confirm) change.mutate();
      }}
    >
      <Stack maw={420}>
        <PasswordInput label="Current password" autoComplete="current-password" required value={currentPassword} onChange={(e) => setCurrent(e.currentTarget.value)} />
        <PasswordInput label="New password" autoComplete="new-password" required value={newPassword} onChange={(e) => setNew(e.currentTarget.value)} />
        <PasswordInput label="Confirm new password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} />
        {mismatch && (
          <Text role="alert" c="red.9">
            The new passwords do not match.
          </Text>
        )}
        <ErrorAlert error={change.error} />
        {change.isSuccess && (
          <Alert color="green" role="status">
            Your password is changed.
          </Alert>
        )}
        <Button type="submit" loading={change.isPending}>
          Change password
        </Button>
      </Stack>
    </form>
  );
}

export function MyTwoFactor({ me }: { me: Me }) {
  return (
    <Stack maw={560}>
      <Text>
        Two-factor authentication: <strong>{me.user.mfaEnrolled ? 'set up' : 'not set up'}</strong>.
      </Text>
      <Text size="sm">
        {me.user.mfaEnrolled
          ? 'To move it to a new phone, or if you lost it, ask an administrator to use Reset 2FA on your account: you set it up again at your next login. Your recovery codes each let you log in once meanwhile.'
          : 'When your organisation or your role requires it, you are asked to set it up at your next login.'}
      </Text>
    </Stack>
  );
}
