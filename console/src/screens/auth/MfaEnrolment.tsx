// 2FA enrolment: QR code and the key as text, a first code, then the recovery
// codes to save. Used by the setup link and by a login that must enrol first.
import { useEffect, useState } from 'react';
import { Button, Code, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { api, unwrapAs } from '../../api/client';
import type { MfaSetup, MfaVerified } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';

export function MfaEnrolment({ mfaToken, onDone }: { mfaToken: string; onDone: (answer: MfaVerified) => void }) {
  const setup = useQuery({
    queryKey: ['mfa-setup', mfaToken],
    queryFn: () => unwrapAs<MfaSetup>(api.POST('/v1/auth/mfa/setup', { body: { mfaToken } })),
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const verify = useMutation({
    mutationFn: () => unwrapAs<MfaVerified>(api.POST('/v1/auth/mfa/verify', { body: { mfaToken, code: code.trim() } })),
  });

  useEffect(() => {
    if (setup.data) void QRCode.toDataURL(setup.data.otpauthUrl, { margin: 1, width: 200 }).then(setQr);
  }, [setup.data]);

  if (verify.data) {
    const answer = verify.data;
    return (
      <Stack>
        <Text fw={600}>Save your recovery codes</Text>
        <Text size="sm">
          Each code lets you log in once if you lose your authenticator. Keep them somewhere safe; they are not shown again.
        </Text>
        <List aria-label="Recovery codes" spacing={2}>
          {answer.recoveryCodes.map((c) => (
            <List.Item key={c}>
              <Code>{c}</Code>
            </List.Item>
          ))}
        </List>
        <Button onClick={() => onDone(answer)}>Continue</Button>
      </Stack>
    );
  }

  return (
    <Stack>
      <Text fw={600}>Set up two-factor authentication</Text>
      <ErrorAlert error={setup.error} />
      {setup.data && (
        <>
          <Text size="sm">Scan this QR code with an authenticator app (Google Authenticator, Authy, …), or type the key into it.</Text>
          {qr && <Image src={qr} alt="QR code to add this account to an authenticator app" w={200} h={200} />}
          <TextInput label="Secret key" value={setup.data.secret} readOnly styles={{ input: { fontFamily: 'monospace' } }} />
          <form
            onSubmit={(e) => {
              e.preventDefault();
              verify.mutate();
            }}
          >
            <Stack>
              <TextInput
                label="Authentication code"
                description="The 6-digit code your app shows now"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
              />
              <ErrorAlert error={verify.error} />
              <Button type="submit" loading={verify.isPending}>
                Verify
              </Button>
            </Stack>
          </form>
        </>
      )}
    </Stack>
  );
}
