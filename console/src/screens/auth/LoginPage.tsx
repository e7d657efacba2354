// Login: email and password, then the authentication code (or a recovery
// code), or 2FA enrolment when the account must enrol first.
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrapAs } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import type { LoginAnswer } from '../../api/types';
import { startSession, type TokenAnswer } from '../../session/session';
import { useSession } from '../../session/use-session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { MfaEnrolment } from './MfaEnrolment';

type Step = { kind: 'password' } | { kind: 'code'; mfaToken: string } | { kind: 'enrol'; mfaToken: string };

/** An MFA token lives a few minutes: past that the login starts again, said as a sentence. */
const expiredStep = (error: unknown) => error instanceof ApiProblem && error.code === 'UNAUTHENTICATED';

export default function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const done = (answer: TokenAnswer) => {
    startSession(answer);
    void navigate(from, { replace: true });
  };

  const login = useMutation({
    mutationFn: () => unwrapAs<LoginAnswer>(api.POST('/v1/auth/login', { body: { email: email.trim(), password } })),
    onSuccess: (answer) => {
      setNotice(null);
      setPassword('');
      if ('accessToken' in answer) done(answer);
      else if ('mfaSetupRequired' in answer) setStep({ kind: 'enrol', mfaToken: answer.mfaToken });
      else setStep({ kind: 'code', mfaToken: answer.mfaToken });
    },
  });
  const totp = useMutation({
    mutationFn: (mfaToken: string) =>
      unwrapAs<TokenAnswer>(api.POST('/v1/auth/login/totp', { body: { mfaToken, code: code.trim() } })),
    onSuccess: done,
    onError: (error) => {
      if (expiredStep(error)) {
        setStep({ kind: 'password' });
        setNotice('Your sign-in took too long and has expired. Log in again.');
      }
    },
  });

  if (session.status === 'authenticated' && step.kind === 'password') return <Navigate to={from} replace />;

  return (
    <AuthCard title="Log in">
      {notice && (
        <Text role="alert" c="red.9">
          {notice}
        </Text>
      )}
      {step.kind === 'password' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            login.mutate();
          }}
        >
          <Stack>
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <ErrorAlert error={login.error} />
            <Button type="submit" loading={login.isPending}>
              Log in
            </Button>
          </Stack>
        </form>
      )}
      {step.kind === 'code' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            totp.mutate(step.mfaToken);
          }}
        >
          <Stack>
            <TextInput
              label="Authentication code"
              description="The 6-digit code of your authenticator app, or one of your recovery codes"
              autoComplete="one-time-code"
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
            />
            {!expiredStep(totp.error) && <ErrorAlert error={totp.error} />}
            <Button type="submit" loading={totp.isPending}>
              Verify
            </Button>
            <Button variant="default" onClick={() => setStep({ kind: 'password' })}>
              Back to login
            </Button>
          </Stack>
        </form>
      )}
      {step.kind === 'enrol' && (
        <>
          <Text size="sm">Your organisation requires two-factor authentication. Set it up to continue.</Text>
          <MfaEnrolment mfaToken={step.mfaToken} onDone={done} />
        </>
      )}
    </AuthCard>
  );
}
