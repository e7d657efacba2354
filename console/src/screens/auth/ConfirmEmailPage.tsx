// The email-verification link: confirms the change once, then offers the login.
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Anchor, Loader, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { AuthCard } from './AuthCard';

export default function ConfirmEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const confirm = useMutation({ mutationFn: () => unwrap(api.POST('/v1/email-verifications/confirm', { body: { token } })) });
  const sent = useRef(false);
  useEffect(() => {
    // A link works once: StrictMode's second effect must not send it again.
    if (token && !sent.current) {
      sent.current = true;
      confirm.mutate();
    }
  }, [token, confirm]);

  return (
    <AuthCard title="Confirm your email address">
      {!token && <Text role="alert">This link is incomplete. Open the link from your email again.</Text>}
      {confirm.isPending && <Loader aria-label="Confirming" />}
      <ErrorAlert error={confirm.error} />
      {confirm.isSuccess && <Text role="status">Your email address is confirmed. Use it the next time you log in.</Text>}
      <Anchor component={Link} to="/login">
        Go to login
      </Anchor>
    </AuthCard>
  );
}
