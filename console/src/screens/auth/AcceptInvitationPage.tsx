// The mailed setup link: the tenant's password policy shown live with each unmet
// rule named, then 2FA enrolment when required, then the first screen.
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Anchor, Button, List, PasswordInput, Stack, Text, ThemeIcon, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrapAs } from '../../api/client';
import type { InvitationLookup, PasswordPolicyView } from '../../api/types';
import { startSession, type TokenAnswer } from '../../session/session';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { MfaEnrolment } from './MfaEnrolment';

interface Rule {
  label: string;
  met: boolean;
}

/** The rules the browser can check; the blocklist and history are checked on submit. */
function rulesFor(policy: PasswordPolicyView, password: string, confirm: string, email: string): Rule[] {
  const length = [...password.normalize('NFC')].length;
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  const rules: Rule[] = [
    { label: `At least ${policy.minLength} characters`, met: length >= policy.minLength },
    { label: `At most ${policy.maxLength} characters`, met: length <= policy.maxLength },
  ];
  if (policy.requireUpper) rules.push({ label: 'An upper-case letter', met: /\p{Lu}/u.test(password) });
  if (policy.requireLower) rules.push({ label: 'A lower-case letter', met: /\p{Ll}/u.test(password) });
  if (policy.requireDigit) rules.push({ label: 'A digit', met: /\p{Nd}/u.test(password) });
  if (policy.requireSymbol) rules.push({ label: 'A symbol', met: /[^\p{L}\p{Nd}]/u.test(password) });
  if (local.length >= 4) rules.push({ label: 'Does not contain your email name', met: !password.toLowerCase().includes(local) });
  rules.push({ label: 'Both passwords match', met: password.length > 0 && password === confirm });
  return rules;
}

export default function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);

  const lookup = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => unwrapAs<InvitationLookup>(api.GET('/v1/invitations/lookup', { params: { query: { token } } })),
    enabled: token.length > 0,
    retry: false,
    staleTime: Infinity,
  });
  const accept = useMutation({
    mutationFn: () => unwrapAs<{ status: string; mfaToken?: string }>(api.POST('/v1/invitations/accept', { body: { token, password } })),
  });
  const rules = useMemo(
    () => (lookup.data ? rulesFor(lookup.data.passwordPolicy, password, confirm, lookup.data.email) : []),
    [lookup.data, password, confirm],
  );
  const unmet = rules.filter((r) => !r.met);

  const finish = (answer: TokenAnswer) => {
    startSession(answer);
    void navigate('/', { replace: true });
  };

  if (!token) {
    return (
      <AuthCard title="Set up your account">
        <Text role="alert">This link is incomplete. Open the link from your invitation email again.</Text>
      </AuthCard>
    );
  }
  if (accept.data?.mfaToken) {
    return (
      <AuthCard title="Set up two-factor authentication">
        <MfaEnrolment mfaToken={accept.data.mfaToken} onDone={finish} />
      </AuthCard>
    );
  }
  if (accept.data) {
    return (
      <AuthCard title="Your account is ready">
        <Text>Your password is set. You can now log in.</Text>
        <Anchor component={Link} to="/login">
          Go to login
        </Anchor>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Set up your account">
      <ErrorAlert error={lookup.error} />
      {lookup.data && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            if (unmet.length === 0) accept.mutate();
          }}
        >
          <Stack>
            <Text>
              Choose a password for <strong>{lookup.data.email}</strong>.
            </Text>
            <input type="email" name="username" autoComplete="username" value={lookup.data.email} readOnly hidden />
            <PasswordInput
              label="Password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              aria-describedby="password-rules"
            />
            <PasswordInput
              label="Confirm password"
              autoComplete="new-password"
              required
              value={confirm}
              onChange={(e) => setConfirm(e.currentTarget.value)}
            />
            <div id="password-rules">
              <Text size="sm" fw={600} id="password-rules-title">
                Password requirements
              </Text>
              <List size="sm" spacing={2} aria-labelledby="password-rules-title" listStyleType="none">
                {rules.map((r) => (
                  <List.Item
                    key={r.label}
                    icon={
                      <ThemeIcon size={16} radius="xl" color={r.met ? 'teal.9' : 'gray.6'} aria-hidden>
                        {r.met ? '✓' : '·'}
                      </ThemeIcon>
                    }
                  >
                    {r.label}
                    <VisuallyHidden>{r.met ? ' (met)' : ' (not met)'}</VisuallyHidden>
                  </List.Item>
                ))}
                <List.Item icon={<ThemeIcon size={16} radius="xl" color="gray.6" aria-hidden>·</ThemeIcon>}>
                  Not a commonly used password{lookup.data.passwordPolicy.historySize > 0 ? ', nor a recent one' : ''} (checked when you submit)
                </List.Item>
              </List>
            </div>
            {touched && unmet.length > 0 && (
              <Text role="alert" c="red.9" size="sm">
                Not met yet: {unmet.map((r) => r.label.toLowerCase()).join('; ')}.
              </Text>
            )}
            <ErrorAlert error={accept.error} />
            <Button type="submit" loading={accept.isPending}>
              Set password
            </Button>
            {lookup.data.mfaRequired && <Text size="sm">Next, you will set up two-factor authentication.</Text>}
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
