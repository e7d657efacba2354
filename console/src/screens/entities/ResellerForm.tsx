// Create or edit a reseller (guide 2): details, security settings, gateways.
// Creating one also invites its admin at the reseller's email.
import { useState } from 'react';
import { Button, Checkbox, Fieldset, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap, unwrapAs } from '../../api/client';
import type { Reseller } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { idList, strs } from './fields';

const num = (v: string | number, fallback: number) => (typeof v === 'number' ? v : Number.parseInt(v, 10) || fallback);

export function ResellerForm({ reseller, onSaved, onCancel }: { reseller?: Reseller; onSaved: (r: Reseller) => void; onCancel: () => void }) {
  const security = reseller?.security ?? {};
  const policy = security.passwordPolicy ?? {};
  const [id, setId] = useState('');
  const [name, setName] = useState(reseller?.name ?? '');
  const [email, setEmail] = useState(reseller?.email ?? '');
  const [type, setType] = useState(reseller?.type ?? '');
  const [mfaRequired, setMfaRequired] = useState(security.mfaRequired !== false);
  const [maxLoginAttempts, setMaxLoginAttempts] = useState<string | number>(security.maxLoginAttempts ?? 5);
  const [lockoutMinutes, setLockoutMinutes] = useState<string | number>(security.lockoutMinutes ?? 15);
  const [minLength, setMinLength] = useState<string | number>(policy.minLength ?? 12);
  const [gateways, setGateways] = useState(strs(reseller?.gateways));

  const save = useMutation({
    mutationFn: async (): Promise<Reseller> => {
      const body = {
        name: name.trim(),
        email: email.trim(),
        type: type.trim(),
        security: {
          mfaRequired,
          maxLoginAttempts: num(maxLoginAttempts, 5),
          lockoutMinutes: num(lockoutMinutes, 15),
          passwordPolicy: { minLength: num(minLength, 12) },
        },
        gateways: idList(gateways),
      };
      if (reseller) return unwrapAs<Reseller>(api.PATCH('/v1/resellers/{id}', { params: { path: { id: reseller.id } }, body }));
      return unwrap(api.POST('/v1/resellers', { body: { id: id.trim(), ...body } }));
    },
    onSuccess: onSaved,
  });

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        {!reseller && <TextInput label="Reseller ID" required value={id} onChange={(e) => setId(e.currentTarget.value)} />}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        {!reseller && <Text size="sm">An administrator account is invited at this email when the reseller is created.</Text>}
        <TextInput label="Reseller type" required value={type} onChange={(e) => setType(e.currentTarget.value)} />
        <Fieldset legend="Security">
          <Stack>
            <Checkbox label="Require two-factor authentication" checked={mfaRequired} onChange={(e) => setMfaRequired(e.currentTarget.checked)} />
            <NumberInput label="Failed logins before lockout" min={1} max={100} value={maxLoginAttempts} onChange={setMaxLoginAttempts} />
            <NumberInput label="Lockout minutes" min={1} max={1440} value={lockoutMinutes} onChange={setLockoutMinutes} />
            <NumberInput label="Minimum password length" min={8} max={128} value={minLength} onChange={setMinLength} />
          </Stack>
        </Fieldset>
        <TextInput label="Payment gateways" description="Separate with commas" value={gateways} onChange={(e) => setGateways(e.currentTarget.value)} />
        <ErrorAlert error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            {reseller ? 'Save reseller' : 'Create reseller'}
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
